/* relayq-showq: the read-only lister behind `mailq`, `sendmail -bp` and
 * relayq-queue's list and show.  Installed setgid relayq, the group that
 * may read queue/'s state files; sendmail (setgid relayq-drop, which may
 * not) and relayq-queue exec it.  It reads no standard input, takes only
 * the options below and -C (honoured for root alone), and shows a caller
 * other than root only their own messages. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "harden.h"
#include "log.h"
#include "mailq.h"
#include "qjson.h"
#include "qsel.h"
#include "qshow.h"
#include "relayq.h"
#include "version.h"

struct opts {
	struct qsel q;
	const char *conf_path;
	const char *show;	/* --show QID: that message in full */
	bool json;		/* --json */
	long older_than;	/* --older-than: exit 1 if any is older; -1 = no */
	const char *prog;	/* for messages: mailq, relayq-queue */
};

static const struct option long_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "show", required_argument, NULL, 's' },
	{ "older-than", required_argument, NULL, 'a' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static void
print_usage(FILE *fp)
{
	fputs("usage: relayq-showq [-C file] [-q{I|R|S}substring]... [--json]\n"
	      "                    [--older-than age] [--show qid]\n"
	      "       relayq-showq --version | --help\n", fp);
}

static int
usage(void)
{
	print_usage(stderr);
	return -1;
}

/* --help, --version: the answer, then exit. */
static _Noreturn void
about(int ch)
{
	struct version_info v = { .prog = "relayq-showq",
	    .tls = "none (relayq-showq links no TLS library; relayqd --version "
	    "shows relayqd's)" };
	if (ch == 'h')
		print_usage(stdout);
	else
		(void)version_print(stdout, &v);
	exit(fflush(stdout) == 0 && !ferror(stdout) ? EX_OK : EX_IOERR);
}

static int
parse_one(struct opts *o, int ch, const char *arg)
{
	char why[128];
	switch (ch) {
	case 'C': o->conf_path = arg; return 0;
	case 'j': o->json = true; return 0;
	case 'v': return 0;
	case 'h':
	case 'V':
		about(ch);
	case 's':
		o->show = arg;
		return qid_valid(arg) ? 0 : usage();
	case 'a':
		o->older_than = conf_duration(arg, 1);
		return o->older_than >= 0 ? 0 : usage();
	case 'q':
		if (qsel_parse(&o->q, arg, true, why, sizeof why) == 0)
			return 0;
		fprintf(stderr, "%s: %s\n", o->prog, why);
		return -1;
	}
	return usage();
}

static int
parse_args(struct opts *o, int argc, char **argv)
{
	int ch;
	memset(o, 0, sizeof *o);
	o->older_than = -1;
	const char *p = argc > 0 ? strrchr(argv[0], '/') : NULL;
	p = p != NULL ? p + 1 : argc > 0 ? argv[0] : "mailq";
	o->prog = strcmp(p, "relayq-queue") == 0 ? p : "mailq";
	while ((ch = getopt_long(argc, argv, "C:q:v", long_opts, NULL)) != -1)
		if (parse_one(o, ch, optarg) == -1)
			return -1;
	return optind == argc ? 0 : usage();
}

/* 1 when something is older than --older-than (a monitoring check's
 * "look at the queue"), else 0; says how many on stderr. */
static int
age_status(const struct opts *o, const struct mailq_list *l, time_t now)
{
	if (o->older_than < 0)
		return EX_OK;
	size_t old = mailq_older(l, now, o->older_than);
	if (old == 0)
		return EX_OK;
	fprintf(stderr, "%s: %zu of %zu queued message%s older than %lds\n", o->prog, old,
	    l->n, l->n == 1 ? "" : "s", o->older_than);
	return 1;
}

static int
print(const struct opts *o, const char *spool, const struct mailq_list *l, time_t now)
{
	if (o->show != NULL && l->n == 0) {
		fprintf(stderr, "%s: %s: not in the queue\n", o->prog, o->show);
		return EX_NOINPUT;
	}
	if (o->show != NULL && o->json) {
		qjson_message(stdout, &l->v[0], now);
		fputc('\n', stdout);
	} else if (o->show != NULL) {
		qshow_text(stdout, &l->v[0], now);
	} else if (o->json) {
		qjson_list(stdout, spool, l, now, o->older_than);
	} else {
		mailq_print_list(stdout, spool, l);
	}
	return age_status(o, l, now);
}

static int
list(const struct opts *o, const char *spool)
{
	char err[RELAYQ_ERRLEN];
	struct queue q;
	struct mailq_list l;
	if (queue_open_readonly(&q, spool, err, sizeof err) == -1) {
		fprintf(stderr, "%s: %s\n", o->prog, err);
		return EX_NOPERM;
	}
	struct mailq_filter f = { getuid() == 0, getuid(), &o->q, o->show };
	int rc = EX_NOPERM;
	if (mailq_collect(&q, &f, &l) == -1)
		fprintf(stderr, "%s: cannot read the queue in %s\n", o->prog, spool);
	else
		rc = print(o, spool, &l, time(NULL));
	mailq_list_free(&l);
	queue_close(&q);
	return rc;
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct conf c;
	char err[RELAYQ_ERRLEN];
	if (harden_setid_process() == -1)
		return EX_OSERR;
	if (parse_args(&o, argc, argv) == -1)
		return EX_USAGE;
	/* Another user's config could point at any directory: drop the group. */
	if (o.conf_path != NULL && getuid() != 0 && setresgid(getgid(), getgid(), getgid()) == -1)
		return EX_OSERR;
	conf_defaults(&c);
	const char *path = o.conf_path != NULL ? o.conf_path : RELAYQ_CONF_DEFAULT;
	if (conf_load(&c, path, o.conf_path != NULL, err, sizeof err) == -1) {
		log_print_lines(stderr, o.prog, err);
		return EX_CONFIG;
	}
	int rc = list(&o, c.spool);
	return fflush(stdout) == 0 ? rc : EX_IOERR;
}
