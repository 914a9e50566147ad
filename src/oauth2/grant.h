/* grant: the refresh-token grant (RFC 6749 §6) as pure parts — the form
 * body of the request, and what an answer means for the token file
 * (§5.1 success, §5.2 error).  No I/O: refresh.c does the request; the
 * unit tests feed answers directly. */
#ifndef RELAYQ_OAUTH2_GRANT_H
#define RELAYQ_OAUTH2_GRANT_H

#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "tokenfile.h"

#define GRANT_DEFAULT_EXPIRES	3600		/* s, when expires_in is absent */
#define GRANT_MAX_EXPIRES	(366L * 86400)	/* s, anything longer is a lie */
#define GRANT_TOKEN_MAX		8192		/* bytes of a token we store */

enum grant_result {
	GRANT_OK,		/* tf holds the new access token (and refresh
				   token when the server rotated it) */
	GRANT_TEMP,		/* try again later (5xx, 429, an odd answer) */
	GRANT_REFUSED		/* the endpoint refused the grant or the
				   client: a new sign-in or a config fix */
};

/* grant_type=refresh_token, refresh_token, client_id, client_secret and
 * scope when the file has them, form-encoded, into out.  0 / -1 (memory;
 * a field missing: token_endpoint, client_id or refresh_token). */
int grant_refresh_body(const struct tokenfile *tf, struct buf *out);

/* Applies the endpoint's answer (HTTP status, body of len bytes) to tf;
 * why (never a token) says what went wrong, for the one stderr line:
 * for invalid_grant "refresh token revoked or expired: run relayq-setup
 * --oauth2 USER again". */
enum grant_result grant_apply(struct tokenfile *tf, long status, const char *body,
    size_t len, time_t now, char *why, size_t whylen);

#endif
