/* smtp: the SMTP client session to one smarthost (RFC 5321), over conn.
 * One session carries many transactions (RSET only after an abandoned
 * one).  Pure protocol: it knows nothing about the queue.  Ownership:
 * smtp_open's session belongs to the caller; smtp_close sends QUIT (best
 * effort) and frees; NULL-safe. */
#ifndef RELAYQ_SMTP_H
#define RELAYQ_SMTP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "relayq.h"
#include "smtp_reply.h"

struct smtp_session;

struct smtp_timeouts {		/* seconds, RFC 5321 §4.5.3.2 defaults */
	int connect;		/* 30 */
	int greeting;		/* 300 */
	int helo;		/* 300 */
	int mail;		/* 300 */
	int rcpt;		/* 300 */
	int data_init;		/* 120 */
	int data_block;		/* 180 */
	int data_done;		/* 600 */
	int quit;		/* 30 */
};
void smtp_timeouts_default(struct smtp_timeouts *t);

enum smtp_tls {
	SMTP_TLS_NONE,		/* never (written explicitly) */
	SMTP_TLS_MAY,		/* STARTTLS when offered; a failed
				   certificate check is only logged */
	SMTP_TLS_STARTTLS,	/* STARTTLS required, certificate verified */
	SMTP_TLS_SMTPS		/* implicit TLS (port 465), verified */
};

struct tls_ctx;

#include "authinfo.h"

/* The credentials a session may use, chosen before it exists (by the
 * caller's route): candidates in order, each for any peer (addr "") or for
 * one peer address; AUTH uses the first that fits the address reached.
 * sendmail's order is the entry for the host as configured, then the one
 * for the address, then the default entry: a list of three kinds.  The
 * struct owns the secrets: smtp_creds_free wipes them. */
#define SMTP_CREDS_MAX 10
struct smtp_cred {
	char addr[64];		/* "" = any peer; else inet_ntop text */
	struct authinfo ai;
};
struct smtp_creds {
	struct smtp_cred v[SMTP_CREDS_MAX];
	size_t n;
};
/* Adds a candidate (taking over *ai, which is left empty).  0, or -1 when full. */
int  smtp_creds_add(struct smtp_creds *c, const char *addr, struct authinfo *ai);
const struct authinfo *smtp_creds_pick(const struct smtp_creds *c, const char *peer);
void smtp_creds_free(struct smtp_creds *c);

struct smtp_opts {
	const char *host;	/* name or literal, no brackets */
	bool host_literal;	/* host is an IP address */
	const char *port;	/* "25", "587", service name */
	const char *connect_host;	/* NULL, or connect here instead of
					   host:port (relayq-setup's
					   --connect-to); TLS still checks
					   the certificate against host */
	const char *connect_port;
	const char *source_address;	/* NULL/"": the kernel chooses; else
					   one IPv4 and/or one IPv6 address */
	const char *helo_name;	/* our FQDN, or [addr-literal] */
	struct smtp_timeouts to;
	enum smtp_tls tls;
	struct tls_ctx *tls_ctx;	/* needed unless tls is NONE */
	const char *tls_pin;		/* "" or SHA-256 hex of the cert */
	const struct smtp_creds *creds;	/* NULL: never AUTH */
	bool auth_required;	/* no credential, or no AUTH offered: defer */
};

/* Connects, reads the greeting, sends EHLO (falls back to HELO on 500/502
 * only when TLS is not required), then STARTTLS (EHLO again) and AUTH as
 * the options say; implicit TLS starts before the greeting.  On failure returns OUT_TEMP/OUT_PERM
 * and describes it in err ("connect to host[addr]:port: Connection
 * refused", or the server's reply text).  *out is NULL on failure. */
enum outcome smtp_open(struct smtp_session **out, const struct smtp_opts *o,
    char *err, size_t errlen);

/* The same, saying where it stopped: connecting, the greeting or EHLO,
 * TLS (implicit, STARTTLS, the certificate) or AUTH. */
enum smtp_stage {
	SMTP_STAGE_CONNECT, SMTP_STAGE_GREETING, SMTP_STAGE_TLS,
	SMTP_STAGE_AUTH, SMTP_STAGE_READY
};
enum outcome smtp_open_staged(struct smtp_session **out,
    const struct smtp_opts *o, enum smtp_stage *stage, char *err,
    size_t errlen);

/* The relay's address as "host [addr]" for log lines (relay=...). */
const char *smtp_relay_name(const struct smtp_session *s);

/* What the session negotiated: tls_summary()'s text ("" without TLS),
 * the server's AUTH list (" PLAIN LOGIN ", "" if none offered), and the
 * mechanism AUTH succeeded with ("" if no AUTH). */
const char *smtp_tls_info(const struct smtp_session *s);
const char *smtp_auth_offered(const struct smtp_session *s);
const char *smtp_auth_mech(const struct smtp_session *s);

/* Server capabilities from the current EHLO. */
bool   smtp_has_ext(const struct smtp_session *s, const char *keyword);
size_t smtp_max_size(const struct smtp_session *s);	/* 0 = no limit */

/* One recipient of a transaction and, after smtp_send, its outcome. */
struct smtp_rcpt {
	const char *addr;		/* without angle brackets */
	const char *notify;		/* "SUCCESS,FAILURE" or NULL */
	const char *orcpt;		/* xtext'ed "rfc822;..." or NULL */
	struct smtp_reply reply;	/* RCPT reply, or the DATA-end reply
					   once the RCPT was accepted */
	enum outcome result;
};

struct smtp_txn {
	const char *sender;		/* "" for the null sender <> */
	const char *ret;		/* "FULL"/"HDRS" or NULL */
	const char *envid;		/* xtext'ed or NULL */
	bool eightbit;			/* body has octets > 127: BODY=8BITMIME */
	bool smtputf8;			/* the message needs SMTPUTF8 as a whole */
	int content_fd;			/* message content, LF line ends */
	off_t content_off;		/* where it starts in content_fd */
	off_t content_len;		/* its length in bytes */
	size_t nrcpt;
	struct smtp_rcpt *rcpts;	/* nrcpt entries, results filled in */
	struct smtp_reply reply;	/* MAIL reply, or DATA reply on failure */
	bool pipeline_end;		/* in: the caller collects the end-of-data
					   reply later (smtp_send_finish) */
	void (*meanwhile)(void *);	/* in, or NULL: called once MAIL (and,
					   pipelined, RCPT and DATA) are out,
					   before their replies are read: the
					   caller's work overlaps the server's;
					   not at all if nothing goes out */
	void *meanwhile_arg;
	bool pending;			/* out: that reply is still to come */
	bool unanswered;		/* out: the session died before MAIL was
					   answered: the server never took
					   this transaction */
};

/* Runs MAIL/RCPT.../DATA/content/. (pipelined when offered; SIZE sent and
 * enforced; CRLF and dot-stuffing on the fly, streaming from content_fd
 * with pread so memory does not grow with the message).  Fills each
 * rcpt's result/reply.  SMTPUTF8 (RFC 6531): MAIL carries it (with
 * BODY=8BITMIME when offered) when t->smtputf8, the sender or a recipient
 * is not ASCII.  A server that does not offer it gets no such address:
 * each non-ASCII recipient, or all of them when the message needs it as a
 * whole, fails permanently (reply 553, enh 5.6.7, a text of ours that
 * starts "5.6.7 The smarthost ... does not support SMTPUTF8") and the
 * others go as usual.  Returns:
 *   OUT_OK   the transaction ran; per-recipient results say who got it;
 *   OUT_TEMP MAIL/DATA failed temporarily or the connection broke: all
 *            recipients not already finished are marked OUT_TEMP;
 *   OUT_PERM MAIL or DATA failed permanently for all recipients.
 * After OUT_TEMP caused by I/O failure the session is dead: smtp_alive()
 * returns false and the caller must reconnect. */
enum outcome smtp_send(struct smtp_session *s, struct smtp_txn *t);

/* Pipelining across messages (RFC 2920 §3.1: the content's final "." may
 * start a command group).  With t->pipeline_end, on a server that offers
 * PIPELINING, smtp_send returns once "." is queued, with t->pending set
 * and the recipients' results not yet final; the session reads that
 * reply when the next transaction's MAIL/RCPT/DATA have gone out in the
 * same write (never past DATA before its 354), or in smtp_send_finish,
 * smtp_reset or smtp_close, whichever comes first, and then fills t's
 * results and clears t->pending.  t must live until then.  Nothing is
 * left pending without PIPELINING. */
void smtp_send_finish(struct smtp_session *s);

/* Between transactions: RSET when the last one was left open (MAIL
 * accepted, no reply to "." read), nothing after a completed one; false
 * if the session is no longer usable. */
bool smtp_reset(struct smtp_session *s);
bool smtp_alive(const struct smtp_session *s);

void smtp_close(struct smtp_session *s);

/* RFC 3461 xtext of s into b (for ENVID and ORCPT). */
struct buf;
int smtp_xtext_encode(struct buf *b, const char *s);

#endif
