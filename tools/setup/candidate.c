/* candidate: the list discovery fills (see candidate.h). */
#include <string.h>
#include <strings.h>

#include "candidate.h"

bool
cand_add(struct cand_list *l, const struct candidate *c)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcasecmp(l->c[i].host, c->host) == 0 &&
		    l->c[i].port == c->port && l->c[i].socket == c->socket)
			return true;
	if (l->n == CAND_MAX)
		return false;
	l->c[l->n++] = *c;
	return true;
}

const char *
cand_socket_words(enum ac_socket s)
{
	switch (s) {
	case AC_SOCK_SSL: return "implicit TLS";
	case AC_SOCK_STARTTLS: return "STARTTLS";
	case AC_SOCK_PLAIN: return "no TLS";
	default: return "unknown security";
	}
}

const char *
cand_verdict_words(enum verdict v)
{
	switch (v) {
	case V_OK: return "works";
	case V_UNREACHABLE: return "unreachable";
	case V_TLS_FAILED: return "TLS failed";
	case V_UNSAFE: return "unsafe (no TLS)";
	case V_NO_AUTH: return "no AUTH offered";
	case V_AUTH_FAILED: return "login refused";
	case V_OAUTH2: return "needs OAuth2";
	case V_UNSUPPORTED: return "unsupported login method";
	case V_LOCAL_ERROR: return "not tried";
	default: return "not tried";
	}
}

const char *
cand_dns_words(enum cand_dns d)
{
	switch (d) {
	case CAND_DNS_SRV: return "SRV";
	case CAND_DNS_MX: return "MX";
	default: return "";
	}
}
