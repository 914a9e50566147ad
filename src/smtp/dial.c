/* dial: Happy Eyeballs over non-blocking connects polled together; one
 * struct race holds every attempt, started in order, until one wins. */
#include "dial.h"
#include "buf.h"
#include "monotime.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

size_t
dial_order(const struct addrinfo *res, const struct addrinfo **out, size_t max)
{
	const struct addrinfo *v6[DIAL_MAX], *v4[DIAL_MAX];
	size_t n6 = 0, n4 = 0, n = 0;
	for (const struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
		if (ai->ai_family == AF_INET6 && n6 < DIAL_MAX)
			v6[n6++] = ai;
		else if (ai->ai_family == AF_INET && n4 < DIAL_MAX)
			v4[n4++] = ai;
	}
	for (size_t i = 0; (i < n6 || i < n4) && n < max; i++) {
		if (i < n6)
			out[n++] = v6[i];
		if (i < n4 && n < max)
			out[n++] = v4[i];
	}
	return n;
}

enum start { START_CONNECTED, START_RUNNING, START_FAILED };

struct attempt {
	int fd;			/* -1 unless running or won */
	char why[96];		/* why it failed; "" if it did not */
};

struct race {
	const struct dial_target *t;
	const struct addrinfo *const *addrs;
	size_t n, started, running;
	struct attempt a[DIAL_MAX];
	long long deadline;
	long long next_start;	/* when the next address is due */
};

static void
addr_text(const struct addrinfo *ai, char *out, size_t size)
{
	const void *a = ai->ai_family == AF_INET6 ?
	    (const void *)&((const struct sockaddr_in6 *)ai->ai_addr)->sin6_addr :
	    (const void *)&((const struct sockaddr_in *)ai->ai_addr)->sin_addr;
	if (inet_ntop(ai->ai_family, a, out, (socklen_t)size) == NULL)
		strlcpy_rq(out, "?", size);
}

/* Binds fd to src's address of family, if it has one: 0, or -1 with why. */
static int
bind_source(int fd, int family, const struct srcaddr *src, char *why, size_t whylen)
{
	struct sockaddr_in s4 = { .sin_family = AF_INET };
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6 };
	const struct sockaddr *sa = NULL;
	socklen_t len = 0;
	if (src != NULL && family == AF_INET && src->has4) {
		s4.sin_addr = src->v4;
		sa = (const struct sockaddr *)&s4;
		len = sizeof s4;
	} else if (src != NULL && family == AF_INET6 && src->has6) {
		s6.sin6_addr = src->v6;
		sa = (const struct sockaddr *)&s6;
		len = sizeof s6;
	}
	if (sa == NULL || bind(fd, sa, len) == 0)
		return 0;
	char text[INET6_ADDRSTRLEN];
	if (inet_ntop(family, family == AF_INET ? (const void *)&s4.sin_addr :
	    (const void *)&s6.sin6_addr, text, sizeof text) == NULL)
		strlcpy_rq(text, "?", sizeof text);
	snprintf_rq(why, whylen, "source address %s: %s", text, strerror(errno));
	return -1;
}

static void
attempt_fail(struct race *r, size_t i, int err)
{
	struct attempt *a = &r->a[i];
	if (a->fd != -1) {
		close(a->fd);
		a->fd = -1;
		r->running--;
	}
	if (a->why[0] == '\0')
		strlcpy_rq(a->why, strerror(err), sizeof a->why);
}

/* Starts the next address's attempt. */
static enum start
attempt_start(struct race *r)
{
	size_t i = r->started++;
	const struct addrinfo *ai = r->addrs[i];
	struct attempt *a = &r->a[i];
	a->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    ai->ai_protocol);
	if (a->fd == -1) {
		strlcpy_rq(a->why, strerror(errno), sizeof a->why);
		return START_FAILED;
	}
	r->running++;
	if (bind_source(a->fd, ai->ai_family, r->t->src, a->why, sizeof a->why) == -1) {
		attempt_fail(r, i, 0);
		return START_FAILED;
	}
	if (connect(a->fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return START_CONNECTED;
	if (errno == EINPROGRESS)
		return START_RUNNING;
	attempt_fail(r, i, errno);
	return START_FAILED;
}

/* The first running attempt whose connect completed (-1 if none); failed
 * ones are closed and make the next address due at once. */
static long
race_collect(struct race *r, const struct pollfd *p, const size_t *idx, size_t np)
{
	for (size_t k = 0; k < np; k++) {
		int soerr = 0;
		socklen_t len = sizeof soerr;
		if (p[k].revents == 0)
			continue;
		if (getsockopt(p[k].fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == -1)
			soerr = errno;
		if (soerr == 0)
			return (long)idx[k];
		attempt_fail(r, idx[k], soerr);
		r->next_start = monotime_ms();
	}
	return -1;
}

/* Waits until an attempt completes, fails, or wake_at: the winner's index,
 * or -1 (none yet; or poll failed: everything running failed with it). */
static long
race_poll(struct race *r, long long wake_at)
{
	struct pollfd p[DIAL_MAX];
	size_t idx[DIAL_MAX], np = 0;
	for (size_t i = 0; i < r->started; i++) {
		if (r->a[i].fd != -1) {
			p[np] = (struct pollfd){ .fd = r->a[i].fd, .events = POLLOUT };
			idx[np++] = i;
		}
	}
	long long left = wake_at - monotime_ms();
	int rc = poll(p, np, left <= 0 ? 0 : left > 60000 ? 60000 : (int)left);
	if (rc == -1 && errno != EINTR) {
		int err = errno;
		for (size_t k = 0; k < np; k++)
			attempt_fail(r, idx[k], err);
	}
	return rc > 0 ? race_collect(r, p, idx, np) : -1;
}

/* Everything still running failed with why (the deadline passed). */
static void
race_stop(struct race *r, int err)
{
	for (size_t i = 0; i < r->started; i++)
		if (r->a[i].fd != -1)
			attempt_fail(r, i, err);
}

/* "connect to host [a]:p: why; [b]:p: why; N more not tried". */
static void
race_error(const struct race *r, char *err, size_t errlen)
{
	char addr[INET6_ADDRSTRLEN];
	size_t used;
	snprintf_rq(err, errlen, "connect to %s", r->t->host);
	if (r->n == 0)
		snprintf_rq(err + strlen(err), errlen - strlen(err), ": no address");
	for (size_t i = 0; i < r->started && (used = strlen(err)) + 1 < errlen; i++) {
		addr_text(r->addrs[i], addr, sizeof addr);
		snprintf_rq(err + used, errlen - used, "%s [%s]:%s: %s", i > 0 ? ";" : "",
		    addr, r->t->port, r->a[i].why);
	}
	if (r->started < r->n && (used = strlen(err)) + 1 < errlen)
		snprintf_rq(err + used, errlen - used, "; %zu more not tried within "
		    "timeout_connect", r->n - r->started);
}

/* Closes every attempt but the winner's and hands its socket over. */
static int
race_win(struct race *r, size_t win, char *addr, size_t addrlen)
{
	int fd = r->a[win].fd;
	r->a[win].fd = -1;
	r->running--;
	race_stop(r, ECANCELED);
	addr_text(r->addrs[win], addr, addrlen);
	return fd;
}

/* One step: start the next address when it is due (or nothing runs), else
 * wait.  The winner's index, -1 to go on, -2 when the race is lost. */
static long
race_step(struct race *r)
{
	long long now = monotime_ms();
	if (now >= r->deadline) {
		race_stop(r, ETIMEDOUT);
		return -2;
	}
	if (r->started < r->n && (now >= r->next_start || r->running == 0)) {
		enum start s = attempt_start(r);
		r->next_start = s == START_FAILED ? now : now + DIAL_DELAY_MS;
		return s == START_CONNECTED ? (long)r->started - 1 : -1;
	}
	if (r->running == 0)
		return -2;
	long long wake = r->started < r->n && r->next_start < r->deadline ?
	    r->next_start : r->deadline;
	return race_poll(r, wake);
}

int
dial(const struct dial_target *t, const struct addrinfo *const *addrs, size_t n,
    char *addr, size_t addrlen, char *err, size_t errlen)
{
	struct race r = { .t = t, .addrs = addrs, .n = n < DIAL_MAX ? n : DIAL_MAX };
	for (size_t i = 0; i < DIAL_MAX; i++)
		r.a[i] = (struct attempt){ .fd = -1 };
	r.next_start = monotime_ms();
	r.deadline = r.next_start + t->timeout_ms;
	long step;
	while ((step = race_step(&r)) == -1)
		continue;
	if (step >= 0)
		return race_win(&r, (size_t)step, addr, addrlen);
	race_error(&r, err, errlen);
	return -1;
}
