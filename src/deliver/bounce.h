/* bounce: delivery status notifications (RFC 3464 inside an RFC 6522
 * multipart/report) composed from a queued envelope.  Pure: no network.
 *
 * Policy (who gets a DSN, see bounce_recipient):
 *   - NOTIFY absent: failures and delays are reported, successes are not
 *     (RFC 3461 §4.1 leaves the default to us; this is sendmail's).
 *   - NOTIFY=NEVER: nothing.  A NOTIFY list reports only the listed kinds
 *     (FAILURE -> BOUNCE_FAILED, DELAY -> BOUNCE_DELAYED, SUCCESS ->
 *     BOUNCE_RELAYED).
 *   - A null sender ("" = MAIL FROM:<>) never gets a DSN (RFC 5321 §4.5.5,
 *     §6.1).  When such a message fails (a bounce that bounced) the
 *     postmaster is told instead, unless NOTIFY=NEVER or every failed
 *     recipient is the postmaster itself: that was our own notice to the
 *     postmaster failing, and telling the postmaster again would loop.
 *     Null-sender delays and successes are never reported.
 *   - The DSN itself is sent with MAIL FROM:<>, so it can never cause
 *     another DSN to anyone but the postmaster, once.
 *
 * Status codes (the Status: field, RFC 3463):
 *   failed, recipient state F with a 5xx server reply: the reply's enhanced
 *       code when it is class 5, else 5.0.0;
 *   failed, state F without a server reply (a local permanent error): the
 *       enhanced code its reason starts with ("5.6.7 ..."), else 5.0.0;
 *   failed, recipient still pending (P/T) or its last reply was 4xx: the
 *       queue lifetime ran out: 5.4.7 "delivery time expired", with the last
 *       server reply (if any) as Diagnostic-Code;
 *   delayed with a server reply: its enhanced code when class 4, else
 *       4.0.0; delayed without a server reply but with a local reason (only
 *       connection-level problems are recorded that way): 4.4.1; delayed
 *       with nothing recorded (never attempted): 4.4.7;
 *   relayed: the 2xx reply's enhanced code when class 2, else 2.0.0.
 * A "server reply" is a stored reply text starting with a 3-digit code
 * 2xx..5xx followed by a space or the end; anything else is a local reason,
 * shown to the human but not put into Diagnostic-Code.
 */
#ifndef RELAYQ_BOUNCE_H
#define RELAYQ_BOUNCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "spool.h"

enum bounce_kind {
	BOUNCE_FAILED,		/* Action: failed (5.x.x) */
	BOUNCE_DELAYED,		/* Action: delayed (4.x.x), a warning */
	BOUNCE_RELAYED		/* Action: relayed: NOTIFY=SUCCESS handed to a
				   relay that did not offer DSN (RFC 3461 §6.2) */
};

struct bounce_req {
	const struct envelope *env;	/* borrowed; content_off/len locate
					   the original in content_fd */
	enum bounce_kind kind;
	const bool *select;	/* env->nrcpt flags: report rcpts[i]; NULL =
				   default: FAILED -> state F, plus P/T once
				   now >= arrival + queue_lifetime;
				   DELAYED -> P/T; RELAYED -> D */
	const char *to;		/* the DSN's recipient (bounce_recipient);
				   NULL = env->sender */
	const char *hostname;	/* our FQDN: Reporting-MTA, From, Message-ID */
	const char *relay;	/* smarthost for Remote-MTA, or NULL */
	const char *postmaster;	/* named in the text as the contact */
	time_t now;
	long queue_lifetime;	/* seconds; Will-Retry-Until = arrival + it */
	int content_fd;		/* the .df, read with pread only */
	unsigned long long nonce; /* caller's random value: boundary and
				     Message-ID; fixed only in tests */
};

/* Does NOTIFY (and a non-null sender) ask for a DSN of this kind? */
bool bounce_wanted(const struct envelope *e, enum bounce_kind kind);

/* The address the DSN goes to (MAIL FROM:<>, RCPT TO:<this>): the envelope
 * sender, the postmaster for a failed null-sender message, or NULL for
 * "send nothing" (rules at the top).  Borrowed from e or postmaster. */
const char *bounce_recipient(const struct envelope *e, enum bounce_kind kind,
    const char *postmaster);

/* Does rcpts[i] belong in a DSN of r->kind (r->select or the default)? */
bool bounce_selected(const struct bounce_req *r, size_t i);

/* Writes the complete DSN message (RFC 5322, LF line ends as in the spool)
 * to out.  The original is streamed from r->content_fd in chunks, never
 * held in memory: its header section for RET=HDRS or no RET
 * (text/rfc822-headers), all of it for RET=FULL (message/rfc822).
 * *eightbit (may be NULL) is set when the included part has 8-bit octets:
 * the caller must then send the DSN with BODY=8BITMIME.
 * Returns 0, or -1 with err set (errno kept): write or read errors, no
 * recipient selected, no memory.  out may hold a partial message then. */
int bounce_write(FILE *out, const struct bounce_req *r, bool *eightbit,
    char *err, size_t errlen);

/* The Status: code for rcpts[i] in a DSN of `kind` ("5.1.1"). */
void bounce_status(const struct env_rcpt *rc, enum bounce_kind kind,
    char *out, size_t size);

#endif
