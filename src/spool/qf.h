/* qf: queue/QID.qf, a queued message's delivery state (I4): the envelope
 * with per-recipient states and replies, attempts, next try, the reason
 * mailq shows, and where the content is in the .df. */
#ifndef RELAYQ_QF_H
#define RELAYQ_QF_H

#include <stdbool.h>
#include <stddef.h>

#include "envelope.h"

/* Writes queue/QID.qf atomically (tmp, fsync, rename, and a dir fsync
 * unless the caller batches that: pickup syncs the directory once). */
int qf_write(int queuefd, const struct envelope *e, bool dirsync, char *err,
    size_t errlen);
/* Reads queue/QID.qf. */
int qf_read(int queuefd, const char *qid, struct envelope *e, char *err,
    size_t errlen);

#endif
