/* drop: a submission's file in maildrop/ — envelope records, the content,
 * a length trailer — written with the commit sequence of invariant I1 and
 * parsed strictly (I2).  Writer: sendmail (and relayqd for its notices);
 * reader: relayqd's pickup. */
#ifndef RELAYQ_DROP_H
#define RELAYQ_DROP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "envelope.h"

/* rw for the submitter, r for relayq (which reaches maildrop/ and queue/
 * as their owner), nothing for the submitter's group: a subverted
 * sendmail that guesses a name still cannot read another user's drop. */
#define DROP_MODE 0604

struct drop {
	int dirfd;		/* maildrop/ */
	int fd;
	FILE *fp;		/* buffered writer on fd */
	char tmpname[QID_SIZE + 8];
	char qid[QID_SIZE];
	off_t content_off;
	bool dir_synced_by_fs;	/* maildrop/ not readable: syncfs, not fsync */
};

/* Creates maildrop/tmp.QID (DROP_MODE) and writes the envelope records; the
 * caller then writes the content to d->fp and calls drop_commit.  qid is
 * the id already used in the message (Message-ID), or NULL for a new one;
 * it changes only on a (practically impossible) name clash.  On failure
 * errno is kept and err says what failed. */
int drop_begin(struct drop *d, const char *spool, const char *qid,
    const struct envelope *e, char *err, size_t errlen);
/* Trailer, fflush, fsync, rename to maildrop/QID, fsync the directory
 * (syncfs when it cannot be opened for reading). */
int drop_commit(struct drop *d, bool eightbit, char *err, size_t errlen);
/* Removes the temporary file (after any failure).  Idempotent. */
void drop_abort(struct drop *d);

/* Parses a drop file (envelope records + content + END trailer) from fd.
 * Fills e (without delivery state); -1 with a reason if malformed. */
int drop_parse(int fd, struct envelope *e, char *err, size_t errlen);

#endif
