/* queue: spool directories, pickup from maildrop/, listing, per-message
 * locks and retirement.  Every rename/unlink is followed by a dir fsync. */
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
	if (q->queuefd == -1) {
		queue_close(q);
		return -1;
	}
	return 0;
}

int
queue_open_readonly(struct queue *q, const char *spool, char *err, size_t errlen)
{
	char ignore[RELAYQ_ERRLEN];
	strlcpy_rq(q->spool, spool, sizeof q->spool);
	q->unsynced = 0;
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

/* Whose message a drop file is: its owner, as the kernel recorded it —
 * unless the owner is us (relayqd's notices, and drops it wrote for the
 * submission socket), where the U record holds the peer's uid. */
static bool
drop_uid(const struct stat *st, const struct envelope *e, uid_t *uid)
{
	*uid = st->st_uid == geteuid() ? e->uid : st->st_uid;
	return e->uid == *uid;
}

/* Builds and writes the initial .qf of a picked-up .df. */
static int
make_qf(struct queue *q, const char *qid, int fd, bool dirsync, char *err, size_t errlen)
{
	struct envelope e;
	struct stat st;
	envelope_init(&e);
	int rc = fstat(fd, &st) == 0 ? drop_parse(fd, &e, err, errlen) : -1;
	if (rc == 0) {
		strlcpy_rq(e.qid, qid, sizeof e.qid);
		(void)drop_uid(&st, &e, &e.uid);
		rc = qf_write(q->queuefd, &e, dirsync, err, errlen);
	}
	envelope_free(&e);
	return rc;
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

static int
open_regular(int dirfd, const char *name, struct stat *st)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd == -1)
		return -1;
	if (fstat(fd, st) == -1 || !S_ISREG(st->st_mode) || st->st_nlink != 1) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	return fd;
}

enum pickup { PICKED_UP, PICKUP_SKIPPED, PICKUP_FAILED };

/* One maildrop file: validate, move to queue/QID.df, write QID.qf.
 * SKIPPED: quarantined, or being picked up by another runner; FAILED:
 * left in place for the next pass (logged). */
static enum pickup
pickup_one(struct queue *q, const char *name)
{
	char err[RELAYQ_ERRLEN], df[QID_SIZE + 4];
	struct stat st;
	struct envelope e;
	if (!qid_valid(name)) {
		queue_quarantine(q, q->dropfd, name, "unexpected file name in maildrop");
		return PICKUP_SKIPPED;
	}
	int fd = open_regular(q->dropfd, name, &st);
	if (fd == -1) {
		queue_quarantine(q, q->dropfd, name, "not a regular file with one link");
		return PICKUP_SKIPPED;
	}
	/* Held until the .qf exists, so a concurrent runner's recovery of a
	 * .df without .qf (invariant I3) never races with us. */
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		close(fd);
		return PICKUP_SKIPPED;
	}
	envelope_init(&e);
	int rc = drop_parse(fd, &e, err, sizeof err);
	uid_t uid;
	if (rc == 0 && !drop_uid(&st, &e, &uid)) {
		/* Only a subverted submitter writes another uid into U. */
		snprintf_rq(err, sizeof err, "forged drop file: it claims uid %lu, its "
		    "owner is uid %lu", (unsigned long)e.uid, (unsigned long)st.st_uid);
		rc = -1;
	}
	envelope_free(&e);
	if (rc == -1) {
		close(fd);
		queue_quarantine(q, q->dropfd, name, err);
		return PICKUP_SKIPPED;
	}
	snprintf_rq(df, sizeof df, "%s.df", name);
	if (renameat2(q->dropfd, name, q->queuefd, df, RENAME_NOREPLACE) == -1) {
		log_err("%s: pickup failed: %s", name, strerror(errno));
		close(fd);
		return PICKUP_FAILED;
	}
	rc = make_qf(q, name, fd, false, err, sizeof err);
	close(fd);
	if (rc == -1)
		log_err("%s: %s (will retry pickup)", name, err);
	return rc == 0 ? PICKED_UP : PICKUP_FAILED;
}

struct pickup_pass {
	struct queue *q;
	int count;
};

static int
pickup_entry(void *arg, const char *name)
{
	struct pickup_pass *p = arg;
	if (strncmp(name, "tmp.", 4) == 0)
		remove_stale_tmp(p->q, name);
	else if (pickup_one(p->q, name) == PICKED_UP)
		p->count++;
	return 0;
}

int
queue_pickup(struct queue *q, char *err, size_t errlen)
{
	struct pickup_pass p = { q, 0 };
	if (dirscan(q->dropfd, pickup_entry, &p) == -1) {
		snprintf_rq(err, errlen, "maildrop: %s", strerror(errno));
		return -1;
	}
	int count = p.count;
	/* One sync for the whole pass (I3): nothing is delivered before it. */
	if (count > 0 && (durable_sync_dir(q->queuefd) == -1 || durable_sync_dir(q->dropfd) == -1)) {
		snprintf_rq(err, errlen, "fsync of the spool: %s", strerror(errno));
		return -1;
	}
	return count;
}

static int
cmp_qid(const void *a, const void *b)
{
	return strcmp(a, b);
}

static const char *
qid_qf_name(const char *qid, char *out, size_t size)
{
	snprintf_rq(out, size, "%s.qf", qid);
	return out;
}

/* Recovers the state of a .df without .qf (crash between I3's steps). */
static void
recover_missing_qf(struct queue *q, const char *qid)
{
	char name[QID_SIZE + 4], name2[QID_SIZE + 4], err[RELAYQ_ERRLEN];
	struct stat st;
	snprintf_rq(name, sizeof name, "%s.qf", qid);
	if (fstatat(q->queuefd, name, &st, 0) == 0 || errno != ENOENT)
		return;
	snprintf_rq(name, sizeof name, "%s.df", qid);
	int fd;
	if (queue_lock(q, qid, &fd) != QUEUE_LOCKED)
		return;
	if (fstatat(q->queuefd, qid_qf_name(qid, name2, sizeof name2), &st, 0) == 0) {
		close(fd);	/* the pickup finished meanwhile */
		return;
	}
	if (make_qf(q, qid, fd, true, err, sizeof err) == -1) {
		close(fd);
		queue_quarantine(q, q->queuefd, name, err);
		return;
	}
	close(fd);
	log_notice("%s: recovered missing state file", qid);
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
	struct queue *q;
	bool repair;
	char (**ids)[QID_SIZE];
	size_t *n, cap;
};

static int
id_entry(void *arg, const char *name)
{
	struct id_walk *w = arg;
	if (has_suffix(name, ".qf") && w->repair)
		check_orphan_qf(w->q, name);
	else if (has_suffix(name, ".df"))
		return add_id(w->ids, w->n, &w->cap, name);
	return 0;
}

int
queue_ids(struct queue *q, char (**ids)[QID_SIZE], size_t *n, bool repair)
{
	struct id_walk w = { q, repair, ids, n, 0 };
	*ids = NULL;
	*n = 0;
	int rc = dirscan(q->queuefd, id_entry, &w);
	if (rc == 0 && *n > 0)
		qsort(*ids, *n, sizeof **ids, cmp_qid);
	for (size_t i = 0; rc == 0 && repair && i < *n; i++)
		recover_missing_qf(q, (*ids)[i]);
	return rc;
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
	/* Another runner may have finished it between our open and lock. */
	if (fstat(fd, &st) == -1 || st.st_nlink == 0) {
		close(fd);
		return QUEUE_GONE;
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
