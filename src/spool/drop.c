/* drop: the file a submission leaves in maildrop/ — written under a
 * temporary name, committed with fsyncs and RENAME_NOREPLACE (I1), and
 * parsed back strictly by pickup, length trailer included (I2). */
#include "drop.h"
#include "buf.h"
#include "dropsock.h"
#include "durable.h"
#include "linewrap.h"
#include "log.h"
#include "record.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DROP_MAGIC "RELAYQ 1\n"
#define TRAILER_LEN 25		/* "\n.END " + 16 hex + " " + '7'|'8' + "\n" */

/* The temporary file being written, removed if a signal ends us. */
static volatile sig_atomic_t guard_dirfd = -1;
static char guard_name[QID_SIZE + 8];
static volatile sig_atomic_t guard_exit;

static void
on_fatal_signal(int sig)
{
	if (guard_dirfd >= 0)
		unlinkat(guard_dirfd, guard_name, 0);
	_exit(guard_exit);
}

void
drop_guard_signals(int exit_code)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_fatal_signal;
	sigemptyset(&sa.sa_mask);
	guard_exit = exit_code;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
}

static void
guard(const struct drop *d)
{
	guard_dirfd = -1;
	strlcpy_rq(guard_name, d->tmpname, sizeof guard_name);
	guard_dirfd = d->dirfd;
}

static void
unguard(void)
{
	guard_dirfd = -1;
}

static int
open_maildrop(struct drop *d, const char *spool, char *err, size_t errlen)
{
	struct buf path;
	buf_init(&path);
	if (buf_printf(&path, "%s/maildrop", spool) == -1)
		return -1;
	d->dirfd = open(buf_str(&path), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	/* The submitter's group may enter and create, not read (1730): such
	 * a handle serves openat and renameat, and the commit syncs the
	 * file system instead of the directory (drop_commit). */
	d->dir_synced_by_fs = d->dirfd == -1 && errno == EACCES;
	if (d->dir_synced_by_fs)
		d->dirfd = open(buf_str(&path), O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (d->dirfd == -1)
		snprintf_rq(err, errlen, "cannot open %s: %s", buf_str(&path),
		    strerror(errno));
	buf_free(&path);
	return d->dirfd == -1 ? -1 : 0;
}

/* DROP_MODE for a submitter; 0640 when relayqd itself queues a notice
 * (it owns maildrop/; its group, relayq, is the lister's, which reads a
 * never-attempted message's envelope from its .df, qf.h). */
static mode_t
drop_mode(int dirfd)
{
	struct stat st;
	return fstat(dirfd, &st) == 0 && st.st_uid == geteuid() ? 0640 : DROP_MODE;
}


static int
create_tmp(struct drop *d, char *err, size_t errlen)
{
	mode_t mode = drop_mode(d->dirfd);
	for (int tries = 0; tries < 10; tries++) {
		if (tries > 0 || !qid_valid(d->qid))
			qid_new(d->qid);
		snprintf_rq(d->tmpname, sizeof d->tmpname, "tmp.%s", d->qid);
		d->fd = openat(d->dirfd, d->tmpname,
		    O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
		if (d->fd != -1 || errno != EEXIST)
			break;
		usleep(1);
	}
	if (d->fd == -1) {
		snprintf_rq(err, errlen, "cannot create queue file: %s", strerror(errno));
		d->tmpname[0] = '\0';	/* not ours: drop_abort leaves it */
		return -1;
	}
	guard(d);
	/* umask 077 in the submitter; see DROP_MODE. */
	if (fchmod(d->fd, mode) == -1) {
		snprintf_rq(err, errlen, "cannot chmod queue file: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int
drop_put_envelope(struct buf *b, const struct envelope *e)
{
	int rc = buf_puts(b, DROP_MAGIC);
	if (rc == 0)
		rc = record_put_envelope(b, e);
	for (size_t i = 0; rc == 0 && i < e->nrcpt; i++)
		rc = record_put(b, 'r', e->rcpts[i].addr);
	return rc == 0 ? buf_puts(b, "M\n") : -1;
}

static void
drop_reset(struct drop *d, const char *qid)
{
	memset(d, 0, sizeof *d);
	d->fd = -1;
	d->dirfd = -1;
	d->sock = -1;
	if (qid != NULL)
		strlcpy_rq(d->qid, qid, sizeof d->qid);
}

int
drop_begin(struct drop *d, const char *spool, const char *qid,
    const struct envelope *e, char *err, size_t errlen)
{
	drop_reset(d, qid);
	if (open_maildrop(d, spool, err, errlen) == -1 || create_tmp(d, err, errlen) == -1)
		return -1;
	if ((d->fp = fdopen(d->fd, "w")) == NULL) {
		snprintf_rq(err, errlen, "fdopen: %s", strerror(errno));
		return -1;
	}
	struct buf b;
	buf_init(&b);
	int rc = drop_put_envelope(&b, e);
	if (rc == 0 && fwrite(b.data, 1, b.len, d->fp) != b.len)
		rc = -1;
	d->content_off = (off_t)b.len;
	buf_free(&b);
	if (rc == -1)
		snprintf_rq(err, errlen, "cannot write queue file: %s", strerror(errno));
	return rc;
}

int
drop_begin_socket(struct drop *d, const char *path, const char *qid,
    const struct envelope *e, char *err, size_t errlen)
{
	drop_reset(d, qid);
	if (!qid_valid(d->qid))
		qid_new(d->qid);
	struct buf b;
	buf_init(&b);
	int rc = drop_put_envelope(&b, e);
	if (rc == -1)
		snprintf_rq(err, errlen, "out of memory");
	else
		rc = dropsock_begin(d, path, b.data, b.len, err, errlen);
	buf_free(&b);
	return rc;
}

long long
drop_tell(struct drop *d)
{
	if (d->via_socket)	/* frames count what left the buffer */
		return fflush(d->fp) == EOF ? -1 : d->sent;
	off_t at = ftello(d->fp);
	return at == -1 ? -1 : (long long)(at - d->content_off);
}

int
drop_write_error(struct drop *d, char *err, size_t errlen)
{
	int errnum = errno;
	if (d->via_socket)
		return dropsock_error(d, errnum, err, errlen);
	snprintf_rq(err, errlen, "cannot write queue file: %s", strerror(errnum));
	return errnum;
}

/* A second handle on the temporary file, at the content's body_off. */
static FILE *
reopen_at(struct drop *d, long long body_off, long long *body_len)
{
	off_t end;
	if (fflush(d->fp) == EOF || (end = ftello(d->fp)) == -1)
		return NULL;
	*body_len = (long long)(end - d->content_off) - body_off;
	int fd = openat(d->dirfd, d->tmpname, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	FILE *raw = fd == -1 ? NULL : fdopen(fd, "r");
	if (raw == NULL && fd != -1)
		close(fd);
	if (raw != NULL && (*body_len < 0 || fseeko(raw, d->content_off + body_off, SEEK_SET) == -1)) {
		fclose(raw);
		errno = EINVAL;
		return NULL;
	}
	return raw;
}

int
drop_reencode_qp(struct drop *d, const char *spool, const struct envelope *e,
    const char *hdr, size_t hlen, long long body_off, long long *content_len,
    char *err, size_t errlen)
{
	char qid[QID_SIZE];
	long long body_len;
	*content_len = 0;
	if (d->via_socket)
		return dropsock_qp(d, hdr, hlen, body_off, err, errlen);
	/* The first file stays open, unlinked, until the second is written. */
	FILE *raw = reopen_at(d, body_off, &body_len);
	if (raw == NULL) {
		snprintf_rq(err, errlen, "cannot reread queue file: %s", strerror(errno));
		return -1;
	}
	strlcpy_rq(qid, d->qid, sizeof qid);
	drop_abort(d);
	size_t written = 0;
	int rc = drop_begin(d, spool, qid, e, err, errlen);
	if (rc == 0 && (fwrite(hdr, 1, hlen, d->fp) != hlen ||
	    linewrap_qp_copy(raw, (off_t)body_len, d->fp, &written) == -1)) {
		snprintf_rq(err, errlen, "cannot write queue file: %s", strerror(errno));
		rc = -1;
	}
	fclose(raw);
	*content_len = (long long)(hlen + written);
	return rc;
}

static int
flush_and_sync(struct drop *d, bool eightbit)
{
	off_t end = ftello(d->fp);
	if (end == -1)
		return -1;
	if (fprintf(d->fp, "\n.END %016" PRIx64 " %c\n",
	    (uint64_t)(end - d->content_off), eightbit ? '8' : '7') != TRAILER_LEN)
		return -1;
	if (fflush(d->fp) == EOF || ferror(d->fp) || fsync(d->fd) == -1)
		return -1;
	return 0;
}

int
drop_commit(struct drop *d, bool eightbit, char *err, size_t errlen)
{
	if (d->via_socket)
		return dropsock_commit(d, eightbit, err, errlen);
	if (flush_and_sync(d, eightbit) == -1) {
		snprintf_rq(err, errlen, "cannot write queue file: %s", strerror(errno));
		return -1;
	}
	/* RENAME_NOREPLACE: never clobbers, and pickup never sees the file
	 * under two names (a second link would look like a foreign file). */
	unguard();
	while (renameat2(d->dirfd, d->tmpname, d->dirfd, d->qid, RENAME_NOREPLACE) == -1) {
		if (errno != EEXIST) {
			snprintf_rq(err, errlen, "cannot commit queue file: %s", strerror(errno));
			return -1;
		}
		qid_new(d->qid);
	}
	if ((d->dir_synced_by_fs ? syncfs(d->fd) : durable_sync_dir(d->dirfd)) == -1) {
		snprintf_rq(err, errlen, "cannot sync the maildrop: %s", strerror(errno));
		return -1;
	}
	fclose(d->fp);
	d->fp = NULL;
	d->fd = -1;
	d->tmpname[0] = '\0';
	close(d->dirfd);
	d->dirfd = -1;
	return 0;
}

void
drop_abort(struct drop *d)
{
	if (d->via_socket) {
		dropsock_abort(d);
		return;
	}
	unguard();
	if (d->fp != NULL)
		fclose(d->fp);
	else if (d->fd >= 0)
		close(d->fd);
	if (d->dirfd >= 0 && d->tmpname[0] != '\0')
		unlinkat(d->dirfd, d->tmpname, 0);
	if (d->dirfd >= 0)
		close(d->dirfd);
	d->fp = NULL;
	d->fd = -1;
	d->dirfd = -1;
	d->tmpname[0] = '\0';
}

/* The END trailer t of a drop file of size octets whose envelope e ends
 * at e->content_off: the content's length and 7/8-bit flag. */
static int
check_trailer(const char *t, off_t size, struct envelope *e, char *err, size_t errlen)
{
	char text[TRAILER_LEN + 1];
	if (t == NULL || size < e->content_off + TRAILER_LEN) {
		snprintf_rq(err, errlen, "truncated: no END trailer");
		return -1;
	}
	memcpy(text, t, TRAILER_LEN);
	text[TRAILER_LEN] = '\0';
	unsigned long long len;
	char eb, nl;
	if (sscanf(text, "\n.END %16llx %c%c", &len, &eb, &nl) != 3 || nl != '\n' ||
	    (eb != '7' && eb != '8') ||
	    (off_t)len != size - TRAILER_LEN - e->content_off) {
		snprintf_rq(err, errlen, "truncated or corrupt: bad END trailer");
		return -1;
	}
	e->content_len = (off_t)len;
	e->eightbit = eb == '8';
	return 0;
}

/* The trailer read from fd's end. */
static int
read_trailer(int fd, struct envelope *e, char *err, size_t errlen)
{
	struct stat st;
	char t[TRAILER_LEN];
	bool got = fstat(fd, &st) == 0 && st.st_size >= TRAILER_LEN &&
	    pread(fd, t, TRAILER_LEN, st.st_size - TRAILER_LEN) == TRAILER_LEN;
	return check_trailer(got ? t : NULL, got ? st.st_size : 0, e, err, errlen);
}

/* A drop whose envelope does not fit in DROP_HEAD: read through stdio. */
static int
parse_stream(int fd, struct envelope *e, char *err, size_t errlen)
{
	int dupfd = dup(fd);
	FILE *fp = dupfd == -1 ? NULL : fdopen(dupfd, "r");
	if (fp == NULL) {
		if (dupfd != -1)
			close(dupfd);
		snprintf_rq(err, errlen, "cannot read: %s", strerror(errno));
		return -1;
	}
	int rc = -1;
	if (fseeko(fp, 0, SEEK_SET) == 0 && drop_parse_envelope(fp, e, err, errlen) == 0 &&
	    (e->content_off = ftello(fp)) != -1)
		rc = read_trailer(fd, e, err, errlen);
	fclose(fp);
	return rc;
}

/* Most drops fit in DROP_HEAD: one pread holds the envelope, and, when
 * it was short (the whole file), the trailer too.  1 if the envelope
 * runs past the head (parse_stream then), else 0 or -1. */
#define DROP_HEAD 65536
static int
parse_head(int fd, struct envelope *e, char *err, size_t errlen)
{
	char *head = malloc(DROP_HEAD);
	ssize_t n = head == NULL ? -1 : pread(fd, head, DROP_HEAD, 0);
	FILE *fp = n <= 0 ? NULL : fmemopen(head, (size_t)n, "r");
	if (fp == NULL) {
		snprintf_rq(err, errlen, n == 0 ? "truncated: empty file" : "cannot read: %s",
		    strerror(errno));
		free(head);
		return -1;
	}
	int rc = drop_parse_envelope(fp, e, err, errlen);
	bool whole = n < DROP_HEAD;
	if (rc == -1 && !whole)
		rc = 1;		/* maybe only longer than the head */
	else if (rc == 0 && (e->content_off = ftello(fp)) == -1)
		rc = -1;
	else if (rc == 0)
		rc = whole ? check_trailer(n >= TRAILER_LEN ? head + n - TRAILER_LEN : NULL, n, e,
		    err, errlen) : read_trailer(fd, e, err, errlen);
	fclose(fp);
	free(head);
	return rc;
}

int
drop_parse(int fd, struct envelope *e, char *err, size_t errlen)
{
	int rc = parse_head(fd, e, err, errlen);
	if (rc != 1)
		return rc;
	envelope_free(e);
	envelope_init(e);
	return parse_stream(fd, e, err, errlen);
}

uid_t
drop_owner(const struct stat *st, const struct envelope *e, uid_t spool_uid)
{
	return st->st_uid == spool_uid ? e->uid : st->st_uid;
}

int
drop_parse_envelope(FILE *fp, struct envelope *e, char *err, size_t errlen)
{
	if (record_check_magic(fp, DROP_MAGIC, err, errlen) == -1 ||
	    record_parse_all(fp, e, false, "M", NULL, err, errlen) == -1)
		return -1;
	if (e->nrcpt == 0) {
		snprintf_rq(err, errlen, "no recipients");
		return -1;
	}
	return 0;
}

void
drop_log_received(const struct envelope *e, const char *qid, long long size,
    const char *login)
{
	log_info("%s: from=<%s>, size=%lld, class=0, nrcpts=%zu, msgid=%s, relay=%s@localhost",
	    qid, e->sender, size, e->nrcpt, e->msgid != NULL ? e->msgid : "", login);
}
