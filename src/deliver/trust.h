/* trust: what relayqd prepares while still root, before it drops to the
 * relayq user (Postfix's pre-init pattern) — the TLS context with the
 * trust store and client key, libsasl2's plugins, and the authinfo map,
 * opened and checked (safefile rules) so the secrets stay readable by
 * root alone.  Core dumps are disabled for the rest of the process.
 * The credentials themselves are read only when a session needs them
 * and wiped right after AUTH. */
#ifndef RELAYQ_TRUST_H
#define RELAYQ_TRUST_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"
#include "relayq.h"

struct map;
struct tls_ctx;

struct trust {
	const struct conf *c;
	struct tls_ctx *tls;		/* NULL with tls none */
	struct map *authinfo;		/* NULL without an authinfo map */
	char error[RELAYQ_ERRLEN];	/* set: no session may start (the
					   reason every message is deferred
					   with); never falls back to "none" */
};

/* Never fails outright: a problem goes to t->error (and the log). */
void trust_init(struct trust *t, const struct conf *c);
void trust_free(struct trust *t);

#endif
