/* qf: a queued message's delivery state, queue/QID.qf — replaced whole,
 * atomically, under the message lock (I4). */
#include "qf.h"
#include "buf.h"
#include "drop.h"
#include "durable.h"
#include "record.h"
#include "relayq.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define QF_MAGIC "RELAYQ-QF 1\n"

static int
put_qf(struct buf *b, const struct envelope *e)
{
	if (buf_printf(b, QF_MAGIC "Q%s\n", e->qid) == -1 || record_put_envelope(b, e) == -1)
		return -1;
	if (buf_printf(b, "A%d\nX%lld\nL%lld\nW%lld\nC%lld %lld %c\n", e->attempts,
	    (long long)e->next_try, (long long)e->last_try, (long long)e->warned,
	    (long long)e->content_off, (long long)e->content_len,
	    e->eightbit ? '8' : '7') == -1 || record_put(b, 'E', e->reason) == -1)
		return -1;
	if (e->held != 0 && buf_printf(b, "H%lld\n", (long long)e->held) == -1)
		return -1;
	for (size_t i = 0; i < e->nrcpt; i++) {
		const struct env_rcpt *r = &e->rcpts[i];
		if (strchr(r->addr, '\n') != NULL ||
		    buf_printf(b, "r%c%s\n", (char)r->state, r->addr) == -1 ||
		    record_put(b, 'e', r->reply) == -1)
			return -1;
	}
	return buf_puts(b, ".END\n");
}

int
qf_write(int queuefd, const struct envelope *e, char *err, size_t errlen)
{
	char tmp[QID_SIZE + 8], final[QID_SIZE + 4];
	snprintf_rq(tmp, sizeof tmp, "%s.qtmp", e->qid);
	snprintf_rq(final, sizeof final, "%s.qf", e->qid);
	struct buf b;
	buf_init(&b);
	int rc = put_qf(&b, e);
	if (rc == 0)
		rc = durable_write(queuefd, tmp, final, b.data, b.len, 0640, true);
	if (rc == -1)
		snprintf_rq(err, errlen, "cannot write %s: %s", final, strerror(errno));
	buf_free(&b);
	return rc;
}

/* A message never attempted: its state is its .df's envelope (I3), read
 * from dffd when the caller has it open, else by name. */
static int
read_fresh(int queuefd, const char *qid, int dffd, struct envelope *e, char *err,
    size_t errlen)
{
	char name[QID_SIZE + 4], why[RELAYQ_ERRLEN];
	struct stat st, dir;
	snprintf_rq(name, sizeof name, "%s.df", qid);
	int fd = dffd != -1 ? dffd : openat(queuefd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	int rc = fd == -1 || fstat(fd, &st) == -1 || fstat(queuefd, &dir) == -1 ? -1 : 0;
	if (rc == -1)
		snprintf_rq(err, errlen, "%s: %s", name, strerror(errno));
	else if ((rc = drop_parse(fd, e, why, sizeof why)) == -1)
		snprintf_rq(err, errlen, "%s: %s", name, why);
	if (fd != -1 && fd != dffd)
		close(fd);
	if (rc == -1)
		return -1;
	strlcpy_rq(e->qid, qid, sizeof e->qid);
	e->uid = drop_owner(&st, e, dir.st_uid);
	return 0;
}

/* The whole of fd into b: a .qf is small, and mailq reads 100,000 of
 * them, so it costs one read, not stdio's fcntl, fstat and reads. */
static int
slurp(int fd, struct buf *b)
{
	for (;;) {
		if (buf_reserve(b, 8192) == -1)
			return -1;
		size_t room = b->cap - b->len - 1;	/* the NUL stays */
		ssize_t n = read(fd, b->data + b->len, room);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return (int)n;
		b->len += (size_t)n;
		b->data[b->len] = '\0';
		/* A short read of a regular file is its end. */
		if ((size_t)n < room)
			return 0;
	}
}

int
qf_read(int queuefd, const char *qid, struct envelope *e, char *err, size_t errlen)
{
	return qf_read_locked(queuefd, qid, -1, e, err, errlen);
}

int
qf_read_locked(int queuefd, const char *qid, int dffd, struct envelope *e, char *err,
    size_t errlen)
{
	char name[QID_SIZE + 4];
	struct buf b;
	snprintf_rq(name, sizeof name, "%s.qf", qid);
	int fd = openat(queuefd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd == -1 && errno == ENOENT)
		return read_fresh(queuefd, qid, dffd, e, err, errlen);
	buf_init(&b);
	FILE *fp = NULL;
	if (fd != -1 && slurp(fd, &b) == 0)
		fp = fmemopen(b.data, b.len ? b.len : 1, "r");
	if (fp == NULL) {
		snprintf_rq(err, errlen, "%s: %s", name, strerror(errno));
		if (fd != -1)
			close(fd);
		buf_free(&b);
		return -1;
	}
	close(fd);
	int rc = record_check_magic(fp, QF_MAGIC, err, errlen);
	if (rc == 0)
		rc = record_parse_all(fp, e, true, ".END", NULL, err, errlen);
	if (rc == 0 && (strcmp(e->qid, qid) != 0 || e->nrcpt == 0)) {
		snprintf_rq(err, errlen, "%s: inconsistent state file", name);
		rc = -1;
	}
	fclose(fp);
	buf_free(&b);
	return rc;
}
