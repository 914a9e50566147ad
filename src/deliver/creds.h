/* creds: the credentials for a route's relay, from the authinfo map, found
 * before the session exists: sendmail's order, the entry for the host as
 * configured, then one for each address the host resolves to, then the
 * default entry; the SMTP client takes the first that fits the address
 * it reached (smtp_creds_pick).  A bad map or entry is logged in full (file
 * and line, never a value) and the caller gets CREDS_UNUSABLE_TEXT, which
 * is all that queued messages, mailq and DSNs ever show. */
#ifndef RELAYQ_CREDS_H
#define RELAYQ_CREDS_H

#include <stddef.h>

#include "route.h"
#include "smtp.h"

struct map;

#define CREDS_UNUSABLE_TEXT "authinfo map unusable, see the log"

/* Fills out (empty on entry) for relay h.  With cred_sender (see
 * creds_sender_key) the entry "<host>/<cred_sender>" comes first, alone.
 * An entry with an OAuth2 token file (O:) gets its access token through
 * token_resolve_creds.  0, or -1 with err set to CREDS_UNUSABLE_TEXT (the
 * details went to the log) or to the OAuth2 refresh's reason. */
int creds_for_host(struct map *authinfo, const struct route_host *h,
    const char *cred_sender, struct smtp_creds *out, char *err, size_t errlen);

/* relayq's extension for two senders with their own logins on one relay:
 * if the authinfo map has "AuthInfo:<host>/<sender>" or
 * "AuthInfo:<host>/@<domain>" for a relay of r, out gets that sender part
 * (else ""), and the route is distinct from other senders'.  0, or -1
 * (logged) when the map cannot be read. */
int creds_sender_key(struct map *authinfo, const struct route *r, const char *sender,
    char *out, size_t outlen);

#endif
