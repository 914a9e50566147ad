/* queue: the runner's view of the spool — create the directories, pick up
 * dropped files, list, lock and retire queued messages, quarantine bad ones.
 * The invariants it keeps are written down in spool.h. */
#ifndef RELAYQ_QUEUE_H
#define RELAYQ_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "spool.h"

struct queue {
	int dropfd;		/* maildrop/ */
	int queuefd;		/* queue/ */
	int quarfd;		/* quarantine/, -1 if not openable */
	unsigned unsynced;	/* retired, directory not yet fsync'd */
	uid_t owner;		/* queue/'s owner: relayq (drop_owner) */
	char spool[4096];
};

/* Who owns the spool's parts: the relayq user and group, and the
 * submitter's group (maildrop/ and the trigger). */
struct queue_owner {
	uid_t uid;
	gid_t gid;
	gid_t drop_gid;
};

/* Creates spool/, maildrop/ (1730 uid:drop_gid), queue/ (0750 uid:gid),
 * quarantine/ (0700) and the trigger FIFO (0620 uid:drop_gid); ownership
 * only when run as root.  Idempotent. */
int queue_create(const char *spool, const struct queue_owner *o, char *err, size_t errlen);

int  queue_open(struct queue *q, const char *spool, char *err, size_t errlen);
/* For the lister: queue/ only; maildrop/ too when readable (root). */
int  queue_open_readonly(struct queue *q, const char *spool, char *err, size_t errlen);
void queue_close(struct queue *q);

/* Moves complete drop files into the queue (invariant I3: link, sync
 * queue/, unlink, sync maildrop/), and finishes pickups a crash
 * interrupted.  Bad files go to quarantine with a log line, among them a
 * drop whose U record is not its owner's uid (a forged drop).  Returns
 * the number of messages picked up, -1 on a directory or sync error. */
int queue_pickup(struct queue *q, char *err, size_t errlen);

/* Queue ids of queued messages (those with a .df), oldest first (ids
 * are times).  *ids is malloc'd (free with queue_ids_free). */
int  queue_ids(struct queue *q, char (**ids)[QID_SIZE], size_t *n);
/* The same, bounded: into ids (room for max), the up to max oldest ids
 * after `after` ("" for the oldest); *n says how many.  A queue run walks
 * a queue of any length in windows of fixed memory.  0 or -1. */
int  queue_ids_after(struct queue *q, const char *after, char (*ids)[QID_SIZE], size_t max,
    size_t *n);
/* Completes half-finished retirements: a .qf whose .df is gone (I5).
 * The runner only, never the setgid lister.  0 or -1. */
int  queue_repair(struct queue *q);
void queue_ids_free(char (*ids)[QID_SIZE]);

/* Per-message lock: flock on the .df.  QUEUE_LOCKED with *lockfd, or
 * QUEUE_BUSY (another runner holds it), or QUEUE_GONE. */
enum queue_lock { QUEUE_LOCKED, QUEUE_BUSY, QUEUE_GONE };
enum queue_lock queue_lock(struct queue *q, const char *qid, int *lockfd);
void queue_unlock(int lockfd);
/* True if the message is locked by a runner (for mailq's '*'). */
bool queue_is_locked(struct queue *q, const char *qid);

/* Retires a fully delivered message (invariant I5), durably. */
int queue_remove(struct queue *q, const char *qid, char *err, size_t errlen);

/* The same, with the directory fsync shared: done once QUEUE_RETIRE_BATCH
 * retirements wait for it, or by queue_sync_retired, which a queue run
 * calls before it ends.  A crash in between brings back at most that many
 * delivered messages, which are sent again (I5; relayq(8) "Durability"). */
#define QUEUE_RETIRE_BATCH 32
int queue_retire(struct queue *q, const char *qid, char *err, size_t errlen);
int queue_sync_retired(struct queue *q, char *err, size_t errlen);

/* Moves dir/name into quarantine/ (renaming on clash) and logs why. */
void queue_quarantine(struct queue *q, int dirfd, const char *name, const char *why);


#endif
