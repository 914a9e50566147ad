/* conf: /etc/relayq/relayq.conf — `key value` lines, '#' comments.
 * Errors carry file:line.  The file holds no secrets (credentials live in
 * the authinfo map), so the setgid submitter may read it. */
#ifndef RELAYQ_CONF_H
#define RELAYQ_CONF_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "relaylist.h"

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
	struct relay_list relays;	/* smarthost: the primary, then fallbacks */
	char smarthost[256];		/* the primary: name or address, no
					   brackets; "" = none (no default) */
	bool smarthost_given;		/* a smarthost line was read */
	bool smarthost_required;	/* set before conf_load: relayqd */
	char port[16];			/* default "25" */
	bool smarthost_literal;		/* written as [addr] */
	char nodename[256];		/* gethostname(), maybe unqualified */
	char hostname[256];		/* our FQDN: EHLO, Message-ID */
	const char *hostname_origin;	/* how hostname was chosen, for -v */
	char domain[256];		/* appended to unqualified addresses */
	char local_names[1024];		/* names meaning this host, blank-
					   separated: aliases apply there */
	char aliases[PATH_MAX];		/* /etc/aliases syntax; "" = none */
	char spool[PATH_MAX];
	char sender_map[PATH_MAX];	/* "" = none */
	char masquerade[256];		/* "" = none */
	char log_file[PATH_MAX];	/* "" = syslog only */
	bool deliver_immediate;		/* daemon acts on the trigger */
	long long max_message_size;	/* octets, 0 = no limit; default 50 MiB */
	long long queue_minfree;	/* octets a non-root submitter leaves free */
	char submit_socket[108];	/* relayqd's submission socket; "" = none */
	long submit_rate_limit;		/* socket submissions a minute per uid
					   other than root; 0 = no limit */
	struct conf_timeouts to;
	long retry_min, retry_max;	/* back-off bounds, seconds */
	long queue_lifetime, queue_warn;
	/* The trust path: read by relayqd only (see conf_tls_mode). */
	enum conf_tls tls;
	char tls_ca[PATH_MAX];
	char tls_fingerprint[65];	/* SHA-256, 64 lowercase hex, or "" */
	char tls_cert[PATH_MAX], tls_key[PATH_MAX];
	char authinfo[PATH_MAX];	/* map spec, "hash:/etc/mail/authinfo" */
	char source_address[128];	/* "" or one IPv4 and/or one IPv6
					   address to connect from (srcaddr.h) */
	char sender_relay[PATH_MAX];	/* map spec: envelope sender -> relays */
	long relay_rate_limit;		/* messages a minute per route, 0 = any */
	long relay_sessions;		/* sessions at once per route, 0 = any */
	enum conf_auth auth;
};

/* Fills defaults; hostname, domain and local_names are left to conf_finish. */
void conf_defaults(struct conf *c);
/* The same for a struct that is all zero already (static storage): only
 * the fields with other defaults are written, so that of its 45 KB only
 * the pages a program uses become resident (the submitter's RSS). */
void conf_defaults_zeroed(struct conf *c);
/* Reads path over the defaults, then conf_finish(c, RELAYQ_MAILNAME).  A
 * missing default file is not an error when `must_exist` is false; a
 * missing smarthost is, when c->smarthost_required.  Returns 0, or -1 with
 * every error in err, one "file:line: why" (or "file: why") a line,
 * separated by '\n', as many as fit, then "file: N more errors not shown". */
int conf_load(struct conf *c, const char *path, bool must_exist,
    char *err, size_t errlen);
/* Derived values.  hostname, if not set: the host name when it has a dot,
 * else host name + "." + domain when domain is set, else the first line of
 * `mailname`, else the bare host name (conf_hostname_qualified is false).
 * domain, if not set: `mailname`, else hostname.  local_names gains the
 * host name, hostname, "localhost" and "localhost.<domain>". */
void conf_finish(struct conf *c, const char *mailname);
bool conf_hostname_qualified(const struct conf *c);
/* Warns when hostname is not qualified; at -v says where it came from. */
void conf_log_hostname(const struct conf *c);
/* Is name (a domain, case-insensitive) one of this host's own names? */
bool conf_is_local_name(const struct conf *c, const char *name);
/* The effective modes: tls smtps for port 465, starttls for 587 or when
 * an authinfo map is set, may otherwise; auth required when an authinfo
 * map is set, none otherwise. */
enum conf_tls conf_tls_mode(const struct conf *c);
/* The same for a relay on port (a fallback may use another port). */
enum conf_tls conf_tls_for(const struct conf *c, const char *port);
enum conf_auth conf_auth_mode(const struct conf *c);

/* "30", "30s", "5m", "1h30m", "2d", "1w" -> seconds; bare number uses
 * `unit` seconds (60 for sendmail's -q).  -1 if malformed. */
long conf_duration(const char *s, long unit);
/* "52428800", "50M", "512k", "1G" (binary units) -> octets; -1 if malformed. */
long long conf_size(const char *s);

#endif
