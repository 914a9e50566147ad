/* dropsock: a drop handed to relayqd over the submission socket.  The
 * content goes out in "data" frames from a stdio stream (fopencookie), so
 * the caller writes it exactly as into a file and nothing is held in
 * memory beyond one buffer.  Replies are read with a timeout: relayqd
 * answers "commit" only after its fsyncs. */
#include "dropsock.h"
#include "buf.h"
#include "dropwire.h"
#include "spool.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#define FRAME_SIZE (64 * 1024)
#define REPLY_TIMEOUT_MS (10 * 60 * 1000)	/* fsyncs, a re-encoded 50 MB body */

static int
send_all(int fd, struct iovec *iov, int n)
{
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = (size_t)n };
	while (mh.msg_iovlen > 0) {
		ssize_t w = sendmsg(fd, &mh, MSG_NOSIGNAL);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1)
			return -1;
		while (mh.msg_iovlen > 0 && (size_t)w >= mh.msg_iov->iov_len) {
			w -= (ssize_t)mh.msg_iov->iov_len;
			mh.msg_iov++;
			mh.msg_iovlen--;
		}
		if (mh.msg_iovlen > 0) {
			mh.msg_iov->iov_base = (char *)mh.msg_iov->iov_base + w;
			mh.msg_iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

/* One command line, then its payload (may be NULL). */
static int
send_cmd(struct drop *d, const struct dropwire_cmd *c, const void *payload)
{
	char line[DROPWIRE_LINE_MAX];
	size_t n = dropwire_format_cmd(c, line, sizeof line);
	struct iovec iov[2] = {
		{ line, n }, { (void *)payload, payload != NULL ? (size_t)c->len : 0 },
	};
	return send_all(d->sock, iov, payload != NULL ? 2 : 1);
}

static ssize_t
frame_write(void *cookie, const char *buf, size_t n)
{
	struct drop *d = cookie;
	struct dropwire_cmd c = { .verb = DW_DATA, .len = (long long)n };
	if (d->sock < 0) {
		errno = EPIPE;
		return -1;
	}
	if (n == 0)
		return 0;
	if (send_cmd(d, &c, buf) == -1)
		return -1;
	d->sent += (long long)n;
	return (ssize_t)n;
}

/* One reply line, LF included, within timeout_ms.  Its length, or -1. */
static ssize_t
read_line(int fd, char *line, size_t size, int timeout_ms)
{
	size_t n = 0;
	while (n < size - 1) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int rc = poll(&p, 1, timeout_ms);
		if (rc == -1 && errno == EINTR)
			continue;
		if (rc == 0)
			errno = ETIMEDOUT;
		ssize_t r = rc == 1 ? read(fd, line + n, 1) : -1;
		if (r == 0)
			errno = ECONNRESET;
		if (r <= 0)
			return -1;
		if (line[n++] == '\n')
			break;
	}
	line[n] = '\0';
	return line[n - 1] == '\n' ? (ssize_t)n : (errno = EPROTO, -1);
}

/* relayqd's answer: 0 for "ok" (its text into ok, may be NULL), else -1
 * with errno and err from the reply or from the failed read. */
static int
read_reply(struct drop *d, int timeout_ms, char *ok, size_t oksize, char *err, size_t errlen)
{
	char line[DROPWIRE_LINE_MAX * 4], text[DROPWIRE_LINE_MAX * 4];
	enum dropwire_reply r;
	ssize_t n = read_line(d->sock, line, sizeof line, timeout_ms);
	if (n == -1) {
		int errnum = errno == ECONNRESET || errno == EPROTO || errno == ETIMEDOUT ?
		    errno : ECONNRESET;
		snprintf_rq(err, errlen, "relayqd (%s) did not answer: %s", d->sockpath,
		    strerror(errno));
		errno = errnum;
		return -1;
	}
	if (dropwire_parse_reply(line, (size_t)n, &r, text, sizeof text) == -1) {
		snprintf_rq(err, errlen, "relayqd (%s) sent a malformed reply", d->sockpath);
		errno = EPROTO;
		return -1;
	}
	if (r == DWR_OK) {
		if (ok != NULL)
			strlcpy_rq(ok, text, oksize);
		return 0;
	}
	snprintf_rq(err, errlen, "relayqd: %s", text);
	errno = dropwire_reply_errno(r);
	return -1;
}

static int
connect_socket(struct drop *d, const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof sun.sun_path) {
		snprintf_rq(err, errlen, "submission socket path too long: %s", path);
		errno = ENAMETOOLONG;
		return -1;
	}
	strlcpy_rq(sun.sun_path, path, sizeof sun.sun_path);
	d->sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (d->sock == -1 || connect(d->sock, (struct sockaddr *)&sun, sizeof sun) == -1) {
		int errnum = errno;
		snprintf_rq(err, errlen, "cannot connect to %s: %s", path, strerror(errnum));
		errno = errnum;
		return -1;
	}
	return 0;
}

static int
read_greeting(struct drop *d, char *err, size_t errlen)
{
	char line[DROPWIRE_LINE_MAX * 4];
	struct pollfd p = { .fd = d->sock, .events = POLLIN };
	if (poll(&p, 1, REPLY_TIMEOUT_MS) == 1 && recv(d->sock, line, 1, MSG_PEEK) == 1 &&
	    line[0] != DROPWIRE_GREETING[0]) {
		if (read_reply(d, REPLY_TIMEOUT_MS, NULL, 0, err, errlen) == -1)
			return -1;
		errno = EPROTO;	/* "ok" before anything was sent */
		snprintf_rq(err, errlen, "%s does not speak relayq-submit 1", d->sockpath);
		return -1;
	}
	ssize_t n = read_line(d->sock, line, sizeof line, REPLY_TIMEOUT_MS);
	if (n == -1 || strcmp(line, DROPWIRE_GREETING) != 0) {
		snprintf_rq(err, errlen, "%s does not speak relayq-submit 1", d->sockpath);
		errno = EPROTO;
		return -1;
	}
	return 0;
}

static int
send_envelope(struct drop *d, const char *env, size_t envlen, char *err, size_t errlen)
{
	struct dropwire_cmd c = { .verb = DW_ENVELOPE, .len = (long long)envlen };
	strlcpy_rq(c.qid, d->qid, sizeof c.qid);
	if (c.len > DROPWIRE_ENVELOPE_MAX) {
		snprintf_rq(err, errlen, "too many recipients for %s", d->sockpath);
		errno = E2BIG;
		return -1;
	}
	if (send_cmd(d, &c, env) == -1) {
		snprintf_rq(err, errlen, "cannot send the envelope to %s: %s", d->sockpath,
		    strerror(errno));
		return -1;
	}
	return 0;
}

static int
open_stream(struct drop *d, char *err, size_t errlen)
{
	cookie_io_functions_t io = { .write = frame_write };
	d->fp = fopencookie(d, "w", io);
	if (d->fp == NULL || setvbuf(d->fp, NULL, _IOFBF, FRAME_SIZE) != 0) {
		snprintf_rq(err, errlen, "fopencookie: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int
dropsock_begin(struct drop *d, const char *path, const char *env, size_t envlen,
    char *err, size_t errlen)
{
	d->via_socket = true;
	d->sockpath = path;
	if (connect_socket(d, path, err, errlen) == -1 || read_greeting(d, err, errlen) == -1 ||
	    send_envelope(d, env, envlen, err, errlen) == -1)
		return -1;
	return open_stream(d, err, errlen);
}

int
dropsock_qp(struct drop *d, const char *hdr, size_t hlen, long long body_off,
    char *err, size_t errlen)
{
	struct dropwire_cmd c = { .verb = DW_QP, .len = (long long)hlen, .body_off = body_off };
	if (fflush(d->fp) == EOF || send_cmd(d, &c, hdr) == -1) {
		errno = dropsock_error(d, errno, err, errlen);
		return -1;
	}
	return 0;
}

int
dropsock_commit(struct drop *d, bool eightbit, char *err, size_t errlen)
{
	struct dropwire_cmd c = { .verb = DW_COMMIT, .eightbit = eightbit };
	char qid[DROPWIRE_LINE_MAX];
	if (fflush(d->fp) == EOF || send_cmd(d, &c, NULL) == -1) {
		errno = dropsock_error(d, errno, err, errlen);
		return -1;
	}
	if (read_reply(d, REPLY_TIMEOUT_MS, qid, sizeof qid, err, errlen) == -1)
		return -1;
	if (!qid_valid(qid)) {
		snprintf_rq(err, errlen, "relayqd (%s) sent a malformed queue id", d->sockpath);
		errno = EPROTO;
		return -1;
	}
	strlcpy_rq(d->qid, qid, sizeof d->qid);
	dropsock_abort(d);	/* done: nothing more to say */
	return 0;
}

int
dropsock_error(struct drop *d, int errnum, char *err, size_t errlen)
{
	/* A refusal (too big, no space) arrives before relayqd hangs up. */
	if (d->sock >= 0 && read_reply(d, 1000, NULL, 0, err, errlen) == -1 &&
	    errno != ECONNRESET && errno != ETIMEDOUT && errno != EPROTO)
		return errno;
	snprintf_rq(err, errlen, "lost the connection to relayqd (%s): %s", d->sockpath,
	    strerror(errnum));
	return errnum == EPIPE ? ECONNRESET : errnum;
}

void
dropsock_abort(struct drop *d)
{
	int sock = d->sock;
	d->sock = -1;		/* frame_write refuses: fclose sends nothing */
	if (d->fp != NULL)
		fclose(d->fp);
	d->fp = NULL;
	if (sock >= 0)
		close(sock);
}

int
spool_request(const char *path, const char *op, const char *qid, char *answer, size_t size,
    char *err, size_t errlen)
{
	struct drop d = { .dirfd = -1, .fd = -1, .sock = -1, .sockpath = path };
	struct dropwire_cmd c = { .verb = DW_QUEUE };
	strlcpy_rq(c.op, op, sizeof c.op);
	strlcpy_rq(c.qid, qid, sizeof c.qid);
	if (connect_socket(&d, path, err, errlen) == -1) {
		int errnum = errno;
		snprintf_rq(err, errlen, "relayqd is not reachable at %s (%s): only it changes "
		    "a user's own messages; start it, or ask root", path, strerror(errnum));
		if (d.sock >= 0)
			close(d.sock);
		errno = ECONNREFUSED;	/* not ENOENT, which means "no such message" */
		return -1;
	}
	int rc = read_greeting(&d, err, errlen) == 0 && send_cmd(&d, &c, NULL) == 0 &&
	    read_reply(&d, REPLY_TIMEOUT_MS, answer, size, err, errlen) == 0 ? 0 : -1;
	int errnum = errno;
	if (d.sock >= 0)
		close(d.sock);
	errno = errnum;
	return rc;
}
