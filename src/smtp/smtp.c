/* smtp: the client side of RFC 5321 to one smarthost — greeting, EHLO,
 * pipelined MAIL/RCPT/DATA, streamed dot-stuffed CRLF content, per-recipient
 * outcomes.  Decisions are made on reply codes only (RFC 5321 §4.2). */
#include "smtp.h"
#include "smtp_int.h"
#include "smtp_io.h"
#include "smtp_secure.h"
#include "stuff.h"
#include "tls.h"
#include "buf.h"
#include "conn.h"
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK 65536
#define FLUSH_AT 65536

void
smtp_timeouts_default(struct smtp_timeouts *t)
{
	*t = (struct smtp_timeouts){ 30, 300, 300, 300, 300, 120, 180, 600, 30 };
}

const char *
smtp_relay_name(const struct smtp_session *s)
{
	return conn_peer(s->c);
}

const char *
smtp_auth_offered(const struct smtp_session *s)
{
	return s->ext.auth;
}

const char *
smtp_auth_mech(const struct smtp_session *s)
{
	return s->mech;
}

bool
smtp_has_ext(const struct smtp_session *s, const char *keyword)
{
	return smtp_ext_has(&s->ext, keyword);
}

size_t
smtp_max_size(const struct smtp_session *s)
{
	return (size_t)s->ext.size_max;
}

const char *
smtp_tls_info(const struct smtp_session *s)
{
	return s->tls != NULL ? tls_summary(s->tls) : "";
}

bool
smtp_alive(const struct smtp_session *s)
{
	return s != NULL && s->alive;
}

static enum outcome
greeting(struct smtp_session *s, char *err, size_t errlen)
{
	struct smtp_reply r;
	if (smtp_io_read_last(s, s->o.to.greeting, &r, "connect") == -1 || r.code != 220) {
		snprintf_rq(err, errlen, "%s greeted: %s", conn_peer(s->c), r.text);
		return r.code / 100 == 5 && r.code != 554 ? OUT_PERM : OUT_TEMP;
	}
	return OUT_OK;
}

/* Greeting, EHLO, then TLS and AUTH as configured (smtp_secure.c);
 * *stage says how far it got. */
static enum outcome
start_session(struct smtp_session *s, enum smtp_stage *stage, char *err, size_t errlen)
{
	enum outcome rc = OUT_OK;
	*stage = SMTP_STAGE_TLS;
	if (s->o.tls == SMTP_TLS_SMTPS)
		rc = smtp_secure_wrap(s, err, errlen);
	if (rc == OUT_OK) {
		*stage = SMTP_STAGE_GREETING;
		rc = greeting(s, err, errlen);
	}
	if (rc == OUT_OK)
		rc = smtp_io_hello(s, s->o.tls == SMTP_TLS_NONE || s->o.tls == SMTP_TLS_MAY,
		    err, errlen);
	if (rc == OUT_OK && (s->o.tls == SMTP_TLS_STARTTLS || s->o.tls == SMTP_TLS_MAY)) {
		*stage = SMTP_STAGE_TLS;
		rc = smtp_secure_starttls(s, err, errlen);
	}
	if (rc == OUT_OK) {
		*stage = SMTP_STAGE_AUTH;
		rc = smtp_secure_auth(s, err, errlen);
	}
	if (rc == OUT_OK)
		*stage = SMTP_STAGE_READY;
	return rc;
}

enum outcome
smtp_open(struct smtp_session **out, const struct smtp_opts *o, char *err, size_t errlen)
{
	enum smtp_stage stage;
	return smtp_open_staged(out, o, &stage, err, errlen);
}

enum outcome
smtp_open_staged(struct smtp_session **out, const struct smtp_opts *o,
    enum smtp_stage *stage, char *err, size_t errlen)
{
	*out = NULL;
	*stage = SMTP_STAGE_CONNECT;
	struct smtp_session *s = calloc(1, sizeof *s);
	if (s == NULL) {
		snprintf_rq(err, errlen, "out of memory");
		return OUT_TEMP;
	}
	s->o = *o;
	struct conn_target t = {
		o->connect_host != NULL ? o->connect_host : o->host,
		o->connect_port != NULL ? o->connect_port : o->port,
		o->source_address, o->to.connect };
	if (conn_connect(&s->c, &t, err, errlen) == -1) {
		free(s);
		return OUT_TEMP;
	}
	s->alive = true;
	enum outcome rc = start_session(s, stage, err, errlen);
	if (rc != OUT_OK) {
		smtp_close(s);
		return rc;
	}
	*out = s;
	return OUT_OK;
}

int
smtp_xtext_encode(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;
		int rc = (ch >= 0x21 && ch <= 0x7e && ch != '+' && ch != '=') ?
		    buf_putc(b, (char)ch) : buf_printf(b, "+%02X", ch);
		if (rc == -1)
			return -1;
	}
	return 0;
}

/* Octets on the wire: CRLF line ends and a final CRLF (RFC 1870 §3). */
static off_t
wire_size(const struct smtp_txn *t)
{
	char chunk[CHUNK];
	off_t pos = 0, lines = 0;
	char last = '\n';
	while (pos < t->content_len) {
		size_t want = (size_t)(t->content_len - pos) < sizeof chunk ?
		    (size_t)(t->content_len - pos) : sizeof chunk;
		ssize_t n = pread(t->content_fd, chunk, want, t->content_off + pos);
		if (n <= 0)
			return t->content_len;
		for (ssize_t i = 0; i < n; i++)
			lines += chunk[i] == '\n';
		last = chunk[n - 1];
		pos += n;
	}
	return t->content_len + lines + (last != '\n' ? 2 : 0);
}

static void
set_all(struct smtp_txn *t, const struct smtp_reply *r, enum outcome out, bool only_ok)
{
	for (size_t i = 0; i < t->nrcpt; i++) {
		if (only_ok && t->rcpts[i].result != OUT_OK)
			continue;
		t->rcpts[i].reply = *r;
		t->rcpts[i].result = out;
	}
}

static bool
is_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s > 0x7f)
			return false;
	return true;
}

/* Does the message need SMTPUTF8 whatever its recipients? */
static bool
whole_utf8(const struct smtp_txn *t)
{
	return t->smtputf8 || !is_ascii(t->sender);
}

/* Does MAIL need SMTPUTF8 (RFC 6531 §3.4)? */
static bool
txn_utf8(const struct smtp_txn *t)
{
	for (size_t i = 0; i < t->nrcpt; i++)
		if (!is_ascii(t->rcpts[i].addr))
			return true;
	return whole_utf8(t);
}

static int
send_mail_cmd(struct smtp_session *s, const struct smtp_txn *t, off_t size)
{
	struct buf p;
	buf_init(&p);
	int rc = 0;
	bool utf8 = (s->ext.flags & EXT_SMTPUTF8) && txn_utf8(t);
	if (s->ext.flags & EXT_SIZE)
		rc |= buf_printf(&p, " SIZE=%lld", (long long)size);
	if ((t->eightbit || utf8) && (s->ext.flags & EXT_8BITMIME))
		rc |= buf_puts(&p, " BODY=8BITMIME");
	if (utf8)
		rc |= buf_puts(&p, " SMTPUTF8");
	if ((s->ext.flags & EXT_DSN) && t->ret != NULL)
		rc |= buf_printf(&p, " RET=%s", t->ret);
	if ((s->ext.flags & EXT_DSN) && t->envid != NULL)
		rc |= buf_puts(&p, " ENVID=") | smtp_xtext_encode(&p, t->envid);
	if (s->authed)		/* as sendmail: we vouch for no other submitter */
		rc |= buf_puts(&p, " AUTH=<>");
	if (rc == 0)
		rc = smtp_io_cmd(s, XS_CLEAR, "MAIL FROM:<%s>%s", t->sender, buf_str(&p));
	buf_free(&p);
	return rc;
}

static int
send_rcpt_cmd(struct smtp_session *s, const struct smtp_rcpt *r)
{
	struct buf p;
	buf_init(&p);
	int rc = 0;
	if ((s->ext.flags & EXT_DSN) && r->notify != NULL)
		rc |= buf_printf(&p, " NOTIFY=%s", r->notify);
	if ((s->ext.flags & EXT_DSN) && r->orcpt != NULL)
		rc |= buf_printf(&p, " ORCPT=%s", r->orcpt);
	if (rc == 0)
		rc = smtp_io_cmd(s, XS_CLEAR, "RCPT TO:<%s>%s", r->addr, buf_str(&p));
	buf_free(&p);
	return rc;
}

/* RCPT outcome: 552 on RCPT means "too many recipients" (§4.5.3.1.10). */
static enum outcome
rcpt_outcome(const struct smtp_reply *r)
{
	if (r->code == 552)
		return OUT_TEMP;
	return smtp_io_outcome(r);
}

/* stuff_put for the session's connection. */
static int
put_conn(void *arg, const char *p, size_t n)
{
	return conn_write(arg, p, n);
}

/* The content and its final ".", queued (flushed every FLUSH_AT octets). */
static int
send_content(struct smtp_session *s, const struct smtp_txn *t, struct smtp_reply *r)
{
	char chunk[CHUNK];
	struct stuffer st;
	off_t pos = 0;
	stuff_init(&st, put_conn, s->c);
	while (pos < t->content_len) {
		size_t want = (size_t)(t->content_len - pos) < sizeof chunk ?
		    (size_t)(t->content_len - pos) : sizeof chunk;
		ssize_t n = pread(t->content_fd, chunk, want, t->content_off + pos);
		if (n <= 0) {
			smtp_reply_set(r, 451, "4.3.0", "cannot read queued message");
			s->alive = false;	/* the server holds half a message */
			return -1;
		}
		if (stuff(&st, chunk, (size_t)n) == -1)
			return -1;
		pos += n;
		if (conn_unflushed(s->c) >= FLUSH_AT && smtp_io_flush(s, s->o.to.data_block, r) == -1)
			return -1;
	}
	if (stuff_end(&st) == -1)
		return -1;
	log_transcript(true, "(message content)", XS_CLEAR);
	return smtp_io_cmd(s, XS_CLEAR, ".");
}

/* The end-of-data reply to t.  Whatever its code, it ends the transaction
 * (RFC 5321 §4.1.1.4) and it stands (the server has the message, or
 * refused it); bytes after it, when no more replies are due, only mean
 * the session is no longer trusted. */
static enum outcome
end_reply(struct smtp_session *s, struct smtp_txn *t, bool more_due)
{
	struct smtp_reply r;
	if (smtp_io_read_reply(s, s->o.to.data_done, &r, "end of DATA") == -1) {
		set_all(t, &r, OUT_TEMP, true);
		return OUT_TEMP;
	}
	s->in_txn = false;
	set_all(t, &r, smtp_io_outcome(&r), true);
	t->reply = r;
	if (!more_due && smtp_io_in_step(s, &r, "end of DATA") == -1)
		log_warn("%s: %s; session closed", conn_peer(s->c), r.text);
	return OUT_OK;
}

/* The pending end-of-data reply, once a flush carried the commands that
 * follow it (they are answered after it); a failed flush (failed, its
 * reply) fails it as well. */
static void
collect_pending(struct smtp_session *s, const struct smtp_reply *failed, bool more_due)
{
	struct smtp_txn *t = s->pending;
	if (t == NULL)
		return;
	s->pending = NULL;
	t->pending = false;
	if (failed != NULL)
		set_all(t, failed, OUT_TEMP, true);
	else
		end_reply(s, t, more_due);
}

void
smtp_send_finish(struct smtp_session *s)
{
	struct smtp_reply r;
	if (s == NULL || s->pending == NULL)
		return;
	if (!s->alive)
		smtp_reply_set(&r, 451, "4.4.2", "connection lost before the reply to end of DATA");
	bool failed = !s->alive || smtp_io_flush(s, s->o.to.data_done, &r) == -1;
	collect_pending(s, failed ? &r : NULL, false);
}

/* DATA's only positive reply is 354 (RFC 5321 §4.3.2): a 2xx, or another
 * 3xx, is the reply to some other command, read out of step. */
static int
read_data_reply(struct smtp_session *s, struct smtp_reply *r)
{
	char why[300];
	if (smtp_io_read_reply(s, s->o.to.data_init, r, "DATA") == -1)
		return -1;
	if (r->code == 354 || smtp_io_outcome(r) != OUT_OK)
		return smtp_io_in_step(s, r, "DATA");
	snprintf_rq(why, sizeof why, "DATA answered out of step: %s", r->text);
	smtp_reply_set(r, 451, "4.4.2", why);
	s->alive = false;
	return -1;
}

/* Reads the RCPT replies; returns the number accepted, -1 if the session died. */
static int
read_rcpts(struct smtp_session *s, struct smtp_txn *t, bool mail_ok, bool pipelined)
{
	int accepted = 0;
	for (size_t i = 0; i < t->nrcpt; i++) {
		struct smtp_rcpt *rc = &t->rcpts[i];
		if (!pipelined && (send_rcpt_cmd(s, rc) == -1 ||
		    smtp_io_flush(s, s->o.to.rcpt, &t->reply) == -1))
			return -1;
		if ((pipelined ? smtp_io_read_reply(s, s->o.to.rcpt, &rc->reply, "RCPT TO") :
		    smtp_io_read_last(s, s->o.to.rcpt, &rc->reply, "RCPT TO")) == -1) {
			t->reply = rc->reply;
			return -1;
		}
		if (!mail_ok)
			continue;
		rc->result = rcpt_outcome(&rc->reply);
		accepted += rc->result == OUT_OK;
	}
	return accepted;
}

/* After a 354: the content, or only "." when nobody was accepted (RFC 2920
 * §3.1); its reply is read now, or left pending (smtp.h) when the caller
 * asked for that and the server pipelines. */
static enum outcome
data_phase(struct smtp_session *s, struct smtp_txn *t, int accepted)
{
	struct smtp_reply r;
	if (accepted == 0) {
		/* An abandoned transaction: in_txn stays, so RSET follows. */
		if (smtp_io_cmd(s, XS_CLEAR, ".") == 0 && smtp_io_flush(s, s->o.to.data_done, &r) == 0)
			smtp_io_read_reply(s, s->o.to.data_done, &r, "empty DATA");
		return OUT_OK;
	}
	if (send_content(s, t, &r) == -1) {
		set_all(t, &r, OUT_TEMP, true);
		return OUT_TEMP;
	}
	if (t->pipeline_end && (s->ext.flags & EXT_PIPELINING)) {
		s->in_txn = false;	/* "." ends it, whatever the reply */
		s->pending = t;
		t->pending = true;
		return OUT_OK;
	}
	if (smtp_io_flush(s, s->o.to.data_done, &r) == -1) {
		set_all(t, &r, OUT_TEMP, true);
		return OUT_TEMP;
	}
	return end_reply(s, t, false);
}

static enum outcome
size_refused(struct smtp_txn *t, off_t size, unsigned long long max)
{
	char text[160];
	struct smtp_reply r;
	snprintf_rq(text, sizeof text, "552 5.3.4 message size %lld exceeds the relay's "
	    "fixed maximum message size %llu", (long long)size, max);
	smtp_reply_set(&r, 552, "5.3.4", text);
	set_all(t, &r, OUT_PERM, false);
	t->reply = r;
	return OUT_PERM;
}

static enum outcome
abort_txn(struct smtp_txn *t, const struct smtp_reply *r)
{
	for (size_t i = 0; i < t->nrcpt; i++) {
		if (t->rcpts[i].result == OUT_OK || t->rcpts[i].reply.code == 0) {
			t->rcpts[i].reply = *r;
			t->rcpts[i].result = OUT_TEMP;
		}
	}
	t->reply = *r;
	return OUT_TEMP;
}

static void
init_results(struct smtp_txn *t)
{
	smtp_reply_set(&t->reply, 451, "4.3.0", "local error (out of memory)");
	for (size_t i = 0; i < t->nrcpt; i++) {
		memset(&t->rcpts[i].reply, 0, sizeof t->rcpts[i].reply);
		t->rcpts[i].result = OUT_TEMP;
	}
}

static enum outcome
send_txn(struct smtp_session *s, struct smtp_txn *t)
{
	bool pipe = (s->ext.flags & EXT_PIPELINING) != 0;
	off_t size = wire_size(t);
	struct smtp_reply r;
	init_results(t);
	if (s->ext.size_max > 0 && (unsigned long long)size > s->ext.size_max)
		return size_refused(t, size, s->ext.size_max);
	if (send_mail_cmd(s, t, size) == -1)
		return abort_txn(t, &t->reply);
	for (size_t i = 0; pipe && i < t->nrcpt; i++)
		if (send_rcpt_cmd(s, &t->rcpts[i]) == -1)
			return abort_txn(t, &t->reply);
	if (pipe && smtp_io_cmd(s, XS_CLEAR, "DATA") == -1)
		return abort_txn(t, &t->reply);
	int flushed = smtp_io_flush(s, s->o.to.mail, &t->reply);
	if (flushed == 0 && t->meanwhile != NULL)
		t->meanwhile(t->meanwhile_arg);
	collect_pending(s, flushed == -1 ? &t->reply : NULL, true);
	if (flushed == -1 || (pipe ? smtp_io_read_reply(s, s->o.to.mail, &t->reply, "MAIL FROM") :
	    smtp_io_read_last(s, s->o.to.mail, &t->reply, "MAIL FROM")) == -1) {
		t->unanswered = true;
		return abort_txn(t, &t->reply);
	}
	bool mail_ok = smtp_io_outcome(&t->reply) == OUT_OK;
	s->in_txn = mail_ok;
	if (!mail_ok && !pipe) {
		set_all(t, &t->reply, smtp_io_outcome(&t->reply), false);
		return smtp_io_outcome(&t->reply);
	}
	int accepted = read_rcpts(s, t, mail_ok, pipe);
	if (accepted == -1)
		return abort_txn(t, &t->reply);
	if (!pipe && accepted == 0)
		return OUT_OK;
	if ((!pipe && (smtp_io_cmd(s, XS_CLEAR, "DATA") == -1 || smtp_io_flush(s, s->o.to.data_init, &r) == -1)) ||
	    read_data_reply(s, &r) == -1)
		return abort_txn(t, &r);
	if (!mail_ok) {
		if (r.code == 354)
			data_phase(s, t, 0);
		set_all(t, &t->reply, smtp_io_outcome(&t->reply), false);
		return smtp_io_outcome(&t->reply);
	}
	if (r.code != 354) {
		set_all(t, &r, smtp_io_outcome(&r) == OUT_PERM ? OUT_PERM : OUT_TEMP, true);
		t->reply = r;
		return OUT_OK;
	}
	return data_phase(s, t, accepted);
}

/* Why a recipient cannot go to a server without SMTPUTF8: our own answer,
 * so its text has no reply code (the DSN says "Failed permanently", not
 * what a server said), only the enhanced status the DSN carries. */
static void
utf8_refused(const struct smtp_session *s, bool whole, struct smtp_reply *r)
{
	char text[400];
	snprintf_rq(text, sizeof text, "5.6.7 The smarthost %s does not support "
	    "SMTPUTF8 (RFC 6531), which %s; a UTF-8 address cannot be changed to ASCII "
	    "without becoming another address", conn_peer(s->c), whole ?
	    "this message needs (a UTF-8 sender or header address, or sendmail -U)" :
	    "this UTF-8 address needs");
	smtp_reply_set(r, 553, "5.6.7", text);
}

/* No SMTPUTF8 offered: the ASCII recipients of a message that does not
 * need it as a whole go in a transaction of their own; the others fail. */
static enum outcome
send_without_utf8(struct smtp_session *s, struct smtp_txn *t)
{
	struct smtp_txn ascii = *t;
	bool whole = whole_utf8(t);
	ascii.pipeline_end = false;	/* ascii ends here */
	init_results(t);
	if ((ascii.rcpts = calloc(t->nrcpt + 1, sizeof *ascii.rcpts)) == NULL)
		return abort_txn(t, &t->reply);
	ascii.nrcpt = 0;
	for (size_t i = 0; i < t->nrcpt; i++) {
		if (whole || !is_ascii(t->rcpts[i].addr)) {
			utf8_refused(s, whole, &t->rcpts[i].reply);
			t->rcpts[i].result = OUT_PERM;
		} else {
			ascii.rcpts[ascii.nrcpt++] = t->rcpts[i];
		}
	}
	enum outcome rc = OUT_PERM;
	utf8_refused(s, whole, &t->reply);
	if (ascii.nrcpt > 0) {
		rc = send_txn(s, &ascii);
		t->reply = ascii.reply;
	}
	for (size_t i = 0, k = 0; k < ascii.nrcpt; i++)	/* !whole here */
		if (is_ascii(t->rcpts[i].addr))
			t->rcpts[i] = ascii.rcpts[k++];
	free(ascii.rcpts);
	return rc;
}

enum outcome
smtp_send(struct smtp_session *s, struct smtp_txn *t)
{
	t->pending = t->unanswered = false;
	if ((s->ext.flags & EXT_SMTPUTF8) || !txn_utf8(t))
		return send_txn(s, t);
	smtp_send_finish(s);
	return send_without_utf8(s, t);
}

/* After a completed transaction the next MAIL starts a new one; RSET only
 * aborts one left open (RFC 5321 §3.3, §4.1.1.5), which saves a round trip
 * per message. */
bool
smtp_reset(struct smtp_session *s)
{
	struct smtp_reply r;
	if (s->alive && !s->in_txn)
		return true;	/* a reply left pending does not stop the next MAIL */
	smtp_send_finish(s);
	if (!s->alive || smtp_io_cmd(s, XS_CLEAR, "RSET") == -1 || smtp_io_flush(s, s->o.to.mail, &r) == -1 ||
	    smtp_io_read_last(s, s->o.to.mail, &r, "RSET") == -1)
		return false;
	s->in_txn = r.code != 250;
	return r.code == 250;
}

void
smtp_close(struct smtp_session *s)
{
	struct smtp_reply r;
	if (s == NULL)
		return;
	smtp_send_finish(s);
	if (s->alive && smtp_io_cmd(s, XS_CLEAR, "QUIT") == 0 && smtp_io_flush(s, s->o.to.quit, &r) == 0)
		smtp_io_read_reply(s, s->o.to.quit, &r, "QUIT");
	conn_free(s->c);
	smtp_secure_end(s);
	free(s);
}
