/* dns: the SRV (RFC 6186, RFC 8314 §5.1) and MX look-ups relayq-setup
 * needs, through libresolv, the only file that uses it.  The name server
 * is the system's, or net->dns_server (tests run a local one). */
#ifndef RELAYQ_SETUP_DNS_H
#define RELAYQ_SETUP_DNS_H

#include <stddef.h>

#include "net.h"

#define DNS_MAX_RR 16

struct dns_srv {
	int prio, weight, port;
	char target[256];	/* no trailing dot; "." = service not offered */
};

struct dns_mx {
	int pref;
	char host[256];		/* no trailing dot */
};

/* Each fills at most DNS_MAX_RR records sorted by preference (SRV: lowest
 * priority first, then highest weight; MX: lowest preference first) and
 * sets *count; no such name or no such record is 0 with *count 0.
 * -1 with err when the look-up itself failed (time-out, SERVFAIL). */
int dns_srv(const struct net *n, const char *name, struct dns_srv *out,
    size_t *count, char *err, size_t errlen);
int dns_mx(const struct net *n, const char *domain, struct dns_mx *out,
    size_t *count, char *err, size_t errlen);

#endif
