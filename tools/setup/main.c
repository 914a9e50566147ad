/* relayq-setup: from an e-mail address to a verified relayq.conf and
 * authinfo map.  Discovers the provider's submission servers
 * (discover.c), checks each with relayq's own SMTP, TLS and SASL code
 * (probe.c), asks for the password, logs in, and writes the files only
 * after showing them and, when they replace something, asking (plan.c). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "discover.h"
#include "fetch.h"
#include "harden.h"
#include "log.h"
#include "mech.h"
#include "net.h"
#include "oauth2.h"
#include "plan.h"
#include "probe.h"
#include "relayq.h"
#include "sasl.h"
#include "sender.h"
#include "signin.h"
#include "smtp.h"
#include "smtp_version.h"
#include "tls.h"
#include "tokenstore.h"

#define PROG "relayq-setup"
#define EXIT_DECLINED 1

struct opts {
	const char *email;
	const char *conf_path;
	const char *authinfo;		/* NULL = the conf's or next to it */
	const char *sender_relay;	/* NULL = the conf's or next to it */
	bool add_sender;		/* a route for the address, not the smarthost */
	char sender[320];		/* its map key: the address in lower case */
	const char *user;		/* NULL = the provider's or the address */
	const char *password_file;
	bool password_stdin, no_password;
	bool dry_run, test, yes, verbose;
	const char *ispdb;
	struct net net;
	bool oauth2;			/* sign in with the device grant */
	struct oauth2_overrides oa;
	const char *oauth2_dir;		/* where the token file goes */
};

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: " PROG " [-nvy] [--test] [-C relayq.conf] [--authinfo "
	    "type:path] [--user name]\n"
	    "       [--add-sender [--sender-relay type:path]]\n"
	    "       [--password-file file | --password-stdin | --no-password] "
	    "[--tls-ca file]\n"
	    "       [--ispdb url | --no-ispdb] [--timeout seconds] [--dns-server "
	    "addr:port]\n"
	    "       [--connect-to host:port:addr:port ... [--only-mapped]]\n"
	    "       [--oauth2 [--oauth2-issuer host] [--client-id id] [--oauth2-dir dir]\n"
	    "        [--oauth2-device-endpoint url] [--oauth2-token-endpoint url]\n"
	    "        [--oauth2-scope scope] [--oauth2-smtp host:port] "
	    "[--oauth2-mech mech]] address\n"
	    "       " PROG " --version | --help\n");
}

static _Noreturn void
die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static _Noreturn void
die(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, PROG ": ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(code);
}

/* --oauth2 goes with its own options, and they only with it. */
static void
check_oauth2_args(const struct opts *o)
{
	const struct oauth2_overrides *a = &o->oa;
	if (o->oauth2 && (o->password_file != NULL || o->password_stdin || o->no_password))
		die(EX_USAGE, "--oauth2 signs in with a browser: no password options");
	if (!o->oauth2 && (a->issuer != NULL || a->client_id != NULL ||
	    a->device_endpoint != NULL || a->token_endpoint != NULL || a->scope != NULL ||
	    a->smtp != NULL || a->mech != NULL || strcmp(o->oauth2_dir, TOKEN_DIR_DEFAULT) != 0))
		die(EX_USAGE, "--oauth2-* and --client-id go with --oauth2");
}

enum { O_TEST = 256, O_AUTHINFO, O_USER, O_PWFILE, O_PWSTDIN, O_NOPW, O_CA,
	O_ISPDB, O_NOISPDB, O_TIMEOUT, O_DNS, O_CONNECT_TO, O_ONLY_MAPPED,
	O_HELP, O_VERSION, O_ADD_SENDER, O_SENDER_RELAY, O_OAUTH2, O_OA_ISSUER,
	O_OA_CLIENT, O_OA_DEVICE, O_OA_TOKEN, O_OA_SCOPE, O_OA_SMTP, O_OA_MECH,
	O_OA_DIR };

static const struct option long_options[] = {
	{ "dry-run", no_argument, NULL, 'n' },
	{ "yes", no_argument, NULL, 'y' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "test", no_argument, NULL, O_TEST },
	{ "authinfo", required_argument, NULL, O_AUTHINFO },
	{ "add-sender", no_argument, NULL, O_ADD_SENDER },
	{ "sender-relay", required_argument, NULL, O_SENDER_RELAY },
	{ "user", required_argument, NULL, O_USER },
	{ "password-file", required_argument, NULL, O_PWFILE },
	{ "password-stdin", no_argument, NULL, O_PWSTDIN },
	{ "no-password", no_argument, NULL, O_NOPW },
	{ "tls-ca", required_argument, NULL, O_CA },
	{ "ispdb", required_argument, NULL, O_ISPDB },
	{ "no-ispdb", no_argument, NULL, O_NOISPDB },
	{ "timeout", required_argument, NULL, O_TIMEOUT },
	{ "dns-server", required_argument, NULL, O_DNS },
	{ "connect-to", required_argument, NULL, O_CONNECT_TO },
	{ "only-mapped", no_argument, NULL, O_ONLY_MAPPED },
	{ "oauth2", no_argument, NULL, O_OAUTH2 },
	{ "oauth2-issuer", required_argument, NULL, O_OA_ISSUER },
	{ "client-id", required_argument, NULL, O_OA_CLIENT },
	{ "oauth2-device-endpoint", required_argument, NULL, O_OA_DEVICE },
	{ "oauth2-token-endpoint", required_argument, NULL, O_OA_TOKEN },
	{ "oauth2-scope", required_argument, NULL, O_OA_SCOPE },
	{ "oauth2-smtp", required_argument, NULL, O_OA_SMTP },
	{ "oauth2-mech", required_argument, NULL, O_OA_MECH },
	{ "oauth2-dir", required_argument, NULL, O_OA_DIR },
	{ "help", no_argument, NULL, O_HELP },
	{ "version", no_argument, NULL, O_VERSION },
	{ NULL, 0, NULL, 0 }
};

/* One option from getopt_long into o; exits on a bad value. */
static void
take_option(struct opts *o, int c)
{
	char err[RELAYQ_ERRLEN];
	switch (c) {
	case 'n': o->dry_run = true; break;
	case 'y': o->yes = true; break;
	case 'v': o->verbose = true; break;
	case 'C': o->conf_path = optarg; break;
	case O_TEST: o->test = true; break;
	case O_AUTHINFO: o->authinfo = optarg; break;
	case O_ADD_SENDER: o->add_sender = true; break;
	case O_SENDER_RELAY: o->sender_relay = optarg; break;
	case O_USER: o->user = optarg; break;
	case O_PWFILE: o->password_file = optarg; break;
	case O_PWSTDIN: o->password_stdin = true; break;
	case O_NOPW: o->no_password = true; break;
	case O_CA: strlcpy_rq(o->net.ca, optarg, sizeof o->net.ca); break;
	case O_ISPDB: o->ispdb = optarg; break;
	case O_NOISPDB: o->ispdb = ""; break;
	case O_TIMEOUT:
		o->net.timeout = atoi(optarg);
		if (o->net.timeout < 1 || o->net.timeout > 300)
			die(EX_USAGE, "--timeout %s: expected 1 to 300 seconds", optarg);
		break;
	case O_DNS: strlcpy_rq(o->net.dns_server, optarg, sizeof o->net.dns_server); break;
	case O_CONNECT_TO:
		if (net_add_map(&o->net, optarg, err, sizeof err) == -1)
			die(EX_USAGE, "%s", err);
		break;
	case O_ONLY_MAPPED: o->net.only_mapped = true; break;
	case O_OAUTH2: o->oauth2 = true; break;
	case O_OA_ISSUER: o->oa.issuer = optarg; break;
	case O_OA_CLIENT: o->oa.client_id = optarg; break;
	case O_OA_DEVICE: o->oa.device_endpoint = optarg; break;
	case O_OA_TOKEN: o->oa.token_endpoint = optarg; break;
	case O_OA_SCOPE: o->oa.scope = optarg; break;
	case O_OA_SMTP: o->oa.smtp = optarg; break;
	case O_OA_MECH: o->oa.mech = optarg; break;
	case O_OA_DIR: o->oauth2_dir = optarg; break;
	case O_HELP: usage(stdout); exit(EX_OK);
	case O_VERSION: exit(smtp_version_print(stdout, PROG));
	default: usage(stderr); exit(EX_USAGE);
	}
}

/* What no single option can check: combinations and the address. */
static void
check_args(struct opts *o)
{
	char err[RELAYQ_ERRLEN];
	if ((o->password_file != NULL) + o->password_stdin + o->no_password > 1)
		die(EX_USAGE, "give at most one of --password-file, --password-stdin, "
		    "--no-password");
	if (discover_check_email(o->email, err, sizeof err) == -1)
		die(EX_USAGE, "%s", err);
	check_oauth2_args(o);
	if (o->sender_relay != NULL && !o->add_sender)
		die(EX_USAGE, "--sender-relay goes with --add-sender");
	if (o->add_sender && sender_key(o->email, o->sender, sizeof o->sender, err,
	    sizeof err) == -1)
		die(EX_USAGE, "--add-sender %s", err);
	if (o->user != NULL && strpbrk(o->user, "\"\\\n\r\t") != NULL)
		die(EX_USAGE, "--user: quotes, backslashes and control characters "
		    "cannot go into an authinfo entry");
}

static void
parse_args(struct opts *o, int argc, char **argv)
{
	int c;
	memset(o, 0, sizeof *o);
	o->conf_path = RELAYQ_CONF_DEFAULT;
	o->ispdb = ISPDB_DEFAULT;
	o->oauth2_dir = TOKEN_DIR_DEFAULT;
	net_init(&o->net);
	while ((c = getopt_long(argc, argv, "nyvC:", long_options, NULL)) != -1)
		take_option(o, c);
	if (optind != argc - 1) {
		usage(stderr);
		exit(EX_USAGE);
	}
	o->email = argv[optind];
	check_args(o);
}

/* ---- the password ---- */

/* One line from fp without its line end; malloc'd, NULL at EOF. */
static char *
read_secret_line(FILE *fp)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, fp);
	if (n <= 0) {
		if (line != NULL)
			explicit_bzero(line, cap);
		free(line);
		return NULL;
	}
	line[strcspn(line, "\r\n")] = '\0';
	return line;
}

static char *
prompt_password(const char *email, const char *host)
{
	FILE *tty = fopen("/dev/tty", "r+e");
	struct termios old, quiet;
	if (tty == NULL)
		return NULL;
	fprintf(tty, "Password for %s at %s: ", email, host);
	fflush(tty);
	bool echo_off = tcgetattr(fileno(tty), &old) == 0;
	if (echo_off) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		echo_off = tcsetattr(fileno(tty), TCSAFLUSH, &quiet) == 0;
	}
	char *pw = read_secret_line(tty);
	if (echo_off)
		(void)tcsetattr(fileno(tty), TCSAFLUSH, &old);
	fputc('\n', tty);
	fclose(tty);
	return pw;
}

/* --password-file / --password-stdin, read before anything else. */
static void
early_password(const struct opts *o, struct login *l)
{
	if (o->password_stdin) {
		l->password = read_secret_line(stdin);
		if (l->password == NULL || l->password[0] == '\0')
			die(EX_NOINPUT, "--password-stdin: no password on standard input");
	} else if (o->password_file != NULL) {
		FILE *fp = fopen(o->password_file, "re");
		struct stat st;
		if (fp == NULL)
			die(EX_NOINPUT, "%s: %s", o->password_file, strerror(errno));
		if (fstat(fileno(fp), &st) == 0 && (st.st_mode & 004))
			fprintf(stderr, PROG ": warning: %s is readable by everyone\n",
			    o->password_file);
		l->password = read_secret_line(fp);
		fclose(fp);
		if (l->password == NULL || l->password[0] == '\0')
			die(EX_NOINPUT, "%s: empty (the password is its first line)",
			    o->password_file);
	}
}

static bool
ask_yes(const char *question)
{
	FILE *tty = fopen("/dev/tty", "r+e");
	char answer[16] = "";
	if (tty == NULL)
		return false;
	fprintf(tty, "%s [y/N] ", question);
	fflush(tty);
	bool yes = fgets(answer, sizeof answer, tty) != NULL &&
	    (answer[0] == 'y' || answer[0] == 'Y');
	fclose(tty);
	return yes;
}

/* ---- checking the candidates ---- */

static void
show_probe(const struct candidate *c)
{
	printf("  %s:%d (%s): %s", c->host, c->port, cand_socket_words(c->socket),
	    cand_verdict_words(c->verdict));
	if (c->verdict == V_OK)
		printf(" — %s; AUTH%s\n", c->tls_info, c->offered);
	else
		printf(c->why[0] != '\0' ? " — %s\n" : "\n", c->why);
	fflush(stdout);
}

/* Lower is better: a mechanism that never shows the server the password
 * first, then implicit TLS (RFC 8314), then the order found. */
static int
rank(const struct candidate *c)
{
	char list[256];
	bool strong = false;
	strlcpy_rq(list, c->offered, sizeof list);
	for (char *save, *m = strtok_r(list, " ", &save); m != NULL; m = strtok_r(NULL, " ", &save))
		if (!mech_sends_secret(m))
			strong = true;
	return (strong ? 0 : 2) + (c->socket == AC_SOCK_SSL ? 0 : 1);
}

/* Indices of the V_OK candidates, best first; their number. */
static size_t
ranked(const struct cand_list *l, size_t *order)
{
	size_t n = 0;
	for (int r = 0; r < 4; r++)
		for (size_t i = 0; i < l->n; i++)
			if (l->c[i].verdict == V_OK && rank(&l->c[i]) == r)
				order[n++] = i;
	return n;
}

static void
explain_nothing(const struct cand_list *l, const char *email)
{
	bool unsafe = false;
	for (size_t i = 0; i < l->n; i++)
		unsafe |= l->c[i].verdict == V_UNSAFE;
	if (l->oauth2)
		die(EX_UNAVAILABLE, "%s's provider%s%s wants OAuth2 sign-in, which "
		    "relayq cannot do yet: see \"OAuth2 providers\" in relayq-setup(8) "
		    "for what to do meanwhile", email, l->provider[0] != '\0' ? " " : "",
		    l->provider);
	if (unsafe)
		die(EX_UNAVAILABLE, "the provider of %s only offers submission "
		    "without TLS; relayq-setup will not write a configuration that "
		    "sends the password in clear", email);
	die(EX_UNAVAILABLE, "found no working submission server for %s%s", email,
	    l->n == 0 ? " (nothing was discovered; configure the smarthost by hand, "
	    "see relayq.conf(5))" : " (see the reasons above)");
}

/* Discovers and checks source after source until one offers a server
 * that works with verified TLS. */
static void
find_servers(const struct opts *o, const struct probe_env *env, struct cand_list *l)
{
	struct discover_opts dopts = { &o->net, o->email, o->ispdb, isatty(1) != 0,
	    ask_yes };
	struct discoverer d;
	size_t checked = 0;
	bool any_ok = false;

	printf("Looking for the submission server of %s\n", o->email);
	discover_init(&d, &dopts);
	while (!any_ok && discover_next(&d, l)) {
		if (checked == l->n)
			continue;
		printf("  checking (certificates verified against each host name):\n");
		for (; checked < l->n; checked++) {
			struct candidate *c = &l->c[checked];
			if (c->verdict == V_UNTRIED)
				probe_tls(env, c);
			show_probe(c);
			any_ok |= c->verdict == V_OK;
		}
	}
}

/* Logs in with the best servers until one accepts; exits when the
 * password is refused. */
static struct candidate *
log_in(const struct opts *o, const struct probe_env *env, struct cand_list *l,
    struct login *login)
{
	size_t order[CAND_MAX];
	size_t n = ranked(l, order);
	for (size_t i = 0; i < n; i++) {
		struct candidate *c = &l->c[order[i]];
		if (c->unsigned_dns != CAND_DNS_NONE)
			printf("Note: %s came from a DNS %s record, which DNS can forge; "
			    "make sure it is your provider's server.\n", c->host,
			    cand_dns_words(c->unsigned_dns));
		strlcpy_rq(login->user, o->user != NULL ? o->user :
		    c->username[0] != '\0' ? c->username : o->email, sizeof login->user);
		if (login->password == NULL && !o->no_password) {
			login->password = prompt_password(o->email, c->host);
			if (login->password != NULL && login->password[0] == '\0') {
				login_clear(login);
				die(EX_NOINPUT, "no password typed");
			}
			if (login->password == NULL && !o->dry_run)
				die(EX_NOINPUT, "no password: give --password-file or "
				    "--password-stdin, or run on a terminal");
		}
		if (login->password == NULL) {
			printf("Login not checked (no password given).\n");
			return c;
		}
		printf("Logging in to %s:%d as %s ... ", c->host, c->port, login->user);
		fflush(stdout);
		probe_login(env, c, login);
		if (c->verdict == V_OK) {
			printf("ok, AUTH %s\n", c->mech);
			return c;
		}
		printf("%s — %s\n", cand_verdict_words(c->verdict), c->why);
		if (c->verdict == V_LOCAL_ERROR) {
			login_clear(login);
			die(EX_DATAERR, "%s; nothing was sent to %s, nothing written",
			    c->why, c->host);
		}
		if (c->verdict == V_AUTH_FAILED) {
			login_clear(login);
			die(EX_NOPERM, "%s refused the login for %s; nothing written",
			    c->host, login->user);
		}
	}
	return NULL;
}

/* ---- writing ---- */

static int
write_files(const struct opts *o, const struct candidate *c, const struct cand_list *l,
    const struct login *login)
{
	struct plan p;
	char err[RELAYQ_ERRLEN] = "";
	struct plan_input in = { o->conf_path, o->authinfo, c, login, o->net.ca,
	    o->email, l->provider, o->add_sender ? o->sender : NULL, o->sender_relay };
	if (plan_make(&p, &in, err, sizeof err) == -1)
		die(EX_CANTCREAT, "%s", err);
	if (o->dry_run) {
		printf("Dry run: nothing written.  The files would be:\n");
		plan_print(&p);
		plan_free(&p);
		return EX_OK;
	}
	if (plan_changes_existing(&p)) {
		printf("These files exist and would change:\n");
		plan_print_diff(&p);
		if (!o->yes && !ask_yes("Replace them?")) {
			plan_free(&p);
			fprintf(stderr, PROG ": not replacing existing files without "
			    "consent (answer y, or use --yes); nothing written\n");
			return EXIT_DECLINED;
		}
	} else {
		plan_print(&p);
	}
	if (plan_write(&p, err, sizeof err) == -1) {
		plan_free(&p);
		die(EX_CANTCREAT, "%s", err);
	}
	printf("Wrote %s%s%s%s%s.\n", p.conf.path, p.with_authinfo ? ", " : "",
	    p.with_authinfo ? p.map_spec : "", p.with_routes ? ", " : "",
	    p.with_routes ? p.route_spec : "");
	plan_free(&p);
	return EX_OK;
}

static int
send_test(const struct opts *o, const struct probe_env *env,
    const struct candidate *c, const struct login *login)
{
	char result[RELAYQ_ERRLEN];
	printf("Sending a test message to %s through %s:%d ... ", o->email, c->host,
	    c->port);
	fflush(stdout);
	if (probe_send_test(env, c, login, o->email, result, sizeof result) == -1) {
		printf("failed\n");
		fprintf(stderr, PROG ": the test message was not accepted: %s\n", result);
		return EX_UNAVAILABLE;
	}
	printf("accepted: %s\n", result);
	return EX_OK;
}

/* ---- --oauth2: the device grant instead of a password ---- */

/* Is mech a word of the space-separated list? */
static bool
mech_in_list(const char *mech, const char *list)
{
	size_t n = strlen(mech);
	for (const char *p = list; *p != '\0'; p += strcspn(p, " ")) {
		p += strspn(p, " ");
		if (strncasecmp(p, mech, n) == 0 && (p[n] == ' ' || p[n] == '\0'))
			return true;
	}
	return false;
}

/* The provider's submission server as the one candidate, checked. */
static void
oauth2_server(const struct opts *o, const struct probe_env *env,
    const struct oauth2_settings *s, struct candidate *c)
{
	memset(c, 0, sizeof *c);
	strlcpy_rq(c->host, s->smtp_host, sizeof c->host);
	c->port = s->smtp_port;
	c->socket = s->socket;
	c->auth = AC_AUTH_OAUTH2;
	snprintf_rq(c->source, sizeof c->source, "%s",
	    o->oa.smtp != NULL ? "--oauth2-smtp" : "relayq-setup's OAuth2 providers");
	printf("OAuth2 sign-in for %s at %s; its submission server, certificate "
	    "verified against the host name:\n", o->email, s->name);
	probe_tls(env, c);
	show_probe(c);
	if (c->verdict != V_OK)
		die(EX_UNAVAILABLE, "%s:%d cannot be used (%s); nothing written", c->host,
		    c->port, c->why);
	if (!mech_in_list(s->mech, c->offered))
		die(EX_UNAVAILABLE, "%s:%d does not offer AUTH %s after TLS (it offers%s); "
		    "nothing written", c->host, c->port, s->mech, c->offered);
}

/* The tokens into the token file. */
static void
oauth2_store(const struct opts *o, const struct oauth2_settings *s,
    struct login *login, struct oauth2_tokens *t)
{
	char err[RELAYQ_ERRLEN];
	long long now = (long long)time(NULL);
	struct token_record r = { login->user, s->token_endpoint, s->client_id, s->scope,
		t->refresh_token, t->access_token, now + t->expires_in, o->net.ca };
	int rc = token_store(login->oauth2_file, &r, err, sizeof err);
	login->access_token = t->access_token;	/* for the login and --test */
	t->access_token = NULL;
	oauth2_tokens_clear(t);
	if (rc == -1)
		die(EX_CANTCREAT, "%s; relayq.conf and authinfo not written", err);
	printf("Stored the tokens in %s (mode 0600).\n", login->oauth2_file);
}

/* A real AUTH with the stored token, through the SMTP client relayqd
 * uses.  A client that cannot read the O: item yet reports a local
 * error: said, and the files are written all the same. */
static void
oauth2_verify(const struct probe_env *env, struct candidate *c, struct login *login)
{
	printf("Logging in to %s:%d as %s with AUTH %s ... ", c->host, c->port,
	    login->user, login->mech);
	fflush(stdout);
	probe_login(env, c, login);
	if (c->verdict == V_OK) {
		printf("ok, AUTH %s\n", c->mech);
		return;
	}
	printf("%s — %s\n", cand_verdict_words(c->verdict), c->why);
	if (c->verdict != V_LOCAL_ERROR)
		die(EX_NOPERM, "%s refused the token for %s; relayq.conf and authinfo not "
		    "written (the tokens stay in %s)", c->host, login->user,
		    login->oauth2_file);
	printf("Note: the login could not be tried here; relayqd will try it.\n");
	strlcpy_rq(c->mech, login->mech, sizeof c->mech);
	c->verdict = V_OK;
}

static int
oauth2_main(const struct opts *o, const struct probe_env *env)
{
	struct oauth2_settings s;
	struct oauth2_tokens t;
	struct login login = { .password = NULL };
	struct cand_list list = { .n = 0 };
	struct candidate c;
	char err[RELAYQ_ERRLEN];

	if (oauth2_resolve(&s, o->email, &o->oa, err, sizeof err) == -1)
		die(EX_CONFIG, "%s: %s", o->email, err);
	strlcpy_rq(login.user, o->user != NULL ? o->user : o->email, sizeof login.user);
	strlcpy_rq(login.mech, s.mech, sizeof login.mech);
	if (token_path(o->oauth2_dir, login.user, login.oauth2_file,
	    sizeof login.oauth2_file, err, sizeof err) == -1)
		die(EX_USAGE, "%s", err);
	strlcpy_rq(list.provider, s.name, sizeof list.provider);
	oauth2_server(o, env, &s, &c);
	if (o->dry_run) {
		printf("Dry run: no sign-in (it would be the device code flow at %s).\n",
		    s.device_endpoint);
		return write_files(o, &c, &list, &login);
	}
	if (oauth2_sign_in(&o->net, &s, &signin_real_clock, &t, err, sizeof err) == -1)
		die(EX_NOPERM, "%s; nothing written", err);
	oauth2_store(o, &s, &login, &t);
	oauth2_verify(env, &c, &login);
	printf("Chosen: %s:%d with %s, AUTH %s (OAuth2, %s)\n", c.host, c.port,
	    cand_socket_words(c.socket), c.mech, s.name);
	int rc = write_files(o, &c, &list, &login);
	if (rc == EX_OK && o->test)
		rc = send_test(o, env, &c, &login);
	login_clear(&login);
	return rc;
}

static void
setup_libraries(const struct opts *o, struct tls_ctx **tls)
{
	char err[RELAYQ_ERRLEN];
	harden_no_core_dumps();
	log_open(PROG, 0);
	log_set_verbose(o->verbose);
	if (fetch_global_init(err, sizeof err) == -1 ||
	    saslc_global_init(err, sizeof err) == -1 ||
	    tls_ctx_new(tls, o->net.ca, "", "", err, sizeof err) == -1)
		die(EX_SOFTWARE, "%s", err);
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct login login = { .password = NULL };
	struct cand_list list;
	struct tls_ctx *tls;
	char host[256] = "localhost";

	parse_args(&o, argc, argv);
	early_password(&o, &login);
	setup_libraries(&o, &tls);
	(void)gethostname(host, sizeof host - 1);
	struct probe_env env = { &o.net, tls, host, o.add_sender ? o.sender : NULL };
	memset(&list, 0, sizeof list);
	if (o.oauth2) {
		int orc = oauth2_main(&o, &env);
		tls_ctx_free(tls);
		saslc_global_done();
		fetch_global_done();
		return orc;
	}

	find_servers(&o, &env, &list);
	struct candidate *c = log_in(&o, &env, &list, &login);
	if (c == NULL)
		explain_nothing(&list, o.email);
	printf("Chosen: %s:%d with %s%s%s (from %s)\n", c->host, c->port,
	    cand_socket_words(c->socket), c->mech[0] != '\0' ? ", AUTH " : "",
	    c->mech, c->source);
	int rc = write_files(&o, c, &list, &login);
	if (rc == EX_OK && o.test)
		rc = send_test(&o, &env, c, &login);
	login_clear(&login);
	tls_ctx_free(tls);
	saslc_global_done();
	fetch_global_done();
	return rc;
}
