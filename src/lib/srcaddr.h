/* srcaddr: relayq.conf's source_address — the local addresses the SMTP
 * client binds to before connecting: at most one IPv4 and one IPv6
 * address (Postfix's smtp_bind_address and smtp_bind_address6 in one key). */
#ifndef RELAYQ_SRCADDR_H
#define RELAYQ_SRCADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <netinet/in.h>

struct srcaddr {
	bool has4, has6;	/* a family without one: the kernel chooses */
	struct in_addr v4;
	struct in6_addr v6;
};

/* "192.0.2.10", "2001:db8::10", both blank-separated in either order, or
 * "" (none): numeric addresses only, no brackets.  0, or -1 with why
 * ("\"x\" is not an IPv4 or IPv6 address", "two IPv4 addresses"). */
int srcaddr_parse(struct srcaddr *s, const char *text, char *why, size_t whylen);

#endif
