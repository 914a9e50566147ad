/* cli: sendmail-compatible option parsing (getopt string from sendmail
 * 8.17's main.c).  Every sendmail option is accepted; meaningless ones are
 * ignored, as cron, mailx, PHP and git pass many of them. */
#include "cli.h"
#include "buf.h"
#include "conf.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define OPTSTRING ":A:B:b:C:cD:d:e:F:f:Gh:IiL:M:mN:nO:o:p:Q:q:R:r:sTtUV:vX:"

const char *
cli_usage(void)
{
	return "usage: sendmail [-t] [-i] [-U] [-f sender] [-F name] [-v] [-C file]\n"
	       "                [-N dsn] [-R ret] [-V envid] [-B type] [-o/-O option]\n"
	       "                [recipient ...]\n"
	       "       sendmail -bp | mailq     list the queue\n"
	       "       sendmail -bs             SMTP dialogue on stdin/stdout\n"
	       "       sendmail -q[f] [-qIid] [-qRrcpt] [-qSsender]   run the queue once\n"
	       "       sendmail -q<interval>    run the queue daemon (e.g. -q30m)\n"
	       "       sendmail --version | --help\n";
}

static int fail(struct cli *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int
fail(struct cli *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (vsnprintf(c->error, sizeof c->error, fmt, ap) < 0)
		c->error[0] = '\0';
	va_end(ap);
	return -1;
}

static void
warn(struct cli *c, const char *text)
{
	if (c->nwarnings < CLI_MAX_WARNINGS)
		c->warnings[c->nwarnings++] = text;
}

static int
opt_b(struct cli *c, const char *a)
{
	if (strcmp(a, "m") == 0)
		c->mode = MODE_SUBMIT;
	else if (strcmp(a, "p") == 0)
		c->mode = MODE_LIST;
	else if (strcmp(a, "s") == 0)
		c->mode = MODE_SMTP;
	else if (strcmp(a, "i") == 0)
		c->mode = MODE_NEWALIASES;
	else if (strcmp(a, "v") == 0)
		c->mode = MODE_VERIFY;
	else if (strcmp(a, "V") == 0)
		c->mode = MODE_VERSION;
	else
		return fail(c, "mode -b%s is not supported by a relay-only MTA", a);
	return 0;
}

/* -N never | success,failure,delay */
static int
opt_n(struct cli *c, const char *a)
{
	char *out = c->notify_buf;
	size_t n = strlen(a);
	if (n == 0 || n >= sizeof c->notify_buf)	/* -N '' would send NOTIFY= */
		return fail(c, "Invalid -N argument");
	for (size_t i = 0; i <= n; i++)
		out[i] = (char)toupper((unsigned char)a[i]);
	if (strcmp(out, "NEVER") == 0) {
		c->notify = out;
		return 0;
	}
	const char *p = out;
	while (*p != '\0') {
		size_t len = strcspn(p, ",");
		if (!((len == 7 && strncmp(p, "SUCCESS", 7) == 0) ||
		    (len == 7 && strncmp(p, "FAILURE", 7) == 0) ||
		    (len == 5 && strncmp(p, "DELAY", 5) == 0)))
			return fail(c, "Invalid -N argument");
		p += len;
		if (*p == ',')
			p++;
	}
	c->notify = out;
	return 0;
}

static int
opt_r_ret(struct cli *c, const char *a)
{
	if (c->ret != NULL)
		return fail(c, "Duplicate -R flag");
	if (strcasecmp(a, "full") == 0)
		c->ret = "FULL";
	else if (strcasecmp(a, "hdrs") == 0)
		c->ret = "HDRS";
	else
		return fail(c, "Invalid -R value");
	return 0;
}

/* The text an xtext stands for; `out` has room for strlen(in) + 1. */
static void
xtext_decode(char *out, const char *in)
{
	while (*in != '\0') {
		if (*in == '+') {
			char hex[3] = { in[1], in[2], '\0' };
			*out++ = (char)strtol(hex, NULL, 16);
			in += 3;
		} else {
			*out++ = *in++;
		}
	}
	*out = '\0';
}

/* RFC 3461 xtext: printable ASCII except '+' and '=', or "+XX" hex. */
static bool
is_xtext(const char *s)
{
	if (*s == '\0' || strlen(s) > 100)
		return false;
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '+') {
			if (!isxdigit((unsigned char)s[1]) || !isxdigit((unsigned char)s[2]) ||
			    islower((unsigned char)s[1]) || islower((unsigned char)s[2]))
				return false;
			s += 2;
		} else if (ch < 0x21 || ch > 0x7e || ch == '=') {
			return false;
		}
	}
	return true;
}

static int
opt_from(struct cli *c, const char *a)
{
	if (c->from != NULL)
		return fail(c, "More than one \"from\" person");
	c->from = (strcmp(a, "<>") == 0) ? "" : a;
	return 0;
}

/* -oX short options; only the ones meaning something for a relay count. */
static void
opt_o(struct cli *c, const char *a)
{
	if (a[0] == 'i' && a[1] == '\0')
		c->ignore_dots = true;
	else if (a[0] == 'e' && a[1] != '\0' && strchr("pqmwe", a[1]) != NULL)
		c->error_mode = a[1];
	else if (a[0] == 'd' && a[1] == 'q')
		c->queue_only = true;
	else if (strchr("dmeQLAXsTFbB78", a[0]) == NULL)
		warn(c, "warning: unknown -o option ignored");
}

/* -O LongName=value */
static void
opt_O(struct cli *c, const char *a)
{
	if (strncasecmp(a, "IgnoreDots", 10) == 0 &&
	    (a[10] == '\0' || strcasecmp(a + 10, "=true") == 0))
		c->ignore_dots = true;
	else if (strncasecmp(a, "DeliveryMode=q", 14) == 0)
		c->queue_only = true;
	else if (strncasecmp(a, "ErrorMode=", 10) == 0 && a[10] != '\0' &&
	    strchr("pqmwe", a[10]) != NULL)
		c->error_mode = a[10];
	else
		warn(c, "warning: -O option ignored");
}

/* -q: a queue run, a daemon (-q<time>), or mailq's selectors. */
static int
opt_q(struct cli *c, const char *a)
{
	char why[128];
	if (c->mode != MODE_LIST)
		c->mode = MODE_QUEUE_RUN;
	if (qsel_parse(&c->q, a, c->mode == MODE_LIST, why, sizeof why) == -1)
		return fail(c, "%s", why);
	if (c->q.interval > 0)
		c->mode = MODE_DAEMON;
	return 0;
}

static int
opt_simple(struct cli *c, int opt, const char *a)
{
	switch (opt) {
	case 't': c->extract = true; return 0;
	case 'i': c->ignore_dots = true; return 0;
	case 'v': c->verbose = true; return 0;
	case 'F': c->fullname = a; return 0;
	case 'C': c->conf_path = a; return 0;
	case 'V':
		if (!is_xtext(a))
			return fail(c, "Invalid syntax in -V flag");
		xtext_decode(c->envid_buf, a);	/* the SMTP client encodes it once */
		for (const char *p = c->envid_buf; *p != '\0'; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				return fail(c, "Invalid syntax in -V flag");
		c->envid = c->envid_buf;
		return 0;
	case 'B':
		if (strcasecmp(a, "7BIT") != 0 && strcasecmp(a, "8BITMIME") != 0)
			return fail(c, "Illegal body type %s", a);
		c->body_type = strcasecmp(a, "7BIT") == 0 ? "7BIT" : "8BITMIME";
		return 0;
	case 'h': {
		char *end;
		(void)strtol(a, &end, 10);
		if (*a == '\0' || *end != '\0')
			return fail(c, "Bad hop count (%s)", a);
		return 0;
	}
	case 'U': c->smtputf8 = true; return 0;	/* needs SMTPUTF8 (eai.h) */
	default:	/* A c D d e G I L M m n p Q s T X: accepted, ignored */
		return 0;
	}
}

static int
dispatch(struct cli *c, int opt, const char *a)
{
	switch (opt) {
	case 'b': return opt_b(c, a);
	case 'N': return opt_n(c, a);
	case 'R': return opt_r_ret(c, a);
	case 'f': case 'r': return opt_from(c, a);
	case 'o': opt_o(c, a); return 0;
	case 'O': opt_O(c, a); return 0;
	case 'q': return opt_q(c, a);
	default: return opt_simple(c, opt, a);
	}
}

static void
cli_init(struct cli *c, const char *progname)
{
	memset(c, 0, sizeof *c);
	c->error_mode = 'p';
	c->older_than = -1;
	if (strcmp(progname, "mailq") == 0)
		c->mode = MODE_LIST;
	else if (strcmp(progname, "newaliases") == 0)
		c->mode = MODE_NEWALIASES;
}

/* sendmail accepts a bare -q (no argument); getopt wants one for 'q'. */
static const char *
normalise_q(const char *arg)
{
	return strcmp(arg, "-q") == 0 ? "-q\x01" : arg;
}

/* The value of a mailq --older-than AGE (or =AGE) at argv[i], and how
 * many arguments it took; NULL if argv[i] is something else. */
static const char *
older_than_at(char **argv, int argc, int i, int *used)
{
	*used = 1;
	if (strncmp(argv[i], "--older-than=", 13) == 0)
		return argv[i] + 13;
	if (strcmp(argv[i], "--older-than") != 0)
		return NULL;
	*used = 2;
	return i + 1 < argc ? argv[i + 1] : "";
}

/* --older-than is relayq's own: a long option, which no sendmail option
 * can be mistaken for.  Taken out of argv before getopt sees it. */
static int
take_older_than(struct cli *c, int *argc, char **argv)
{
	for (int i = 1; i < *argc && strcmp(argv[i], "--") != 0; i++) {
		int n;
		const char *v = older_than_at(argv, *argc, i, &n);
		if (v == NULL)
			continue;
		if ((c->older_than = conf_duration(v, 1)) < 0)
			return fail(c, "--older-than '%s': not a duration (90, 15m, 1h30m, 2d)", v);
		memmove(argv + i, argv + i + n, (size_t)(*argc - i - n + 1) * sizeof *argv);
		*argc -= n;
		i--;
	}
	return 0;
}

int
cli_parse(struct cli *c, int argc, char **argv, const char *progname)
{
	cli_init(c, progname);
	if (take_older_than(c, &argc, argv) == -1)
		return -1;
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--version") == 0 || strcmp(argv[i], "--help") == 0) {
			c->mode = strcmp(argv[i], "--help") == 0 ? MODE_HELP : MODE_VERSION;
			return 0;
		}
	}
	static char bare_q[] = "-q\x01";
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (normalise_q(argv[i]) != argv[i])
			argv[i] = bare_q;
	opterr = 0;
	optind = 1;
	int opt;
	while ((opt = getopt(argc, argv, "+" OPTSTRING)) != -1) {
		char letter[2] = { (char)optopt, '\0' };
		if (opt == '?')
			return fail(c, "illegal option -- %s", letter);
		if (opt == ':')
			return fail(c, "option requires an argument -- %s", letter);
		const char *a = optarg;
		if (a != NULL && strcmp(a, "\x01") == 0)
			a = "";
		if (dispatch(c, opt, a) == -1)
			return -1;
	}
	c->rcpts = argv + optind;
	c->nrcpts = (size_t)(argc - optind);
	if (c->mode == MODE_LIST && c->nrcpts > 0)
		return fail(c, "mailq takes no recipients");
	if (c->older_than >= 0 && c->mode != MODE_LIST)
		return fail(c, "--older-than goes with mailq or -bp");
	return 0;
}
