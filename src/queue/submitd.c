/* submitd: the submission socket's listener — the socket itself (from
 * systemd or bound here), the accept loop, a per-uid rate limit and one
 * process per connection (submitd_conn.c).  Connections queue in the
 * kernel while relayqd is busy or restarting. */
#include "submitd.h"
#include "buf.h"
#include "dropwire.h"
#include "log.h"
#include "privs.h"
#include "relayq.h"
#include "spool.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SD_LISTEN_FDS_START 3	/* sd_listen_fds(3), without libsystemd */
#define MAX_CONNECTIONS 32	/* submissions served at once */
#define RATE_SLOTS 256		/* uids remembered by the rate limit */

static volatile sig_atomic_t listener_term;

static void
on_term(int sig)
{
	listener_term = 1;
}

static void
on_child(int sig)
{
}

/* The socket systemd passed us for relayq-submit.socket, if any. */
static int
inherited_socket(void)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	if (pid == NULL || fds == NULL || strtol(pid, NULL, 10) != (long)getpid() ||
	    strtol(fds, NULL, 10) < 1)
		return -1;
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	int accepting = 0;
	socklen_t len = sizeof accepting;
	if (getsockopt(SD_LISTEN_FDS_START, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &len) == -1 ||
	    !accepting)
		return -1;
	return SD_LISTEN_FDS_START;
}

/* A socket file left by a relayqd that died is removed; one that answers
 * belongs to a running relayqd, which keeps it. */
static int
clear_stale(const struct sockaddr_un *sun, char *err, size_t errlen)
{
	struct stat st;
	if (lstat(sun->sun_path, &st) == -1)
		return 0;
	int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool alive = probe != -1 && S_ISSOCK(st.st_mode) &&
	    connect(probe, (const struct sockaddr *)sun, sizeof *sun) == 0;
	if (probe != -1)
		close(probe);
	if (alive || !S_ISSOCK(st.st_mode)) {
		snprintf_rq(err, errlen, "%s: %s", sun->sun_path, alive ?
		    "another relayqd serves it" : "exists and is not a socket");
		return -1;
	}
	return unlink(sun->sun_path);
}

/* The socket's directory, created for owner (root only) if missing. */
static void
make_parent(const char *path, uid_t owner)
{
	char dir[sizeof ((struct sockaddr_un *)0)->sun_path];
	strlcpy_rq(dir, path, sizeof dir);
	char *slash = strrchr(dir, '/');
	if (slash == NULL || slash == dir)
		return;
	*slash = '\0';
	if (mkdir(dir, 0755) == -1)
		return;
	/* relayqd's umask is 027; everyone must reach the socket. */
	if (chmod(dir, 0755) == -1 || (geteuid() == 0 && chown(dir, owner, (gid_t)-1) == -1))
		log_warn("%s: %s", dir, strerror(errno));
}

static int
bind_socket(struct submitd *s, uid_t owner, char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	strlcpy_rq(sun.sun_path, s->path, sizeof sun.sun_path);
	make_parent(s->path, owner);
	if (clear_stale(&sun, err, errlen) == -1)
		return -1;
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	/* 0666: anyone may submit, as anyone may run sendmail; the peer's
	 * uid, not the socket's mode, decides whose mail it is. */
	if (s->fd == -1 || bind(s->fd, (struct sockaddr *)&sun, sizeof sun) == -1 ||
	    chmod(s->path, 0666) == -1 || listen(s->fd, 64) == -1) {
		snprintf_rq(err, errlen, "%s: %s", s->path, strerror(errno));
		if (s->fd != -1)
			close(s->fd);
		s->fd = -1;
		return -1;
	}
	return 0;
}

int
submitd_open(struct submitd *s, const struct conf *c, uid_t owner, char *err, size_t errlen)
{
	memset(s, 0, sizeof *s);
	s->fd = inherited_socket();
	if (s->fd != -1) {
		s->inherited = true;
		strlcpy_rq(s->path, "(from systemd)", sizeof s->path);
		return 0;
	}
	if (c->submit_socket[0] == '\0') {
		snprintf_rq(err, errlen, "submit_socket none");
		return -1;
	}
	strlcpy_rq(s->path, c->submit_socket, sizeof s->path);
	return bind_socket(s, owner, err, errlen);
}

/* Token bucket per uid: submit_rate_limit a minute, as a burst too. */
struct rate { uid_t uid; double tokens; double at; };

static double
now_secs(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool
rate_allows(struct rate *slots, uid_t uid, long per_minute)
{
	if (uid == 0 || per_minute <= 0)
		return true;
	double now = now_secs();
	struct rate *r = NULL, *oldest = &slots[0];
	for (size_t i = 0; i < RATE_SLOTS && r == NULL; i++) {
		if (slots[i].at != 0 && slots[i].uid == uid)
			r = &slots[i];
		else if (slots[i].at < oldest->at)
			oldest = &slots[i];
	}
	if (r == NULL)
		*(r = oldest) = (struct rate){ uid, (double)per_minute, now };
	r->tokens += (now - r->at) * (double)per_minute / 60.0;
	if (r->tokens > (double)per_minute)
		r->tokens = (double)per_minute;
	r->at = now;
	if (r->tokens < 1.0)
		return false;
	r->tokens -= 1.0;
	return true;
}

static void
refuse(int fd, uid_t uid, long per_minute)
{
	char text[DROPWIRE_LINE_MAX * 2], line[DROPWIRE_LINE_MAX * 4];
	snprintf_rq(text, sizeof text, "uid %lu is over submit_rate_limit (%ld a minute); "
	    "try again later", (unsigned long)uid, per_minute);
	size_t n = dropwire_format_reply(DWR_TEMPFAIL, text, line, sizeof line);
	if (send(fd, line, n, MSG_NOSIGNAL | MSG_DONTWAIT) == -1)
		log_notice("submission socket: %s", strerror(errno));
	log_notice("submission from %s", text);
}

static void
serve_child(int lfd, int fd, const struct ucred *cred, const struct conf *c)
{
	close(lfd);
	struct sigaction sa = { .sa_handler = SIG_DFL };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	drop_guard_signals(1);	/* SIGTERM mid-message: the temporary file goes */
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	submitd_serve(fd, cred->uid, cred->pid, c);
	close(fd);
	_exit(0);
}

static void
accept_one(int lfd, const struct conf *c, struct rate *slots, int *children)
{
	struct ucred cred;
	socklen_t len = sizeof cred;
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd == -1)
		return;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1) {
		log_err("submission socket: SO_PEERCRED: %s", strerror(errno));
	} else if (!rate_allows(slots, cred.uid, c->submit_rate_limit)) {
		refuse(fd, cred.uid, c->submit_rate_limit);
	} else {
		pid_t pid = fork();
		if (pid == 0)
			serve_child(lfd, fd, &cred, c);
		if (pid > 0)
			(*children)++;
		else
			log_err("submission socket: fork: %s", strerror(errno));
	}
	close(fd);
}

static void
reap(int *children)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		(*children)--;
}

static void
listener_signals(sigset_t *unblocked)
{
	struct sigaction sa = { .sa_handler = on_term };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_child;
	sigaction(SIGCHLD, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigset_t block;
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, unblocked);
	sigdelset(unblocked, SIGTERM);
	sigdelset(unblocked, SIGINT);
	sigdelset(unblocked, SIGCHLD);
}

static void
listen_loop(int lfd, const struct conf *c)
{
	static struct rate slots[RATE_SLOTS];
	sigset_t unblocked;
	int children = 0;
	listener_signals(&unblocked);
	while (!listener_term) {
		reap(&children);
		struct pollfd p = { .fd = lfd, .events = POLLIN };
		/* At MAX_CONNECTIONS only a child's exit (SIGCHLD) wakes us. */
		int n = ppoll(&p, children < MAX_CONNECTIONS ? 1 : 0, NULL, &unblocked);
		if (n == 1 && !listener_term)
			accept_one(lfd, c, slots, &children);
	}
	/* Submissions in progress end with us: SIGTERM makes each remove its
	 * temporary file, and its client sees no "ok" (EX_TEMPFAIL). */
	signal(SIGTERM, SIG_IGN);
	reap(&children);
	if (children > 0)
		log_notice("stopping: %d submission(s) in progress abandoned, nothing of "
		    "them queued; their senders get EX_TEMPFAIL", children);
	if (children > 0 && kill(0, SIGTERM) == -1)
		log_warn("submission socket: %s", strerror(errno));
	while (children > 0 && wait(NULL) > 0)
		children--;
}

int
submitd_start(struct submitd *s, const struct conf *c)
{
	if (s->fd < 0)
		return 0;
	pid_t pid = fork();
	if (pid == -1)
		return -1;
	if (pid == 0) {
		char err[RELAYQ_ERRLEN];
		/* Our own process group: stopping it reaches the connections. */
		if (setpgid(0, 0) == -1)
			log_warn("submission socket: setpgid: %s", strerror(errno));
		if (privs_drop(RELAYQ_USER, err, sizeof err) == -1) {
			log_err("submission socket: %s", err);
			_exit(EX_OSERR);
		}
		listen_loop(s->fd, c);
		_exit(0);
	}
	s->listener = pid;
	log_info("accepting submissions on %s", s->path);
	return 0;
}

void
submitd_check(struct submitd *s, const struct conf *c)
{
	int status;
	if (s->listener <= 0 || waitpid(s->listener, &status, WNOHANG) != s->listener)
		return;
	log_err("submission socket listener exited (status %d); restarting it", status);
	s->listener = 0;
	sleep(1);	/* no tight loop if it dies at once */
	if (submitd_start(s, c) == -1)
		log_err("submission socket: fork: %s", strerror(errno));
}

void
submitd_stop(struct submitd *s)
{
	if (s->listener > 0) {
		kill(s->listener, SIGTERM);
		while (waitpid(s->listener, NULL, 0) == -1 && errno == EINTR)
			;
		s->listener = 0;
	}
	if (s->fd < 0)
		return;
	close(s->fd);
	s->fd = -1;
	/* A socket systemd made stays systemd's; one of ours goes (it needs
	 * write access to its directory, which we created for relayq). */
	if (!s->inherited && unlink(s->path) == -1 && errno != ENOENT)
		log_notice("%s: %s", s->path, strerror(errno));
}
