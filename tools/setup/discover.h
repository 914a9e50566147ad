/* discover: finds an address's submission servers, one source at a time
 * in the order mail clients use (autodiscovery.md): the ISP's autoconfig
 * document, its .well-known copy, the ISP database, SRV records (RFC 6186,
 * RFC 8314), the provider of the domain's MX host (its base domain from
 * the Public Suffix List), and finally the usual names (smtp., mail.) on
 * 465 and 587.  Each step prints what it tried and what it found; servers
 * that DNS chose (SRV, MX) are marked so the user is warned. */
#ifndef RELAYQ_SETUP_DISCOVER_H
#define RELAYQ_SETUP_DISCOVER_H

#include <stdbool.h>

#include "candidate.h"
#include "net.h"

#define ISPDB_DEFAULT "https://autoconfig.thunderbird.net/v1.1/"

struct discover_opts {
	const struct net *net;
	const char *email;		/* validated: local@domain */
	const char *ispdb;		/* base URL, "" = do not ask */
	bool progress;			/* dots while waiting */
	/* Asks the user a yes/no question; NULL or false: no.  Used for a
	 * base domain that no Public Suffix List vouches for. */
	bool (*confirm)(const char *question);
};

struct discoverer {
	const struct discover_opts *o;
	int step;			/* the next one to run */
	enum cand_dns via;		/* DNS behind the current step */
	char domain[256];
};

void discover_init(struct discoverer *d, const struct discover_opts *o);
/* Runs the next step and adds what it finds to l; false when none is
 * left. */
bool discover_next(struct discoverer *d, struct cand_list *l);

/* 0 if email looks like local@domain with a valid host name as domain. */
int discover_check_email(const char *email, char *err, size_t errlen);

#endif
