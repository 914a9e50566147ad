/* token: an OAuth2 credential (authinfo O: item) made usable before a
 * session.  The worker, running as relayq, runs relayq-oauth2-refresh on
 * the token file (fork and exec, no shell, a clean environment, at most
 * TOKEN_TIMEOUT seconds), then reads the access token the file holds and
 * puts it where the SMTP client takes the credential from (the entry's
 * password).  relayqd itself never speaks HTTP and never links libcurl.
 * Any failure defers: the reason is the helper's one line (e.g. "refresh
 * token revoked or expired: run relayq-setup --oauth2 USER again"),
 * which is what mailq and a delay DSN show; it never holds a token. */
#ifndef RELAYQ_TOKEN_H
#define RELAYQ_TOKEN_H

#include <stddef.h>

#include "smtp.h"

#define TOKEN_HELPER	"relayq-oauth2-refresh"
#define TOKEN_TIMEOUT	60	/* s, the helper's whole run */

/* Every candidate of c with a token file gets its access token.  0, or
 * -1 with err (the reason to defer with; the details are logged). */
int token_resolve_creds(struct smtp_creds *c, char *err, size_t errlen);

#endif
