/* net: the connect-to list (see net.h). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "net.h"

void
net_init(struct net *n)
{
	memset(n, 0, sizeof *n);
	n->timeout = 15;
}

/* Splits "a:b" at the last colon of s[0..len) into host and port. */
static int
split_hostport(const char *s, size_t len, char *host, size_t hsize,
    char *port, size_t psize)
{
	const char *colon = NULL;
	for (size_t i = 0; i < len; i++)
		if (s[i] == ':')
			colon = s + i;
	if (colon == NULL || colon == s || (size_t)(colon - s) >= hsize)
		return -1;
	size_t plen = len - (size_t)(colon - s) - 1;
	if (plen == 0 || plen >= psize || strspn(colon + 1, "0123456789") < plen)
		return -1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	memcpy(port, colon + 1, plen);
	port[plen] = '\0';
	return 0;
}

int
net_add_map(struct net *n, const char *spec, char *err, size_t errlen)
{
	/* HOST:PORT:ADDR:PORT: the second field ends at the second colon. */
	const char *c1 = strchr(spec, ':');
	const char *c2 = c1 != NULL ? strchr(c1 + 1, ':') : NULL;
	if (n->nmaps == NET_MAX_MAPS) {
		snprintf_rq(err, errlen, "too many --connect-to entries (at most %d)",
		    NET_MAX_MAPS);
		return -1;
	}
	struct net_map *m = &n->maps[n->nmaps];
	if (c2 == NULL ||
	    split_hostport(spec, (size_t)(c2 - spec), m->host, sizeof m->host,
	    m->port, sizeof m->port) == -1 ||
	    split_hostport(c2 + 1, strlen(c2 + 1), m->to_host, sizeof m->to_host,
	    m->to_port, sizeof m->to_port) == -1) {
		snprintf_rq(err, errlen, "--connect-to %s: expected HOST:PORT:ADDR:PORT",
		    spec);
		return -1;
	}
	n->nmaps++;
	return 0;
}

const struct net_map *
net_lookup(const struct net *n, const char *host, const char *port)
{
	for (size_t i = 0; i < n->nmaps; i++)
		if (strcasecmp(n->maps[i].host, host) == 0 &&
		    strcmp(n->maps[i].port, port) == 0)
			return &n->maps[i];
	return NULL;
}

bool
net_allowed(const struct net *n, const char *host, const char *port)
{
	return !n->only_mapped || net_lookup(n, host, port) != NULL;
}
