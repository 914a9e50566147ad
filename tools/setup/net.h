/* net: where relayq-setup's network traffic may go.  A connect-to list
 * ("HOST:PORT:ADDR:PORT", as curl's --connect-to) sends connections for a
 * host and port to another address while TLS is still checked against
 * the original name; with `only_mapped`, a host that is not on the list
 * counts as unresolvable.  Tests point every discovery name at loopback
 * servers this way; an administrator can rehearse against a staging host. */
#ifndef RELAYQ_SETUP_NET_H
#define RELAYQ_SETUP_NET_H

#include <stdbool.h>
#include <stddef.h>

#define NET_MAX_MAPS 32

struct net_map {
	char host[256], port[8];	/* what is asked for */
	char to_host[256], to_port[8];	/* where it goes */
};

struct net {
	struct net_map maps[NET_MAX_MAPS];
	size_t nmaps;
	bool only_mapped;
	char dns_server[64];	/* "ADDR:PORT" for SRV/MX queries, "" =
				   the system resolver */
	char ca[4096];		/* extra CA file for HTTPS and SMTP, "" =
				   the system store */
	int timeout;		/* seconds per HTTP fetch / SMTP step */
};

void net_init(struct net *n);
/* Adds "HOST:PORT:ADDR:PORT".  0, or -1 with err. */
int net_add_map(struct net *n, const char *spec, char *err, size_t errlen);
/* The mapping for host:port, or NULL. */
const struct net_map *net_lookup(const struct net *n, const char *host,
    const char *port);
/* False when only_mapped forbids host:port. */
bool net_allowed(const struct net *n, const char *host, const char *port);

#endif
