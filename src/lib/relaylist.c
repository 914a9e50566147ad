/* relaylist: relayq.conf's relay syntax, one parser for the smarthost
 * line and for sender_relay values. */
#include "relaylist.h"
#include "buf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static int
parse_port(const char *port, struct relay_addr *a, char *why, size_t whylen)
{
	char *end;
	long p = strtol(port, &end, 10);
	/* Digits only, kept as the number: "0587" is port 587 and gets its
	 * TLS default (conf_tls_for). */
	if (!isdigit((unsigned char)*port) || *end != '\0' || p < 1 || p > 65535) {
		snprintf_rq(why, whylen, "bad port \"%s\"", port);
		return -1;
	}
	snprintf_rq(a->port, sizeof a->port, "%ld", p);
	return 0;
}

/* "[addr]" or "[addr]:port": the name's length, *port set or NULL. */
static int
split_bracketed(const char *v, size_t *hostlen, const char **port, char *why, size_t whylen)
{
	const char *close = strchr(v, ']');
	if (close == NULL) {
		snprintf_rq(why, whylen, "missing ']' in \"%s\"", v);
		return -1;
	}
	*hostlen = (size_t)(close - v - 1);
	if (close[1] == ':')
		*port = close + 2;
	else if (close[1] != '\0') {
		snprintf_rq(why, whylen, "junk after ']' in \"%s\"", v);
		return -1;
	}
	return 0;
}

int
relaylist_parse_host(const char *v, const char *default_port, struct relay_addr *a,
    char *why, size_t whylen)
{
	const char *port = NULL, *name = v;
	size_t hostlen;
	memset(a, 0, sizeof *a);
	if (v[0] == '[') {
		if (split_bracketed(v, &hostlen, &port, why, whylen) == -1)
			return -1;
		name = v + 1;
		a->bracketed = true;
	} else {
		const char *colon = strchr(v, ':');
		if (colon != NULL && strchr(colon + 1, ':') != NULL) {
			snprintf_rq(why, whylen, "IPv6 address must be written in brackets: [%s]", v);
			return -1;
		}
		hostlen = colon ? (size_t)(colon - v) : strlen(v);
		port = colon ? colon + 1 : NULL;
	}
	if (hostlen == 0 || hostlen >= sizeof a->name) {
		snprintf_rq(why, whylen, "bad host name in \"%s\"", v);
		return -1;
	}
	memcpy(a->name, name, hostlen);
	a->name[hostlen] = '\0';
	return parse_port(port != NULL ? port : default_port, a, why, whylen);
}

static int
parse_tls(const char *v, struct relay_list *out, char *why, size_t whylen)
{
	static const struct { const char *name; enum relaylist_tls mode; } modes[] = {
		{ "none", RL_TLS_NONE }, { "starttls", RL_TLS_STARTTLS }, { "smtps", RL_TLS_SMTPS },
	};
	for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
		if (strcmp(v, modes[i].name) == 0) {
			out->tls = modes[i].mode;
			return 0;
		}
	snprintf_rq(why, whylen, "bad tls=%s (none, starttls or smtps)", v);
	return -1;
}

static int
parse_word(const char *w, const char *default_port, struct relay_list *out,
    char *why, size_t whylen)
{
	if (out->tls != RL_TLS_DEFAULT) {
		snprintf_rq(why, whylen, "\"%s\" after tls=: the mode comes last", w);
		return -1;
	}
	if (strncmp(w, "tls=", 4) == 0)
		return out->n == 0 ? (snprintf_rq(why, whylen, "no relay before %s", w), -1) :
		    parse_tls(w + 4, out, why, whylen);
	if (out->n == RELAYS_MAX) {
		snprintf_rq(why, whylen, "more than %d relays", RELAYS_MAX);
		return -1;
	}
	return relaylist_parse_host(w, default_port, &out->host[out->n++], why, whylen);
}

int
relaylist_parse(const char *text, const char *default_port, struct relay_list *out,
    char *why, size_t whylen)
{
	char word[300];
	memset(out, 0, sizeof *out);
	for (const char *p = text; *p != '\0';) {
		p += strspn(p, " \t");
		size_t n = strcspn(p, " \t");
		if (n == 0)
			break;
		if (n >= sizeof word) {
			snprintf_rq(why, whylen, "relay name too long");
			return -1;
		}
		memcpy(word, p, n);
		word[n] = '\0';
		p += n;
		if (parse_word(word, default_port, out, why, whylen) == -1)
			return -1;
	}
	if (out->n == 0) {
		snprintf_rq(why, whylen, "no relay");
		return -1;
	}
	return 0;
}
