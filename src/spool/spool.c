/* spool: drop files (submission) and qf state files (delivery) — writing
 * them atomically and parsing them strictly.  Invariants: see spool.h. */
#include "spool.h"
#include "buf.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#define DROP_MAGIC "RELAYQ 1\n"
#define QF_MAGIC "RELAYQ-QF 1\n"
#define TRAILER_LEN 25		/* "\n.END " + 16 hex + " " + '7'|'8' + "\n" */

void
envelope_init(struct envelope *e)
{
	memset(e, 0, sizeof *e);
}

void
envelope_free(struct envelope *e)
{
	free(e->sender);
	free(e->msgid);
	free(e->notify);
	free(e->ret);
	free(e->envid);
	free(e->body);
	free(e->reason);
	for (size_t i = 0; i < e->nrcpt; i++) {
		free(e->rcpts[i].addr);
		free(e->rcpts[i].reply);
	}
	free(e->rcpts);
	envelope_init(e);
}

int
env_set(char **field, const char *value)
{
	char *p = NULL;
	if (value != NULL && (p = strdup(value)) == NULL)
		return -1;
	free(*field);
	*field = p;
	return 0;
}

int
envelope_add_rcpt(struct envelope *e, const char *addr)
{
	struct env_rcpt *r = realloc(e->rcpts, (e->nrcpt + 1) * sizeof *r);
	if (r == NULL)
		return -1;
	e->rcpts = r;
	r = &e->rcpts[e->nrcpt];
	if ((r->addr = strdup(addr)) == NULL)
		return -1;
	r->state = RCPT_PENDING;
	r->reply = NULL;
	e->nrcpt++;
	return 0;
}

static const char b62[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static void
put_b62(char *out, uint64_t v, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		out[i] = b62[v % 62];
		v /= 62;
	}
}

void
qid_new(char qid[QID_SIZE])
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	put_b62(qid, (uint64_t)tv.tv_sec, 6);
	put_b62(qid + 6, (uint64_t)tv.tv_usec, 4);
	put_b62(qid + 10, (uint64_t)getpid(), 4);
	qid[QID_LEN] = '\0';
}

bool
qid_valid(const char *s)
{
	if (strlen(s) != QID_LEN)
		return false;
	for (; *s != '\0'; s++)
		if (strchr(b62, *s) == NULL)
			return false;
	return true;
}

int
fsync_dir(int dirfd)
{
	/* Some file systems refuse fsync on directories; that is not data loss. */
	if (fsync(dirfd) == -1 && errno != EINVAL && errno != EROFS)
		return -1;
	return 0;
}

/* ---- record writing ---- */

static int
put_rec(struct buf *b, char key, const char *value)
{
	if (value == NULL)
		return 0;
	if (strchr(value, '\n') != NULL) {
		errno = EINVAL;
		return -1;
	}
	return buf_printf(b, "%c%s\n", key, value);
}

static int
put_envelope(struct buf *b, const struct envelope *e)
{
	if (buf_printf(b, "T%lld\nU%lu\n", (long long)e->arrival,
	    (unsigned long)e->uid) == -1)
		return -1;
	if (put_rec(b, 'S', e->sender) == -1 || put_rec(b, 'I', e->msgid) == -1 ||
	    put_rec(b, 'N', e->notify) == -1 || put_rec(b, 'R', e->ret) == -1 ||
	    put_rec(b, 'V', e->envid) == -1 || put_rec(b, 'B', e->body) == -1)
		return -1;
	return 0;
}

/* ---- submission ---- */

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

/* DROP_MODE for a submitter; 0600 when relayqd itself queues a notice
 * (it owns maildrop/ and reads its own file as the owner). */
static mode_t
drop_mode(int dirfd)
{
	struct stat st;
	return fstat(dirfd, &st) == 0 && st.st_uid == geteuid() ? 0600 : DROP_MODE;
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
		return -1;
	}
	/* umask 077 in the submitter; see DROP_MODE. */
	if (fchmod(d->fd, mode) == -1) {
		snprintf_rq(err, errlen, "cannot chmod queue file: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int
drop_begin(struct drop *d, const char *spool, const char *qid,
    const struct envelope *e, char *err, size_t errlen)
{
	memset(d, 0, sizeof *d);
	d->fd = -1;
	if (qid != NULL)
		strlcpy_rq(d->qid, qid, sizeof d->qid);
	if (open_maildrop(d, spool, err, errlen) == -1 || create_tmp(d, err, errlen) == -1)
		return -1;
	if ((d->fp = fdopen(d->fd, "w")) == NULL) {
		snprintf_rq(err, errlen, "fdopen: %s", strerror(errno));
		return -1;
	}
	struct buf b;
	buf_init(&b);
	int rc = buf_puts(&b, DROP_MAGIC);
	if (rc == 0)
		rc = put_envelope(&b, e);
	for (size_t i = 0; rc == 0 && i < e->nrcpt; i++)
		rc = put_rec(&b, 'r', e->rcpts[i].addr);
	if (rc == 0)
		rc = buf_puts(&b, "M\n");
	if (rc == 0 && fwrite(b.data, 1, b.len, d->fp) != b.len)
		rc = -1;
	d->content_off = (off_t)b.len;
	buf_free(&b);
	if (rc == -1)
		snprintf_rq(err, errlen, "cannot write queue file: %s", strerror(errno));
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
	if (flush_and_sync(d, eightbit) == -1) {
		snprintf_rq(err, errlen, "cannot write queue file: %s", strerror(errno));
		return -1;
	}
	/* RENAME_NOREPLACE: never clobbers, and pickup never sees the file
	 * under two names (a second link would look like a foreign file). */
	while (renameat2(d->dirfd, d->tmpname, d->dirfd, d->qid, RENAME_NOREPLACE) == -1) {
		if (errno != EEXIST) {
			snprintf_rq(err, errlen, "cannot commit queue file: %s", strerror(errno));
			return -1;
		}
		qid_new(d->qid);
	}
	if ((d->dir_synced_by_fs ? syncfs(d->fd) : fsync_dir(d->dirfd)) == -1) {
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

/* ---- parsing ---- */

static int
parse_num(const char *v, long long *out)
{
	char *end;
	errno = 0;
	long long n = strtoll(v, &end, 10);
	if (errno != 0 || *v == '\0' || *end != '\0' || n < 0)
		return -1;
	*out = n;
	return 0;
}

static int
parse_qf_rcpt(struct envelope *e, const char *v)
{
	if (strchr("PTDFR", v[0]) == NULL || v[0] == '\0' || v[1] == '\0')
		return -1;
	if (envelope_add_rcpt(e, v + 1) == -1)
		return -1;
	e->rcpts[e->nrcpt - 1].state = (enum rcpt_state)v[0];
	return 0;
}

static int
parse_content(struct envelope *e, const char *v)
{
	long long off, len;
	char o[32], l[32], eb;
	if (sscanf(v, "%31s %31s %c", o, l, &eb) != 3 || (eb != '7' && eb != '8'))
		return -1;
	if (parse_num(o, &off) == -1 || parse_num(l, &len) == -1)
		return -1;
	e->content_off = (off_t)off;
	e->content_len = (off_t)len;
	e->eightbit = eb == '8';
	return 0;
}

/* One "Kvalue" record common to drop files and qf files. */
static int
parse_record(struct envelope *e, char key, const char *v, bool qf)
{
	long long n;
	switch (key) {
	case 'Q': if (!qid_valid(v)) return -1;
		  strlcpy_rq(e->qid, v, sizeof e->qid); return 0;
	case 'T': if (parse_num(v, &n) == -1) return -1;
		  e->arrival = (time_t)n; return 0;
	case 'U': if (parse_num(v, &n) == -1) return -1;
		  e->uid = (uid_t)n; return 0;
	case 'S': return env_set(&e->sender, v);
	case 'I': return env_set(&e->msgid, v);
	case 'N': return env_set(&e->notify, v);
	case 'R': return env_set(&e->ret, v);
	case 'V': return env_set(&e->envid, v);
	case 'B': return env_set(&e->body, v);
	/* drop: "r<addr>"; qf: "r<state><addr>", then optional "e<reply>" */
	case 'r': return qf ? parse_qf_rcpt(e, v) : envelope_add_rcpt(e, v);
	}
	if (!qf)
		return -1;
	switch (key) {
	case 'e': if (e->nrcpt == 0) return -1;
		  return env_set(&e->rcpts[e->nrcpt - 1].reply, v);
	case 'A': if (parse_num(v, &n) == -1 || n > 1000000) return -1;
		  e->attempts = (int)n; return 0;
	case 'X': if (parse_num(v, &n) == -1) return -1;
		  e->next_try = (time_t)n; return 0;
	case 'L': if (parse_num(v, &n) == -1) return -1;
		  e->last_try = (time_t)n; return 0;
	case 'W': if (parse_num(v, &n) == -1) return -1;
		  e->warned = (time_t)n; return 0;
	case 'E': return env_set(&e->reason, v);
	case 'C': return parse_content(e, v);
	}
	return -1;
}

/* Reads records line by line until the terminator line `stop`. */
static int
parse_records(FILE *fp, struct envelope *e, bool qf, const char *stop,
    off_t *endpos, char *err, size_t errlen)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = -1;
	long lineno = 1;
	while ((n = getline(&line, &cap, fp)) > 0) {
		lineno++;
		if (line[n - 1] != '\n')
			break;
		line[n - 1] = '\0';
		if (strcmp(line, stop) == 0) {
			rc = 0;
			break;
		}
		if (parse_record(e, line[0], line + 1, qf) == -1) {
			snprintf_rq(err, errlen, "bad record at line %ld", lineno);
			free(line);
			return -1;
		}
	}
	free(line);
	if (rc == -1)
		snprintf_rq(err, errlen, "truncated envelope");
	else if (endpos != NULL && (*endpos = ftello(fp)) == -1)
		rc = -1;
	return rc;
}

static int
check_magic(FILE *fp, const char *magic, char *err, size_t errlen)
{
	char head[32];
	size_t len = strlen(magic);
	if (fread(head, 1, len, fp) != len || memcmp(head, magic, len) != 0) {
		snprintf_rq(err, errlen, "not a relayq queue file (or a newer version)");
		return -1;
	}
	return 0;
}

static int
check_trailer(int fd, struct envelope *e, char *err, size_t errlen)
{
	struct stat st;
	char t[TRAILER_LEN + 1];
	if (fstat(fd, &st) == -1 || st.st_size < e->content_off + TRAILER_LEN ||
	    pread(fd, t, TRAILER_LEN, st.st_size - TRAILER_LEN) != TRAILER_LEN) {
		snprintf_rq(err, errlen, "truncated: no END trailer");
		return -1;
	}
	t[TRAILER_LEN] = '\0';
	unsigned long long len;
	char eb, nl;
	if (sscanf(t, "\n.END %16llx %c%c", &len, &eb, &nl) != 3 || nl != '\n' ||
	    (eb != '7' && eb != '8') ||
	    (off_t)len != st.st_size - TRAILER_LEN - e->content_off) {
		snprintf_rq(err, errlen, "truncated or corrupt: bad END trailer");
		return -1;
	}
	e->content_len = (off_t)len;
	e->eightbit = eb == '8';
	return 0;
}

int
drop_parse(int fd, struct envelope *e, char *err, size_t errlen)
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
	if (fseeko(fp, 0, SEEK_SET) == 0 && check_magic(fp, DROP_MAGIC, err, errlen) == 0 &&
	    parse_records(fp, e, false, "M", &e->content_off, err, errlen) == 0)
		rc = check_trailer(fd, e, err, errlen);
	fclose(fp);
	if (rc == 0 && e->nrcpt == 0) {
		snprintf_rq(err, errlen, "no recipients");
		rc = -1;
	}
	return rc;
}

static int
put_qf(struct buf *b, const struct envelope *e)
{
	if (buf_printf(b, QF_MAGIC "Q%s\n", e->qid) == -1 || put_envelope(b, e) == -1)
		return -1;
	if (buf_printf(b, "A%d\nX%lld\nL%lld\nW%lld\nC%lld %lld %c\n", e->attempts,
	    (long long)e->next_try, (long long)e->last_try, (long long)e->warned,
	    (long long)e->content_off, (long long)e->content_len,
	    e->eightbit ? '8' : '7') == -1 || put_rec(b, 'E', e->reason) == -1)
		return -1;
	for (size_t i = 0; i < e->nrcpt; i++) {
		const struct env_rcpt *r = &e->rcpts[i];
		if (strchr(r->addr, '\n') != NULL ||
		    buf_printf(b, "r%c%s\n", (char)r->state, r->addr) == -1 ||
		    put_rec(b, 'e', r->reply) == -1)
			return -1;
	}
	return buf_puts(b, ".END\n");
}

static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
qf_write(int queuefd, const struct envelope *e, bool dirsync, char *err, size_t errlen)
{
	char tmp[QID_SIZE + 8], final[QID_SIZE + 4];
	snprintf_rq(tmp, sizeof tmp, "%s.qtmp", e->qid);
	snprintf_rq(final, sizeof final, "%s.qf", e->qid);
	struct buf b;
	buf_init(&b);
	int fd = -1, rc = put_qf(&b, e);
	if (rc == 0)
		fd = openat(queuefd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (rc == -1 || fd == -1 || fchmod(fd, 0640) == -1 ||
	    write_all(fd, b.data, b.len) == -1 || fsync(fd) == -1)
		rc = -1;
	if (fd != -1 && close(fd) == -1)
		rc = -1;
	if (rc == 0 && (renameat(queuefd, tmp, queuefd, final) == -1 ||
	    (dirsync && fsync_dir(queuefd) == -1)))
		rc = -1;
	if (rc == -1) {
		snprintf_rq(err, errlen, "cannot write %s: %s", final, strerror(errno));
		unlinkat(queuefd, tmp, 0);
	}
	buf_free(&b);
	return rc;
}

int
qf_read(int queuefd, const char *qid, struct envelope *e, char *err, size_t errlen)
{
	char name[QID_SIZE + 4];
	snprintf_rq(name, sizeof name, "%s.qf", qid);
	int fd = openat(queuefd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	FILE *fp = fd == -1 ? NULL : fdopen(fd, "r");
	if (fp == NULL) {
		snprintf_rq(err, errlen, "%s: %s", name, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	int rc = check_magic(fp, QF_MAGIC, err, errlen);
	if (rc == 0)
		rc = parse_records(fp, e, true, ".END", NULL, err, errlen);
	if (rc == 0 && (strcmp(e->qid, qid) != 0 || e->nrcpt == 0)) {
		snprintf_rq(err, errlen, "%s: inconsistent state file", name);
		rc = -1;
	}
	fclose(fp);
	return rc;
}

void
spool_wake(const char *spool)
{
	struct buf p;
	buf_init(&p);
	if (buf_printf(&p, "%s/trigger", spool) == 0) {
		/* O_NONBLOCK: ENXIO at once when no daemon has it open. */
		int fd = open(buf_str(&p), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd != -1) {
			/* EAGAIN means a full FIFO: relayqd is awake already.
			 * Any other failure leaves the mail to the next run. */
			ssize_t n = write(fd, "w", 1);
			(void)n;
			close(fd);
		}
	}
	buf_free(&p);
}
