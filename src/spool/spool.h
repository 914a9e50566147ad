/* spool: the on-disk queue — file formats, the atomic commit sequence and
 * the invariants every writer keeps.  Used by both sides.
 *
 * Layout under the spool directory (see relayq(8) "Privilege model"):
 *   maildrop/   1730 relayq:relayq-drop  the submitter (egid relayq-drop)
 *                                   creates files; nobody but relayq lists
 *                                   it, the sticky bit keeps others' files.
 *                                   A drop is DROP_MODE, owned by its
 *                                   submitter, whose uid pickup takes from
 *                                   the file's owner, never from its U record
 *                                   — except in relayqd's own files (0600:
 *                                   its notices, and drops it wrote for the
 *                                   submission socket, dropwire.h), where U
 *                                   is the socket peer's uid.
 *   queue/      0750 relayq:relayq  QID.df (the drop file, content, still
 *                                   the submitter's and DROP_MODE) and QID.qf
 *                                   (delivery state, 0640 relayq:relayq).
 *                                   Group relayq is held only by the
 *                                   read-only lister relayq-showq.
 *   quarantine/ 0700 relayq:relayq  files that failed validation.
 *   trigger     FIFO 0620 relayq:relayq-drop  a byte wakes relayqd.
 *
 * Invariants (the state table of a message):
 *   I1 A drop file is written as maildrop/tmp.QID, fsync'd, then renamed
 *      to maildrop/QID with RENAME_NOREPLACE, directory fsync'd (the
 *      set-group-ID submitter cannot open maildrop/ for reading, so it
 *      syncs the file system, syncfs(2), which includes the directory).
 *      Only then does sendmail exit 0.  Names starting "tmp." are never
 *      picked up; stale ones are removed after a day.
 *   I2 A drop file is self-checking: it ends in a fixed-size END trailer
 *      holding the content length; anything else is quarantined.
 *   I3 Pickup renames maildrop/QID to queue/QID.df, then writes
 *      queue/QID.qf (tmp + fsync + rename); both directories are fsync'd
 *      once per pickup pass, before any delivery starts.  A .df without a
 *      .qf is re-picked-up from the .df (it is a drop file).
 *   I4 A message is queued iff its .df exists.  The .qf is rewritten only
 *      by whole-file replacement while holding the message lock (flock on
 *      the .df, which is never replaced).
 *   I5 A .df is removed only when every recipient was delivered: first
 *      the .df, then the .qf, then a directory fsync, which a queue run
 *      shares among up to QUEUE_RETIRE_BATCH (32) retirements and always
 *      does before it ends.  So a .qf without a .df always means "done,
 *      crashed while retiring" and is removed.  A crash before that fsync
 *      can bring them back: at most 32 delivered messages are sent again
 *      (the window after the server's final 250, widened from 1 to 32).
 *   I6 A recipient's state goes P(ending) -> D(elivered) | F(ailed), with
 *      T(emporarily failed, still pending) in between, and F -> R(eturned)
 *      once the DSN is in the spool; it never goes back.
 *   I7 A held message (an H record in its .qf) is left alone by every
 *      queue run, forced or not: not sent, not expired, no notice, until
 *      relayq-queue release rewrites the .qf without it (as I4).
 */
#ifndef RELAYQ_SPOOL_H
#define RELAYQ_SPOOL_H

#include <stddef.h>
#include <sys/types.h>

#include "drop.h"
#include "envelope.h"
#include "qf.h"
#include "qid.h"

/* Wakes a running relayqd through spool/trigger; silent if none runs
 * (the next queue run or the daemon's interval picks the mail up). */
void spool_wake(const char *spool);

/* A message owner's change over relayqd's submission socket at path
 * (dropwire.h "queue OP QID"; OP hold, release, retry or requeue): 0 with
 * relayqd's answer ("held", ...), or -1 with errno EPERM (not the caller's
 * message), ENOENT (not queued), EAGAIN (being delivered) or connect(2)'s,
 * and err.  relayqd checks the caller's uid (SO_PEERCRED). */
int spool_request(const char *path, const char *op, const char *qid, char *answer,
    size_t size, char *err, size_t errlen);

/* Postfix's rule for a submitter other than root: the spool keeps minfree
 * octets free, and room for one and a half of the largest message
 * (max_size).  0, or -1 with ENOSPC and a reason.  Root may use the
 * reserve; a spool that cannot be measured passes (the write reports). */
int spool_check_space(const char *spool, uid_t uid, long long minfree,
    long long max_size, char *err, size_t errlen);

#endif
