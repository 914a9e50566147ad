/* conn: non-blocking socket I/O with per-operation deadlines (poll) and a
 * small read buffer; the transport below is swappable via conn_io.  The
 * connection itself comes from dial (Happy Eyeballs). */
#include "conn.h"
#include "dial.h"
#include "monotime.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define RBUF_SIZE 16384

struct conn {
	int fd;
	const struct conn_io *io;
	void *io_ctx;
	char rbuf[RBUF_SIZE];
	size_t rpos, rlen;
	struct buf wbuf;
	char peer[320];
	char addr[INET6_ADDRSTRLEN];
};

static ssize_t
plain_read(void *ctx, void *p, size_t n)
{
	ssize_t r = read(*(int *)ctx, p, n);
	if (r == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return CONN_WANT_READ;
	return r;
}

static ssize_t
plain_write(void *ctx, const void *p, size_t n)
{
	ssize_t r = send(*(int *)ctx, p, n, MSG_NOSIGNAL);
	if (r == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return CONN_WANT_WRITE;
	return r;
}

static const struct conn_io plain_io = { plain_read, plain_write };

/* Waits until fd is ready for `events` or the deadline passes: 0 / -1. */
static int
wait_fd(int fd, short events, long long deadline)
{
	for (;;) {
		long long left = deadline - monotime_ms();
		if (left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		struct pollfd pfd = { .fd = fd, .events = events };
		int n = poll(&pfd, 1, left > 60000 ? 60000 : (int)left);
		if (n > 0)
			return 0;
		if (n == -1 && errno != EINTR)
			return -1;
	}
}

static struct conn *
conn_new(int fd, const char *host, const char *addr)
{
	struct conn *c = calloc(1, sizeof *c);
	if (c == NULL)
		return NULL;
	c->fd = fd;
	c->io = &plain_io;
	c->io_ctx = &c->fd;
	buf_init(&c->wbuf);
	strlcpy_rq(c->addr, addr, sizeof c->addr);
	snprintf_rq(c->peer, sizeof c->peer, "%s [%s]", host, addr);
	return c;
}

int
conn_connect(struct conn **out, const struct conn_target *t, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res;
	struct srcaddr src;
	char addr[INET6_ADDRSTRLEN] = "", why[128];
	*out = NULL;
	if (srcaddr_parse(&src, t->source != NULL ? t->source : "", why, sizeof why) == -1) {
		snprintf_rq(err, errlen, "source_address: %s", why);
		return -1;
	}
	int gai = getaddrinfo(t->host, t->port, &hints, &res);
	if (gai != 0) {
		snprintf_rq(err, errlen, "cannot resolve %s: %s", t->host, gai_strerror(gai));
		return -1;
	}
	const struct addrinfo *order[DIAL_MAX];
	size_t n = dial_order(res, order, DIAL_MAX);
	struct dial_target d = { t->host, t->port, &src, (long long)t->timeout * 1000 };
	int fd = dial(&d, order, n, addr, sizeof addr, err, errlen);
	freeaddrinfo(res);
	if (fd == -1)
		return -1;
	if ((*out = conn_new(fd, t->host, addr)) == NULL) {
		close(fd);
		snprintf_rq(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

void
conn_free(struct conn *c)
{
	if (c == NULL)
		return;
	close(c->fd);
	buf_free(&c->wbuf);
	free(c);
}

int conn_fd(const struct conn *c) { return c->fd; }
const char *conn_peer(const struct conn *c) { return c->peer; }
const char *conn_addr(const struct conn *c) { return c->addr; }
size_t conn_pending(const struct conn *c) { return c->rlen - c->rpos; }
size_t conn_unflushed(const struct conn *c) { return c->wbuf.len; }

void
conn_discard_input(struct conn *c)
{
	c->rpos = c->rlen = 0;
}

long long
conn_deadline(int timeout)
{
	return monotime_ms() + (long long)timeout * 1000;
}

int
conn_wait(const struct conn *c, int want, long long deadline)
{
	return wait_fd(c->fd, want == CONN_WANT_WRITE ? POLLOUT : POLLIN, deadline);
}

void
conn_set_io(struct conn *c, const struct conn_io *io, void *ctx)
{
	c->io = io != NULL ? io : &plain_io;
	c->io_ctx = io != NULL ? ctx : &c->fd;
}

/* Refills the read buffer: 0, or -1 with err. */
static int
fill(struct conn *c, long long deadline, char *err, size_t errlen)
{
	for (;;) {
		ssize_t n = c->io->read(c->io_ctx, c->rbuf, sizeof c->rbuf);
		if (n > 0) {
			c->rpos = 0;
			c->rlen = (size_t)n;
			return 0;
		}
		if (n == 0) {
			snprintf_rq(err, errlen, "connection closed by %s", c->peer);
			return -1;
		}
		short ev = n == CONN_WANT_WRITE ? POLLOUT : POLLIN;
		if ((n != CONN_WANT_READ && n != CONN_WANT_WRITE && errno != EINTR) ||
		    wait_fd(c->fd, ev, deadline) == -1) {
			snprintf_rq(err, errlen, "%s with %s", errno == ETIMEDOUT ?
			    "timeout" : strerror(errno), c->peer);
			return -1;
		}
	}
}

int
conn_read_line(struct conn *c, struct buf *line, size_t max, int timeout,
    char *err, size_t errlen)
{
	long long deadline = conn_deadline(timeout);
	buf_reset(line);
	for (;;) {
		if (c->rpos == c->rlen && fill(c, deadline, err, errlen) == -1)
			return -1;
		char *start = c->rbuf + c->rpos;
		char *nl = memchr(start, '\n', c->rlen - c->rpos);
		size_t n = nl != NULL ? (size_t)(nl - start) : c->rlen - c->rpos;
		if (line->len + n > max) {
			snprintf_rq(err, errlen, "line too long from %s", c->peer);
			return -1;
		}
		if (buf_append(line, start, n) == -1)
			return -1;
		c->rpos += n + (nl != NULL);
		if (nl != NULL)
			break;
	}
	if (line->len > 0 && line->data[line->len - 1] == '\r')
		line->data[--line->len] = '\0';
	return 0;
}

int
conn_write(struct conn *c, const void *p, size_t n)
{
	return buf_append(&c->wbuf, p, n);
}

int
conn_flush(struct conn *c, int timeout, char *err, size_t errlen)
{
	long long deadline = conn_deadline(timeout);
	size_t off = 0;
	while (off < c->wbuf.len) {
		ssize_t n = c->io->write(c->io_ctx, c->wbuf.data + off, c->wbuf.len - off);
		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		short ev = n == CONN_WANT_READ ? POLLIN : POLLOUT;
		if ((n != CONN_WANT_READ && n != CONN_WANT_WRITE && errno != EINTR) ||
		    wait_fd(c->fd, ev, deadline) == -1) {
			snprintf_rq(err, errlen, "%s writing to %s", errno == ETIMEDOUT ?
			    "timeout" : strerror(errno), c->peer);
			buf_reset(&c->wbuf);
			return -1;
		}
	}
	buf_reset(&c->wbuf);
	return 0;
}
