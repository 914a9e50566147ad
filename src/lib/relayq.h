/* relayq.h: project-wide constants and the delivery outcome convention.
 * Functions return 0 / -1 (errno kept); delivery steps return an outcome. */
#ifndef RELAYQ_H
#define RELAYQ_H

#include <sysexits.h>

#include "paths.h"	/* generated: RELAYQ_VERSION, _SYSCONF, _LIBEXEC */

/* Result of one delivery step (connect, MAIL, a recipient, DATA). */
enum outcome {
	OUT_OK = 0,	/* done */
	OUT_TEMP = 1,	/* try again later: message stays queued */
	OUT_PERM = 2	/* will never work: fail (bounce) */
};

#define RELAYQ_CONF_DEFAULT RELAYQ_SYSCONF "/relayq.conf"
#define RELAYQ_SPOOL_DEFAULT "/var/spool/relayq"
#define RELAYQ_SUBMIT_SOCKET "/run/relayq/submit"	/* relayqd's, for sandboxed callers */
#define RELAYQ_MAILNAME "/etc/mailname"	/* Debian's mail name */
#define RELAYQ_USER "relayq"		/* owns the spool's directories, runs relayqd */
#define RELAYQ_GROUP "relayq"		/* reads queue/'s state files: relayq-showq */
#define RELAYQ_DROP_GROUP "relayq-drop"	/* creates files in maildrop/: sendmail */
#define RELAYQ_ERRLEN 512		/* size of caller error buffers */

#endif
