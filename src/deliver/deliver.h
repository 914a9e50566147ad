/* deliver: one queue run — every selected message over one SMTP session
 * to the smarthost, per-recipient outcomes recorded in the queue. */
#ifndef RELAYQ_DELIVER_H
#define RELAYQ_DELIVER_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"
#include "qsel.h"
#include "queue.h"
#include "trust.h"

struct run_opts {
	bool force;			/* manual -q: ignore next-try times */
	const struct qsel *sel;		/* -qI/-qR/-qS, all must match; may be NULL */
	volatile const int *stop;	/* if set and non-zero: stop between messages */
	int *dsns;			/* out, optional: notices queued in
					   maildrop/ (pick up and run again) */
};

/* Returns the number of messages attempted, or -1 if the queue could not
 * be read.  trust: prepared by trust_init before privileges were dropped;
 * its error defers every message.  Never loses a message: every outcome is written to its .qf. */
int deliver_run(struct queue *q, const struct conf *c, struct trust *trust,
    const struct run_opts *ro);

enum admin_op { ADMIN_DELETE, ADMIN_BOUNCE };
/* relayqd -d / -b: delete qid without a notice, or return it to the
 * sender now with a failure DSN (relayq(8) "QUEUE").  0, or -1 with err. */
int deliver_admin(struct queue *q, const struct conf *c, struct trust *trust,
    const char *qid, enum admin_op op, char *err, size_t errlen);

#endif
