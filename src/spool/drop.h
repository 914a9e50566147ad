/* drop: a submission's file in maildrop/ — envelope records, the content,
 * a length trailer — written with the commit sequence of invariant I1 and
 * parsed strictly (I2).  Writer: sendmail (and relayqd for its notices and
 * for submitters that reach it over the submission socket); reader:
 * relayqd's pickup.  A drop begun with drop_begin_socket is the same
 * sequence carried out by relayqd on the submitter's behalf (dropwire.h):
 * the writing calls are the same. */
#ifndef RELAYQ_DROP_H
#define RELAYQ_DROP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "buf.h"
#include "envelope.h"

/* rw for the submitter; nothing for the submitter's group, so that a
 * subverted sendmail that guesses a name still cannot read another user's
 * drop; rw for "others", of whom only relayq (maildrop/'s and queue/'s
 * owner) and the lister (group relayq, queue/ only) can reach the file:
 * pickup hard-links it into queue/ (I3), which fs.protected_hardlinks
 * allows only to a user who may read and write it. */
#define DROP_MODE 0606

struct drop {
	int dirfd;		/* maildrop/ */
	int fd;
	FILE *fp;		/* buffered writer on fd */
	char tmpname[QID_SIZE + 8];
	char qid[QID_SIZE];
	off_t content_off;
	bool dir_synced_by_fs;	/* maildrop/ not readable: syncfs, not fsync */
	/* drop_begin_socket: relayqd writes the file, we send it (dropsock.c) */
	bool via_socket;
	int sock;
	const char *sockpath;	/* for messages */
	long long sent;		/* content octets handed over so far */
};

/* Creates maildrop/tmp.QID (DROP_MODE) and writes the envelope records; the
 * caller then writes the content to d->fp and calls drop_commit.  qid is
 * the id already used in the message (Message-ID), or NULL for a new one;
 * it changes only on a (practically impossible) name clash.  On failure
 * errno is kept and err says what failed. */
int drop_begin(struct drop *d, const char *spool, const char *qid,
    const struct envelope *e, char *err, size_t errlen);
/* The same through relayqd's submission socket at path (dropwire.h), for
 * a submitter that cannot create files in maildrop/.  On failure errno is
 * connect(2)'s (ENOENT, ECONNREFUSED, EACCES) or that of relayqd's
 * refusal (dropwire_reply_errno), and err says which. */
int drop_begin_socket(struct drop *d, const char *path, const char *qid,
    const struct envelope *e, char *err, size_t errlen);
/* Octets of content written to d->fp so far (through the socket: flushes
 * d->fp first); -1 on error. */
long long drop_tell(struct drop *d);
/* After a write to d->fp failed: err says why and the errno to report is
 * returned — for the socket, relayqd's refusal when it sent one. */
int drop_write_error(struct drop *d, char *err, size_t errlen);
/* Replaces the content's header with hdr and re-encodes the content from
 * body_off on as quoted-printable (linewrap_qp_copy): a new temporary file
 * (envelope e) is written from the first, which is then removed.  The new
 * content length goes to *content_len (0 through the socket, where relayqd
 * does the same and enforces its limits). */
int drop_reencode_qp(struct drop *d, const char *spool, const struct envelope *e,
    const char *hdr, size_t hlen, long long body_off, long long *content_len,
    char *err, size_t errlen);
/* Trailer, fflush, fsync, rename to maildrop/QID, fsync the directory
 * (syncfs when it cannot be opened for reading).  Through the socket:
 * relayqd's "ok", sent after it did the same; d->qid is the id it chose. */
int drop_commit(struct drop *d, bool eightbit, char *err, size_t errlen);
/* Removes the temporary file (after any failure), or closes the socket
 * without "commit" so that relayqd removes its file.  Idempotent. */
void drop_abort(struct drop *d);
/* SIGINT, SIGTERM, SIGHUP and SIGQUIT remove the temporary file of the
 * drop being written, if any, and exit with exit_code. */
void drop_guard_signals(int exit_code);

/* Parses a drop file (envelope records + content + END trailer) from fd.
 * Fills e (without delivery state); -1 with a reason if malformed. */
int drop_parse(int fd, struct envelope *e, char *err, size_t errlen);
/* Whose message a drop file is: its owner (st), as the kernel recorded
 * it — unless the owner is the spool's owner (relayqd's notices, and
 * drops it wrote for the submission socket), where e's U record holds
 * the submitter's uid.  A drop whose U differs from this is forged. */
uid_t drop_owner(const struct stat *st, const struct envelope *e, uid_t spool_uid);
/* The envelope part alone (magic, records, "M" line) from fp: what the
 * submission socket carries.  0, or -1 with a reason. */
int drop_parse_envelope(FILE *fp, struct envelope *e, char *err, size_t errlen);
/* The envelope part into b, as drop_begin writes it.  0 / -1. */
int drop_put_envelope(struct buf *b, const struct envelope *e);

/* The "QID: from=<...>, size=N, ..., relay=LOGIN@localhost" log line of an
 * accepted submission. */
void drop_log_received(const struct envelope *e, const char *qid, long long size,
    const char *login);

#endif
