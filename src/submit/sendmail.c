/* sendmail: the submitter (also mailq, newaliases).  Setgid relayq: it
 * cleans its environment, parses the command line, writes one file into
 * the maildrop and wakes relayqd.  It links no crypto, SASL, DB or curl. */
#include <errno.h>
#include <fcntl.h>
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
#include "harden.h"
#include "libexec.h"
#include "log.h"
#include "relayq.h"
#include "smtpd.h"
#include "submit.h"
#include "version.h"

static void
drop_setgid(void)
{
	gid_t g = getgid();
	if (setresgid(g, g, g) == -1)
		_exit(EX_OSERR);
}

/* The helper's arguments from the parsed -q/-v/-C options (so bundled
 * flags like -vq30m keep their meaning). */
static void
helper_args(const char *name, const struct cli *c, struct buf *store, char **args,
    size_t max)
{
	size_t n = 0;
	args[n++] = (char *)name;
	int rc = 0;
	if (c->mode == MODE_DAEMON)
		rc |= buf_printf(store, "-q%lds%c", c->q.interval, '\0');
	else if (c->mode == MODE_QUEUE_RUN)
		rc |= buf_printf(store, "-q%c", '\0');
	if (c->older_than >= 0)
		rc |= buf_printf(store, "--older-than=%ld%c", c->older_than, '\0');
	for (size_t i = 0; i < c->q.n; i++)
		rc |= buf_printf(store, "-q%s%c%s%c", c->q.v[i].negate ? "!" : "",
		    c->q.v[i].kind, c->q.v[i].substr, '\0');
	if (rc != 0)
		_exit(EX_OSERR);
	for (size_t off = 0; off < store->len && n < max - 6; off += strlen(store->data + off) + 1)
		args[n++] = store->data + off;
	if (c->q.foreground)
		args[n++] = "-f";
	if (c->verbose)
		args[n++] = "-v";
	if (c->conf_path != NULL) {
		args[n++] = "-C";
		args[n++] = (char *)c->conf_path;
	}
	args[n] = NULL;
}

/* -q... goes to relayqd (root's with the same -C; others run it with their
 * own privileges, where it can only work on a spool they own); -bp goes to
 * relayq-showq, the read-only lister.  This program never reads the queue. */
static int
run_helper(const char *name, const struct cli *c)
{
	char path[PATH_MAX];
	char *args[QSEL_MAX + 12];
	struct buf store;
	buf_init(&store);
	drop_setgid();
	libexec_path(name, path, sizeof path);
	helper_args(name, c, &store, args, sizeof args / sizeof args[0]);
	execv(path, args);
	fprintf(stderr, "%s: cannot run %s: %s\n", c->mode == MODE_LIST ? "mailq" : "sendmail",
	    path, strerror(errno));
	buf_free(&store);
	return EX_UNAVAILABLE;
}

/* conf is all zero (static storage), see main. */
static int
load_conf(struct conf *conf, const struct cli *c)
{
	char err[RELAYQ_ERRLEN];
	/* An alternate config is honoured fully only for root (sendmail -C). */
	if (c->conf_path != NULL && getuid() != 0)
		drop_setgid();
	conf_defaults_zeroed(conf);
	const char *path = c->conf_path != NULL ? c->conf_path : RELAYQ_CONF_DEFAULT;
	if (conf_load(conf, path, c->conf_path != NULL, err, sizeof err) == -1) {
		log_print_lines(stderr, "sendmail", err);
		return c->conf_path != NULL && errno == ENOENT ? EX_NOINPUT : EX_CONFIG;
	}
	return EX_OK;
}

static enum submit_status
dispatch(const struct cli *c, const struct conf *conf)
{
	switch (c->mode) {
	case MODE_NEWALIASES:
		return submit_check_aliases(conf);
	case MODE_VERIFY:
		return submit_verify(c, conf);
	case MODE_SMTP:
		return smtpd_dialogue(c, conf);
	default:
		return submit_from_stdin(c, conf);
	}
}

int
main(int argc, char **argv)
{
	struct cli c;
	/* Static and never cleared with memset: of its 45 KB (PATH_MAX
	 * fields) only the pages holding values become resident. */
	static struct conf conf;

	if (harden_setid_process() == -1)
		return EX_OSERR;
	const char *prog = argc > 0 ? strrchr(argv[0], '/') : NULL;
	prog = prog != NULL ? prog + 1 : (argc > 0 ? argv[0] : "sendmail");
	if (cli_parse(&c, argc, argv, prog) == -1) {
		fprintf(stderr, "%s: %s\n", prog, c.error);
		return EX_USAGE;
	}
	for (size_t i = 0; i < c.nwarnings; i++)
		fprintf(stderr, "%s: %s\n", prog, c.warnings[i]);
	if (c.mode == MODE_VERSION) {
		/* The submitter links no OpenSSL, libsasl2 or libdb: relayqd does. */
		struct version_info v = { .prog = "sendmail",
		    .tls = "none (sendmail links no TLS library; relayqd relays: "
		    "relayqd --version shows its OpenSSL and SASL mechanisms)" };
		return version_print(stdout, &v) == 0 ? EX_OK : EX_IOERR;
	}
	if (c.mode == MODE_HELP) {
		fputs(cli_usage(), stdout);
		return EX_OK;
	}
	if (c.mode == MODE_QUEUE_RUN || c.mode == MODE_DAEMON)
		return run_helper("relayqd", &c);
	if (c.mode == MODE_LIST)
		return run_helper("relayq-showq", &c);
	log_open("sendmail", LOG_TO_SYSLOG | LOG_SYSLOG_LAZY);
	log_set_verbose(c.verbose);
	int rc = load_conf(&conf, &c);
	if (rc == EX_OK && conf.log_file[0] != '\0' && getuid() == 0)
		(void)log_set_file(conf.log_file);
	if (rc == EX_OK && c.verbose)
		conf_log_hostname(&conf);
	if (rc == EX_OK)
		rc = submit_status_exit(dispatch(&c, &conf));
	log_close();
	return rc;
}
