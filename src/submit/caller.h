/* caller: who runs sendmail — the login name (envelope sender, relay=
 * in the log) and the GECOS full name (From:) of the real uid, looked up
 * once per process (it was three getpwuid calls, each an NSS lookup). */
#ifndef RELAYQ_CALLER_H
#define RELAYQ_CALLER_H

#include <sys/types.h>

struct caller {
	char login[256];	/* "nobody" when the uid has no entry */
	char gecos[256];	/* the full name: GECOS up to its first comma */
};

/* getpwuid(uid)'s login name and full name. */
void caller_lookup(struct caller *c, uid_t uid);

/* The real uid's entry, looked up on first use. */
const struct caller *caller_self(void);

#endif
