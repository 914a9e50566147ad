/* policy: what happens to a message after an attempt, decided from its
 * state and the clock alone — retire it, return failures to the sender,
 * warn of a delay, or reschedule.  Pure: no I/O, no clock reads, so every
 * rule is unit-tested without sleeping (tests/unit/test_policy.c). */
#ifndef RELAYQ_POLICY_H
#define RELAYQ_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "spool.h"

struct policy_params {
	long retry_min, retry_max;	/* back-off bounds, seconds */
	long queue_lifetime;		/* give up after this; 0 = never */
	long queue_warn;		/* warn once after this; 0 = never */
};

struct policy_decision {
	bool return_failed;	/* queue a failure DSN now */
	bool expired;		/* the lifetime is over: pending recipients
				   are returned with the failures */
	bool warn;		/* queue the (one) delay DSN now */
	bool retire;		/* nothing left to send or return: remove */
	time_t next_try;	/* for pending recipients (0 if none) */
};

/* Recipients still to be tried: pending or temporarily failed. */
bool   policy_is_pending(const struct env_rcpt *r);
size_t policy_pending(const struct envelope *e);
bool   policy_any_failed(const struct envelope *e);
/* Worth an attempt now: not on hold, something pending and due (or forced). */
bool   policy_due(const struct envelope *e, time_t now, bool force);
/* Nothing left to send, but the failure notice is still owed (its DSN
 * could not be queued last time; a null sender is never owed one; a held
 * message waits for its release). */
bool   policy_notice_owed(const struct envelope *e);

/* After the attempt that made e->attempts what it is, at now; rnd in
 * [0, 1000) jitters the back-off. */
void policy_after_attempt(const struct envelope *e, const struct policy_params *p,
    time_t now, unsigned rnd, struct policy_decision *d);

#endif
