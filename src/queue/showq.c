/* relayq-showq: the read-only lister behind `mailq` and `sendmail -bp`.
 * Installed setgid relayq, the group that may read queue/'s state files;
 * sendmail (setgid relayq-drop, which may not) execs it.  It reads no
 * standard input, takes only -q selectors and -C (honoured for root
 * alone), and shows a caller other than root only their own messages. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "harden.h"
#include "mailq.h"
#include "qsel.h"
#include "relayq.h"

struct opts {
	struct qsel q;
	const char *conf_path;
};

static int
parse_args(struct opts *o, int argc, char **argv)
{
	char why[128];
	int ch;
	memset(o, 0, sizeof *o);
	while ((ch = getopt(argc, argv, "C:q:v")) != -1) {
		switch (ch) {
		case 'C': o->conf_path = optarg; break;
		case 'q':
			if (qsel_parse(&o->q, optarg, true, why, sizeof why) == -1) {
				fprintf(stderr, "mailq: %s\n", why);
				return -1;
			}
			break;
		case 'v': break;
		default:
			fputs("usage: relayq-showq [-C file] [-q{I|R|S}substring]...\n", stderr);
			return -1;
		}
	}
	return optind == argc ? 0 : -1;
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
		fprintf(stderr, "mailq: %s\n", err);
		return EX_CONFIG;
	}
	if (mailq_print(stdout, c.spool, getuid() == 0, getuid(), &o.q, err, sizeof err) == -1) {
		fprintf(stderr, "mailq: %s\n", err);
		return EX_NOPERM;
	}
	return fflush(stdout) == 0 ? EX_OK : EX_IOERR;
}
