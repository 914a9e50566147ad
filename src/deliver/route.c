/* route: per-message relay, TLS and AUTH decisions, from relayq.conf and
 * the sender_relay map. */
#include "route.h"
#include "buf.h"
#include "creds.h"
#include "log.h"
#include "map.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <string.h>
#include <unistd.h>

static enum smtp_tls
smtp_tls_mode(enum conf_tls mode)
{
	switch (mode) {
	case TLS_NONE: return SMTP_TLS_NONE;
	case TLS_STARTTLS: return SMTP_TLS_STARTTLS;
	case TLS_SMTPS: return SMTP_TLS_SMTPS;
	default: return SMTP_TLS_MAY;
	}
}

/* An explicit tls= of a sender_relay entry, else relayq.conf's rule. */
static enum smtp_tls
host_tls(const struct conf *c, const struct relay_list *l, const char *port)
{
	switch (l->tls) {
	case RL_TLS_NONE: return SMTP_TLS_NONE;
	case RL_TLS_STARTTLS: return SMTP_TLS_STARTTLS;
	case RL_TLS_SMTPS: return SMTP_TLS_SMTPS;
	case RL_TLS_DEFAULT: break;
	}
	return smtp_tls_mode(conf_tls_for(c, port));
}

static bool
is_address(const char *host)
{
	unsigned char a[16];
	return inet_pton(AF_INET, host, a) == 1 || inet_pton(AF_INET6, host, a) == 1;
}

static void
take_relays(const struct conf *c, const struct relay_list *l, struct route *r)
{
	for (size_t i = 0; i < l->n; i++) {
		struct route_host *h = &r->host[r->nhosts++];
		strlcpy_rq(h->name, l->host[i].name, sizeof h->name);
		strlcpy_rq(h->port, l->host[i].port, sizeof h->port);
		h->literal = is_address(h->name);
		h->bracketed = l->host[i].bracketed;
		h->tls = host_tls(c, l, h->port);
	}
}

/* The sender_relay entry for key, parsed into l; 1 found, 0 not, -1 with
 * r->error (a bad entry defers: it never falls back to the smarthost). */
static int
lookup_relays(const struct routing *rt, const char *key, struct relay_list *l, struct route *r)
{
	char err[RELAYQ_ERRLEN], why[RELAYQ_ERRLEN];
	struct buf val;
	bool found = false;
	buf_init(&val);
	int rc = map_lookup(rt->sender_relay, key, &val, &found, err, sizeof err);
	if (rc == 0 && found && relaylist_parse(buf_str(&val), "25", l, why, sizeof why) == -1) {
		unsigned line = map_hit_line(rt->sender_relay);
		snprintf_rq(err, sizeof err, "%s%s%u: entry for %s: %s", map_file(rt->sender_relay),
		    line > 0 ? ":" : "", line, key, why);
		rc = -1;
	}
	buf_free(&val);
	if (rc == -1) {
		log_err("sender_relay: %s; that sender's mail stays queued", err);
		snprintf_rq(r->error, sizeof r->error, "sender_relay map unusable, see the log");
		return -1;
	}
	return found ? 1 : 0;
}

/* The full sender, then "@domain" (Postfix's sender_dependent_relayhost_maps
 * order).  1 with l, 0 none, -1 error. */
static int
sender_entry(const struct routing *rt, const char *sender, struct relay_list *l,
    struct route *r)
{
	const char *at = strrchr(sender, '@');
	if (rt->sender_relay == NULL || sender[0] == '\0')
		return 0;
	int rc = lookup_relays(rt, sender, l, r);
	if (rc == 0 && at != NULL)
		rc = lookup_relays(rt, at, l, r);
	return rc;
}

void
routing_open(struct routing *rt, const struct conf *c, struct map *authinfo)
{
	char err[RELAYQ_ERRLEN];
	memset(rt, 0, sizeof *rt);
	rt->c = c;
	rt->authinfo = authinfo;
	if (c->sender_relay[0] == '\0')
		return;
	if (map_open(&rt->sender_relay, c->sender_relay, MAP_F_SAFE, geteuid(), err,
	    sizeof err) == 0)
		return;
	log_err("sender_relay %s: %s; mail waits until it can be read", c->sender_relay, err);
	snprintf_rq(rt->error, sizeof rt->error, "sender_relay map unusable, see the log");
}

void
routing_close(struct routing *rt)
{
	map_close(rt->sender_relay);
	rt->sender_relay = NULL;
}

void
route_resolve(const struct routing *rt, const struct envelope *e, struct route *r)
{
	const struct conf *c = rt->c;
	struct relay_list l;
	memset(r, 0, sizeof *r);
	r->auth = conf_auth_mode(c) != AUTH_NONE;
	r->auth_required = conf_auth_mode(c) == AUTH_REQUIRED;
	r->pin = c->tls_fingerprint;
	if (rt->error[0] != '\0') {
		strlcpy_rq(r->error, rt->error, sizeof r->error);
		return;
	}
	const char *sender = e->sender != NULL ? e->sender : "";
	int rc = sender_entry(rt, sender, &l, r);
	if (rc == -1)
		return;
	take_relays(c, rc == 1 ? &l : &c->relays, r);
	if (r->auth && rt->authinfo != NULL &&
	    creds_sender_key(rt->authinfo, r, sender, r->cred_sender, sizeof r->cred_sender) == -1)
		snprintf_rq(r->error, sizeof r->error, "%s", CREDS_UNUSABLE_TEXT);
}

static bool
host_equal(const struct route_host *a, const struct route_host *b)
{
	return strcmp(a->name, b->name) == 0 && strcmp(a->port, b->port) == 0 &&
	    a->bracketed == b->bracketed && a->tls == b->tls;
}

bool
route_equal(const struct route *a, const struct route *b)
{
	if (a->nhosts != b->nhosts || a->auth != b->auth ||
	    a->auth_required != b->auth_required || strcmp(a->pin, b->pin) != 0 ||
	    strcmp(a->cred_sender, b->cred_sender) != 0 || strcmp(a->error, b->error) != 0)
		return false;
	for (size_t i = 0; i < a->nhosts; i++)
		if (!host_equal(&a->host[i], &b->host[i]))
			return false;
	return true;
}

const char *
route_primary(const struct route *r)
{
	return r->nhosts > 0 ? r->host[0].name : "";
}
