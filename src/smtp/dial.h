/* dial: one TCP connection to the first of a host's addresses that answers,
 * Happy Eyeballs style (RFC 8305): IPv6 and IPv4 addresses alternate, IPv6
 * first; a new attempt starts 250 ms after the previous one, or as soon as
 * it fails, without cancelling those still running; the first to connect
 * wins and the others are closed; all of it within one deadline.  Each
 * socket is bound to the source address of its family when one is set. */
#ifndef RELAYQ_DIAL_H
#define RELAYQ_DIAL_H

#include <netdb.h>
#include <stddef.h>

#include "srcaddr.h"

#define DIAL_MAX 16		/* addresses tried per host; more are ignored */
#define DIAL_DELAY_MS 250	/* RFC 8305 §5 Connection Attempt Delay */

/* Up to max of res's stream addresses into out, families alternating, IPv6
 * first, each family in res's order (getaddrinfo's RFC 6724 sort).
 * Returns how many; out's entries point into res. */
size_t dial_order(const struct addrinfo *res, const struct addrinfo **out, size_t max);

struct dial_target {
	const char *host;		/* for the error text */
	const char *port;
	const struct srcaddr *src;	/* NULL: the kernel chooses */
	long long timeout_ms;		/* for all attempts together */
};

/* Races connections to addrs[0..n) in that order.  Returns the connected
 * socket (non-blocking, close-on-exec) with the winner's address in addr
 * ("::1"), or -1 with err naming every address and why, briefly: "connect
 * to host [::1]:25: Connection timed out; [127.0.0.1]:25: Connection
 * refused" (one address: exactly the text conn_connect always gave). */
int dial(const struct dial_target *t, const struct addrinfo *const *addrs, size_t n,
    char *addr, size_t addrlen, char *err, size_t errlen);

#endif
