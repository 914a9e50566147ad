/* route: where a message goes, resolved before any session exists — the
 * relays in order (the first is the primary, the rest fallbacks), each
 * with its TLS mode, the AUTH mode, the certificate pin and whose
 * credentials to use — so that a session is opened from a route alone
 * and the SMTP client is handed its credential (creds.h), never a
 * callback.  The run loop groups messages by route and opens one session
 * per route. */
#ifndef RELAYQ_ROUTE_H
#define RELAYQ_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"
#include "relayq.h"
#include "smtp.h"
#include "spool.h"

#define ROUTE_HOSTS_MAX RELAYS_MAX

struct map;

struct route_host {
	char name[256];		/* host name or address, no brackets */
	char port[16];
	bool literal;		/* an IP address, not a name */
	bool bracketed;		/* written [..]: no MX; authinfo keys keep
				   the brackets of an address */
	enum smtp_tls tls;
};

struct route {
	struct route_host host[ROUTE_HOSTS_MAX];
	size_t nhosts;
	bool auth;		/* look up credentials (an authinfo map is set) */
	bool auth_required;	/* no credential, or no AUTH offered: defer */
	const char *pin;	/* tls_fingerprint, "" = none; borrowed from c */
	char cred_sender[320];	/* authinfo "<host>/<this>" keys apply: a sender
				   address or "@domain"; "" = sendmail's keys */
	char error[RELAYQ_ERRLEN];	/* the route cannot be used: defer, why */
};

/* What routes come from: the configuration, the sender_relay map (NULL:
 * not configured or not opened, see error) and the authinfo map (NULL:
 * none) for sender-qualified credentials. */
struct routing {
	const struct conf *c;
	struct map *sender_relay;
	struct map *authinfo;
	char error[RELAYQ_ERRLEN];	/* sender_relay could not be opened: every
					   route carries this ("" = fine) */
};

/* Opens c's sender_relay map, if any (re-read at every queue run: a
 * changed map applies to the next one); a map that cannot be opened is
 * logged and makes every route carry rt->error, so mail waits rather
 * than leave through the wrong provider.  authinfo is borrowed. */
void routing_open(struct routing *rt, const struct conf *c, struct map *authinfo);
void routing_close(struct routing *rt);

/* The route for e: its sender's entry in sender_relay (the full address,
 * then "@domain"), else the smarthost list. */
void route_resolve(const struct routing *rt, const struct envelope *e, struct route *r);
/* Same relays, ports, modes and credentials: may share one session. */
bool route_equal(const struct route *a, const struct route *b);
/* The primary's name, for log lines. */
const char *route_primary(const struct route *r);

#endif
