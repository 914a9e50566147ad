/* cli: the sendmail command line -> struct cli.  Pure: no I/O, no exits;
 * main() prints cli.error / cli.warnings and picks the exit code. */
#ifndef RELAYQ_CLI_H
#define RELAYQ_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "qsel.h"

enum cli_mode {
	MODE_SUBMIT,		/* -bm, the default */
	MODE_LIST,		/* -bp, mailq */
	MODE_SMTP,		/* -bs */
	MODE_QUEUE_RUN,		/* -q, -qf, -q with selectors */
	MODE_DAEMON,		/* -q<interval> */
	MODE_NEWALIASES,	/* -bi, newaliases */
	MODE_VERIFY,		/* -bv */
	MODE_VERSION,		/* --version, -bV */
	MODE_HELP		/* --help */
};

#define CLI_MAX_WARNINGS 8

struct cli {
	enum cli_mode mode;
	bool extract;		/* -t */
	bool ignore_dots;	/* -i, -oi */
	bool verbose;		/* -v */
	bool queue_only;	/* -odq: don't wake the daemon */
	bool smtputf8;		/* -U: the message needs SMTPUTF8 */
	char error_mode;	/* -oe?: p (default), q, m, w, e */
	const char *from;	/* -f/-r, NULL = not given, "" = <> */
	const char *fullname;	/* -F */
	const char *conf_path;	/* -C, NULL = default */
	const char *body_type;	/* -B: "7BIT" / "8BITMIME" */
	const char *notify;	/* -N, upper-cased list or "NEVER" */
	const char *ret;	/* -R: "FULL" / "HDRS" */
	const char *envid;	/* -V, decoded from its xtext */
	struct qsel q;		/* -q: interval, -qf, selectors */
	long older_than;	/* mailq --older-than, seconds; -1 = not given */
	char **rcpts;		/* points into argv */
	size_t nrcpts;
	const char *warnings[CLI_MAX_WARNINGS];	/* to print, "relayq: " prefix */
	size_t nwarnings;
	char notify_buf[64];
	char envid_buf[101];	/* -V is at most 100 characters of xtext */
	char error[160];	/* set when cli_parse returns -1 */
};

/* progname is basename(argv[0]): "mailq" and "newaliases" select modes.
 * Returns 0, or -1 with cli->error set (exit EX_USAGE). */
int cli_parse(struct cli *c, int argc, char **argv, const char *progname);

const char *cli_usage(void);

#endif
