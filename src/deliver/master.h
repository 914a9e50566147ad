/* master: relayqd's daemon mode, Postfix's shape — a supervisor that stays
 * root, holds the configuration and the submission socket and does
 * nothing else (no queue file, no message, no network), and a worker it
 * forks (trust set up as root, then the relayq user) that picks up and
 * delivers (daemon.h).  The configuration is re-read as root and a new
 * worker started when the worker asks for it (a file it could not re-read
 * changed: DAEMON_RELOAD) or on SIGHUP; a new configuration with errors is
 * logged and the running one kept.  SIGUSR1 is passed to the worker
 * (flush now); SIGTERM and SIGINT stop both, and the listener. */
#ifndef RELAYQ_MASTER_H
#define RELAYQ_MASTER_H

#include <stdbool.h>

#include "conf.h"
#include "submitd.h"

struct master {
	struct conf *c;			/* replaced by a successful reload */
	/* Re-reads the configuration into c: 0, or -1 (logged, c untouched). */
	int (*reload)(struct conf *c, void *arg);
	/* The worker's body, in the forked child; its exit status.  A worker
	 * started on a reloaded configuration first tries every message. */
	int (*work)(const struct conf *c, bool reloaded, void *arg);
	void *arg;
	struct submitd *submitd;	/* the listener runs beside the worker */
};

/* Runs until SIGTERM/SIGINT; the exit status for relayqd. */
int master_run(struct master *m);

#endif
