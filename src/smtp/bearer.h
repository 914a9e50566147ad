/* bearer: the SASL messages that carry an OAuth2 bearer token (RFC 6750),
 * built here rather than through libsasl2: Debian 12's Cyrus SASL has no
 * OAUTHBEARER client plugin at all, and its only XOAUTH2 one (KDE's
 * libsasl2-modules-kdexoauth2) is single-purpose and crashes with an
 * ordinary password callback (shared/reference/oauth2.md §7).
 *   XOAUTH2 (Google, Microsoft):  user=USER^Aauth=Bearer TOKEN^A^A
 *   OAUTHBEARER (RFC 7628 §3.1):  n,a=USER,^Ahost=HOST^Aport=PORT^A
 *                                 auth=Bearer TOKEN^A^A
 * (^A = 0x01; in the GS2 header ',' is "=2C" and '=' is "=3D", RFC 5801.)
 * Both go base64-encoded, and only over TLS (mech_sends_secret).  A
 * server that refuses answers a 334 whose text is base64 JSON (RFC 7628
 * §3.2.2); bearer_error_status reads its "status" for the log. */
#ifndef RELAYQ_BEARER_H
#define RELAYQ_BEARER_H

#include <stddef.h>

#include "buf.h"

/* The dummy answers to an error challenge: OAUTHBEARER's is one 0x01
 * (RFC 7628 §3.2.3), XOAUTH2's an empty line (Google's documentation). */
#define BEARER_DUMMY_OAUTHBEARER "AQ=="
#define BEARER_DUMMY_XOAUTH2 ""

/* The base64 client response of mech (XOAUTH2 or OAUTHBEARER) into out
 * (appended; wipe it with buf_free_secret).  host and port are sent by
 * OAUTHBEARER only; port only when it is a decimal number.  0, or -1
 * (an unknown mechanism, a user or token with 0x01 in it, or memory). */
int bearer_response(const char *mech, const char *user, const char *token,
    const char *host, const char *port, struct buf *out);

/* The "status" of the base64 JSON in an error challenge into out: letters,
 * digits and "_.-" only, at most 64 bytes; "unknown" when the challenge
 * is not base64 JSON with a status string.  Never fails. */
void bearer_error_status(const char *challenge, char *out, size_t size);

#endif
