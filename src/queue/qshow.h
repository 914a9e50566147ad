/* qshow: one queued message in full for a person (relayq-queue show):
 * envelope, DSN parameters, hold, attempts, last and next attempt, the
 * last error and every recipient's state and last reply. */
#ifndef RELAYQ_QSHOW_H
#define RELAYQ_QSHOW_H

#include <stdio.h>
#include <time.h>

#include "mailq.h"

void qshow_text(FILE *out, const struct mailq_item *it, time_t now);

#endif
