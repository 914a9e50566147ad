/* relayq-queue: queue management, as Postfix's postqueue/postsuper and
 * OpenSMTPD's smtpctl give it.  Not set-ID.  Reading (list, show) goes
 * through relayq-showq, so a user sees their own messages and root all;
 * changes are root's: hold, release, retry and requeue run here as the
 * relayq user (qadmin.c, spool.h I4), delete runs relayqd -d or -b, which
 * own the DSN code. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "conf.h"
#include "libexec.h"
#include "log.h"
#include "privs.h"
#include "qadmin.h"
#include "qsel.h"
#include "queue.h"
#include "relayq.h"

#define PROG "relayq-queue"
#define MAX_ARGS 32

struct opts {
	const char *conf_path;
	const char *cmd;	/* list, show, hold, ..., delete */
	bool json, all, dsn;
	const char *older_than;	/* as given */
	const char *sel[QSEL_MAX];
	size_t nsel;
	char **ids;		/* the rest of argv */
	int nids;
};

static int
usage_to(FILE *out, int rc)
{
	fputs("usage: relayq-queue [-C file] [list] [--json] [--older-than age] [-q{I|R|S}substr]...\n"
	      "       relayq-queue [-C file] show [--json] qid\n"
	      "       relayq-queue [-C file] hold | release | retry | requeue  qid... | --all\n"
	      "       relayq-queue [-C file] delete [--dsn] qid...\n"
	      "       relayq-queue --help | --version\n", out);
	return rc;
}

static int
usage(void)
{
	return usage_to(stderr, EX_USAGE);
}

static const struct option long_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "all", no_argument, NULL, 'A' },
	{ "dsn", no_argument, NULL, 'D' },
	{ "older-than", required_argument, NULL, 'a' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static int
parse_opt(struct opts *o, int ch, const char *arg)
{
	switch (ch) {
	case 'C': o->conf_path = arg; return 0;
	case 'j': o->json = true; return 0;
	case 'A': o->all = true; return 0;
	case 'D': o->dsn = true; return 0;
	case 'h': o->cmd = "help"; return 0;
	case 'V': o->cmd = "version"; return 0;
	case 'a':
		o->older_than = arg;
		return conf_duration(arg, 1) >= 0 ? 0 : -1;
	case 'q':
		if (o->nsel == QSEL_MAX)
			return -1;
		o->sel[o->nsel++] = arg;
		return 0;
	}
	return -1;
}

/* Options may come before and after the command word. */
static int
parse_args(struct opts *o, int argc, char **argv)
{
	int ch;
	memset(o, 0, sizeof *o);
	opterr = 1;
	while ((ch = getopt_long(argc, argv, "+C:q:", long_opts, NULL)) != -1)
		if (parse_opt(o, ch, optarg) == -1)
			return -1;
	if (o->cmd == NULL)
		o->cmd = optind < argc ? argv[optind++] : "list";
	while ((ch = getopt_long(argc, argv, "C:q:", long_opts, NULL)) != -1)
		if (parse_opt(o, ch, optarg) == -1)
			return -1;
	o->ids = argv + optind;
	o->nids = argc - optind;
	for (int i = 0; i < o->nids; i++)
		if (!qid_valid(o->ids[i])) {
			fprintf(stderr, PROG ": %s: not a queue id\n", o->ids[i]);
			return -1;
		}
	return 0;
}

/* ---- list and show: relayq-showq ---------------------------------- */

static void
add_arg(char **args, size_t *n, char *arg)
{
	if (*n < MAX_ARGS - 1)
		args[(*n)++] = arg;
	args[*n] = NULL;
}

static int
exec_showq(const struct opts *o, const char *show)
{
	char path[4096], age[64], qid[64];
	char *args[MAX_ARGS];
	size_t n = 0;
	add_arg(args, &n, PROG);
	if (o->conf_path != NULL) {
		add_arg(args, &n, "-C");
		add_arg(args, &n, (char *)o->conf_path);
	}
	if (o->json)
		add_arg(args, &n, "--json");
	if (o->older_than != NULL) {
		snprintf_rq(age, sizeof age, "--older-than=%ld", conf_duration(o->older_than, 1));
		add_arg(args, &n, age);
	}
	if (show != NULL) {
		snprintf_rq(qid, sizeof qid, "--show=%s", show);
		add_arg(args, &n, qid);
	}
	for (size_t i = 0; i < o->nsel; i++) {
		add_arg(args, &n, "-q");
		add_arg(args, &n, (char *)o->sel[i]);
	}
	libexec_path("relayq-showq", path, sizeof path);
	execv(path, args);
	fprintf(stderr, PROG ": cannot run %s: %s\n", path, strerror(errno));
	return EX_UNAVAILABLE;
}

static int
cmd_list(const struct opts *o)
{
	if (o->nids > 0 || o->all || o->dsn)
		return usage();
	return exec_showq(o, NULL);
}

static int
cmd_show(const struct opts *o)
{
	if (o->nids != 1 || o->all || o->dsn || o->older_than != NULL || o->nsel > 0)
		return usage();
	return exec_showq(o, o->ids[0]);
}

/* ---- changes: root, then the relayq user --------------------------- */

struct admin {
	const struct opts *o;
	struct conf c;
	uid_t who;		/* the administrator, for the log */
	struct queue q;
	bool wake;		/* something became due: wake relayqd */
	int rc;
};

/* Exit values by how bad: a failed write, or anything unexpected from
 * relayqd, beats a busy message beats a missing one. */
static size_t
badness(int rc)
{
	static const int rank[] = { EX_OK, EX_NOINPUT, EX_TEMPFAIL };
	for (size_t i = 0; i < sizeof rank / sizeof rank[0]; i++)
		if (rank[i] == rc)
			return i;
	return sizeof rank / sizeof rank[0];
}

static void
worse(struct admin *a, int rc)
{
	if (badness(rc) > badness(a->rc))
		a->rc = rc;
}

static int
load_conf(struct admin *a)
{
	char err[RELAYQ_ERRLEN];
	conf_defaults(&a->c);
	const char *path = a->o->conf_path != NULL ? a->o->conf_path : RELAYQ_CONF_DEFAULT;
	if (conf_load(&a->c, path, a->o->conf_path != NULL, err, sizeof err) == -1) {
		fprintf(stderr, PROG ": %s\n", err);
		return -1;
	}
	/* Root's log_file; a user's changes are logged by relayqd. */
	if (a->c.log_file[0] != '\0' && getuid() == 0 && log_set_file(a->c.log_file) == -1)
		fprintf(stderr, PROG ": cannot open log_file %s: %s\n", a->c.log_file,
		    strerror(errno));
	return 0;
}

/* As the relayq user: the queue, with submissions not yet picked up moved
 * in first, so a message just sent can be held or deleted at once. */
static int
open_queue(struct admin *a)
{
	char err[RELAYQ_ERRLEN];
	if (privs_drop(RELAYQ_USER, err, sizeof err) == -1 ||
	    queue_open(&a->q, a->c.spool, err, sizeof err) == -1) {
		fprintf(stderr, PROG ": %s\n", err);
		return -1;
	}
	if (queue_pickup(&a->q, err, sizeof err) == -1)
		fprintf(stderr, PROG ": pickup: %s\n", err);
	return 0;
}

static void
change_one(struct admin *a, const char *qid, enum qadmin_op op)
{
	char err[RELAYQ_ERRLEN];
	enum qadmin_result r = qadmin_one(&a->q, qid, op, (uid_t)-1, time(NULL), err, sizeof err);
	if (r == QADMIN_DONE || r == QADMIN_UNCHANGED)
		printf("%s: %s\n", qid, qadmin_done_word(op, r == QADMIN_DONE));
	if (r == QADMIN_DONE) {
		log_notice("%s: %s by the administrator (uid %ld)", qid, qadmin_done_word(op, true),
		    (long)a->who);
		a->wake |= op != QADMIN_HOLD;
	} else if (r == QADMIN_BUSY) {
		fprintf(stderr, PROG ": %s: being delivered right now; try again\n", qid);
		worse(a, EX_TEMPFAIL);
	} else if (r == QADMIN_GONE || r == QADMIN_NOT_YOURS) {
		fprintf(stderr, PROG ": %s: not in the queue\n", qid);
		worse(a, EX_NOINPUT);
	} else if (r == QADMIN_FAILED) {
		fprintf(stderr, PROG ": %s: %s\n", qid, err);
		worse(a, EX_IOERR);
	}
}

static void
change_all(struct admin *a, enum qadmin_op op)
{
	char (*ids)[QID_SIZE];
	size_t n;
	if (queue_ids(&a->q, &ids, &n) == -1) {
		fprintf(stderr, PROG ": cannot list the queue: %s\n", strerror(errno));
		worse(a, EX_IOERR);
		return;
	}
	for (size_t i = 0; i < n; i++)
		change_one(a, ids[i], op);
	queue_ids_free(ids);
}

static int
must_be_root(const char *cmd)
{
	if (getuid() == 0 && geteuid() == 0)
		return 0;
	fprintf(stderr, PROG ": %s: only root may change the queue\n", cmd);
	return -1;
}

/* A user other than root: relayqd makes the change over its submission
 * socket, for the caller's own messages only (it reads the peer's uid). */
static void
ask_relayqd(struct admin *a, const char *qid, enum qadmin_op op)
{
	char answer[256], err[RELAYQ_ERRLEN];
	if (spool_request(a->c.submit_socket, qadmin_op_name(op), qid, answer, sizeof answer,
	    err, sizeof err) == 0) {
		printf("%s: %s\n", qid, answer);
		return;
	}
	int errnum = errno;
	fprintf(stderr, PROG ": %s: %s\n", qid, err);
	worse(a, errnum == ENOENT ? EX_NOINPUT : EX_TEMPFAIL);
}

static int
cmd_change_own(struct admin *a)
{
	const struct opts *o = a->o;
	enum qadmin_op op;
	if (o->all) {
		fprintf(stderr, PROG ": %s --all: only root may change every message\n", o->cmd);
		return EX_NOPERM;
	}
	if (load_conf(a) == -1)
		return EX_CONFIG;
	if (qadmin_op_parse(o->cmd, &op) == -1)
		return usage();
	for (int i = 0; i < o->nids; i++)
		ask_relayqd(a, o->ids[i], op);
	return a->rc;
}

static int
cmd_change(const struct opts *o, enum qadmin_op op)
{
	struct admin a = { .o = o, .who = getuid(), .rc = EX_OK };
	bool one_target = (o->nids > 0) != o->all;	/* ids, or --all */
	if (!one_target || o->dsn || o->json || o->older_than != NULL || o->nsel > 0)
		return usage();
	if (getuid() != 0)
		return cmd_change_own(&a);
	if (must_be_root(o->cmd) == -1)
		return EX_NOPERM;
	if (load_conf(&a) == -1)
		return EX_CONFIG;
	if (open_queue(&a) == -1)
		return EX_OSERR;
	if (o->all)
		change_all(&a, op);
	for (int i = 0; i < o->nids; i++)
		change_one(&a, o->ids[i], op);
	if (a.wake)
		spool_wake(a.c.spool);
	queue_close(&a.q);
	return a.rc;
}

/* ---- delete: relayqd -d / -b ---------------------------------------- */

/* Moves fresh submissions into the queue as the relayq user, in a child
 * so that this process stays root for relayqd. */
static void
pickup_first(struct admin *a)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(open_queue(a) == 0 ? 0 : 1);
	int st;
	while (pid > 0 && waitpid(pid, &st, 0) == -1 && errno == EINTR)
		;
}

static int
run_relayqd(const struct opts *o, const char *qid)
{
	char path[4096];
	char *args[] = { "relayqd", "-C", (char *)o->conf_path, o->dsn ? "-b" : "-d",
	    (char *)qid, NULL };
	size_t skip = o->conf_path == NULL ? 2 : 0;	/* no -C: default config */
	if (skip != 0)
		memmove(args + 1, args + 3, 3 * sizeof args[0]);
	libexec_path("relayqd", path, sizeof path);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		execv(path, args);
		fprintf(stderr, PROG ": cannot run %s: %s\n", path, strerror(errno));
		_exit(EX_UNAVAILABLE);
	}
	int st;
	while (pid > 0 && waitpid(pid, &st, 0) == -1)
		if (errno != EINTR)
			return EX_OSERR;
	if (pid == -1)
		return EX_OSERR;
	return WIFEXITED(st) ? WEXITSTATUS(st) : EX_SOFTWARE;
}

static int
cmd_delete(const struct opts *o)
{
	struct admin a = { .o = o, .rc = EX_OK };
	if (o->nids == 0 || o->all || o->json || o->older_than != NULL || o->nsel > 0)
		return usage();
	if (must_be_root(o->cmd) == -1)
		return EX_NOPERM;
	if (load_conf(&a) == -1)
		return EX_CONFIG;
	pickup_first(&a);
	for (int i = 0; i < o->nids; i++) {
		int rc = run_relayqd(o, o->ids[i]);
		if (rc == EX_OK)
			printf("%s: %s\n", o->ids[i], o->dsn ? "returned to the sender" : "deleted");
		worse(&a, rc);
	}
	if (o->dsn)
		spool_wake(a.c.spool);	/* the notices go out now */
	return a.rc;
}

/* The command's exit value, or EX_IOERR if its report could not be written. */
static int
run(const struct opts *o)
{
	enum qadmin_op op;
	if (strcmp(o->cmd, "help") == 0)
		return usage_to(stdout, EX_OK);
	if (strcmp(o->cmd, "version") == 0) {
		printf(PROG " (relayq) %s\n", RELAYQ_VERSION);
		return EX_OK;
	}
	if (strcmp(o->cmd, "list") == 0)
		return cmd_list(o);
	if (strcmp(o->cmd, "show") == 0)
		return cmd_show(o);
	if (strcmp(o->cmd, "delete") == 0)
		return cmd_delete(o);
	if (qadmin_op_parse(o->cmd, &op) == 0)
		return cmd_change(o, op);
	fprintf(stderr, PROG ": unknown command %s\n", o->cmd);
	return usage();
}

int
main(int argc, char **argv)
{
	struct opts o;
	log_open(PROG, LOG_TO_SYSLOG);
	if (parse_args(&o, argc, argv) == -1)
		return usage();
	int rc = run(&o);
	return fflush(stdout) == 0 && !ferror(stdout) ? rc : EX_IOERR;
}
