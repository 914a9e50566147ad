/* dns: SRV and MX records through libresolv (see dns.h). */
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "dns.h"

/* A resolver state aimed at net->dns_server when one is given. */
static int
resolver_open(struct __res_state *st, const struct net *n, char *err, size_t errlen)
{
	memset(st, 0, sizeof *st);
	if (res_ninit(st) != 0) {
		snprintf_rq(err, errlen, "cannot initialise the resolver");
		return -1;
	}
	st->retrans = n->timeout < 5 ? n->timeout : 5;
	st->retry = 2;
	if (n->dns_server[0] == '\0')
		return 0;
	char addr[64];
	strlcpy_rq(addr, n->dns_server, sizeof addr);
	char *colon = strrchr(addr, ':');
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(53) };
	if (colon != NULL) {
		*colon = '\0';
		sin.sin_port = htons((unsigned short)atoi(colon + 1));
	}
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1) {
		res_nclose(st);
		snprintf_rq(err, errlen, "--dns-server %s: expected IPv4ADDR[:PORT]",
		    n->dns_server);
		return -1;
	}
	st->nsaddr_list[0] = sin;
	st->nscount = 1;
	return 0;
}

/* Sends the query; the answer's length, 0 for "no such record", -1 on
 * failure. */
static int
query(const struct net *n, const char *name, int type, unsigned char *ans,
    int anslen, char *err, size_t errlen)
{
	struct __res_state st;
	if (resolver_open(&st, n, err, errlen) == -1)
		return -1;
	int len = res_nquery(&st, name, ns_c_in, type, ans, anslen);
	int herr = st.res_h_errno;
	res_nclose(&st);
	if (len >= 0)
		return len;
	if (herr == HOST_NOT_FOUND || herr == NO_DATA)
		return 0;
	snprintf_rq(err, errlen, "DNS %s query for %s failed: %s",
	    type == ns_t_srv ? "SRV" : "MX", name, hstrerror(herr));
	return -1;
}

static void
strip_dot(char *name)
{
	size_t len = strlen(name);
	if (len > 1 && name[len - 1] == '.')
		name[len - 1] = '\0';
}

/* Calls add(rr) for each answer record of `type`; stops at DNS_MAX_RR. */
typedef int (*rr_fn)(const ns_msg *msg, const ns_rr *rr, void *out, size_t i);

static int
each_answer(const unsigned char *ans, int len, int type, rr_fn add, void *out,
    size_t *count)
{
	ns_msg msg;
	*count = 0;
	if (len == 0)
		return 0;
	if (ns_initparse(ans, len, &msg) == -1)
		return -1;
	for (int i = 0; i < ns_msg_count(msg, ns_s_an) && *count < DNS_MAX_RR; i++) {
		ns_rr rr;
		if (ns_parserr(&msg, ns_s_an, i, &rr) == -1)
			return -1;
		if ((int)ns_rr_type(rr) == type && add(&msg, &rr, out, *count) == 0)
			(*count)++;
	}
	return 0;
}

static int
add_srv(const ns_msg *msg, const ns_rr *rr, void *out, size_t i)
{
	struct dns_srv *s = (struct dns_srv *)out + i;
	const unsigned char *rd = ns_rr_rdata(*rr);
	if (ns_rr_rdlen(*rr) < 7)
		return -1;
	s->prio = ns_get16(rd);
	s->weight = ns_get16(rd + 2);
	s->port = ns_get16(rd + 4);
	if (ns_name_uncompress(ns_msg_base(*msg), ns_msg_end(*msg), rd + 6,
	    s->target, sizeof s->target) == -1)
		return -1;
	strip_dot(s->target);
	return 0;
}

static int
add_mx(const ns_msg *msg, const ns_rr *rr, void *out, size_t i)
{
	struct dns_mx *m = (struct dns_mx *)out + i;
	const unsigned char *rd = ns_rr_rdata(*rr);
	if (ns_rr_rdlen(*rr) < 3)
		return -1;
	m->pref = ns_get16(rd);
	if (ns_name_uncompress(ns_msg_base(*msg), ns_msg_end(*msg), rd + 2,
	    m->host, sizeof m->host) == -1)
		return -1;
	strip_dot(m->host);
	return 0;
}

static int
cmp_srv(const void *a, const void *b)
{
	const struct dns_srv *x = a, *y = b;
	return x->prio != y->prio ? (x->prio > y->prio) - (x->prio < y->prio) :
	    (x->weight < y->weight) - (x->weight > y->weight);
}

static int
cmp_mx(const void *a, const void *b)
{
	const struct dns_mx *x = a, *y = b;
	return (x->pref > y->pref) - (x->pref < y->pref);
}

/* One look-up: query, collect the records of `type`, sort them. */
static int
lookup(const struct net *n, const char *name, int type, rr_fn add, void *out,
    size_t size, int (*cmp)(const void *, const void *), size_t *count,
    char *err, size_t errlen)
{
	unsigned char ans[4096];
	int len = query(n, name, type, ans, sizeof ans, err, errlen);
	if (len == -1)
		return -1;
	if (each_answer(ans, len, type, add, out, count) == -1) {
		snprintf_rq(err, errlen, "malformed %s answer for %s",
		    type == ns_t_srv ? "SRV" : "MX", name);
		return -1;
	}
	qsort(out, *count, size, cmp);
	return 0;
}

int
dns_srv(const struct net *n, const char *name, struct dns_srv *out,
    size_t *count, char *err, size_t errlen)
{
	return lookup(n, name, ns_t_srv, add_srv, out, sizeof *out, cmp_srv, count,
	    err, errlen);
}

int
dns_mx(const struct net *n, const char *domain, struct dns_mx *out,
    size_t *count, char *err, size_t errlen)
{
	return lookup(n, domain, ns_t_mx, add_mx, out, sizeof *out, cmp_mx, count,
	    err, errlen);
}
