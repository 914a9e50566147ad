/* relaylist: a list of relays as relayq.conf's `smarthost` and the values
 * of the sender_relay map write it — "host[:port] [addr]:port ...", the
 * first the primary and the rest fallbacks in order, optionally followed
 * by "tls=none|starttls|smtps". */
#ifndef RELAYQ_RELAYLIST_H
#define RELAYQ_RELAYLIST_H

#include <stdbool.h>
#include <stddef.h>

#define RELAYS_MAX 8

struct relay_addr {
	char name[256];		/* host name or address, no brackets */
	char port[16];		/* decimal, no sign or leading zero */
	bool bracketed;		/* written [..]: no MX; authinfo keys keep the
				   brackets of an address */
};

/* Explicit modes; RL_TLS_DEFAULT lets the port decide (conf_tls_for). */
enum relaylist_tls { RL_TLS_DEFAULT, RL_TLS_NONE, RL_TLS_STARTTLS, RL_TLS_SMTPS };

struct relay_list {
	struct relay_addr host[RELAYS_MAX];
	size_t n;
	enum relaylist_tls tls;
};

/* Parses text (blank-separated) with default_port for hosts without one.
 * 0, or -1 with why ("bad port \"x\"", "more than 8 relays", ...). */
int relaylist_parse(const char *text, const char *default_port, struct relay_list *out,
    char *why, size_t whylen);
/* One "host[:port]" or "[addr][:port]" token into a. */
int relaylist_parse_host(const char *v, const char *default_port, struct relay_addr *a,
    char *why, size_t whylen);

#endif
