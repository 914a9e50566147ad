/* relay: the SMTP session for a route — opened once per route per run
 * (RSET between transactions), walking the route's relays in order, with
 * the credentials looked up for the relay before it is contacted.  When no
 * relay of the route answers, the route is down for the rest of the run
 * and every message on it is deferred with that reason. */
#ifndef RELAYQ_RELAY_H
#define RELAYQ_RELAY_H

#include <stdbool.h>

#include "conf.h"
#include "relayq.h"
#include "route.h"
#include "smtp.h"
#include "trust.h"

struct relay {
	const struct conf *c;
	struct trust *trust;
	struct route route;		/* the current route, if have_route */
	bool have_route;
	struct smtp_session *s;
	bool used;			/* s carried a transaction: RSET first */
	bool down;			/* no relay of the route answered */
	char down_reason[RELAYQ_ERRLEN];
	struct smtp_creds creds;	/* of the relay s is connected to */
	char used_host[256];		/* the relay that answered last, for DSNs */
	int slot_dir;			/* queue/: relay_sessions' lock files */
	int slot_fd;			/* the session's slot, -1 / -2 = none */
};

/* slot_dir: where relay_sessions' slots are locked (queue/). */
void relay_init(struct relay *r, const struct conf *c, struct trust *t, int slot_dir);
/* A session for route, for one transaction the caller is about to send
 * (the open one if it serves the same route, after RSET), or NULL with
 * r->down_reason when the route is down for this run. */
struct smtp_session *relay_session(struct relay *r, const struct route *route);
/* "host [addr]" of the open session, else the route's primary relay. */
const char *relay_name(const struct relay *r);
/* The relay that carried the route's last session (its name, for a
 * DSN's Remote-MTA), else the route's primary. */
const char *relay_host(const struct relay *r);
/* QUITs and forgets the session and the credentials.  Idempotent. */
void relay_close(struct relay *r);

#endif
