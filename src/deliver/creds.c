/* creds: authinfo look-ups for one relay, done up front for the session. */
#include "creds.h"
#include "authinfo.h"
#include "buf.h"
#include "log.h"
#include "token.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <string.h>
#include <sys/socket.h>

#define ADDRS_MAX 8

/* One authinfo_lookup; -1 logs the reason and leaves only the generic one. */
static int
lookup(struct map *m, const char *name, const char *addr, struct authinfo *ai,
    bool *found, char *matched, size_t msize, char *err, size_t errlen)
{
	char why[RELAYQ_ERRLEN];
	if (authinfo_lookup(m, name, addr, ai, found, matched, msize, why, sizeof why) == 0)
		return 0;
	log_err("authinfo: %s; mail for this relay stays queued", why);
	snprintf_rq(err, errlen, "%s", CREDS_UNUSABLE_TEXT);
	return -1;
}

/* The numeric addresses name resolves to, at most max, no duplicates. */
static size_t
addresses(const char *name, char (*out)[64], size_t max)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res;
	size_t n = 0;
	if (getaddrinfo(name, NULL, &hints, &res) != 0)
		return 0;
	for (struct addrinfo *a = res; a != NULL && n < max; a = a->ai_next) {
		char txt[64];
		if (getnameinfo(a->ai_addr, a->ai_addrlen, txt, sizeof txt, NULL, 0,
		    NI_NUMERICHOST) != 0)
			continue;
		bool seen = false;
		for (size_t i = 0; i < n; i++)
			seen |= strcmp(out[i], txt) == 0;
		if (!seen)
			strlcpy_rq(out[n++], txt, sizeof out[0]);
	}
	freeaddrinfo(res);
	return n;
}

/* Entries keyed by the addresses of h: each goes in front of the default. */
static int
by_address(struct map *m, const struct route_host *h, struct smtp_creds *out,
    char *err, size_t errlen)
{
	char addrs[ADDRS_MAX][64], matched[300], key[300];
	size_t n = addresses(h->name, addrs, ADDRS_MAX);
	for (size_t i = 0; i < n; i++) {
		struct authinfo ai;
		bool found;
		if (lookup(m, NULL, addrs[i], &ai, &found, matched, sizeof matched, err,
		    errlen) == -1)
			return -1;
		bool mine = found && authinfo_addr_key(addrs[i], key, sizeof key) == 0 &&
		    strcmp(matched, key) == 0;
		if (mine)
			smtp_creds_add(out, addrs[i], &ai);
		authinfo_free(&ai);
	}
	return 0;
}

/* The authinfo name of relay h: as configured, brackets kept. */
static void
host_name(const struct route_host *h, char *name, size_t size)
{
	snprintf_rq(name, size, h->bracketed ? "[%s]" : "%s", h->name);
}

/* Is there an entry exactly for "<h>/<who>"?  Into ai when found. */
static int
qualified(struct map *m, const struct route_host *h, const char *who, struct authinfo *ai,
    bool *mine, char *err, size_t errlen)
{
	char host[300], name[640], matched[700], key[700];
	bool found;
	host_name(h, host, sizeof host);
	snprintf_rq(name, sizeof name, "%s/%s", host, who);
	*mine = false;
	memset(ai, 0, sizeof *ai);
	if (lookup(m, name, NULL, ai, &found, matched, sizeof matched, err, errlen) == -1)
		return -1;
	*mine = found && authinfo_name_key(name, key, sizeof key) == 0 &&
	    strcmp(matched, key) == 0;
	return 0;
}

int
creds_sender_key(struct map *m, const struct route *r, const char *sender,
    char *out, size_t outlen)
{
	char err[RELAYQ_ERRLEN];
	const char *at = strrchr(sender, '@');
	const char *who[2] = { sender, at };
	out[0] = '\0';
	for (size_t i = 0; i < r->nhosts; i++) {
		for (size_t k = 0; k < 2; k++) {
			struct authinfo ai;
			bool mine;
			if (who[k] == NULL || who[k][0] == '\0' || who[k][1] == '\0')
				continue;
			int rc = qualified(m, &r->host[i], who[k], &ai, &mine, err, sizeof err);
			if (rc == 0)
				authinfo_free(&ai);
			if (rc == -1)
				return -1;
			if (mine) {
				strlcpy_rq(out, who[k], outlen);
				return 0;
			}
		}
	}
	return 0;
}

static int
entries_for_host(struct map *m, const struct route_host *h, const char *cred_sender,
    struct smtp_creds *out, char *err, size_t errlen)
{
	char name[300], matched[300], key[300];
	struct authinfo ai;
	bool found;
	if (cred_sender[0] != '\0') {
		bool mine;
		if (qualified(m, h, cred_sender, &ai, &mine, err, errlen) == -1)
			return -1;
		if (mine) {
			smtp_creds_add(out, "", &ai);
			return 0;
		}
		authinfo_free(&ai);
	}
	host_name(h, name, sizeof name);
	/* authinfo:<name>, falling back to authinfo: (the default). */
	if (lookup(m, name, NULL, &ai, &found, matched, sizeof matched, err, errlen) == -1)
		return -1;
	if (found && authinfo_name_key(name, key, sizeof key) == 0 &&
	    strcmp(matched, key) == 0) {
		smtp_creds_add(out, "", &ai);	/* the first of ten: room */
		return 0;
	}
	int rc = by_address(m, h, out, err, errlen);
	if (rc == 0 && found)
		smtp_creds_add(out, "", &ai);
	authinfo_free(&ai);
	if (rc == -1)
		smtp_creds_free(out);
	return rc;
}

int
creds_for_host(struct map *m, const struct route_host *h, const char *cred_sender,
    struct smtp_creds *out, char *err, size_t errlen)
{
	if (entries_for_host(m, h, cred_sender, out, err, errlen) == -1)
		return -1;
	/* An O: entry: its access token, refreshed when it is about to expire. */
	if (token_resolve_creds(out, err, errlen) == -1) {
		smtp_creds_free(out);
		return -1;
	}
	return 0;
}
