/* daemon: the worker's loop — pickup, queue runs, the trigger FIFO, the
 * flush signals, and the reload check before each run. */
#include "daemon.h"
#include "buf.h"
#include "deliver.h"
#include "log.h"
#include "relayq.h"
#include "reload.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t got_flush;
static volatile int got_term;

static void
on_signal(int sig)
{
	if (sig == SIGHUP || sig == SIGUSR1)
		got_flush = 1;
	else
		got_term = 1;
}

void
daemon_run_once(struct queue *q, const struct conf *c, struct trust *t,
    const struct qsel *sel, bool force)
{
	char err[RELAYQ_ERRLEN];
	int dsns = 0;
	if (queue_pickup(q, err, sizeof err) == -1)
		log_err("pickup: %s", err);
	struct run_opts ro = { .force = force, .sel = sel,
	    .stop = &got_term, .dsns = &dsns };
	deliver_run(q, c, t, &ro);
	if (dsns == 0 || got_term)
		return;
	/* Notices this run queued go out now, not at the next interval. */
	struct run_opts again = { .stop = &got_term };
	if (queue_pickup(q, err, sizeof err) == -1)
		log_err("pickup: %s", err);
	deliver_run(q, c, t, &again);
}

static int
open_trigger(const struct conf *c)
{
	struct buf p;
	buf_init(&p);
	if (buf_printf(&p, "%s/trigger", c->spool) == -1)
		return -1;
	/* O_RDWR: the FIFO never reports EOF when submitters close it. */
	int fd = open(buf_str(&p), O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1)
		log_warn("%s: %s; new mail waits for the next interval", buf_str(&p),
		    strerror(errno));
	buf_free(&p);
	return fd;
}

static void
drain(int fd)
{
	char b[512];
	while (read(fd, b, sizeof b) > 0)
		;
}

static void
install_signals(sigset_t *old)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigset_t block;
	sigemptyset(&block);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, old);
}

/* Waits for the trigger, a signal or the interval; true = deliver now. */
static bool
wait_event(int trig, long secs, const sigset_t *unblocked, bool immediate)
{
	struct pollfd pfd = { .fd = trig, .events = POLLIN };
	struct timespec ts = { .tv_sec = secs, .tv_nsec = 0 };
	int n = ppoll(&pfd, trig >= 0 ? 1 : 0, &ts, unblocked);
	if (n > 0) {
		drain(trig);
		return immediate;
	}
	return true;	/* interval elapsed or a signal */
}

/* queue/relayqd.pid, for "flush now" hooks (kill -USR1); the queue
 * directory is ours after dropping privileges, the spool is root's. */
static void
write_pidfile(struct queue *q)
{
	int fd = openat(q->queuefd, "relayqd.pid", O_WRONLY | O_CREAT | O_TRUNC |
	    O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd == -1) {
		log_warn("cannot write queue/relayqd.pid: %s", strerror(errno));
		return;
	}
	char pid[32];
	snprintf_rq(pid, sizeof pid, "%ld\n", (long)getpid());
	if (write(fd, pid, strlen(pid)) == -1)
		log_warn("cannot write queue/relayqd.pid: %s", strerror(errno));
	close(fd);
}

/* Before a run: a file only root can read changed, so this worker's copy
 * of it is stale.  Stamped as this user, so that what it cannot see
 * never looks like a change. */
static bool
reload_due(const struct reload_stamp *s)
{
	const char *changed = reload_stamp_changed(s);
	if (changed == NULL)
		return false;
	log_notice("%s changed: reloading before the next queue run", changed);
	return true;
}

int
daemon_loop(struct queue *q, const struct conf *c, struct trust *t, const struct qsel *sel,
    bool flush_first)
{
	sigset_t unblocked;
	struct reload_stamp stamp;
	reload_stamp_take(&stamp, c);
	install_signals(&unblocked);
	got_flush = flush_first;
	int trig = open_trigger(c);
	write_pidfile(q);
	bool deliver = true, reload = false;
	while (!got_term && !(reload = reload_due(&stamp))) {
		/* Signals stay deliverable during a run so SIGTERM stops it
		 * between messages; they are blocked only around ppoll. */
		sigprocmask(SIG_SETMASK, &unblocked, NULL);
		if (got_flush) {	/* SIGHUP/SIGUSR1: flush now, due or not */
			got_flush = 0;
			daemon_run_once(q, c, t, sel, true);
		} else if (deliver) {
			daemon_run_once(q, c, t, sel, false);
		} else {
			char err[RELAYQ_ERRLEN];
			if (queue_pickup(q, err, sizeof err) == -1)
				log_err("pickup: %s", err);
		}
		sigset_t all;
		sigfillset(&all);
		sigprocmask(SIG_BLOCK, &all, NULL);
		if (!got_term && !got_flush)
			deliver = wait_event(trig, sel->interval, &unblocked, c->deliver_immediate);
	}
	unlinkat(q->queuefd, "relayqd.pid", 0);
	if (trig >= 0)
		close(trig);
	return reload ? DAEMON_RELOAD : EX_OK;
}
