/* conf: parse relayq.conf into struct conf, one key per line.
 * Table-driven so every key has one parser and one place in the man page. */
#include "conf.h"
#include "buf.h"
#include "relaylist.h"
#include "srcaddr.h"
#include "words.h"
#include "log.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "relayq.h"

void
conf_defaults(struct conf *c)
{
	memset(c, 0, sizeof *c);
	conf_defaults_zeroed(c);
}

void
conf_defaults_zeroed(struct conf *c)
{
	strlcpy_rq(c->port, "25", sizeof c->port);
	if (gethostname(c->nodename, sizeof c->nodename) == -1)
		strlcpy_rq(c->nodename, "localhost", sizeof c->nodename);
	c->nodename[sizeof c->nodename - 1] = '\0';
	strlcpy_rq(c->aliases, "/etc/aliases", sizeof c->aliases);
	strlcpy_rq(c->spool, RELAYQ_SPOOL_DEFAULT, sizeof c->spool);
	c->deliver_immediate = true;
	c->max_message_size = 50LL * 1024 * 1024;	/* Postfix's message_size_limit */
	strlcpy_rq(c->submit_socket, RELAYQ_SUBMIT_SOCKET, sizeof c->submit_socket);
	c->submit_rate_limit = 120;
	c->to = (struct conf_timeouts){ 30, 300, 300, 300, 300, 120, 180, 600, 30 };
	c->retry_min = 5 * 60;
	c->retry_max = 3 * 3600;
	c->queue_lifetime = 5 * 86400;
	c->queue_warn = 4 * 3600;
	c->tls = TLS_DEFAULT;
}

long
conf_duration(const char *s, long unit)
{
	long total = 0;
	if (*s == '\0')
		return -1;
	while (*s != '\0') {
		if (!isdigit((unsigned char)*s))
			return -1;
		errno = 0;
		char *end;
		long n = strtol(s, &end, 10);
		if (errno != 0 || n > 100000000L)
			return -1;
		long mult;
		switch (*end) {
		case '\0': mult = unit; break;
		case 's': mult = 1; break;
		case 'm': mult = 60; break;
		case 'h': mult = 3600; break;
		case 'd': mult = 86400; break;
		case 'w': mult = 7 * 86400; break;
		default: return -1;
		}
		total += n * mult;
		s = *end != '\0' ? end + 1 : end;
	}
	return total;
}

long long
conf_size(const char *s)
{
	char *end;
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	long long n = strtoll(s, &end, 10);
	int shift = 0;
	switch (*end) {
	case '\0': break;
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	default: return -1;
	}
	if (errno != 0 || *end != '\0' || n > (1LL << 40) >> shift)
		return -1;
	return n << shift;
}

/* "host[:port] [addr]:port ...": the first is the primary (smarthost,
 * port, smarthost_literal keep it for messages and tools), the rest are
 * fallbacks.  No tls= here: relayq.conf has its own tls line. */
static int
set_smarthost(struct conf *c, const char *v, char *why, size_t whylen)
{
	struct relay_list l;
	if (relaylist_parse(v, "25", &l, why, whylen) == -1)
		return -1;
	if (l.tls != RL_TLS_DEFAULT) {
		snprintf_rq(why, whylen, "tls= belongs on its own line (tls %s)",
		    l.tls == RL_TLS_NONE ? "none" : l.tls == RL_TLS_SMTPS ? "smtps" : "starttls");
		return -1;
	}
	c->relays = l;
	strlcpy_rq(c->smarthost, l.host[0].name, sizeof c->smarthost);
	strlcpy_rq(c->port, l.host[0].port, sizeof c->port);
	c->smarthost_literal = l.host[0].bracketed;
	return 0;
}

enum kind {
	K_STR, K_LIST, K_PATH, K_DUR, K_SIZE, K_COUNT, K_HOST, K_DELIVER, K_TLS, K_AUTH,
	K_PIN, K_SOCKET, K_SOURCE
};

struct key {
	const char *name;
	enum kind kind;
	size_t off;		/* offset of the field in struct conf */
	size_t size;		/* for strings */
};

#define STR(n, f, k) { n, k, offsetof(struct conf, f), sizeof(((struct conf *)0)->f) }
#define DUR(n, f) { n, K_DUR, offsetof(struct conf, f), 0 }
#define SIZE(n, f) { n, K_SIZE, offsetof(struct conf, f), 0 }
static const struct key keys[] = {
	{ "smarthost", K_HOST, 0, 0 },
	STR("hostname", hostname, K_STR),
	STR("domain", domain, K_STR),
	STR("aliases", aliases, K_PATH),
	STR("spool", spool, K_PATH),
	STR("sender_map", sender_map, K_PATH),
	STR("masquerade", masquerade, K_STR),
	STR("local_names", local_names, K_LIST),
	STR("log_file", log_file, K_PATH),
	{ "deliver", K_DELIVER, 0, 0 },
	SIZE("max_message_size", max_message_size),
	SIZE("queue_minfree", queue_minfree),
	STR("submit_socket", submit_socket, K_SOCKET),
	{ "submit_rate_limit", K_COUNT, offsetof(struct conf, submit_rate_limit), 0 },
	DUR("timeout_connect", to.connect),
	DUR("timeout_greeting", to.greeting),
	DUR("timeout_helo", to.helo),
	DUR("timeout_mail", to.mail),
	DUR("timeout_rcpt", to.rcpt),
	DUR("timeout_data_init", to.data_init),
	DUR("timeout_data_block", to.data_block),
	DUR("timeout_data_done", to.data_done),
	DUR("timeout_quit", to.quit),
	DUR("retry_min", retry_min),
	DUR("retry_max", retry_max),
	DUR("queue_lifetime", queue_lifetime),
	DUR("queue_warn", queue_warn),
	{ "tls", K_TLS, 0, 0 },
	STR("tls_ca", tls_ca, K_PATH),
	STR("tls_fingerprint", tls_fingerprint, K_PIN),
	STR("tls_cert", tls_cert, K_PATH),
	STR("tls_key", tls_key, K_PATH),
	STR("authinfo", authinfo, K_STR),
	STR("source_address", source_address, K_SOURCE),
	STR("sender_relay", sender_relay, K_STR),
	{ "relay_rate_limit", K_COUNT, offsetof(struct conf, relay_rate_limit), 0 },
	{ "relay_sessions", K_COUNT, offsetof(struct conf, relay_sessions), 0 },
	{ "auth", K_AUTH, 0, 0 },
};

static int
set_tls(struct conf *c, const char *v, char *why, size_t whylen)
{
	static const struct { const char *name; enum conf_tls mode; } modes[] = {
		{ "none", TLS_NONE }, { "starttls", TLS_STARTTLS }, { "smtps", TLS_SMTPS },
	};
	for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
		if (strcmp(v, modes[i].name) == 0) {
			c->tls = modes[i].mode;
			return 0;
		}
	}
	snprintf_rq(why, whylen, "bad value \"%s\" (none, starttls, smtps)", v);
	return -1;
}

static int
set_auth(struct conf *c, const char *v, char *why, size_t whylen)
{
	static const struct { const char *name; enum conf_auth mode; } modes[] = {
		{ "none", AUTH_NONE }, { "optional", AUTH_OPTIONAL },
		{ "required", AUTH_REQUIRED },
	};
	for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
		if (strcmp(v, modes[i].name) == 0) {
			c->auth = modes[i].mode;
			return 0;
		}
	}
	snprintf_rq(why, whylen, "bad value \"%s\" (none, optional, required)", v);
	return -1;
}

/* "sha256:AB:CD:..." or "sha256:abcd..." -> 64 lowercase hex digits. */
static int
set_pin(struct conf *c, const char *v, char *why, size_t whylen)
{
	size_t n = 0;
	if (strncasecmp(v, "sha256:", 7) != 0) {
		snprintf_rq(why, whylen, "\"%s\": expected sha256:<64 hex digits>", v);
		return -1;
	}
	for (const char *p = v + 7; *p != '\0'; p++) {
		if (*p == ':')
			continue;
		if (!isxdigit((unsigned char)*p) || n == 64) {
			n = 0;
			break;
		}
		c->tls_fingerprint[n++] = (char)tolower((unsigned char)*p);
	}
	c->tls_fingerprint[n] = '\0';
	if (n != 64) {
		c->tls_fingerprint[0] = '\0';
		snprintf_rq(why, whylen, "\"%s\": expected sha256:<64 hex digits>", v);
		return -1;
	}
	return 0;
}

/* One IPv4 and/or one IPv6 address, kept as written for the dialer. */
static int
set_source(struct conf *c, const char *v, char *why, size_t whylen)
{
	struct srcaddr s;
	if (srcaddr_parse(&s, v, why, whylen) == -1)
		return -1;
	if (strlen(v) >= sizeof c->source_address) {
		snprintf_rq(why, whylen, "value too long");
		return -1;
	}
	strlcpy_rq(c->source_address, v, sizeof c->source_address);
	return 0;
}

enum conf_tls
conf_tls_mode(const struct conf *c)
{
	return conf_tls_for(c, c->port);
}

enum conf_tls
conf_tls_for(const struct conf *c, const char *port)
{
	if (c->tls != TLS_DEFAULT)
		return c->tls;
	if (strcmp(port, "465") == 0)
		return TLS_SMTPS;
	if (strcmp(port, "587") == 0 || c->authinfo[0] != '\0')
		return TLS_STARTTLS;
	return TLS_MAY;
}

enum conf_auth
conf_auth_mode(const struct conf *c)
{
	if (c->auth != AUTH_DEFAULT)
		return c->auth;
	return c->authinfo[0] != '\0' ? AUTH_REQUIRED : AUTH_NONE;
}

static int
set_deliver(struct conf *c, const char *v, char *why, size_t whylen)
{
	if (strcmp(v, "immediate") != 0 && strcmp(v, "queue") != 0) {
		snprintf_rq(why, whylen, "bad value \"%s\" (immediate or queue)", v);
		return -1;
	}
	c->deliver_immediate = strcmp(v, "immediate") == 0;
	return 0;
}

/* K_SIZE (long long), K_DUR and K_COUNT (long) into field. */
static int
set_number(void *field, enum kind kind, const char *v, char *why, size_t whylen)
{
	if (kind == K_SIZE) {
		long long n = conf_size(v);
		if (n < 0) {
			snprintf_rq(why, whylen, "bad size \"%s\" (e.g. 52428800, 50M, 1G)", v);
			return -1;
		}
		memcpy(field, &n, sizeof n);
		return 0;
	}
	long d = conf_duration(v, 1);
	if (kind == K_COUNT && (d < 0 || strspn(v, "0123456789") != strlen(v))) {
		snprintf_rq(why, whylen, "bad number \"%s\"", v);
		return -1;
	}
	if (d < 0) {
		snprintf_rq(why, whylen, "bad duration \"%s\" (e.g. 30s, 5m, 1h30m)", v);
		return -1;
	}
	memcpy(field, &d, sizeof d);
	return 0;
}

/* K_STR, K_LIST, K_PATH (absolute) and K_SOCKET (a path, or none). */
static int
set_string(char *field, const struct key *k, const char *v, char *why, size_t whylen)
{
	if (k->kind == K_SOCKET && strcmp(v, "none") == 0) {
		field[0] = '\0';
		return 0;
	}
	if ((k->kind == K_PATH || k->kind == K_SOCKET) && v[0] != '/') {
		snprintf_rq(why, whylen, "\"%s\" is not an absolute path", v);
		return -1;
	}
	if (strlen(v) >= k->size) {
		snprintf_rq(why, whylen, "value too long");
		return -1;
	}
	strlcpy_rq(field, v, k->size);
	return 0;
}

static int
set_value(struct conf *c, const struct key *k, const char *v, char *why, size_t whylen)
{
	char *field = (char *)c + k->off;
	switch (k->kind) {
	case K_HOST: return set_smarthost(c, v, why, whylen);
	case K_DELIVER: return set_deliver(c, v, why, whylen);
	case K_TLS: return set_tls(c, v, why, whylen);
	case K_AUTH: return set_auth(c, v, why, whylen);
	case K_PIN: return set_pin(c, v, why, whylen);
	case K_SOURCE: return set_source(c, v, why, whylen);
	case K_SIZE:
	case K_COUNT:
	case K_DUR: return set_number(field, k->kind, v, why, whylen);
	case K_SOCKET:
	case K_PATH:
	case K_LIST:
	case K_STR: return set_string(field, k, v, why, whylen);
	}
	return -1;
}

static char *
trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* "key value  # note": a '#' after a blank starts a comment. */
static void
strip_comment(char *s)
{
	for (char *p = s; *p != '\0'; p++) {
		if (*p == '#' && (p == s || isspace((unsigned char)p[-1]))) {
			*p = '\0';
			return;
		}
	}
}

static int
conf_line(struct conf *c, char *line, char *why, size_t whylen)
{
	strip_comment(line);
	char *s = trim(line);
	if (*s == '\0' || *s == '#')
		return 0;
	size_t klen = strcspn(s, " \t");
	char *v = trim(s + klen);
	s[klen] = '\0';
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		if (strcmp(keys[i].name, s) != 0)
			continue;
		if (keys[i].kind == K_HOST)
			c->smarthost_given = true;
		if (*v == '\0') {
			snprintf_rq(why, whylen, "%s: missing value", s);
			return -1;
		}
		if (keys[i].kind != K_LIST && keys[i].kind != K_HOST &&
		    keys[i].kind != K_SOURCE && strpbrk(v, " \t") != NULL) {
			snprintf_rq(why, whylen, "%s: one value expected, got \"%s\"", s, v);
			return -1;
		}
		return set_value(c, &keys[i], v, why, whylen);
	}
	snprintf_rq(why, whylen, "unknown key \"%s\"", s);
	return -1;
}

/* Every error of one file: "file:line: why" lines, as many as fit, then
 * a count of the rest.  The first is always kept (truncated if need be). */
struct conf_errs {
	char *buf;
	size_t size;
	int n, shown;
};

#define CONF_ERRS_RESERVE 64	/* room kept for "file: N more errors" */

static void conf_error(struct conf_errs *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
conf_error(struct conf_errs *e, const char *fmt, ...)
{
	char line[RELAYQ_ERRLEN];
	va_list ap;
	va_start(ap, fmt);
	int len = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (len < 0)
		strlcpy_rq(line, "error", sizeof line);
	size_t used = e->shown > 0 ? strlen(e->buf) : 0;
	e->n++;
	if (e->shown > 0 && used + 1 + strlen(line) + CONF_ERRS_RESERVE >= e->size)
		return;
	snprintf_rq(e->buf + used, e->size - used, "%s%s", used > 0 ? "\n" : "", line);
	e->shown++;
}

static void
conf_errors_end(struct conf_errs *e, const char *path)
{
	if (e->n <= e->shown)
		return;
	size_t used = strlen(e->buf);
	snprintf_rq(e->buf + used, e->size - used, "\n%s: %d more error%s not shown",
	    path, e->n - e->shown, e->n - e->shown == 1 ? "" : "s");
}

/* Checks across keys, each reported on its own. */
static void
conf_check(const struct conf *c, struct conf_errs *e)
{
	if (c->retry_min <= 0 || c->retry_max < c->retry_min)
		conf_error(e, "%s: retry_min must be > 0 and <= retry_max", c->path);
	if (conf_auth_mode(c) != AUTH_NONE && c->authinfo[0] == '\0')
		conf_error(e, "%s: auth %s needs an authinfo map", c->path,
		    c->auth == AUTH_REQUIRED ? "required" : "optional");
	if (c->smarthost_required && !c->smarthost_given)
		conf_error(e, "%s: no smarthost: relayqd relays all mail there and has "
		    "no default (smarthost host[:port])", c->path);
}

/* The first line of /etc/mailname (Debian's mail name), if any. */
static bool
read_mailname(const char *path, char *out, size_t size)
{
	FILE *fp = fopen(path, "re");
	if (fp == NULL)
		return false;
	bool ok = fgets(out, (int)size, fp) != NULL;
	fclose(fp);
	if (ok)
		out[strcspn(out, " \t\r\n")] = '\0';
	return ok && out[0] != '\0' && strchr(out, '.') != NULL;
}

/* hostname, when relayq.conf has none: the host name if qualified, else
 * host name + domain, else /etc/mailname, else the bare host name. */
static void
default_hostname(struct conf *c, const char *mailname)
{
	if (c->hostname[0] != '\0') {
		c->hostname_origin = "relayq.conf";
	} else if (strchr(c->nodename, '.') != NULL) {
		strlcpy_rq(c->hostname, c->nodename, sizeof c->hostname);
		c->hostname_origin = "the host name";
	} else if (c->domain[0] != '\0') {
		snprintf_rq(c->hostname, sizeof c->hostname, "%s.%s", c->nodename, c->domain);
		c->hostname_origin = "the host name and domain";
	} else if (read_mailname(mailname, c->hostname, sizeof c->hostname)) {
		c->hostname_origin = mailname;
	} else {
		strlcpy_rq(c->hostname, c->nodename, sizeof c->hostname);
		c->hostname_origin = "the host name, NOT qualified";
	}
}

/* Appends name to the blank-separated list unless already there. */
static void
add_local_name(struct conf *c, const char *name)
{
	if (name[0] == '\0' || conf_is_local_name(c, name))
		return;
	size_t len = strlen(c->local_names);
	if (len + 1 + strlen(name) >= sizeof c->local_names)
		return;
	snprintf_rq(c->local_names + len, sizeof c->local_names - len, "%s%s",
	    len > 0 ? " " : "", name);
}

void
conf_finish(struct conf *c, const char *mailname)
{
	char name[sizeof c->domain + 16];
	for (char *p = c->local_names; *p != '\0'; p++)
		if (*p == ',' || *p == '\t')
			*p = ' ';
	default_hostname(c, mailname);
	if (c->domain[0] == '\0' && !read_mailname(mailname, c->domain, sizeof c->domain))
		strlcpy_rq(c->domain, c->hostname, sizeof c->domain);
	add_local_name(c, c->nodename);
	add_local_name(c, c->hostname);
	add_local_name(c, "localhost");
	snprintf_rq(name, sizeof name, "localhost.%s", c->domain);
	add_local_name(c, name);
}

bool
conf_hostname_qualified(const struct conf *c)
{
	return strchr(c->hostname, '.') != NULL;
}

void
conf_log_hostname(const struct conf *c)
{
	if (!conf_hostname_qualified(c))
		log_warn("hostname \"%s\" is not qualified: smarthosts may refuse "
		    "EHLO %s; set hostname or domain in %s", c->hostname, c->hostname, c->path);
	else if (log_verbose_on())
		log_info("hostname %s (from %s)", c->hostname, c->hostname_origin);
}

bool
conf_is_local_name(const struct conf *c, const char *name)
{
	return words_has(c->local_names, name);
}

static int conf_read(struct conf *c, const char *path, bool must_exist,
    struct conf_errs *e);

int
conf_load(struct conf *c, const char *path, bool must_exist, char *err, size_t errlen)
{
	struct conf_errs e = { .buf = err, .size = errlen, .n = 0, .shown = 0 };
	if (errlen > 0)
		err[0] = '\0';
	int rc = conf_read(c, path, must_exist, &e);
	if (rc == 0)
		conf_check(c, &e);
	conf_errors_end(&e, path);
	if (rc == 0 && e.n == 0)
		conf_finish(c, RELAYQ_MAILNAME);
	return rc == 0 && e.n == 0 ? 0 : -1;
}

/* Reads every line, each error into e; -1 only if the file cannot be read. */
static int
conf_read(struct conf *c, const char *path, bool must_exist, struct conf_errs *e)
{
	char why[256];
	strlcpy_rq(c->path, path, sizeof c->path);
	FILE *fp = fopen(path, "re");
	if (fp == NULL) {
		if (errno == ENOENT && !must_exist)
			return 0;
		conf_error(e, "%s: %s", path, strerror(errno));
		return -1;
	}
	char *line = NULL;
	size_t cap = 0;
	long lineno = 0;
	int rc = 0;
	while (getline(&line, &cap, fp) != -1) {
		lineno++;
		if (conf_line(c, line, why, sizeof why) == -1)
			conf_error(e, "%s:%ld: %s", path, lineno, why);
	}
	if (ferror(fp)) {
		conf_error(e, "%s: read error: %s", path, strerror(errno));
		rc = -1;
	}
	free(line);
	fclose(fp);
	return rc;
}
