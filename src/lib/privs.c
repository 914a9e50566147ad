/* privs: root -> the relayq user, real, effective and saved ids alike. */
#include "privs.h"
#include "buf.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

int
privs_drop(const char *user, char *err, size_t errlen)
{
	if (geteuid() != 0)
		return 0;
	struct passwd *pw = getpwnam(user);
	if (pw == NULL) {
		snprintf_rq(err, errlen, "no user %s: refusing to work on the queue as root", user);
		return -1;
	}
	uid_t uid = pw->pw_uid;
	gid_t gid = pw->pw_gid;
	if (setgroups(0, NULL) == -1 || setresgid(gid, gid, gid) == -1 ||
	    setresuid(uid, uid, uid) == -1) {
		snprintf_rq(err, errlen, "cannot become %s: %s", user, strerror(errno));
		return -1;
	}
	return 0;
}
