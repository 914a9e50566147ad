/* qf: queue/QID.qf, a queued message's delivery state (I4): the envelope
 * with per-recipient states and replies, attempts, next try, the reason
 * mailq shows, and where the content is in the .df. */
#ifndef RELAYQ_QF_H
#define RELAYQ_QF_H

#include <stdbool.h>
#include <stddef.h>

#include "envelope.h"

/* Writes queue/QID.qf durably (tmp, fsync, rename, directory fsync). */
int qf_write(int queuefd, const struct envelope *e, char *err, size_t errlen);
/* Reads queue/QID.qf; a message never attempted has none, and its state
 * is the envelope of its .df (a drop file, I3) with every recipient
 * pending. */
int qf_read(int queuefd, const char *qid, struct envelope *e, char *err,
    size_t errlen);
/* The same for a runner that holds the message's lock: its .df is open
 * on dffd, which saves opening it again. */
int qf_read_locked(int queuefd, const char *qid, int dffd, struct envelope *e,
    char *err, size_t errlen);

#endif
