/* dropwire: the submission socket's protocol, version 1 — how a submitter
 * that cannot create files in maildrop/ (its setgid bit ignored under
 * NoNewPrivileges, or never set) hands its drop to relayqd, which writes
 * it with the same commit sequence (I1) and answers only after the fsyncs.
 *
 *   relayqd:   "relayq-submit 1\n"            (or a refusal reply, then close)
 *   submitter: "envelope LEN QID\n" LEN octets  the drop's envelope: magic,
 *                                             records, "M\n" (drop.h); QID
 *                                             is the id the message already
 *                                             carries (Message-ID)
 *              "data LEN\n" LEN octets        content; any number of these
 *              "qp LEN OFF\n" LEN octets      optional, once: replace the
 *                                             header with these octets and
 *                                             re-encode the content from
 *                                             OFF as quoted-printable
 *              "commit 7|8\n"                 8 = the content has 8-bit
 *   relayqd:   "ok QID\n" | "WORD text\n"     WORD: tempfail nospace toobig
 *                                             baddata (see dropwire_reply)
 * Instead of an envelope, a message's owner may ask for a change to it:
 *   submitter: "queue OP QID\n"               OP: hold release retry requeue
 *   relayqd:   "ok what-was-done\n" | "refused ..." (not the caller's) |
 *              "gone ..." | "tempfail ..." (being delivered)
 * relayqd may reply and close at any point (a refusal); the submitter
 * then finds the reply when its next write fails.  The submitting uid is
 * the socket's peer credential (SO_PEERCRED): the envelope's U record is
 * ignored.  Anything else, or the connection ending before "commit", and
 * nothing is queued. */
#ifndef RELAYQ_DROPWIRE_H
#define RELAYQ_DROPWIRE_H

#include <stdbool.h>
#include <stddef.h>

#include "qid.h"

#define DROPWIRE_GREETING "relayq-submit 1\n"
#define DROPWIRE_LINE_MAX 128		/* a command or reply line, LF included */
#define DROPWIRE_ENVELOPE_MAX (16LL * 1024 * 1024)
#define DROPWIRE_HEADER_MAX (2LL * 1024 * 1024)	/* qp: the submitter's header
						   is at most 1 MiB before folding */

enum dropwire_verb { DW_ENVELOPE, DW_DATA, DW_QP, DW_COMMIT, DW_QUEUE };

struct dropwire_cmd {
	enum dropwire_verb verb;
	long long len;		/* octets that follow the line (envelope, data, qp) */
	long long body_off;	/* qp: where the body starts in the content */
	char qid[QID_SIZE];	/* envelope, queue */
	bool eightbit;		/* commit */
	char op[16];		/* queue: hold, release, retry or requeue */
};

/* One command line, LF included.  0, or -1 if it is not exactly one of
 * the forms above (lengths: decimal, no sign, no leading zero, at most
 * DROPWIRE_ENVELOPE_MAX for an envelope, DROPWIRE_HEADER_MAX for qp). */
int dropwire_parse_cmd(const char *line, size_t n, struct dropwire_cmd *c);
/* The command line for c into out (DROPWIRE_LINE_MAX); its length. */
size_t dropwire_format_cmd(const struct dropwire_cmd *c, char *out, size_t size);

/* Replies.  Each maps to the errno the submitter reports it with. */
enum dropwire_reply {
	DWR_OK,			/* committed; text is the queue id */
	DWR_TEMPFAIL,		/* EAGAIN: try again later */
	DWR_NO_SPACE,		/* ENOSPC: the spool is below its reserve */
	DWR_TOO_BIG,		/* EFBIG: over max_message_size */
	DWR_BAD_DATA,		/* EBADMSG: the submitter sent something malformed */
	DWR_REFUSED,		/* EPERM: not the caller's message */
	DWR_GONE		/* ENOENT: no such message in the queue */
};
/* "WORD text\n" into out, the text cut to fit and its LFs made blanks. */
size_t dropwire_format_reply(enum dropwire_reply r, const char *text, char *out, size_t size);
/* A reply line (LF included) into *r and text (NUL-terminated, no LF).
 * 0, or -1 if it is not a reply. */
int dropwire_parse_reply(const char *line, size_t n, enum dropwire_reply *r,
    char *text, size_t size);
int dropwire_reply_errno(enum dropwire_reply r);

#endif
