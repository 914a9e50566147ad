/* route: where a message goes, resolved before any session exists — the
 * relays in order (the first is the primary), the TLS and AUTH modes, the
 * certificate pin — so that a session is opened from a route alone and
 * the SMTP client is handed its credential (creds.h), never a callback.
 * Sender-dependent relays and fallback lists fill route_resolve in; the
 * run loop groups messages by route and opens one session per route. */
#ifndef RELAYQ_ROUTE_H
#define RELAYQ_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"
#include "smtp.h"
#include "spool.h"

#define ROUTE_HOSTS_MAX 8

struct route_host {
	char name[256];		/* host name or address, no brackets */
	char port[16];
	bool literal;		/* an IP address, not a name */
	bool bracketed;		/* written [..]: no MX; authinfo keys keep
				   the brackets of an address */
};

struct route {
	struct route_host host[ROUTE_HOSTS_MAX];
	size_t nhosts;
	enum smtp_tls tls;
	bool auth;		/* look up credentials (an authinfo map is set) */
	bool auth_required;	/* no credential, or no AUTH offered: defer */
	const char *pin;	/* tls_fingerprint, "" = none; borrowed from c */
};

/* The route for e under c.  Today every sender goes to the smarthost. */
void route_resolve(const struct conf *c, const struct envelope *e, struct route *r);
/* Same relays, port and modes: may share one session. */
bool route_equal(const struct route *a, const struct route *b);
/* "host:port" of the primary, for log lines and DSNs. */
const char *route_primary(const struct route *r);

#endif
