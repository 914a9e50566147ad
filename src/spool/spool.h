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
 *                                   — except in relayqd's own files (0640:
 *                                   its notices, and drops it wrote for the
 *                                   submission socket, dropwire.h), where U
 *                                   is the socket peer's uid.
 *   queue/      0750 relayq:relayq  QID.df (the drop file, content, still
 *                                   the submitter's and DROP_MODE) and, once
 *                                   it was tried, QID.qf (delivery state,
 *                                   0640 relayq:relayq).
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
 *   I3 Pickup links maildrop/QID as queue/QID.df (the same file: two
 *      links), fsyncs queue/ once per batch of up to 256, then unlinks
 *      the maildrop/ names and fsyncs maildrop/, all before any delivery
 *      starts.  A message is never in neither directory, on any POSIX
 *      file system: the removal can only become durable after the
 *      arrival, whoever fsyncs maildrop/ meanwhile (a concurrent
 *      submitter's syncfs, relayqd's own notices).  A .df with two links
 *      is a pickup not finished: runners leave it alone (queue_lock says
 *      busy) and the next pickup finishes it.  Pickup locks the drop
 *      before it reads its link count, and holds the lock while it links:
 *      link(2) raises the count before the new name can be looked up, so
 *      a concurrent runner that read the count unlocked could see two
 *      links and no .df, and quarantine a message being picked up.  No
 *      .qf is written: a message never attempted has none, and its state
 *      is its .df's envelope (qf_read).  A drop relayq may not link (an older
 *      sendmail's mode 0604, under fs.protected_hardlinks) is renamed
 *      and both directories fsync'd at once, queue/ first.
 *   I4 A message is queued iff its .df exists.  The .qf, written at the
 *      end of its first attempt unless that retired it, is rewritten
 *      only by whole-file replacement (tmp, fsync, rename, directory
 *      fsync) while holding the message lock (flock on the .df, which is
 *      never replaced).
 *   I5 A .df is removed only when every recipient was delivered: first
 *      the .df, then the .qf, then a directory fsync, which a queue run
 *      shares among up to QUEUE_RETIRE_BATCH (32) retirements and always
 *      does before it ends.  So a .qf without a .df always means "done,
 *      crashed while retiring" and is removed.  A crash before that fsync
 *      can bring them back: at most 32 delivered messages are sent again
 *      (the window after the server's final 250, widened from 1 to 32;
 *      to 34 by pipelining, see "delivery" below).
 *   I6 A recipient's state goes P(ending) -> D(elivered) | F(ailed), with
 *      T(emporarily failed, still pending) in between, and F -> R(eturned)
 *      once the DSN is in the spool; it never goes back.
 *   I7 A held message (an H record in its .qf) is left alone by every
 *      queue run, forced or not: not sent, not expired, no notice, until
 *      relayq-queue release rewrites the .qf without it (as I4).
 *
 * Why no transition loses a message when power fails between any two of
 * its steps, on a file system that keeps only what was fsync'd (file data
 * at the file's fsync, a name at its directory's fsync, the two halves of
 * a rename separately).  tests/integration/t_powercut.sh cuts at every
 * step under that model.
 *   submit    tmp.QID written, fsync, rename to QID, fsync maildrop/ (or
 *             syncfs); exit 0 only after.  A cut before the last sync
 *             loses only a submission whose sendmail had not exited 0.
 *   pickup    link to queue/QID.df; fsync queue/; unlink maildrop/QID;
 *             fsync maildrop/.  Until the first sync the maildrop/ name
 *             is durable (I1) and the message is picked up again; after
 *             it both names may be, and the next pickup removes the
 *             maildrop/ one.  Delivery waits for the last sync, so a
 *             maildrop/ name never comes back after its .df was retired.
 *   delivery  the server's 250; unlink .df, unlink .qf; fsync queue/
 *   success   within 32 retirements (I5).  A cut before that sync brings
 *             back at most 32 messages the server already has: they are
 *             sent again, never lost.  Pipelining across messages (smtp.h)
 *             adds two: a message's unlink waits until the commands of
 *             the message after next are out (deliver.c, land), and the
 *             reply to the next one's dot may be in before a crash; one
 *             message at most waits so, and a message's content goes out
 *             only after the previous message's reply was read.  At most
 *             34 messages are sent twice.
 *   deferral  the attempt's replies; .qf written whole (tmp, fsync,
 *             rename, fsync queue/) under the lock.  A cut before the
 *             rename is durable leaves the previous state (or the .df's
 *             envelope): the message is tried again, recipients already
 *             accepted in that attempt included.
 *   bounce    the notice is written as a drop (as submit, by relayqd);
 *             only then do the failed recipients become R (retired, or
 *             .qf rewritten as above).  A cut in between sends the notice
 *             twice, never zero times.
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
