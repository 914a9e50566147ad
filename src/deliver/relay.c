/* relay: one session per route, over the route's relays in order. */
#include "relay.h"
#include "buf.h"
#include "creds.h"
#include "log.h"
#include "throttle.h"

#include <string.h>
#include <unistd.h>

void
relay_init(struct relay *r, const struct conf *c, struct trust *t, int slot_dir)
{
	memset(r, 0, sizeof *r);
	r->c = c;
	r->trust = t;
	r->slot_dir = slot_dir;
	r->slot_fd = -2;
}

void
relay_close(struct relay *r)
{
	smtp_close(r->s);
	r->s = NULL;
	r->used = false;
	smtp_creds_free(&r->creds);
	if (r->slot_fd >= 0)
		close(r->slot_fd);	/* the slot is free again */
	r->slot_fd = -2;
}

/* relay_sessions: one of the route's slots, or the route waits. */
static bool
claim_slot(struct relay *r)
{
	r->slot_fd = throttle_session_slot(r->slot_dir, &r->route, r->c->relay_sessions);
	if (r->slot_fd != -1)
		return true;
	snprintf_rq(r->down_reason, sizeof r->down_reason, "all %ld sessions to %s allowed by "
	    "relay_sessions are in use by other queue runs", r->c->relay_sessions,
	    route_primary(&r->route));
	r->down = true;
	return false;
}

static void
opts_for(const struct relay *r, const struct route_host *h, struct smtp_opts *o)
{
	const struct conf *c = r->c;
	memset(o, 0, sizeof *o);
	o->host = h->name;
	o->host_literal = h->literal;
	o->port = h->port;
	o->helo_name = c->hostname;
	o->source_address = c->source_address;
	o->to = (struct smtp_timeouts){
		(int)c->to.connect, (int)c->to.greeting, (int)c->to.helo,
		(int)c->to.mail, (int)c->to.rcpt, (int)c->to.data_init,
		(int)c->to.data_block, (int)c->to.data_done, (int)c->to.quit };
	o->tls = h->tls;
	o->tls_ctx = r->trust->tls;
	o->tls_pin = r->route.pin;
	o->auth_required = r->route.auth_required;
	o->creds = r->route.auth ? &r->creds : NULL;
}

/* One relay of the route: OUT_OK with r->s, else the reason in r->down_reason. */
static enum outcome
open_host(struct relay *r, const struct route_host *h)
{
	struct smtp_opts o;
	smtp_creds_free(&r->creds);
	if (r->route.auth && r->trust->authinfo != NULL &&
	    creds_for_host(r->trust->authinfo, h, r->route.cred_sender, &r->creds,
	    r->down_reason, sizeof r->down_reason) == -1)
		return OUT_TEMP;
	opts_for(r, h, &o);
	return smtp_open(&r->s, &o, r->down_reason, sizeof r->down_reason);
}

/* The route's relays in order; the first that answers carries the run. */
static void
open_route(struct relay *r)
{
	if (!claim_slot(r))
		return;
	for (size_t i = 0; i < r->route.nhosts; i++) {
		const struct route_host *h = &r->route.host[i];
		if (open_host(r, h) == OUT_OK) {
			strlcpy_rq(r->used_host, h->name, sizeof r->used_host);
			if (i > 0)
				log_notice("relay %s port %s took over from %s", h->name, h->port,
				    route_primary(&r->route));
			return;
		}
		log_warn("connection to %s port %s failed: %s%s", h->name, h->port,
		    r->down_reason, i + 1 < r->route.nhosts ? "; trying the next relay" :
		    "; deferring this run's mail for it");
	}
	r->down = true;
}

/* Switches to route when it is not the current one. */
static void
select_route(struct relay *r, const struct route *route)
{
	if (r->have_route && route_equal(&r->route, route))
		return;
	relay_close(r);
	r->route = *route;
	r->have_route = true;
	r->used_host[0] = '\0';
	const char *why = route->error[0] != '\0' ? route->error : r->trust->error;
	r->down = why[0] != '\0';
	strlcpy_rq(r->down_reason, why, sizeof r->down_reason);
}

struct smtp_session *
relay_session(struct relay *r, const struct route *route)
{
	select_route(r, route);
	if (r->s != NULL && (!smtp_alive(r->s) || (r->used && !smtp_reset(r->s))))
		relay_close(r);
	if (r->s == NULL && !r->down)
		open_route(r);
	if (r->s != NULL)
		r->used = true;
	return r->down ? NULL : r->s;
}

/* The route's primary relay, or the smarthost before any route. */
static const char *
primary(const struct relay *r)
{
	return r->have_route ? route_primary(&r->route) : r->c->smarthost;
}

const char *
relay_name(const struct relay *r)
{
	return r->s != NULL ? smtp_relay_name(r->s) : primary(r);
}

const char *
relay_host(const struct relay *r)
{
	return r->used_host[0] != '\0' ? r->used_host : primary(r);
}
