/* mech: what a SASL mechanism name implies, in one place. */
#ifndef RELAYQ_MECH_H
#define RELAYQ_MECH_H

#include <stdbool.h>

/* Does the mechanism send a secret the server (or anyone on the wire)
 * could reuse: PLAIN, LOGIN (the password), XOAUTH2, OAUTHBEARER (a bearer
 * token)?  Such mechanisms are never used outside TLS. */
bool mech_sends_secret(const char *mech);

/* Does the mechanism carry an OAuth2 bearer token (XOAUTH2, OAUTHBEARER)?
 * Those are built by bearer.c, never handed to libsasl2. */
bool mech_is_bearer(const char *mech);

#endif
