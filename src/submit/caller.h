/* caller: who runs sendmail — the login name (envelope sender, relay=
 * in the log) and the GECOS full name (From:) of the real uid, looked up
 * once per process. */
#ifndef RELAYQ_CALLER_H
#define RELAYQ_CALLER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define CALLER_NSSWITCH "/etc/nsswitch.conf"
#define CALLER_PASSWD "/etc/passwd"

struct caller {
	const char *login;	/* "nobody" when the uid has no entry */
	char gecos[256];	/* the full name: GECOS up to its first comma */
	bool from_files;	/* read from passwd without NSS (for tests) */
	char *line;		/* the passwd line login points into, or NULL */
};

/* getpwuid(uid)'s login name and full name.  When the passwd line of
 * nsswitch (path) names "files" first, the entry is read from passwd
 * (path) directly, as glibc's files service reads it: no NSS set-up, no
 * nscd probe, 128 KiB less of libc resident.  Anything else (another
 * service first, an action after files, a uid not in the file, a line
 * this reader cannot parse as glibc would) is left to getpwuid. */
void caller_lookup(struct caller *c, uid_t uid, const char *nsswitch, const char *passwd);
void caller_free(struct caller *c);

/* The real uid's entry from the system files, looked up on first use. */
const struct caller *caller_self(void);

#endif
