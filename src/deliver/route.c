/* route: per-message relay, TLS and AUTH decisions, from relayq.conf. */
#include "route.h"
#include "buf.h"

#include <arpa/inet.h>
#include <string.h>

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

static bool
is_address(const char *host)
{
	unsigned char a[16];
	return inet_pton(AF_INET, host, a) == 1 || inet_pton(AF_INET6, host, a) == 1;
}

void
route_resolve(const struct conf *c, const struct envelope *e, struct route *r)
{
	(void)e;	/* the sender will choose the relay (sender_relay) */
	memset(r, 0, sizeof *r);
	struct route_host *h = &r->host[r->nhosts++];
	strlcpy_rq(h->name, c->smarthost, sizeof h->name);
	strlcpy_rq(h->port, c->port, sizeof h->port);
	h->literal = is_address(c->smarthost);
	h->bracketed = c->smarthost_literal;
	r->tls = smtp_tls_mode(conf_tls_mode(c));
	r->auth = conf_auth_mode(c) != AUTH_NONE;
	r->auth_required = conf_auth_mode(c) == AUTH_REQUIRED;
	r->pin = c->tls_fingerprint;
}

static bool
host_equal(const struct route_host *a, const struct route_host *b)
{
	return strcmp(a->name, b->name) == 0 && strcmp(a->port, b->port) == 0 &&
	    a->bracketed == b->bracketed;
}

bool
route_equal(const struct route *a, const struct route *b)
{
	if (a->nhosts != b->nhosts || a->tls != b->tls || a->auth != b->auth ||
	    a->auth_required != b->auth_required || strcmp(a->pin, b->pin) != 0)
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
