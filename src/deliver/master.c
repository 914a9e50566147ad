/* master: the root supervisor of relayqd's daemon mode — one worker, the
 * submission listener, reloads. */
#include "master.h"
#include "daemon.h"
#include "log.h"
#include "relayq.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RESPAWN_DELAY_SECS 10	/* after a worker that died */

static volatile sig_atomic_t got_term, got_hup, got_usr1, got_chld;

static void
on_signal(int sig)
{
	switch (sig) {
	case SIGHUP: got_hup = 1; break;
	case SIGUSR1: got_usr1 = 1; break;
	case SIGCHLD: got_chld = 1; break;
	default: got_term = 1; break;
	}
}

static void
master_signals(sigset_t *unblocked)
{
	static const int sigs[] = { SIGHUP, SIGUSR1, SIGCHLD, SIGTERM, SIGINT };
	struct sigaction sa;
	sigset_t block;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&block);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		sigaction(sigs[i], &sa, NULL);
		sigaddset(&block, sigs[i]);
	}
	signal(SIGPIPE, SIG_IGN);
	sigprocmask(SIG_BLOCK, &block, unblocked);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigdelset(unblocked, sigs[i]);
}

static pid_t
start_worker(struct master *m, bool reloaded, const sigset_t *unblocked)
{
	pid_t pid = fork();
	if (pid == -1) {
		log_err("cannot start the worker: %s", strerror(errno));
		return -1;
	}
	if (pid > 0)
		return pid;
	sigprocmask(SIG_SETMASK, unblocked, NULL);
	if (m->submitd->fd >= 0)
		close(m->submitd->fd);	/* the listener's, not ours */
	_exit(m->work(m->c, reloaded, m->arg));
}

/* Stops the worker between messages and collects it. */
static void
stop_worker(pid_t w)
{
	if (w <= 0)
		return;
	kill(w, SIGTERM);
	while (waitpid(w, NULL, 0) == -1 && errno == EINTR)
		;
}

static void
reload(struct master *m, const char *why)
{
	log_notice("%s: re-reading the configuration", why);
	if (m->reload(m->c, m->arg) == -1)
		log_err("the new configuration has errors (see above): the running one "
		    "stays in use");
}

/* After a reload (applied or refused) the new worker's first run tries
 * every message: what waited for the change goes now. */

/* The worker ended: reload if it asked, restart it either way. */
static pid_t
worker_ended(struct master *m, int status, const sigset_t *unblocked)
{
	bool reloaded = WIFEXITED(status) && WEXITSTATUS(status) == DAEMON_RELOAD;
	if (reloaded) {
		reload(m, "a configuration file changed");
	} else {
		log_err("the worker ended unexpectedly (%s %d); a new one starts in %d s",
		    WIFSIGNALED(status) ? "signal" : "status",
		    WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status),
		    RESPAWN_DELAY_SECS);
		struct timespec ts = { .tv_sec = RESPAWN_DELAY_SECS };
		while (!got_term && ppoll(NULL, 0, &ts, unblocked) == -1 && errno == EINTR &&
		    !got_term)
			;
		if (got_term)
			return 0;
	}
	return start_worker(m, reloaded, unblocked);
}

/* One wake-up of the supervisor: signals and children.  The worker's pid
 * afterwards (0: none running, stopping). */
static pid_t
handle_events(struct master *m, pid_t w, const sigset_t *unblocked)
{
	int status;
	if (got_usr1) {
		got_usr1 = 0;
		if (w > 0)
			kill(w, SIGUSR1);
	}
	if (got_hup) {
		got_hup = 0;
		stop_worker(w);
		reload(m, "SIGHUP");
		w = start_worker(m, true, unblocked);
	}
	if (got_chld) {
		got_chld = 0;
		submitd_check(m->submitd, m->c);
		if (w > 0 && waitpid(w, &status, WNOHANG) == w)
			w = worker_ended(m, status, unblocked);
	}
	return w;
}

int
master_run(struct master *m)
{
	sigset_t unblocked;
	master_signals(&unblocked);
	if (submitd_start(m->submitd, m->c) == -1)
		log_err("submission socket: fork: %s", strerror(errno));
	pid_t w = start_worker(m, false, &unblocked);
	while (!got_term && w != -1) {
		sigsuspend(&unblocked);
		if (!got_term)
			w = handle_events(m, w, &unblocked);
	}
	stop_worker(w);
	submitd_stop(m->submitd);
	log_info("daemon stopping");
	return w == -1 ? EX_OSERR : EX_OK;
}
