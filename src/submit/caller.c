/* caller: the submitting user's login and full name, from getpwuid once. */
#include "caller.h"
#include "buf.h"

#include <pwd.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

void
caller_lookup(struct caller *c, uid_t uid)
{
	struct passwd *pw = getpwuid(uid);
	strlcpy_rq(c->login, pw != NULL ? pw->pw_name : "nobody", sizeof c->login);
	c->gecos[0] = '\0';
	if (pw != NULL && pw->pw_gecos != NULL)
		snprintf_rq(c->gecos, sizeof c->gecos, "%.*s", (int)strcspn(pw->pw_gecos, ","),
		    pw->pw_gecos);
}

const struct caller *
caller_self(void)
{
	static struct caller c;
	static bool looked_up;
	if (!looked_up) {
		caller_lookup(&c, getuid());
		looked_up = true;
	}
	return &c;
}
