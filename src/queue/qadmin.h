/* qadmin: the administrator's changes to a queued message's delivery state
 * (relayq-queue hold, release, retry, requeue).  Each one locks the
 * message, reads its .qf, changes it and writes it back whole (spool.h
 * I4); recipients' states are never touched (I6).  Deleting and returning
 * a message need a DSN and stay on the delivery side (relayqd -d/-b). */
#ifndef RELAYQ_QADMIN_H
#define RELAYQ_QADMIN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "queue.h"

enum qadmin_op {
	QADMIN_HOLD,		/* no queue run sends it (I7) */
	QADMIN_RELEASE,		/* held no more, due at once */
	QADMIN_RETRY,		/* due at once; the back-off goes on */
	QADMIN_REQUEUE		/* due at once, back-off from retry_min again */
};

/* The change itself, pure: true if e changed. */
bool qadmin_apply(struct envelope *e, enum qadmin_op op, time_t now);
/* "hold", "release", ... -> op; -1 if not one of them. */
int qadmin_op_parse(const char *word, enum qadmin_op *op);
const char *qadmin_op_name(enum qadmin_op op);

enum qadmin_result {
	QADMIN_DONE,		/* changed and written */
	QADMIN_UNCHANGED,	/* already so (held, due...) */
	QADMIN_BUSY,		/* being delivered right now */
	QADMIN_GONE,		/* not in the queue */
	QADMIN_NOT_YOURS,	/* owned by another uid than the one asking */
	QADMIN_FAILED		/* read or write error, in err */
};

/* Applies op to the message qid under its lock (queue_lock), if it is
 * owner's ((uid_t)-1: anyone's, for root). */
enum qadmin_result qadmin_one(struct queue *q, const char *qid, enum qadmin_op op,
    uid_t owner, time_t now, char *err, size_t errlen);
/* "held", "already on hold", ...: what op did (changed) or found. */
const char *qadmin_done_word(enum qadmin_op op, bool changed);

#endif
