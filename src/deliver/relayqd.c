/* relayqd: the delivery side.  Reads the configuration as root, drops to
 * the relayq user, picks up dropped mail and runs the queue once (-q) or
 * as a daemon (-q<interval>) woken by the spool's trigger FIFO. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "conf.h"
#include "daemon.h"
#include "deliver.h"
#include "log.h"
#include "master.h"
#include "qsel.h"
#include "queue.h"
#include "relayq.h"
#include "smtp_version.h"
#include "submitd.h"
#include "trust.h"

struct opts {
	struct qsel q;		/* -q: interval, selectors */
	const char *conf_path;
	bool init_only;		/* -I */
	bool foreground;	/* -f */
	const char *admin_qid;	/* -d / -b QID */
	enum admin_op admin_op;
};

static void
print_usage(FILE *fp)
{
	fputs("usage: relayqd [-C file] [-v] -q[interval] [-qIid] [-qRrcpt] [-qSsender] [-f]\n"
	      "       relayqd [-C file] -I     create the spool directories\n"
	      "       relayqd [-C file] -d qid delete a queued message, no notice\n"
	      "       relayqd [-C file] -b qid return a queued message to its sender\n"
	      "       relayqd --version | --help\n", fp);
}

static void
usage(void)
{
	print_usage(stderr);
	exit(EX_USAGE);
}

/* --help and --version, which getopt does not know, before any option. */
static void
long_options(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--help") == 0) {
			print_usage(stdout);
			exit(fflush(stdout) == 0 ? EX_OK : EX_IOERR);
		}
		if (strcmp(argv[i], "--version") == 0)
			exit(smtp_version_print(stdout, "relayqd"));
	}
}

static void
parse_args(struct opts *o, int argc, char **argv)
{
	int ch;
	memset(o, 0, sizeof *o);
	long_options(argc, argv);
	while ((ch = getopt(argc, argv, "b:C:d:fIq::v")) != -1) {
		switch (ch) {
		case 'b':
		case 'd':
			if (!qid_valid(optarg)) {
				fprintf(stderr, "relayqd: -%c %s: not a queue id\n", ch, optarg);
				exit(EX_USAGE);
			}
			o->admin_qid = optarg;
			o->admin_op = ch == 'd' ? ADMIN_DELETE : ADMIN_BOUNCE;
			break;
		case 'C': o->conf_path = optarg; break;
		case 'f': o->foreground = true; break;
		case 'I': o->init_only = true; break;
		case 'v': log_set_verbose(true); break;
		case 'q': {
			char why[128];
			if (qsel_parse(&o->q, optarg != NULL ? optarg : "", false, why,
			    sizeof why) == -1) {
				fprintf(stderr, "relayqd: %s\n", why);
				exit(EX_USAGE);
			}
			break;
		}
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	o->foreground |= o->q.foreground;
}

/* Root: become the relayq user so a bug in the SMTP client cannot touch
 * the rest of the system.  Root never goes on as root: without the user
 * relayqd refuses to run.  Others stay who they are (a spool of their own). */
static int
drop_privileges(uid_t *uid, gid_t *gid)
{
	*uid = geteuid();
	*gid = getegid();
	if (geteuid() != 0)
		return 0;
	struct passwd *pw = getpwnam(RELAYQ_USER);
	if (pw == NULL) {
		log_err("no user %s: refusing to deliver mail as root; create it "
		    "(systemd-sysusers, or make install) and run again", RELAYQ_USER);
		return -1;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	if (setgroups(0, NULL) == -1 || setresgid(*gid, *gid, *gid) == -1 ||
	    setresuid(*uid, *uid, *uid) == -1) {
		log_err("cannot drop privileges to %s: %s", RELAYQ_USER, strerror(errno));
		return -1;
	}
	return 0;
}

/* The relayq user and groups; as root each must exist. */
static int
spool_owner(struct queue_owner *o)
{
	/* Each look-up reuses libc's static buffer: keep the ids, not the structs. */
	struct passwd *pw = getpwnam(RELAYQ_USER);
	o->uid = pw != NULL ? pw->pw_uid : geteuid();
	bool have_user = pw != NULL;
	struct group *gr = getgrnam(RELAYQ_GROUP);
	o->gid = gr != NULL ? gr->gr_gid : getegid();
	bool have_group = gr != NULL;
	gr = getgrnam(RELAYQ_DROP_GROUP);
	o->drop_gid = gr != NULL ? gr->gr_gid : getegid();
	if (geteuid() == 0 && (!have_user || !have_group || gr == NULL)) {
		log_err("cannot create the spool: user %s, group %s and group %s must "
		    "exist (systemd-sysusers relayq.conf, or make install)",
		    RELAYQ_USER, RELAYQ_GROUP, RELAYQ_DROP_GROUP);
		return -1;
	}
	return 0;
}

/* Creates the spool when root and it is missing or with -I. */
static int
prepare_spool(const struct conf *c, bool force)
{
	char err[RELAYQ_ERRLEN];
	struct stat st;
	struct buf p;
	struct queue_owner owner;
	buf_init(&p);
	if (buf_printf(&p, "%s/maildrop", c->spool) == -1)
		return -1;
	bool missing = stat(buf_str(&p), &st) == -1;
	buf_free(&p);
	if ((!missing && !force) || geteuid() != 0)
		return 0;
	if (spool_owner(&owner) == -1)
		return -1;
	if (queue_create(c->spool, &owner, err, sizeof err) == -1) {
		log_err("%s", err);
		return -1;
	}
	return 0;
}

static struct submitd submitd = { .fd = -1 };	/* opened as root by main */

/* The submission socket for callers whose setgid bit does not work; the
 * daemon runs without one when it cannot have it. */
static void
open_submit_socket(const struct conf *c)
{
	char err[RELAYQ_ERRLEN];
	struct passwd *pw = getpwnam(RELAYQ_USER);
	if (submitd_open(&submitd, c, pw != NULL ? pw->pw_uid : geteuid(), err, sizeof err) == -1 &&
	    c->submit_socket[0] != '\0')
		log_warn("no submission socket: %s; sendmail under NoNewPrivileges cannot "
		    "queue mail", err);
}

static int
daemonize(bool foreground, long interval, const struct conf *c)
{
	if (!foreground) {
		pid_t pid = fork();
		if (pid == -1)
			return -1;
		if (pid > 0)
			_exit(0);
		if (setsid() == -1)
			return -1;
		int fd = open("/dev/null", O_RDWR);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			if (!log_verbose_on())
				dup2(fd, 2);
			if (fd > 2)
				close(fd);
		}
	}
	log_info("starting daemon, queue runs every %lds, spool %s", interval, c->spool);
	return 0;
}

/* As root: trust (TLS context, SASL, the authinfo map), then the relayq
 * user, then the queue: a daemon worker's loop, one run, or an admin op. */
static int
serve(const struct conf *c, const struct opts *o, bool reloaded)
{
	char err[RELAYQ_ERRLEN];
	struct trust t;
	struct queue q;
	uid_t uid;
	gid_t gid;
	int rc = EX_OK;
	trust_init(&t, c);
	if (drop_privileges(&uid, &gid) == -1) {
		trust_free(&t);
		return EX_OSERR;
	}
	if (queue_open(&q, c->spool, err, sizeof err) == -1) {
		log_err("%s", err);
		trust_free(&t);
		return EX_CANTCREAT;
	}
	srandom((unsigned)time(NULL) ^ (unsigned)getpid());
	if (o->admin_qid != NULL) {
		if (deliver_admin(&q, c, &t, o->admin_qid, o->admin_op, err, sizeof err) == -1) {
			fprintf(stderr, "relayqd: %s\n", err);
			rc = EX_NOINPUT;
		}
	} else if (o->q.interval > 0)
		rc = daemon_loop(&q, c, &t, &o->q, reloaded);
	else
		daemon_run_once(&q, c, &t, &o->q, true);
	queue_close(&q);
	trust_free(&t);
	return rc;
}

static int
work(const struct conf *c, bool reloaded, void *arg)
{
	int rc = serve(c, arg, reloaded);
	log_close();
	return rc;
}

static int load_conf(struct conf *c, const struct opts *o);

static int
reload(struct conf *c, void *arg)
{
	struct conf n;
	if (load_conf(&n, arg) != EX_OK)
		return -1;
	*c = n;
	return 0;
}

/* -q<interval>: the root supervisor (master.h) over a worker. */
static int
supervise(struct conf *c, struct opts *o)
{
	if (daemonize(o->foreground, o->q.interval, c) == -1) {
		log_err("cannot start daemon: %s", strerror(errno));
		return EX_OSERR;
	}
	open_submit_socket(c);
	struct master m = { .c = c, .reload = reload, .work = work, .arg = o,
	    .submitd = &submitd };
	return master_run(&m);
}

/* Errors and warnings go to stderr as well as syslog when someone can
 * read them there: a terminal, -f (unless systemd's journal, which has the
 * syslog copy already) or -I (install scripts). */
static void
open_log(const struct opts *o)
{
	int dest = LOG_TO_SYSLOG;
	if (isatty(2) || ((o->foreground || o->init_only) && !log_stderr_is_journal()))
		dest |= LOG_PROBLEMS_TO_STDERR;
	log_open("relayqd", dest);
}

static int
load_conf(struct conf *c, const struct opts *o)
{
	char err[4096];
	conf_defaults(c);
	/* -I only makes the spool: install scripts run it before anyone has
	 * written a smarthost. */
	c->smarthost_required = !o->init_only;
	const char *path = o->conf_path != NULL ? o->conf_path : RELAYQ_CONF_DEFAULT;
	if (conf_load(c, path, o->conf_path != NULL, err, sizeof err) == -1) {
		log_err_lines(err);
		return EX_CONFIG;
	}
	return EX_OK;
}

static int
setup(struct conf *c, const struct opts *o)
{
	if (load_conf(c, o) != EX_OK)
		return EX_CONFIG;
	if (o->init_only && c->smarthost[0] == '\0')
		log_warn("%s: no smarthost yet: queue runs refuse to start until "
		    "it has one", c->path);
	if (c->log_file[0] != '\0' && log_set_file(c->log_file) == -1)
		log_warn("cannot open log_file %s: %s", c->log_file, strerror(errno));
	if (!o->init_only)
		conf_log_hostname(c);
	if (prepare_spool(c, o->init_only) == -1)
		return EX_CANTCREAT;
	return EX_OK;
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct conf c;

	umask(027);
	parse_args(&o, argc, argv);
	open_log(&o);
	int rc = setup(&c, &o);
	if (rc != EX_OK || o.init_only)
		return rc;
	if (o.q.interval > 0 && o.admin_qid == NULL)
		rc = supervise(&c, &o);
	else
		rc = serve(&c, &o, false);
	log_close();
	return rc;
}
