/* sendmail: the submitter (also mailq, newaliases).  Setgid relayq: it
 * cleans its environment, parses the command line, writes one file into
 * the maildrop and wakes relayqd.  It links no crypto, SASL, DB or curl. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "conf.h"
#include "log.h"
#include "mailq.h"
#include "relayq.h"
#include "submit.h"

extern char **environ;

/* fds 0-2 open (else our queue file could become someone's stdout), the
 * rest closed, a minimal environment, no core files. */
static void
sanitise_process(void)
{
	umask(077);
	for (int fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) == -1 && open("/dev/null", O_RDWR) != fd)
			_exit(EX_OSERR);
	}
	closefrom(3);
	char tz[64] = "";
	const char *t = getenv("TZ");
	if (t != NULL && strlen(t) < sizeof tz && strchr(t, '/') == NULL)
		strlcpy_rq(tz, t, sizeof tz);
	if (clearenv() != 0 || setenv("PATH", "/usr/bin:/bin", 1) != 0 ||
	    (tz[0] != '\0' && setenv("TZ", tz, 1) != 0))
		_exit(EX_OSERR);
	struct rlimit no_core = { 0, 0 };
	setrlimit(RLIMIT_CORE, &no_core);
	signal(SIGPIPE, SIG_IGN);
}

static void
drop_setgid(void)
{
	gid_t g = getgid();
	if (setresgid(g, g, g) == -1)
		_exit(EX_OSERR);
}

/* relayqd next to this program (a build tree), else the installed one. */
static void
relayqd_path(char *out, size_t size)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n > 0) {
		self[n] = '\0';
		snprintf_rq(out, size, "%s/relayqd", dirname(self));
		if (access(out, X_OK) == 0)
			return;
	}
	snprintf_rq(out, size, "%s/relayqd", RELAYQ_LIBEXEC);
}

/* relayqd's arguments from the parsed -q/-v options (so bundled flags
 * like -vq30m keep their meaning). */
static void
relayqd_args(const struct cli *c, struct buf *store, char **args, size_t max)
{
	size_t n = 0;
	args[n++] = "relayqd";
	int rc = buf_puts(store, "-q");
	if (c->mode == MODE_DAEMON)
		rc |= buf_printf(store, "%lds", c->queue_interval);
	rc |= buf_putc(store, '\0');
	for (size_t i = 0; i < c->nsel; i++)
		rc |= buf_printf(store, "-q%s%c%s%c", c->sel[i].negate ? "!" : "",
		    c->sel[i].kind, c->sel[i].substr, '\0');
	if (rc != 0)
		_exit(EX_OSERR);
	for (size_t off = 0; off < store->len && n < max - 6; off += strlen(store->data + off) + 1)
		args[n++] = store->data + off;
	if (c->foreground)
		args[n++] = "-f";
	if (c->verbose)
		args[n++] = "-v";
	if (c->conf_path != NULL) {
		args[n++] = "-C";
		args[n++] = (char *)c->conf_path;
	}
	args[n] = NULL;
}

/* -q...: root hands over to relayqd with the same -C; others run it with
 * their own privileges, where it can only work on a spool they own. */
static int
run_queue(const struct cli *c)
{
	char path[PATH_MAX];
	char *args[CLI_MAX_SELECTORS + 12];
	struct buf store;
	buf_init(&store);
	if (getuid() != 0)
		drop_setgid();
	relayqd_path(path, sizeof path);
	relayqd_args(c, &store, args, sizeof args / sizeof args[0]);
	execv(path, args);
	fprintf(stderr, "sendmail: cannot run %s: %s\n", path, strerror(errno));
	buf_free(&store);
	return EX_UNAVAILABLE;
}

static int
load_conf(struct conf *conf, const struct cli *c)
{
	char err[RELAYQ_ERRLEN];
	/* An alternate config is honoured fully only for root (sendmail -C). */
	if (c->conf_path != NULL && getuid() != 0)
		drop_setgid();
	conf_defaults(conf);
	const char *path = c->conf_path != NULL ? c->conf_path : RELAYQ_CONF_DEFAULT;
	if (conf_load(conf, path, c->conf_path != NULL, err, sizeof err) == -1) {
		fprintf(stderr, "sendmail: %s\n", err);
		return c->conf_path != NULL && errno == ENOENT ? EX_NOINPUT : EX_CONFIG;
	}
	return EX_OK;
}

static int
list_queue(const struct conf *conf, const struct cli *c)
{
	char err[RELAYQ_ERRLEN];
	if (mailq_print(stdout, conf->spool, getuid() == 0, getuid(), c->sel, c->nsel,
	    err, sizeof err) == -1) {
		fprintf(stderr, "mailq: %s\n", err);
		return EX_NOPERM;
	}
	return fflush(stdout) == 0 ? EX_OK : EX_IOERR;
}

static int
dispatch(const struct cli *c, const struct conf *conf)
{
	switch (c->mode) {
	case MODE_LIST:
		return list_queue(conf, c);
	case MODE_NEWALIASES:
		return submit_check_aliases(conf);
	case MODE_VERIFY:
		return submit_verify(c, conf);
	case MODE_SMTP:
		return submit_smtp_dialogue(c, conf);
	default:
		return submit_from_stdin(c, conf);
	}
}

int
main(int argc, char **argv)
{
	struct cli c;
	struct conf conf;

	sanitise_process();
	const char *prog = argc > 0 ? strrchr(argv[0], '/') : NULL;
	prog = prog != NULL ? prog + 1 : (argc > 0 ? argv[0] : "sendmail");
	if (cli_parse(&c, argc, argv, prog) == -1) {
		fprintf(stderr, "%s: %s\n", prog, c.error);
		return EX_USAGE;
	}
	for (size_t i = 0; i < c.nwarnings; i++)
		fprintf(stderr, "%s: %s\n", prog, c.warnings[i]);
	if (c.mode == MODE_VERSION) {
		printf("relayq %s\n", RELAYQ_VERSION);
		return EX_OK;
	}
	if (c.mode == MODE_HELP) {
		fputs(cli_usage(), stdout);
		return EX_OK;
	}
	if (c.mode == MODE_QUEUE_RUN || c.mode == MODE_DAEMON)
		return run_queue(&c);
	log_open("sendmail", LOG_TO_SYSLOG);
	log_set_verbose(c.verbose);
	int rc = load_conf(&conf, &c);
	if (rc == EX_OK && conf.log_file[0] != '\0' && getuid() == 0)
		(void)log_set_file(conf.log_file);
	if (rc == EX_OK && c.verbose)
		conf_log_hostname(&conf);
	if (rc == EX_OK)
		rc = dispatch(&c, &conf);
	log_close();
	return rc;
}
