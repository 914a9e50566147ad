/* schedule: when to try a deferred message again.  Pure arithmetic so the
 * back-off can be unit-tested without clocks. */
#ifndef RELAYQ_SCHEDULE_H
#define RELAYQ_SCHEDULE_H

#include <time.h>

/* Delay before attempt number attempts+1: retry_min doubled per attempt,
 * capped at retry_max, then +-10% jitter from `rnd` (0..RAND_MAX-like
 * value in [0, 1000)) so many deferred messages do not retry in lockstep. */
long schedule_delay(int attempts, long retry_min, long retry_max, unsigned rnd);

/* "1+02:03:04" / "00:00:05" like sendmail's delay= field. */
void schedule_fmt_delay(char *out, size_t size, long secs);

#endif
