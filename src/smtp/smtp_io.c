/* smtp_io: the SMTP client's line primitives — queue a command, flush,
 * read one strict reply (or an EHLO reply with its keywords), and refuse
 * bytes that arrive when no reply is due.  Below smtp.c and smtp_secure.c,
 * which both use it; it calls neither. */
#include "smtp_io.h"
#include "buf.h"
#include "conn.h"
#include "log.h"

#include <stdarg.h>
#include <string.h>

int
smtp_io_cmd(struct smtp_session *s, enum xscript_redact redact, const char *fmt, ...)
{
	struct buf b;
	va_list ap;
	buf_init(&b);
	va_start(ap, fmt);
	int rc = buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (rc == 0) {
		log_transcript(true, buf_str(&b), redact);
		rc = buf_puts(&b, "\r\n") == 0 ? conn_write(s->c, b.data, b.len) : -1;
	}
	buf_free_secret(&b);
	return rc;
}

int
smtp_io_flush(struct smtp_session *s, int timeout, struct smtp_reply *r)
{
	char err[256];
	if (conn_flush(s->c, timeout, err, sizeof err) == 0)
		return 0;
	smtp_reply_set(r, 451, "4.4.2", err);
	s->alive = false;
	return -1;
}

/* Reads one complete reply.  On I/O or protocol failure the session dies
 * and r holds a local 4xx describing it (RFC 5321 §3.8: act as if 451). */
int
smtp_io_read_reply(struct smtp_session *s, int timeout, struct smtp_reply *r, const char *after)
{
	struct smtp_reply_parser p;
	struct buf line;
	char err[256], why[300];
	buf_init(&line);
	smtp_reply_begin(&p, r);
	enum srp_status st = SRP_MORE;
	while (st == SRP_MORE) {
		if (conn_read_line(s->c, &line, SMTP_REPLY_LINE_MAX, timeout, err, sizeof err) == -1)
			break;
		log_transcript(false, buf_str(&line), s->redact && strncmp(line.data, "334", 3) == 0 ?
		    XS_AFTER_ONE_WORD : XS_CLEAR);
		st = smtp_reply_feed(&p, line.data, line.len, NULL, NULL, err, sizeof err);
	}
	buf_free(&line);
	if (st == SRP_DONE) {
		if (r->code == 421)
			s->alive = false;
		return 0;
	}
	snprintf_rq(why, sizeof why, "%s after %s", err, after);
	smtp_reply_set(r, 451, "4.4.2", why);
	s->alive = false;
	return -1;
}

/* Bytes already received when no reply is due: the server is out of step
 * (or something injects), so no later reply could be matched to its
 * command.  The session dies and r says why. */
int
smtp_io_in_step(struct smtp_session *s, struct smtp_reply *r, const char *after)
{
	char why[300];
	if (conn_pending(s->c) == 0)
		return 0;
	snprintf_rq(why, sizeof why, "data after the reply to %s", after);
	smtp_reply_set(r, 451, "4.4.2", why);
	s->alive = false;
	return -1;
}

/* A reply that must be the last one due (lock-step, or the end of a
 * pipelined group): nothing may follow it. */
int
smtp_io_read_last(struct smtp_session *s, int timeout, struct smtp_reply *r,
    const char *after)
{
	if (smtp_io_read_reply(s, timeout, r, after) == -1)
		return -1;
	return smtp_io_in_step(s, r, after);
}

enum outcome
smtp_io_outcome(const struct smtp_reply *r)
{
	/* A 3xx is only ever an intermediate reply (354 to DATA, 334 to
	 * AUTH, both handled where they are due): anywhere else it is out of
	 * step, and taking it for success would retire undelivered mail. */
	int cls = smtp_reply_class(r);
	return cls == 2 ? OUT_OK : cls == 5 ? OUT_PERM : OUT_TEMP;
}

/* EHLO reply lines 2..n are keywords; re-parse the raw lines for that. */
static int
read_ehlo(struct smtp_session *s, struct smtp_reply *r)
{
	struct smtp_reply_parser p;
	struct buf line;
	char err[256];
	buf_init(&line);
	smtp_reply_begin(&p, r);
	smtp_ext_clear(&s->ext);
	enum srp_status st = SRP_MORE;
	for (int n = 0; st == SRP_MORE; n++) {
		const char *text;
		size_t tlen;
		if (conn_read_line(s->c, &line, SMTP_REPLY_LINE_MAX, s->o.to.helo, err,
		    sizeof err) == -1)
			break;
		log_transcript(false, buf_str(&line), XS_CLEAR);
		st = smtp_reply_feed(&p, line.data, line.len, &text, &tlen, err, sizeof err);
		if (st != SRP_ERROR && n > 0 && r->code == 250)
			smtp_ext_parse_line(&s->ext, text, tlen);
	}
	buf_free(&line);
	if (st == SRP_DONE)
		return smtp_io_in_step(s, r, "EHLO");
	smtp_reply_set(r, 451, "4.4.2", err);
	s->alive = false;
	return -1;
}

enum outcome
smtp_io_hello(struct smtp_session *s, bool allow_helo, char *err, size_t errlen)
{
	struct smtp_reply r;
	if (smtp_io_cmd(s, XS_CLEAR, "EHLO %s", s->o.helo_name) == -1 ||
	    smtp_io_flush(s, s->o.to.helo, &r) == -1 || read_ehlo(s, &r) == -1) {
		snprintf_rq(err, errlen, "EHLO: %s", r.text);
		return OUT_TEMP;
	}
	if ((r.code == 500 || r.code == 502) && allow_helo) {
		/* Old server: plain SMTP, no extensions (RFC 5321 §4.1.1.1). */
		if (smtp_io_cmd(s, XS_CLEAR, "HELO %s", s->o.helo_name) == -1 ||
		    smtp_io_flush(s, s->o.to.helo, &r) == -1 ||
		    smtp_io_read_last(s, s->o.to.helo, &r, "HELO") == -1 || r.code != 250) {
			snprintf_rq(err, errlen, "HELO: %s", r.text);
			return OUT_TEMP;
		}
	} else if (r.code != 250) {
		snprintf_rq(err, errlen, "EHLO: %s", r.text);
		return smtp_io_outcome(&r) == OUT_PERM ? OUT_PERM : OUT_TEMP;
	}
	return OUT_OK;
}
