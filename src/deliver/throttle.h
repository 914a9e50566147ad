/* throttle: what a relay allows — relay_rate_limit messages a minute per
 * route (the run waits between messages, the session kept), at most
 * relay_sessions sessions per route across queue runners (an flock slot
 * in queue/), and a back-off when the relay says it is asked too much (a
 * 421, or a 4.7.x reply that names a rate, a limit or being busy, to
 * every recipient of a transaction): the route is then left
 * alone for retry_min, its messages untouched, rather than each being
 * tried and deferred in turn.  Pacing and back-off are the worker's
 * memory, per route (its primary relay and whose credentials). */
#ifndef RELAYQ_THROTTLE_H
#define RELAYQ_THROTTLE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "route.h"
#include "smtp_reply.h"

/* Is r backed off at now?  why (may be NULL) gets the reason. */
bool throttle_backed_off(const struct route *r, time_t now, char *why, size_t whylen);
/* Does this reply mean "slow down" rather than "this message later"? */
bool throttle_slow_down(const struct smtp_reply *reply);
/* Leaves r alone until `until`, with reply's text as the reason. */
void throttle_back_off(const struct route *r, time_t until, const char *reason);

/* Waits, if need be, until one more message on r keeps within per_minute
 * (0: no limit); returns false when *stop became non-zero meanwhile. */
bool throttle_pace(const struct route *r, long per_minute, volatile const int *stop);
/* One message went out on r. */
void throttle_sent(const struct route *r);

/* A session slot for r among `max` (0: no limit) in dirfd: the lock's fd
 * (hold it for the session), -2 for no limit, or -1 when all are taken. */
int throttle_session_slot(int dirfd, const struct route *r, long max);

#endif
