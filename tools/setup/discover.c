/* discover: the discovery steps (see discover.h). */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "autoconfig.h"
#include "buf.h"
#include "discover.h"
#include "dns.h"
#include "fetch.h"
#include "psl.h"
#include "relayq.h"

enum { STEP_AUTOCONFIG, STEP_WELLKNOWN, STEP_ISPDB, STEP_SRV, STEP_MX,
	STEP_GUESS, STEP_COUNT };

void
discover_init(struct discoverer *d, const struct discover_opts *o)
{
	memset(d, 0, sizeof *d);
	d->o = o;
	const char *at = strrchr(o->email, '@');
	strlcpy_rq(d->domain, at != NULL ? at + 1 : "", sizeof d->domain);
	for (char *p = d->domain; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
}

int
discover_check_email(const char *email, char *err, size_t errlen)
{
	const char *at = strrchr(email, '@');
	char domain[256];
	if (at != NULL)
		strlcpy_rq(domain, at + 1, sizeof domain);
	if (at == NULL || at == email || strlen(at + 1) >= sizeof domain ||
	    !autoconfig_host_normalize(domain)) {
		snprintf_rq(err, errlen, "%s: expected an address like alice@example.org",
		    email);
		return -1;
	}
	for (const char *p = email; p < at; p++)
		if (!isgraph((unsigned char)*p) || *p == '"' || *p == '\\') {
			snprintf_rq(err, errlen, "%s: the local part must be plain printable "
			    "characters", email);
			return -1;
		}
	return 0;
}

/* RFC 3986 percent-encoding of everything but the unreserved set. */
static void
url_escape(char *out, size_t size, const char *s)
{
	size_t o = 0;
	for (; *s != '\0' && o + 4 < size; s++) {
		unsigned char ch = (unsigned char)*s;
		if (isalnum(ch) || strchr("-._~", ch) != NULL)
			out[o++] = (char)ch;
		else
			o += (size_t)snprintf(out + o, size - o, "%%%02X", ch);
	}
	out[o] = '\0';
}

static void
say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

/* Adds the servers of one parsed document, found through via; returns
 * how many. */
static size_t
add_document(struct cand_list *l, const struct ac_config *cfg, const char *source,
    enum cand_dns via)
{
	size_t added = 0;
	if (cfg->display_name[0] != '\0' && l->provider[0] == '\0')
		strlcpy_rq(l->provider, cfg->display_name, sizeof l->provider);
	for (size_t i = 0; i < cfg->nservers; i++) {
		const struct ac_server *s = &cfg->servers[i];
		struct candidate c = { .port = s->port, .socket = s->socket, .auth = s->auth };
		if (s->socket == AC_SOCK_UNKNOWN)
			continue;
		strlcpy_rq(c.host, s->hostname, sizeof c.host);
		strlcpy_rq(c.username, s->username, sizeof c.username);
		strlcpy_rq(c.source, source, sizeof c.source);
		c.unsigned_dns = via;
		if (c.port == 0)
			c.port = s->socket == AC_SOCK_SSL ? 465 :
			    s->socket == AC_SOCK_STARTTLS ? 587 : 25;
		unsigned pw = AC_AUTH_CLEARTEXT | AC_AUTH_ENCRYPTED | AC_AUTH_NONE;
		if (s->auth != 0 && (s->auth & pw) == 0 && s->sasl_mechs[0] == '\0') {
			c.verdict = (s->auth & AC_AUTH_OAUTH2) ? V_OAUTH2 : V_UNSUPPORTED;
			if (c.verdict == V_OAUTH2)
				l->oauth2 = true;
		}
		if (cand_add(l, &c))
			added++;
	}
	return added;
}

/* Fetches and parses one autoconfig URL; the number of servers added. */
static size_t
try_document(struct discoverer *d, struct cand_list *l, const char *label,
    const char *url)
{
	struct buf body;
	struct ac_config cfg;
	char err[RELAYQ_ERRLEN], source[320];
	size_t added = 0;

	buf_init(&body);
	say("  %s: %s ", label, url);
	enum fetch_status st = fetch_https(d->o->net, url, d->o->progress, &body,
	    err, sizeof err);
	if (st != FETCH_OK) {
		say("\n    %s: %s\n", st == FETCH_ABSENT ? "not found" : "failed", err);
	} else if (autoconfig_parse(&cfg, buf_str(&body), body.len, d->o->email, err,
	    sizeof err) == -1) {
		say("\n    ignored, not a usable autoconfig document: %s\n", err);
	} else {
		snprintf_rq(source, sizeof source, "%s %s", label, url);
		added = add_document(l, &cfg, source, d->via);
		say("\n    found %zu outgoing server%s%s%s%s\n", cfg.nservers,
		    cfg.nservers == 1 ? "" : "s",
		    cfg.display_name[0] != '\0' ? " of " : "", cfg.display_name,
		    cfg.oauth2 ? " (the provider also describes OAuth2)" : "");
		if (cfg.notes[0] != '\0')
			say("    note: %s\n", cfg.notes);
	}
	buf_free(&body);
	return added;
}

static size_t
step_autoconfig(struct discoverer *d, struct cand_list *l, const char *domain,
    const char *label)
{
	char url[1024], email[768];
	url_escape(email, sizeof email, d->o->email);
	snprintf_rq(url, sizeof url, "https://autoconfig.%s/mail/config-v1.1.xml"
	    "?emailaddress=%s", domain, email);
	return try_document(d, l, label, url);
}

static size_t
step_wellknown(struct discoverer *d, struct cand_list *l)
{
	char url[1024];
	snprintf_rq(url, sizeof url, "https://%s/.well-known/autoconfig/mail/"
	    "config-v1.1.xml", d->domain);
	return try_document(d, l, "well-known", url);
}

static size_t
step_ispdb(struct discoverer *d, struct cand_list *l, const char *domain)
{
	char url[1024];
	if (d->o->ispdb[0] == '\0')
		return 0;
	snprintf_rq(url, sizeof url, "%s%s", d->o->ispdb, domain);
	return try_document(d, l, "ISP database", url);
}

/* _submissions._tcp (implicit TLS) before _submission._tcp (STARTTLS) at
 * equal priority, as RFC 8314 recommends. */
static size_t
srv_one(struct discoverer *d, struct cand_list *l, const char *service,
    enum ac_socket sock)
{
	struct dns_srv rr[DNS_MAX_RR];
	size_t n = 0, added = 0;
	char name[300], err[RELAYQ_ERRLEN];
	snprintf_rq(name, sizeof name, "%s.%s", service, d->domain);
	say("  DNS SRV %s: ", name);
	if (dns_srv(d->o->net, name, rr, &n, err, sizeof err) == -1) {
		say("failed: %s\n", err);
		return 0;
	}
	if (n == 0)
		say("none\n");
	for (size_t i = 0; i < n; i++) {
		if (strcmp(rr[i].target, ".") == 0 || !autoconfig_host_normalize(rr[i].target)) {
			say("%s%s (service not offered)\n", i > 0 ? "    " : "", rr[i].target);
			continue;
		}
		struct candidate c = { .port = rr[i].port, .socket = sock, .unsigned_dns = CAND_DNS_SRV };
		strlcpy_rq(c.host, rr[i].target, sizeof c.host);
		snprintf_rq(c.source, sizeof c.source, "DNS SRV %s", name);
		say("%s%s port %d (priority %d)\n", i > 0 ? "    " : "", c.host, c.port, rr[i].prio);
		if (cand_add(l, &c))
			added++;
	}
	return added;
}

static size_t
step_srv(struct discoverer *d, struct cand_list *l)
{
	size_t n = srv_one(d, l, "_submissions._tcp", AC_SOCK_SSL);
	return n + srv_one(d, l, "_submission._tcp", AC_SOCK_STARTTLS);
}

/* "mx1.mail.provider.example" -> "mail.provider.example": the MX host
 * minus its first label (%MXFULLDOMAIN%). */
static void
mx_full_domain(const char *mx, char *full, size_t size)
{
	const char *dot = strchr(mx, '.');
	strlcpy_rq(full, dot != NULL ? dot + 1 : mx, size);
}

/* The registrable domain of full (%MXBASEDOMAIN%) into base, from the
 * Public Suffix List; without one, the last two labels if the user
 * confirms them.  false when full is a public suffix (nothing of it may
 * be asked) ; base is "" when there is no base domain to use. */
static bool
mx_base_domain(struct discoverer *d, const char *full, char *base, size_t size)
{
	char question[400];
	switch (psl_base_domain(full, base, size)) {
	case PSL_FOUND:
		say("    base domain %s (Public Suffix List)\n", base);
		return true;
	case PSL_SUFFIX:
		say("    %s is a public suffix, not a provider's domain: skipped\n", full);
		return false;
	default:
		break;
	}
	snprintf_rq(question, sizeof question, "No Public Suffix List here: is %s "
	    "the provider's domain (not one shared by many, like co.uk)?", base);
	if (strcasecmp(base, full) != 0 && (d->o->confirm == NULL ||
	    !d->o->confirm(question))) {
		say("    base domain %s not used: no Public Suffix List and not "
		    "confirmed\n", base);
		base[0] = '\0';
	}
	return true;
}

/* Autoconfig, then the ISP database, for one provider domain. */
static size_t
mx_provider(struct discoverer *d, struct cand_list *l, const char *domain)
{
	size_t added = step_autoconfig(d, l, domain, "MX provider autoconfig");
	return added > 0 ? added : step_ispdb(d, l, domain);
}

static size_t
mx_steps(struct discoverer *d, struct cand_list *l, const char *mx)
{
	char full[256], base[256];
	size_t added = 0;
	mx_full_domain(mx, full, sizeof full);
	say("%s, provider domain %s\n", mx, full);
	if (strcasecmp(full, d->domain) == 0 || !autoconfig_host_normalize(full) ||
	    !mx_base_domain(d, full, base, sizeof base))
		return 0;
	added = mx_provider(d, l, full);
	if (added == 0 && base[0] != '\0' && strcasecmp(base, full) != 0 &&
	    strcasecmp(base, d->domain) != 0)
		added = mx_provider(d, l, base);
	return added;
}

/* The servers it finds were chosen by an MX answer, which DNS can forge:
 * marked CAND_DNS_MX, as SRV ones are CAND_DNS_SRV. */
static size_t
step_mx(struct discoverer *d, struct cand_list *l)
{
	struct dns_mx mx[DNS_MAX_RR];
	size_t n = 0;
	char err[RELAYQ_ERRLEN];
	say("  DNS MX %s: ", d->domain);
	if (dns_mx(d->o->net, d->domain, mx, &n, err, sizeof err) == -1) {
		say("failed: %s\n", err);
		return 0;
	}
	if (n == 0 || !autoconfig_host_normalize(mx[0].host)) {
		say("none\n");
		return 0;
	}
	d->via = CAND_DNS_MX;
	size_t added = mx_steps(d, l, mx[0].host);
	d->via = CAND_DNS_NONE;
	return added;
}

static size_t
step_guess(struct discoverer *d, struct cand_list *l)
{
	static const char *prefixes[] = { "smtp", "mail" };
	size_t added = 0;
	say("  guessing the usual names (they are probed next)\n");
	for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
		for (int tls = 0; tls < 2; tls++) {
			struct candidate c = { .port = tls == 0 ? 465 : 587,
			    .socket = tls == 0 ? AC_SOCK_SSL : AC_SOCK_STARTTLS };
			snprintf_rq(c.host, sizeof c.host, "%s.%s", prefixes[i], d->domain);
			snprintf_rq(c.source, sizeof c.source, "guess");
			if (cand_add(l, &c))
				added++;
		}
	return added;
}

bool
discover_next(struct discoverer *d, struct cand_list *l)
{
	static const char *names[STEP_COUNT] = { "autoconfig", "well-known autoconfig",
	    "ISP database", "DNS SRV", "MX provider", "common names" };
	if (d->step >= STEP_COUNT)
		return false;
	int step = d->step++;
	say("[%d/%d] %s\n", step + 1, STEP_COUNT, names[step]);
	switch (step) {
	case STEP_AUTOCONFIG: step_autoconfig(d, l, d->domain, "autoconfig"); break;
	case STEP_WELLKNOWN: step_wellknown(d, l); break;
	case STEP_ISPDB:
		if (d->o->ispdb[0] == '\0')
			say("  skipped (--no-ispdb)\n");
		step_ispdb(d, l, d->domain);
		break;
	case STEP_SRV: step_srv(d, l); break;
	case STEP_MX: step_mx(d, l); break;
	default: step_guess(d, l); break;
	}
	return true;
}
