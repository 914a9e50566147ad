/* daemon: relayqd's worker — picks up and delivers, as the relayq user,
 * once (-q) or in a loop woken by the spool's trigger FIFO, a signal or
 * the interval.  In the loop, before each queue run, it checks whether a
 * file it could read only as root changed (reload.h) and then exits with
 * DAEMON_RELOAD so that the supervisor (master.h) starts a new worker on
 * the new configuration. */
#ifndef RELAYQ_DAEMON_H
#define RELAYQ_DAEMON_H

#include <stdbool.h>

#include "conf.h"
#include "qsel.h"
#include "queue.h"
#include "trust.h"

#define DAEMON_RELOAD 3		/* exit status: start me again, re-read */

/* One pickup and queue run (and a second for the notices it queued). */
void daemon_run_once(struct queue *q, const struct conf *c, struct trust *t,
    const struct qsel *sel, bool force);
/* The loop; returns EX_OK on SIGTERM/SIGINT or DAEMON_RELOAD.  With
 * flush_first the first run tries every message, due or not. */
int daemon_loop(struct queue *q, const struct conf *c, struct trust *t,
    const struct qsel *sel, bool flush_first);

#endif
