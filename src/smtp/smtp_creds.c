/* smtp_creds: the credentials a session is handed (smtp.h), picked by the
 * address it reached; they own their secrets and wipe them. */
#include "smtp.h"
#include "buf.h"

#include <string.h>

int
smtp_creds_add(struct smtp_creds *c, const char *addr, struct authinfo *ai)
{
	if (c->n == SMTP_CREDS_MAX)
		return -1;
	struct smtp_cred *e = &c->v[c->n++];
	strlcpy_rq(e->addr, addr, sizeof e->addr);
	e->ai = *ai;
	memset(ai, 0, sizeof *ai);
	return 0;
}

const struct authinfo *
smtp_creds_pick(const struct smtp_creds *c, const char *peer)
{
	for (size_t i = 0; c != NULL && i < c->n; i++)
		if (c->v[i].addr[0] == '\0' || strcmp(c->v[i].addr, peer) == 0)
			return &c->v[i].ai;
	return NULL;
}

void
smtp_creds_free(struct smtp_creds *c)
{
	for (size_t i = 0; c != NULL && i < c->n; i++)
		authinfo_free(&c->v[i].ai);
	if (c != NULL)
		c->n = 0;
}
