/* spool: the on-disk queue — file formats, the atomic commit sequence and
 * the invariants every writer keeps.  Used by both sides.
 *
 * Layout under the spool directory (see relayq(8) "Privilege model"):
 *   maildrop/   1730 relayq:relayq-drop  the submitter (egid relayq-drop)
 *                                   creates files; nobody but relayq lists
 *                                   it, the sticky bit keeps others' files.
 *                                   A drop is DROP_MODE, owned by its
 *                                   submitter, whose uid pickup takes from
 *                                   the file's owner, never from its U record.
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
 *      the .df, then the .qf, then one directory fsync.  So a .qf without a
 *      .df always means "done, crashed while retiring" and is removed.  A
 *      crash before that fsync can bring both back: the message is sent
 *      again (the unavoidable window after the server's final 250).
 *   I6 A recipient's state goes P(ending) -> D(elivered) | F(ailed), with
 *      T(emporarily failed, still pending) in between, and F -> R(eturned)
 *      once the DSN is in the spool; it never goes back.
 */
#ifndef RELAYQ_SPOOL_H
#define RELAYQ_SPOOL_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#define QID_LEN 14			/* sendmail-style queue id length */
/* rw for the submitter, r for relayq (which reaches maildrop/ and queue/
 * as their owner), nothing for the submitter's group: a subverted
 * sendmail that guesses a name still cannot read another user's drop. */
#define DROP_MODE 0604
#define QID_SIZE (QID_LEN + 1)

enum rcpt_state {
	RCPT_PENDING = 'P',
	RCPT_TEMPFAIL = 'T',	/* pending, with the last deferral reason */
	RCPT_DELIVERED = 'D',
	RCPT_FAILED = 'F',
	RCPT_RETURNED = 'R'	/* failed, and the DSN saying so is queued */
};

struct env_rcpt {
	char *addr;
	enum rcpt_state state;
	char *reply;		/* last server reply / reason, or NULL */
};

struct envelope {
	char qid[QID_SIZE];
	time_t arrival;
	uid_t uid;		/* submitting user */
	char *sender;		/* "" = null sender */
	char *msgid;		/* for log lines, may be NULL */
	char *notify;		/* DSN NOTIFY, RET, ENVID, BODY or NULL */
	char *ret;
	char *envid;
	char *body;
	struct env_rcpt *rcpts;
	size_t nrcpt;
	/* delivery state (qf only) */
	int attempts;
	time_t next_try;	/* 0 = as soon as possible */
	time_t last_try;
	char *reason;		/* message-level reason for mailq, or NULL */
	time_t warned;		/* when the delay DSN was queued, 0 = not yet */
	/* content location in the .df */
	off_t content_off;
	off_t content_len;
	bool eightbit;
};

void envelope_init(struct envelope *e);
void envelope_free(struct envelope *e);	/* NULL-safe on members */
int  envelope_add_rcpt(struct envelope *e, const char *addr);
/* Sets a string member (strdup, replacing the old value). */
int  env_set(char **field, const char *value);

/* A new queue id: time, microseconds and pid in base 62 (14 chars). */
void qid_new(char qid[QID_SIZE]);
bool qid_valid(const char *s);

/* ---- submission side: maildrop/ ---- */
struct drop {
	int dirfd;		/* maildrop/ */
	int fd;
	FILE *fp;		/* buffered writer on fd */
	char tmpname[QID_SIZE + 8];
	char qid[QID_SIZE];
	off_t content_off;
	bool dir_synced_by_fs;	/* maildrop/ not readable: syncfs, not fsync */
};

/* Creates maildrop/tmp.QID (0640) and writes the envelope records; the
 * caller then writes the content to d->fp and calls drop_commit.  qid is
 * the id already used in the message (Message-ID), or NULL for a new one;
 * it changes only on a (practically impossible) name clash.  On failure
 * errno is kept and err says what failed. */
int drop_begin(struct drop *d, const char *spool, const char *qid,
    const struct envelope *e, char *err, size_t errlen);
/* Trailer, fflush, fsync, link to maildrop/QID, unlink tmp, fsync dir. */
int drop_commit(struct drop *d, bool eightbit, char *err, size_t errlen);
/* Removes the temporary file (after any failure).  Idempotent. */
void drop_abort(struct drop *d);

/* ---- delivery side ---- */
/* Parses a drop file (envelope records + content + END trailer) from fd.
 * Fills e (without delivery state); -1 with a reason if malformed. */
int drop_parse(int fd, struct envelope *e, char *err, size_t errlen);

/* Writes queue/QID.qf atomically (tmp, fsync, rename, and a dir fsync
 * unless the caller batches that: pickup syncs the directory once). */
int qf_write(int queuefd, const struct envelope *e, bool dirsync, char *err,
    size_t errlen);
/* Reads queue/QID.qf. */
int qf_read(int queuefd, const char *qid, struct envelope *e, char *err,
    size_t errlen);

/* Wakes a running relayqd through spool/trigger; silent if none runs
 * (the next queue run or the daemon's interval picks the mail up). */
void spool_wake(const char *spool);

/* fsync a directory by fd; 0/-1. */
int fsync_dir(int dirfd);

#endif
