/* monotime: milliseconds on the monotonic clock, for deadlines that a
 * change of the wall clock must not move. */
#ifndef RELAYQ_MONOTIME_H
#define RELAYQ_MONOTIME_H

long long monotime_ms(void);

#endif
