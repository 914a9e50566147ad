/* qadmin: hold, release, retry and requeue — the .qf rewritten whole
 * under the message lock (spool.h I4), recipients' states untouched. */
#include "qadmin.h"
#include "relayq.h"

#include <string.h>

static const char *const op_names[] = {
	[QADMIN_HOLD] = "hold",
	[QADMIN_RELEASE] = "release",
	[QADMIN_RETRY] = "retry",
	[QADMIN_REQUEUE] = "requeue",
};

int
qadmin_op_parse(const char *word, enum qadmin_op *op)
{
	for (size_t i = 0; i < sizeof op_names / sizeof op_names[0]; i++) {
		if (strcmp(word, op_names[i]) == 0) {
			*op = (enum qadmin_op)i;
			return 0;
		}
	}
	return -1;
}

const char *
qadmin_op_name(enum qadmin_op op)
{
	return op_names[op];
}

/* Due at once: the daemon's next run (the trigger's) takes it. */
static bool
make_due(struct envelope *e)
{
	bool changed = e->next_try != 0;
	e->next_try = 0;
	return changed;
}

bool
qadmin_apply(struct envelope *e, enum qadmin_op op, time_t now)
{
	bool changed;
	switch (op) {
	case QADMIN_HOLD:
		changed = e->held == 0;
		if (changed)
			e->held = now > 0 ? now : 1;
		return changed;
	case QADMIN_RELEASE:
		changed = e->held != 0;
		e->held = 0;
		return make_due(e) || changed;
	case QADMIN_RETRY:
		return make_due(e);
	case QADMIN_REQUEUE:
		/* attempts drive the back-off (schedule_delay): from zero it
		 * starts again at retry_min, as the configuration now says. */
		changed = e->attempts != 0;
		e->attempts = 0;
		return make_due(e) || changed;
	}
	return false;
}

enum qadmin_result
qadmin_one(struct queue *q, const char *qid, enum qadmin_op op, uid_t owner, time_t now,
    char *err, size_t errlen)
{
	int fd;
	enum queue_lock l = queue_lock(q, qid, &fd);
	if (l != QUEUE_LOCKED)
		return l == QUEUE_BUSY ? QADMIN_BUSY : QADMIN_GONE;
	struct envelope e;
	envelope_init(&e);
	enum qadmin_result rc = QADMIN_FAILED;
	if (qf_read(q->queuefd, qid, &e, err, errlen) == 0) {
		if (owner != (uid_t)-1 && e.uid != owner)
			rc = QADMIN_NOT_YOURS;
		else if (!qadmin_apply(&e, op, now))
			rc = QADMIN_UNCHANGED;
		else if (qf_write(q->queuefd, &e, err, errlen) == 0)
			rc = QADMIN_DONE;
	}
	envelope_free(&e);
	queue_unlock(fd);
	return rc;
}

const char *
qadmin_done_word(enum qadmin_op op, bool changed)
{
	switch (op) {
	case QADMIN_HOLD: return changed ? "held" : "already on hold";
	case QADMIN_RELEASE: return changed ? "released" : "not on hold";
	case QADMIN_RETRY: return changed ? "due now" : "already due";
	case QADMIN_REQUEUE: return changed ? "requeued, back-off reset" : "already due, no back-off";
	}
	return "?";
}
