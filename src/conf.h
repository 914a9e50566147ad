/* conf: /etc/relayq/relayq.conf — `key value` lines, '#' comments.
 * Errors carry file:line.  The file holds no secrets (credentials live in
 * the authinfo map), so the setgid submitter may read it. */
#ifndef RELAYQ_CONF_H
#define RELAYQ_CONF_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

/* TLS_MAY is never written: it is the default for port 25 without
 * credentials (STARTTLS when offered, as Postfix's "may"). */
enum conf_tls { TLS_DEFAULT, TLS_NONE, TLS_MAY, TLS_STARTTLS, TLS_SMTPS };
enum conf_auth { AUTH_DEFAULT, AUTH_NONE, AUTH_OPTIONAL, AUTH_REQUIRED };

struct conf_timeouts {		/* seconds */
	long connect, greeting, helo, mail, rcpt;
	long data_init, data_block, data_done, quit;
};

struct conf {
	char path[PATH_MAX];		/* the file read, for messages */
	char smarthost[256];		/* host name or address, no brackets */
	char port[16];			/* default "25" */
	bool smarthost_literal;		/* written as [addr] */
	char hostname[256];		/* our FQDN: EHLO, Message-ID */
	char domain[256];		/* appended to unqualified addresses */
	char aliases[PATH_MAX];		/* /etc/aliases syntax; "" = none */
	char spool[PATH_MAX];
	char sender_map[PATH_MAX];	/* "" = none */
	char masquerade[256];		/* "" = none */
	char log_file[PATH_MAX];	/* "" = syslog only */
	bool deliver_immediate;		/* daemon acts on the trigger */
	struct conf_timeouts to;
	long retry_min, retry_max;	/* back-off bounds, seconds */
	long queue_lifetime, queue_warn;
	/* The trust path: read by relayqd only (see conf_tls_mode). */
	enum conf_tls tls;
	char tls_ca[PATH_MAX];
	char tls_fingerprint[65];	/* SHA-256, 64 lowercase hex, or "" */
	char tls_cert[PATH_MAX], tls_key[PATH_MAX];
	char authinfo[PATH_MAX];	/* map spec, "hash:/etc/mail/authinfo" */
	enum conf_auth auth;
};

/* Fills defaults (hostname from gethostname(), domain = hostname). */
void conf_defaults(struct conf *c);
/* Reads path over the defaults.  A missing default file is not an error
 * when `must_exist` is false.  Returns 0, or -1 with "file:line: why". */
int conf_load(struct conf *c, const char *path, bool must_exist,
    char *err, size_t errlen);
/* The effective modes: tls smtps for port 465, starttls for 587 or when
 * an authinfo map is set, may otherwise; auth required when an authinfo
 * map is set, none otherwise. */
enum conf_tls conf_tls_mode(const struct conf *c);
enum conf_auth conf_auth_mode(const struct conf *c);

/* "30", "30s", "5m", "1h30m", "2d", "1w" -> seconds; bare number uses
 * `unit` seconds (60 for sendmail's -q).  -1 if malformed. */
long parse_duration(const char *s, long unit);

#endif
