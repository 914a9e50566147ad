/* queue: spool directories, pickup from maildrop/, listing, per-message
 * locks and retirement.  Every link, rename and unlink is made durable by
 * a directory fsync before anything depends on it (spool.h). */
#include "queue.h"
#include "buf.h"
#include "dirscan.h"
#include "durable.h"
#include "log.h"
#include "relayq.h"

#include <string.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define STALE_TMP_SECS 86400

enum spool_group { G_ROOT, G_RELAYQ, G_DROP };

struct spool_dir {
	const char *name;
	mode_t mode;
	enum spool_group group;
};

/* The modes are the privilege model (relayq(8) "Privilege model"). */
static const struct spool_dir spool_dirs[] = {
	{ "", 0755, G_ROOT },
	/* 1730 relayq:relayq-drop: the submitter's group may create files
	 * (and reach its own by name), not list or remove others'. */
	{ "maildrop", 01730, G_DROP },
	/* 0750 relayq:relayq: the group, held only by relayq-showq, reads
	 * the state files; the submitter's group cannot even enter. */
	{ "queue", 0750, G_RELAYQ },
	{ "quarantine", 0700, G_RELAYQ },
};

static int
make_dir(const char *path, mode_t mode, uid_t uid, gid_t gid, char *err, size_t errlen)
{
	if (mkdir(path, mode & 0777) == -1 && errno != EEXIST) {
		snprintf_rq(err, errlen, "mkdir %s: %s", path, strerror(errno));
		return -1;
	}
	if (geteuid() == 0 && chown(path, uid, gid) == -1) {
		snprintf_rq(err, errlen, "chown %s: %s", path, strerror(errno));
		return -1;
	}
	/* chmod after chown: chown clears the setgid bit. */
	if (chmod(path, mode) == -1) {
		snprintf_rq(err, errlen, "chmod %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* The FIFO sendmail writes a byte into: relayq:relayq-drop 0620. */
static int
make_trigger(const char *spool, uid_t uid, gid_t gid, char *err, size_t errlen)
{
	struct buf p;
	buf_init(&p);
	int rc = buf_printf(&p, "%s/trigger", spool);
	if (rc == 0 && mkfifo(buf_str(&p), 0620) == -1 && errno != EEXIST)
		rc = -1;
	if (rc == 0 && geteuid() == 0 && chown(buf_str(&p), uid, gid) == -1)
		rc = -1;
	if (rc == 0 && chmod(buf_str(&p), 0620) == -1)
		rc = -1;
	if (rc == -1)
		snprintf_rq(err, errlen, "trigger %s: %s", buf_str(&p), strerror(errno));
	buf_free(&p);
	return rc;
}

int
queue_create(const char *spool, const struct queue_owner *o, char *err, size_t errlen)
{
	for (size_t i = 0; i < sizeof spool_dirs / sizeof spool_dirs[0]; i++) {
		const struct spool_dir *sd = &spool_dirs[i];
		struct buf p;
		buf_init(&p);
		if (buf_printf(&p, "%s/%s", spool, sd->name) == -1)
			return -1;
		/* The spool itself stays root's; only its subdirectories are ours. */
		uid_t u = sd->group == G_ROOT ? 0 : o->uid;
		gid_t g = sd->group == G_ROOT ? 0 : sd->group == G_DROP ? o->drop_gid : o->gid;
		int rc = make_dir(buf_str(&p), sd->mode, u, g, err, errlen);
		buf_free(&p);
		if (rc == -1)
			return -1;
	}
	return make_trigger(spool, o->uid, o->drop_gid, err, errlen);
}

static int
open_sub(const char *spool, const char *name, char *err, size_t errlen)
{
	struct buf p;
	buf_init(&p);
	if (buf_printf(&p, "%s/%s", spool, name) == -1)
		return -1;
	int fd = open(buf_str(&p), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1)
		snprintf_rq(err, errlen, "cannot open %s: %s", buf_str(&p), strerror(errno));
	buf_free(&p);
	return fd;
}

int
queue_open(struct queue *q, const char *spool, char *err, size_t errlen)
{
	char ignore[RELAYQ_ERRLEN];
	strlcpy_rq(q->spool, spool, sizeof q->spool);
	q->unsynced = 0;
	q->dropfd = open_sub(spool, "maildrop", err, errlen);
	q->queuefd = q->dropfd == -1 ? -1 : open_sub(spool, "queue", err, errlen);
	q->quarfd = open_sub(spool, "quarantine", ignore, sizeof ignore);
	struct stat st;
	if (q->queuefd != -1 && fstat(q->queuefd, &st) == -1) {
		snprintf_rq(err, errlen, "cannot stat %s/queue: %s", spool, strerror(errno));
		close(q->queuefd);
		q->queuefd = -1;
	}
	if (q->queuefd == -1) {
		queue_close(q);
		return -1;
	}
	q->owner = st.st_uid;
	return 0;
}

int
queue_open_readonly(struct queue *q, const char *spool, char *err, size_t errlen)
{
	char ignore[RELAYQ_ERRLEN];
	strlcpy_rq(q->spool, spool, sizeof q->spool);
	q->unsynced = 0;
	q->owner = (uid_t)-1;	/* the lister picks nothing up */
	q->quarfd = -1;
	q->dropfd = open_sub(spool, "maildrop", ignore, sizeof ignore);
	q->queuefd = open_sub(spool, "queue", err, errlen);
	if (q->queuefd == -1) {
		queue_close(q);
		return -1;
	}
	return 0;
}

void
queue_close(struct queue *q)
{
	if (q->dropfd >= 0)
		close(q->dropfd);
	if (q->queuefd >= 0)
		close(q->queuefd);
	if (q->quarfd >= 0)
		close(q->quarfd);
	q->dropfd = q->queuefd = q->quarfd = -1;
}

void
queue_quarantine(struct queue *q, int dirfd, const char *name, const char *why)
{
	char dest[NAME_MAX + 1];
	snprintf_rq(dest, sizeof dest, "%s", name);
	if (q->quarfd == -1 ||
	    renameat2(dirfd, name, q->quarfd, dest, RENAME_NOREPLACE) == -1) {
		snprintf_rq(dest, sizeof dest, "%s.%lld", name, (long long)time(NULL));
		if (q->quarfd == -1 || renameat(dirfd, name, q->quarfd, dest) == -1) {
			log_err("%s: cannot quarantine (%s): %s; left in place",
			    name, why, strerror(errno));
			return;
		}
	}
	durable_sync_dir(dirfd);
	durable_sync_dir(q->quarfd);
	log_err("%s: moved to quarantine/%s: %s", name, dest, why);
}

static void
remove_stale_tmp(struct queue *q, const char *name)
{
	struct stat st;
	if (fstatat(q->dropfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    st.st_mtime < time(NULL) - STALE_TMP_SECS) {
		unlinkat(q->dropfd, name, 0);
		log_notice("%s: removed stale incomplete submission", name);
	}
}

/* What a maildrop name is, once its file is opened and locked. */
enum drop_state { DROP_FRESH, DROP_LINKED, DROP_GONE, DROP_BUSY, DROP_BAD, DROP_ERROR };

/* A maildrop file to pick up, locked on *fd: a regular file with one
 * link (FRESH), or with two when queue/QID.df is the same file (LINKED: a
 * pickup linked it and was interrupted, or another runner's pickup has
 * just done so).  The lock comes first: a runner that holds it is between
 * its checks and its link (or delivering the .df), and link(2) raises the
 * link count before the new name can be looked up, so the count is only
 * read once no other runner is inside that window.  GONE: another runner
 * took it; BUSY: another runner holds it now; BAD: not a regular file
 * with one link; ERROR: could not tell (errno), try again later. */
static enum drop_state
open_drop(struct queue *q, const char *name, const char *df, struct stat *st, int *fd)
{
	struct stat qst;
	*fd = openat(q->dropfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (*fd == -1)
		/* ELOOP: a symbolic link; ENXIO: a socket; EACCES: a mode
		 * no submitter writes.  Others (EMFILE...) pass. */
		return errno == ENOENT ? DROP_GONE :
		    errno == ELOOP || errno == ENXIO || errno == EACCES ? DROP_BAD : DROP_ERROR;
	if (flock(*fd, LOCK_EX | LOCK_NB) == -1 || fstat(*fd, st) == -1) {
		enum drop_state busy = errno == EWOULDBLOCK ? DROP_BUSY : DROP_ERROR;
		int saved = errno;
		close(*fd);
		errno = saved;
		return busy;
	}
	if (S_ISREG(st->st_mode) && st->st_nlink == 1)
		return DROP_FRESH;
	if (S_ISREG(st->st_mode) && st->st_nlink == 2 &&
	    fstatat(q->queuefd, df, &qst, AT_SYMLINK_NOFOLLOW) == 0 &&
	    qst.st_dev == st->st_dev && qst.st_ino == st->st_ino)
		return DROP_LINKED;
	close(*fd);
	/* No links left: retired by another runner since it was listed. */
	return S_ISREG(st->st_mode) && st->st_nlink == 0 ? DROP_GONE : DROP_BAD;
}

/* Is the drop on fd (owned as st says) a well-formed message of its
 * owner's?  Else err says why. */
static bool
drop_valid(struct queue *q, int fd, const struct stat *st, char *err, size_t errlen)
{
	struct envelope e;
	envelope_init(&e);
	int rc = drop_parse(fd, &e, err, errlen);
	if (rc == 0 && drop_owner(st, &e, q->owner) != e.uid) {
		/* Only a subverted submitter writes another uid into U. */
		snprintf_rq(err, errlen, "forged drop file: it claims uid %lu, its "
		    "owner is uid %lu", (unsigned long)e.uid, (unsigned long)st->st_uid);
		rc = -1;
	}
	envelope_free(&e);
	return rc == 0;
}

enum pickup { PICKED_UP, PICKUP_SKIPPED, PICKUP_FAILED, PICKUP_MOVED };

/* A drop relayq may not link (an older sendmail's, mode 0604: the
 * kernel's protected_hardlinks) is renamed, and both directories are
 * synced at once, queue/ first; a crash between the two syncs on a file
 * system that does not commit a rename whole can still lose it. */
static enum pickup
move_drop(struct queue *q, const char *name, const char *df)
{
	if (renameat2(q->dropfd, name, q->queuefd, df, RENAME_NOREPLACE) == -1)
		return PICKUP_FAILED;
	durable_sync_dir(q->queuefd);
	durable_sync_dir(q->dropfd);
	return PICKUP_MOVED;
}

/* One maildrop file: validate it and link it as queue/QID.df; its
 * maildrop name goes once that link is durable (queue_pickup).  SKIPPED:
 * quarantined, or being picked up by another runner; FAILED: left in
 * place for the next pass (logged). */
static enum pickup
pickup_one(struct queue *q, const char *name)
{
	char err[RELAYQ_ERRLEN], df[QID_SIZE + 4];
	struct stat st;
	int fd;
	if (!qid_valid(name)) {
		queue_quarantine(q, q->dropfd, name, "unexpected file name in maildrop");
		return PICKUP_SKIPPED;
	}
	snprintf_rq(df, sizeof df, "%s.df", name);
	switch (open_drop(q, name, df, &st, &fd)) {
	case DROP_FRESH:
		break;
	case DROP_LINKED:
		close(fd);
		return PICKED_UP;
	case DROP_GONE:
	case DROP_BUSY:
		return PICKUP_SKIPPED;
	case DROP_BAD:
		queue_quarantine(q, q->dropfd, name, "not a regular file with one link");
		return PICKUP_SKIPPED;
	case DROP_ERROR:
		log_err("%s: pickup failed: %s", name, strerror(errno));
		return PICKUP_FAILED;
	}
	if (!drop_valid(q, fd, &st, err, sizeof err)) {
		close(fd);
		queue_quarantine(q, q->dropfd, name, err);
		return PICKUP_SKIPPED;
	}
	enum pickup rc = PICKED_UP;
	if (linkat(q->dropfd, name, q->queuefd, df, 0) == -1)
		/* ENOENT: another runner's pickup took the name meanwhile. */
		rc = errno == EPERM ? move_drop(q, name, df) :
		    errno == ENOENT ? PICKUP_SKIPPED : PICKUP_FAILED;
	if (rc == PICKUP_FAILED)
		log_err("%s: pickup failed: %s", name, strerror(errno));
	close(fd);
	return rc;
}

#define PICKUP_BATCH 256

struct pickup_pass {
	struct queue *q;
	char names[PICKUP_BATCH][QID_SIZE];	/* linked, still in maildrop/ */
	size_t n;
	int count;
	int failed;		/* errno of a failed sync, or 0 */
};

/* I3's second half for a batch: queue/ is fsync'd, so the new .df links
 * are durable, before any maildrop/ name goes; then maildrop/ is
 * fsync'd, so that a name never comes back once its message may have
 * been delivered and retired. */
static void
pickup_commit(struct pickup_pass *p)
{
	struct queue *q = p->q;
	if (p->n == 0 || p->failed != 0)
		return;
	if (durable_sync_dir(q->queuefd) == -1) {
		p->failed = errno;
		return;
	}
	for (size_t i = 0; i < p->n; i++)
		if (unlinkat(q->dropfd, p->names[i], 0) == -1 && errno != ENOENT)
			log_err("%s: cannot remove from maildrop: %s", p->names[i], strerror(errno));
	p->n = 0;
	if (durable_sync_dir(q->dropfd) == -1)
		p->failed = errno;
}

static int
pickup_entry(void *arg, const char *name)
{
	struct pickup_pass *p = arg;
	if (strncmp(name, "tmp.", 4) == 0)
		remove_stale_tmp(p->q, name);
	else {
		enum pickup rc = pickup_one(p->q, name);
		p->count += rc == PICKED_UP || rc == PICKUP_MOVED;
		if (rc == PICKED_UP)
			strlcpy_rq(p->names[p->n++], name, QID_SIZE);
		if (p->n == PICKUP_BATCH)
			pickup_commit(p);
	}
	return 0;
}

int
queue_pickup(struct queue *q, char *err, size_t errlen)
{
	struct pickup_pass *p = calloc(1, sizeof *p);
	if (p == NULL) {
		snprintf_rq(err, errlen, "pickup: out of memory");
		return -1;
	}
	p->q = q;
	int rc = dirscan(q->dropfd, pickup_entry, p);
	if (rc == -1)
		snprintf_rq(err, errlen, "maildrop: %s", strerror(errno));
	pickup_commit(p);
	if (rc == 0 && p->failed != 0) {
		/* The links stay; the next pass syncs and finishes them. */
		snprintf_rq(err, errlen, "fsync of the spool: %s", strerror(p->failed));
		rc = -1;
	}
	if (rc == 0)
		rc = p->count;
	free(p);
	return rc;
}

static int
cmp_qid(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* A .qf whose .df is gone: the message was retired (invariant I5). */
static void
check_orphan_qf(struct queue *q, const char *name)
{
	char df[QID_SIZE + 4];
	struct stat st;
	snprintf_rq(df, sizeof df, "%.*s.df", QID_LEN, name);
	if (fstatat(q->queuefd, df, &st, 0) == -1 && errno == ENOENT &&
	    unlinkat(q->queuefd, name, 0) == 0)
		log_notice("%.*s: removed the state file of a delivered message", QID_LEN, name);
}

static int
add_id(char (**ids)[QID_SIZE], size_t *n, size_t *cap, const char *name)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		char (*p)[QID_SIZE] = realloc(*ids, nc * sizeof *p);
		if (p == NULL)
			return -1;
		*ids = p;
		*cap = nc;
	}
	snprintf_rq((*ids)[(*n)++], QID_SIZE, "%.*s", QID_LEN, name);
	return 0;
}

static bool
has_suffix(const char *name, const char *sfx)
{
	size_t n = strlen(name);
	return n == QID_LEN + 3 && strcmp(name + QID_LEN, sfx) == 0;
}

struct id_walk {
	char (**ids)[QID_SIZE];
	size_t *n, cap;
};

static int
id_entry(void *arg, const char *name)
{
	struct id_walk *w = arg;
	if (has_suffix(name, ".df"))
		return add_id(w->ids, w->n, &w->cap, name);
	return 0;
}

int
queue_ids(struct queue *q, char (**ids)[QID_SIZE], size_t *n)
{
	struct id_walk w = { ids, n, 0 };
	*ids = NULL;
	*n = 0;
	int rc = dirscan(q->queuefd, id_entry, &w);
	if (rc == 0 && *n > 0)
		qsort(*ids, *n, sizeof **ids, cmp_qid);
	return rc;
}

/* A bounded walk: the `max` smallest ids greater than `after`, kept in
 * a max-heap (ids[0] the largest kept), so memory is max ids whatever
 * the queue's length. */
struct id_window {
	const char *after;
	char (*ids)[QID_SIZE];
	size_t n, max;
};

static void
heap_swap(char (*ids)[QID_SIZE], size_t a, size_t b)
{
	char t[QID_SIZE];
	memcpy(t, ids[a], QID_SIZE);
	memcpy(ids[a], ids[b], QID_SIZE);
	memcpy(ids[b], t, QID_SIZE);
}

static void
heap_down(char (*ids)[QID_SIZE], size_t n, size_t i)
{
	for (;;) {
		size_t big = i, l = 2 * i + 1, r = l + 1;
		if (l < n && strcmp(ids[l], ids[big]) > 0)
			big = l;
		if (r < n && strcmp(ids[r], ids[big]) > 0)
			big = r;
		if (big == i)
			return;
		heap_swap(ids, i, big);
		i = big;
	}
}

static void
heap_up(char (*ids)[QID_SIZE], size_t i)
{
	while (i > 0 && strcmp(ids[(i - 1) / 2], ids[i]) < 0) {
		heap_swap(ids, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static int
window_entry(void *arg, const char *name)
{
	struct id_window *w = arg;
	char qid[QID_SIZE];
	if (!has_suffix(name, ".df"))
		return 0;
	snprintf_rq(qid, sizeof qid, "%.*s", QID_LEN, name);
	if (strcmp(qid, w->after) <= 0)
		return 0;
	if (w->n < w->max) {
		memcpy(w->ids[w->n], qid, QID_SIZE);
		heap_up(w->ids, w->n++);
	} else if (strcmp(qid, w->ids[0]) < 0) {
		memcpy(w->ids[0], qid, QID_SIZE);
		heap_down(w->ids, w->n, 0);
	}
	return 0;
}

int
queue_ids_after(struct queue *q, const char *after, char (*ids)[QID_SIZE], size_t max,
    size_t *n)
{
	struct id_window w = { after, ids, 0, max };
	*n = 0;
	if (max == 0 || dirscan(q->queuefd, window_entry, &w) == -1)
		return max == 0 ? 0 : -1;
	qsort(ids, w.n, sizeof *ids, cmp_qid);
	*n = w.n;
	return 0;
}

static int
repair_entry(void *arg, const char *name)
{
	if (has_suffix(name, ".qf"))
		check_orphan_qf(arg, name);
	return 0;
}

int
queue_repair(struct queue *q)
{
	return dirscan(q->queuefd, repair_entry, q);
}

void
queue_ids_free(char (*ids)[QID_SIZE])
{
	free(ids);
}

enum queue_lock
queue_lock(struct queue *q, const char *qid, int *lockfd)
{
	char name[QID_SIZE + 4];
	struct stat st;
	snprintf_rq(name, sizeof name, "%s.df", qid);
	int fd = openat(q->queuefd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd == -1)
		return QUEUE_GONE;
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		/* mailq's shared probe lasts microseconds; a runner lasts longer. */
		usleep(2000);
		if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
			int busy = errno == EWOULDBLOCK;
			close(fd);
			return busy ? QUEUE_BUSY : QUEUE_GONE;
		}
	}
	/* Another runner may have finished it between our open and lock;
	 * a second link means its pickup is not finished (I3). */
	if (fstat(fd, &st) == -1)
		st.st_nlink = 0;
	if (st.st_nlink != 1) {
		close(fd);
		return st.st_nlink > 1 ? QUEUE_BUSY : QUEUE_GONE;
	}
	*lockfd = fd;
	return QUEUE_LOCKED;
}

void
queue_unlock(int lockfd)
{
	if (lockfd >= 0)
		close(lockfd);
}

bool
queue_is_locked(struct queue *q, const char *qid)
{
	char name[QID_SIZE + 4];
	snprintf_rq(name, sizeof name, "%s.df", qid);
	int fd = openat(q->queuefd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd == -1)
		return false;
	/* Shared probe: it conflicts only with a runner's exclusive lock. */
	bool locked = flock(fd, LOCK_SH | LOCK_NB) == -1 && errno == EWOULDBLOCK;
	close(fd);
	return locked;
}

/* Unlinks the .df, then the .qf (I5's order); the directory is not synced. */
static int
unlink_message(struct queue *q, const char *qid, char *err, size_t errlen)
{
	char name[QID_SIZE + 4];
	snprintf_rq(name, sizeof name, "%s.df", qid);
	if (unlinkat(q->queuefd, name, 0) == -1) {
		snprintf_rq(err, errlen, "cannot remove %s: %s", name, strerror(errno));
		return -1;
	}
	/* ENOENT: a concurrent listing already retired the orphaned .qf. */
	snprintf_rq(name, sizeof name, "%s.qf", qid);
	if (unlinkat(q->queuefd, name, 0) == -1 && errno != ENOENT) {
		snprintf_rq(err, errlen, "cannot remove %s: %s", name, strerror(errno));
		return -1;
	}
	q->unsynced++;
	return 0;
}

int
queue_sync_retired(struct queue *q, char *err, size_t errlen)
{
	if (q->unsynced == 0)
		return 0;
	q->unsynced = 0;
	if (durable_sync_dir(q->queuefd) == -1) {
		snprintf_rq(err, errlen, "fsync of queue/: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int
queue_retire(struct queue *q, const char *qid, char *err, size_t errlen)
{
	if (unlink_message(q, qid, err, errlen) == -1)
		return -1;
	return q->unsynced < QUEUE_RETIRE_BATCH ? 0 : queue_sync_retired(q, err, errlen);
}

int
queue_remove(struct queue *q, const char *qid, char *err, size_t errlen)
{
	if (unlink_message(q, qid, err, errlen) == -1)
		return -1;
	return queue_sync_retired(q, err, errlen);
}
