/* bounce: composes DSNs (RFC 3464 in RFC 6522 multipart/report) from a
 * queued envelope; policy and status-code rules are in bounce.h. */
#include "bounce.h"
#include "linewrap.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "buf.h"
#include "utf8.h"

#define LINE_SOFT 78		/* fold here when a space allows it */
#define LINE_HARD 998		/* RFC 5322 §2.1.1: never longer */
#define CLEAN_MAX 1000		/* longest hostile value we quote */
#define ADDR_MAX 512		/* longest address we quote: twice RFC 5321's
				   path limit, and "To: <addr>" stays < 998 */
#define CHUNK (64 * 1024)	/* original is streamed in pieces this big */
#define BOUNDARY_TRIES 16
#define BOUNDARY_SIZE 64
#define INDENT "    "		/* continuation of a text-part paragraph */

/* Cleaned copies of the request's strings plus what the scan learnt. */
struct ctx {
	const struct bounce_req *r;
	const struct envelope *e;
	const char *qid;	/* e->qid, or "noqid" if it is not one */
	char host[256];
	char relay[256];
	char pm[ADDR_MAX + 4];
	char to[ADDR_MAX + 4];
	bool full;		/* include the whole original */
	off_t inc_len;		/* bytes of the original included */
	bool eightbit;
	bool utf8;		/* an address in the text or To: is UTF-8 */
	char bnd[BOUNDARY_SIZE];
};

/* What one recipient's stored reply says (see bounce.h "Status codes"). */
struct rinfo {
	bool srv;		/* reply is a server's: "NNN ..." */
	int code;
	char enh[16];
	bool expired;		/* failed because the queue lifetime ran out */
	char status[16];
};

/* ---- policy ---- */

static bool
null_sender(const char *s)
{
	return s == NULL || s[0] == '\0' || strcmp(s, "<>") == 0;
}

/* Case-insensitive token test in a NOTIFY list ("FAILURE,DELAY"). */
static bool
notify_has(const char *n, const char *word)
{
	size_t wl = strlen(word);
	while (*n != '\0') {
		n += strspn(n, " ,");
		size_t len = strcspn(n, " ,");
		if (len == wl && strncasecmp(n, word, wl) == 0)
			return true;
		n += len;
	}
	return false;
}

static bool
notify_allows(const char *n, enum bounce_kind kind)
{
	if (n == NULL || n[0] == '\0')
		return kind != BOUNCE_RELAYED;
	if (notify_has(n, "NEVER"))
		return false;
	return notify_has(n, kind == BOUNCE_FAILED ? "FAILURE" :
	    kind == BOUNCE_DELAYED ? "DELAY" : "SUCCESS");
}

bool
bounce_wanted(const struct envelope *e, enum bounce_kind kind)
{
	return !null_sender(e->sender) && notify_allows(e->notify, kind);
}

/* The postmaster by exact address or by local part "postmaster". */
static bool
is_postmaster(const char *addr, const char *pm)
{
	if (strcasecmp(addr, pm) == 0)
		return true;
	return strncasecmp(addr, "postmaster", 10) == 0 &&
	    (addr[10] == '\0' || addr[10] == '@');
}

/* True when every undelivered recipient is the postmaster: the failing
 * message is then our own notice to the postmaster. */
static bool
only_postmaster_failed(const struct envelope *e, const char *pm)
{
	for (size_t i = 0; i < e->nrcpt; i++)
		if (e->rcpts[i].state != RCPT_DELIVERED &&
		    !is_postmaster(e->rcpts[i].addr, pm))
			return false;
	return true;
}

const char *
bounce_recipient(const struct envelope *e, enum bounce_kind kind,
    const char *postmaster)
{
	if (bounce_wanted(e, kind))
		return e->sender;
	if (!null_sender(e->sender) || kind != BOUNCE_FAILED || postmaster == NULL)
		return NULL;
	if (e->notify != NULL && notify_has(e->notify, "NEVER"))
		return NULL;
	return only_postmaster_failed(e, postmaster) ? NULL : postmaster;
}

static bool
is_pending(const struct env_rcpt *rc)
{
	return rc->state == RCPT_PENDING || rc->state == RCPT_TEMPFAIL;
}

static bool
lifetime_over(const struct bounce_req *r)
{
	return r->queue_lifetime > 0 &&
	    r->now - r->env->arrival >= (time_t)r->queue_lifetime;
}

bool
bounce_selected(const struct bounce_req *r, size_t i)
{
	const struct env_rcpt *rc = &r->env->rcpts[i];
	if (r->select != NULL)
		return r->select[i];
	switch (r->kind) {
	case BOUNCE_FAILED:
		return rc->state == RCPT_FAILED || (is_pending(rc) && lifetime_over(r));
	case BOUNCE_DELAYED:
		return is_pending(rc);
	case BOUNCE_RELAYED:
		return rc->state == RCPT_DELIVERED;
	}
	return false;
}

/* ---- status codes ---- */

static bool
has_text(const char *s)
{
	return s != NULL && s[0] != '\0';
}

static bool
isdig(char c)
{
	return c >= '0' && c <= '9';
}

/* "d.ddd.ddd" followed by a space or the end; copies it into enh. */
static void
parse_enh(const char *s, char *enh, size_t size)
{
	size_t i = 1, n;
	if (!isdig(s[0]) || s[1] != '.')
		return;
	for (int part = 0; part < 2; part++) {
		if (s[i] != '.')
			return;
		for (n = 0, i++; isdig(s[i]) && n < 3; n++)
			i++;
		if (n == 0)
			return;
	}
	if ((s[i] == ' ' || s[i] == '\0') && i < size)
		strlcpy_rq(enh, s, i + 1);
}

static void
parse_reply(const char *s, struct rinfo *ri)
{
	if (s == NULL)
		return;
	if (s[0] < '2' || s[0] > '5' || !isdig(s[1]) || !isdig(s[2]) ||
	    (s[3] != ' ' && s[3] != '\0')) {
		parse_enh(s, ri->enh, sizeof ri->enh);	/* a local "5.6.7 ..." */
		return;
	}
	ri->srv = true;
	ri->code = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
	if (s[3] == ' ')
		parse_enh(s + 4, ri->enh, sizeof ri->enh);
}

/* The reply's enhanced code when its class is cls, else cls.0.0. */
static void
pick(const struct rinfo *ri, char cls, char *out, size_t size)
{
	if (ri->enh[0] == cls)
		strlcpy_rq(out, ri->enh, size);
	else
		snprintf_rq(out, size, "%c.0.0", cls);
}

static void
classify(const struct env_rcpt *rc, enum bounce_kind kind, struct rinfo *ri)
{
	memset(ri, 0, sizeof *ri);
	parse_reply(rc->reply, ri);
	if (kind == BOUNCE_RELAYED) {
		pick(ri, '2', ri->status, sizeof ri->status);
	} else if (kind == BOUNCE_DELAYED) {
		if (ri->srv)
			pick(ri, '4', ri->status, sizeof ri->status);
		else
			strlcpy_rq(ri->status, has_text(rc->reply) ? "4.4.1" : "4.4.7",
			    sizeof ri->status);
	} else if (rc->state == RCPT_FAILED && (!ri->srv || ri->code / 100 == 5)) {
		pick(ri, '5', ri->status, sizeof ri->status);
	} else {
		ri->expired = true;
		strlcpy_rq(ri->status, "5.4.7", sizeof ri->status);
	}
}

void
bounce_status(const struct env_rcpt *rc, enum bounce_kind kind, char *out,
    size_t size)
{
	struct rinfo ri;
	classify(rc, kind, &ri);
	strlcpy_rq(out, ri.status, size);
}

/* ---- formatting helpers ---- */

/* Copies hostile text for a header or report line: CR, LF and TAB become
 * spaces (no header injection), other controls and 8-bit octets '?' (the
 * report is us-ascii); in an address also spaces and angle brackets, so
 * "<addr>" stays one token.  Long values are cut and marked "...". */
static void
clean_into(char *dst, size_t size, const char *s, bool addr)
{
	size_t n = 0;
	if (s == NULL)
		s = "";
	for (; *s != '\0' && n + 4 < size; s++) {
		unsigned char c = (unsigned char)*s;
		char o = (char)c;
		if (c == '\r' || c == '\n' || c == '\t')
			o = ' ';
		else if (c < 0x20 || c >= 0x7f)
			o = '?';
		if (addr && (o == ' ' || o == '<' || o == '>'))
			o = '?';
		dst[n++] = o;
	}
	if (*s != '\0')
		for (int k = 0; k < 3; k++)
			dst[n++] = '.';
	dst[n] = '\0';
}

/* A UTF-8 address (RFC 6531) that needs no cleaning: well-formed, and
 * without a space, control or angle bracket. */
static bool
utf8_addr(const char *s)
{
	if (s == NULL || utf8_classify(s, NULL) != UTF8_NON_ASCII || strlen(s) > ADDR_MAX)
		return false;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f || *s == '<' || *s == '>')
			return false;
	return true;
}

/* An address for the text or To:: UTF-8 as it is, anything else cleaned. */
static void
addr_into(char *dst, size_t size, const char *s)
{
	if (utf8_addr(s) && strlen(s) < size)
		strlcpy_rq(dst, s, size);
	else
		clean_into(dst, size, s, true);
}

/* Appends clean (LF-free) text at column col, breaking before spaces so a
 * line passes LINE_SOFT only for a single long word, and splitting words
 * so none passes LINE_HARD.  A break writes "\n" + cont. */
static int
put_folded(struct buf *b, size_t col, const char *text, const char *cont)
{
	size_t clen = strlen(cont);
	const char *p = text;
	for (;;) {
		size_t sp = strspn(p, " "), wl = strcspn(p + sp, " ");
		if (wl == 0)
			return 0;
		if (col > clen && col + sp + wl > LINE_SOFT) {
			if (buf_putc(b, '\n') == -1 || buf_puts(b, cont) == -1)
				return -1;
			col = clen;
			p += sp;
			sp = 0;
		}
		if (buf_append(b, p, sp) == -1)
			return -1;
		col += sp;
		p += sp;
		while (col + wl > LINE_HARD) {
			size_t take = LINE_HARD - col;
			if (buf_append(b, p, take) == -1 || buf_putc(b, '\n') == -1 ||
			    buf_puts(b, cont) == -1)
				return -1;
			p += take;
			wl -= take;
			col = clen;
		}
		if (buf_append(b, p, wl) == -1)
			return -1;
		col += wl;
		p += wl;
	}
}

/* "Name: value\n", folded as a header (continuation lines start with a
 * space, which unfolding turns back into the original single space). */
static int
put_field(struct buf *b, const char *name, const char *value)
{
	if (buf_printf(b, "%s: ", name) == -1)
		return -1;
	return put_folded(b, strlen(name) + 2, value, " ") == -1 ||
	    buf_putc(b, '\n') == -1 ? -1 : 0;
}

/* An indented paragraph of the human-readable part. */
static int
put_para(struct buf *b, const char *text)
{
	return buf_puts(b, INDENT) == -1 ||
	    put_folded(b, strlen(INDENT), text, INDENT) == -1 ||
	    buf_putc(b, '\n') == -1 ? -1 : 0;
}

/* RFC 5322 date with a numeric zone; English names whatever the locale. */
static void
fmt_date(char *out, size_t size, time_t t)
{
	static const char days[] = "SunMonTueWedThuFriSat";
	static const char mons[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	struct tm tm;
	long off = 0;
	if (localtime_r(&t, &tm) != NULL)
		off = tm.tm_gmtoff;
	else if (gmtime_r(&t, &tm) == NULL)
		memset(&tm, 0, sizeof tm);
	long a = off < 0 ? -off : off;
	snprintf_rq(out, size, "%.3s, %02d %.3s %04d %02d:%02d:%02d %c%02ld%02ld",
	    days + 3 * (tm.tm_wday % 7), tm.tm_mday, mons + 3 * (tm.tm_mon % 12),
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
	    off < 0 ? '-' : '+', a / 3600, a % 3600 / 60);
}

/* "5 days", "1 hour", "30 minutes": for people, rounded down. */
static void
fmt_span(char *out, size_t size, long secs)
{
	long v = secs / 60;
	const char *unit = "minute";
	if (secs >= 2 * 86400) {
		v = secs / 86400;
		unit = "day";
	} else if (secs >= 3600) {
		v = secs / 3600;
		unit = "hour";
	}
	snprintf_rq(out, size, "%ld %s%s", v, unit, v == 1 ? "" : "s");
}

/* ---- part 1: text/plain ---- */

static int
text_intro(struct buf *b, const struct ctx *c)
{
	const struct bounce_req *r = c->r;
	char span[32], until[64];
	if (buf_printf(b, "This is the mail delivery system at %s.\n\n", c->host) == -1)
		return -1;
	switch (r->kind) {
	case BOUNCE_FAILED:
		return buf_printf(b, "Your message could not be delivered to the "
		    "recipients below.\nIt is returned %s at the end of this "
		    "report.\n", c->full ? "in full" : "(headers only)");
	case BOUNCE_DELAYED:
		fmt_span(span, sizeof span, (long)(r->now - c->e->arrival));
		fmt_date(until, sizeof until, c->e->arrival + (time_t)r->queue_lifetime);
		return buf_printf(b, "This is a warning only; you do not need to "
		    "resend your message.\n\nYour message has not been delivered "
		    "to the recipients below\nafter %s.  Delivery will be "
		    "retried until\n%s; the message will be returned\nto you "
		    "if it cannot be delivered by then.\n", span, until);
	case BOUNCE_RELAYED:
		return buf_printf(b, "Your message was relayed to the recipients "
		    "below.  The next server\ndoes not return delivery "
		    "notifications, so no further notice will follow.\n");
	}
	return 0;
}

/* The sentence before a recipient's reply text. */
static void
rcpt_lead(const struct ctx *c, const struct env_rcpt *rc,
    const struct rinfo *ri, char *out, size_t size)
{
	const char *relay = c->relay[0] != '\0' ? c->relay : "the relay";
	char span[32];
	fmt_span(span, sizeof span, c->r->queue_lifetime);
	if (c->r->kind == BOUNCE_RELAYED)
		snprintf_rq(out, size, "Relayed to %s.", relay);
	else if (ri->expired)
		snprintf_rq(out, size, "Delivery time expired: gave up after %s.%s",
		    span, has_text(rc->reply) ? " The last error was:" : "");
	else if (c->r->kind == BOUNCE_DELAYED)
		snprintf_rq(out, size, "%s", ri->srv ? "Deferred; the server said:" :
		    has_text(rc->reply) ? "Not yet delivered:" : "Not yet attempted.");
	else
		snprintf_rq(out, size, "%s", ri->srv ? "Rejected permanently; the "
		    "server said:" : "Failed permanently:");
}

static int
text_rcpt(struct buf *b, const struct ctx *c, const struct env_rcpt *rc)
{
	struct rinfo ri;
	char addr[ADDR_MAX + 4], reply[CLEAN_MAX + 4], lead[512];
	classify(rc, c->r->kind, &ri);
	addr_into(addr, sizeof addr, rc->addr);
	snprintf_rq(reply, sizeof reply, "<%s>", addr);
	rcpt_lead(c, rc, &ri, lead, sizeof lead);
	if (buf_putc(b, '\n') == -1 || put_folded(b, 0, reply, INDENT) == -1 ||
	    buf_putc(b, '\n') == -1 || put_para(b, lead) == -1)
		return -1;
	if (!has_text(rc->reply) || c->r->kind == BOUNCE_RELAYED)
		return 0;
	clean_into(reply, sizeof reply, rc->reply, false);
	return put_para(b, reply);
}

static int
text_part(struct buf *b, const struct ctx *c)
{
	char arrival[64];
	fmt_date(arrival, sizeof arrival, c->e->arrival);
	if (text_intro(b, c) == -1 ||
	    buf_printf(b, "\nQueue ID: %s\nArrived:  %s\n", c->qid, arrival) == -1)
		return -1;
	for (size_t i = 0; i < c->e->nrcpt; i++)
		if (bounce_selected(c->r, i) && text_rcpt(b, c, &c->e->rcpts[i]) == -1)
			return -1;
	return buf_printf(b, "\nFor help, contact <%s> and include this "
	    "report.\n", c->pm);
}

/* ---- part 2: message/delivery-status ---- */

static int
status_message(struct buf *b, const struct ctx *c)
{
	char v[CLEAN_MAX + 64], date[64];
	snprintf_rq(v, sizeof v, "dns; %s", c->host);
	if (put_field(b, "Reporting-MTA", v) == -1)
		return -1;
	if (c->e->envid != NULL) {
		clean_into(v, sizeof v, c->e->envid, true);
		if (put_field(b, "Original-Envelope-Id", v) == -1)
			return -1;
	}
	fmt_date(date, sizeof date, c->e->arrival);
	return put_field(b, "Arrival-Date", date);
}

/* Remote-MTA and Diagnostic-Code: only what a server actually said. */
static int
status_server(struct buf *b, const struct ctx *c, const struct env_rcpt *rc,
    const struct rinfo *ri)
{
	char v[CLEAN_MAX + 16], reply[CLEAN_MAX + 4];
	if (!ri->srv)
		return 0;
	if (c->relay[0] != '\0') {
		snprintf_rq(v, sizeof v, "dns; %s", c->relay);
		if (put_field(b, "Remote-MTA", v) == -1)
			return -1;
	}
	clean_into(reply, sizeof reply, rc->reply, false);
	snprintf_rq(v, sizeof v, "smtp; %s", reply);
	return put_field(b, "Diagnostic-Code", v);
}

/* A UTF-8 address as RFC 6533's "utf-8" type in its 7-bit form (\x{HEX}),
 * which message/delivery-status may carry; others as "rfc822". */
static int
final_recipient(struct buf *b, const char *addr)
{
	char clean[ADDR_MAX + 4];
	struct buf v;
	int rc;
	buf_init(&v);
	if (utf8_addr(addr)) {
		rc = buf_puts(&v, "utf-8; ") | utf8_addr_xtext(&v, addr);
	} else {
		clean_into(clean, sizeof clean, addr, true);
		rc = buf_printf(&v, "rfc822; %s", clean);
	}
	if (rc == 0)
		rc = put_field(b, "Final-Recipient", buf_str(&v));
	buf_free(&v);
	return rc;
}

static int
status_rcpt(struct buf *b, const struct ctx *c, const struct env_rcpt *rc)
{
	static const char *const action[] = { "failed", "delayed", "relayed" };
	struct rinfo ri;
	char date[64];
	classify(rc, c->r->kind, &ri);
	if (buf_putc(b, '\n') == -1 || final_recipient(b, rc->addr) == -1 ||
	    put_field(b, "Action", action[c->r->kind]) == -1 ||
	    put_field(b, "Status", ri.status) == -1 ||
	    status_server(b, c, rc, &ri) == -1)
		return -1;
	if (c->e->last_try != 0) {
		fmt_date(date, sizeof date, c->e->last_try);
		if (put_field(b, "Last-Attempt-Date", date) == -1)
			return -1;
	}
	if (c->r->kind != BOUNCE_DELAYED || c->r->queue_lifetime <= 0)
		return 0;
	fmt_date(date, sizeof date, c->e->arrival + (time_t)c->r->queue_lifetime);
	return put_field(b, "Will-Retry-Until", date);
}

static int
status_part(struct buf *b, const struct ctx *c)
{
	if (status_message(b, c) == -1)
		return -1;
	for (size_t i = 0; i < c->e->nrcpt; i++)
		if (bounce_selected(c->r, i) && status_rcpt(b, c, &c->e->rcpts[i]) == -1)
			return -1;
	return 0;
}

/* ---- the original message, streamed ---- */

/* What a chunk callback says: read on, enough read, or an error (errno). */
enum chunk_step { CHUNK_MORE, CHUNK_ENOUGH, CHUNK_ERROR };
typedef enum chunk_step (*chunk_fn)(void *arg, const char *p, size_t n);

static int
read_chunks(int fd, off_t off, off_t len, chunk_fn fn, void *arg)
{
	char *chunk = malloc(CHUNK);
	enum chunk_step step = CHUNK_MORE;
	int saved;
	if (chunk == NULL)
		return -1;
	while (len > 0 && step == CHUNK_MORE) {
		size_t want = len < CHUNK ? (size_t)len : CHUNK;
		ssize_t n = pread(fd, chunk, want, off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;	/* .df shorter than its trailer says */
			step = CHUNK_ERROR;
			break;
		}
		step = fn(arg, chunk, (size_t)n);
		off += n;
		len -= n;
	}
	saved = errno;
	free(chunk);
	errno = saved;
	return step == CHUNK_ERROR ? -1 : 0;
}

/* Finds the header section's length (up to the LF ending the last header
 * line; the blank line is not included). */
struct hscan {
	off_t pos;
	bool at_bol;
	bool found;
};

static enum chunk_step
hscan_chunk(void *arg, const char *p, size_t n)
{
	struct hscan *h = arg;
	for (size_t i = 0; i < n; i++, h->pos++) {
		if (p[i] != '\n') {
			h->at_bol = false;
		} else if (h->at_bol) {
			h->found = true;
			return CHUNK_ENOUGH;
		} else {
			h->at_bol = true;
		}
	}
	return CHUNK_MORE;
}

/* Looks for the boundary (also across chunk edges) and 8-bit octets. */
struct bscan {
	const char *needle;
	size_t nlen;
	char tail[BOUNDARY_SIZE];	/* last nlen-1 bytes seen */
	size_t tlen;
	bool found;
	bool eightbit;
};

static void
bscan_tail(struct bscan *s, const char *p, size_t n)
{
	size_t keep = s->nlen - 1;
	if (n >= keep) {
		memcpy(s->tail, p + n - keep, keep);
		s->tlen = keep;
		return;
	}
	size_t drop = s->tlen + n > keep ? s->tlen + n - keep : 0;
	memmove(s->tail, s->tail + drop, s->tlen - drop);
	memcpy(s->tail + s->tlen - drop, p, n);
	s->tlen = s->tlen - drop + n;
}

static enum chunk_step
bscan_chunk(void *arg, const char *p, size_t n)
{
	struct bscan *s = arg;
	char edge[2 * BOUNDARY_SIZE];
	size_t head = n < s->nlen - 1 ? n : s->nlen - 1;
	for (size_t i = 0; i < n && !s->eightbit; i++)
		s->eightbit = (unsigned char)p[i] >= 0x80;
	memcpy(edge, s->tail, s->tlen);
	memcpy(edge + s->tlen, p, head);
	if (memmem(edge, s->tlen + head, s->needle, s->nlen) != NULL ||
	    memmem(p, n, s->needle, s->nlen) != NULL)
		s->found = true;
	bscan_tail(s, p, n);
	return CHUNK_MORE;
}

struct copy {
	FILE *out;
	char last;
	struct linewrap wrap;	/* mail queued before lines were limited */
};

static enum chunk_step
copy_chunk(void *arg, const char *p, size_t n)
{
	struct copy *cp = arg;
	if (linewrap_write(&cp->wrap, cp->out, p, n, NULL) == -1)
		return CHUNK_ERROR;
	cp->last = p[n - 1];
	return CHUNK_MORE;
}

/* Decides how much of the original goes in: all (RET=FULL on a failure;
 * RFC 3461 §4.3 ties RET to failures) or the header section. */
static int
original_extent(struct ctx *c)
{
	const struct envelope *e = c->e;
	struct hscan h = { .pos = 0, .at_bol = true, .found = false };
	c->full = c->r->kind == BOUNCE_FAILED && e->ret != NULL &&
	    strcasecmp(e->ret, "FULL") == 0;
	if (c->full || e->content_len <= 0) {
		c->inc_len = e->content_len > 0 ? e->content_len : 0;
		return 0;
	}
	if (read_chunks(c->r->content_fd, e->content_off, e->content_len,
	    hscan_chunk, &h) == -1)
		return -1;
	c->inc_len = h.found ? h.pos : e->content_len;
	return 0;
}

/* ---- boundary and assembly ---- */

/* A boundary absent from every part: qid plus a random part, re-drawn
 * (same stream, next value) while it occurs in the text, the report or
 * the included original. */
static int
choose_boundary(struct ctx *c, const struct buf *p1, const struct buf *p2)
{
	unsigned long long x = c->r->nonce;
	for (int t = 0; t < BOUNDARY_TRIES; t++) {
		struct bscan s = { .needle = c->bnd };
		snprintf_rq(c->bnd, sizeof c->bnd, "=_relayq_%s_%016llx", c->qid, x);
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		s.nlen = strlen(c->bnd);
		if (strstr(buf_str(p1), c->bnd) != NULL || strstr(buf_str(p2), c->bnd) != NULL)
			continue;
		if (read_chunks(c->r->content_fd, c->e->content_off, c->inc_len,
		    bscan_chunk, &s) == -1)
			return -1;
		c->eightbit = s.eightbit || c->utf8;
		if (!s.found)
			return 0;
	}
	errno = EEXIST;
	return -1;
}

static void
subject(const struct ctx *c, char *out, size_t size)
{
	long age = (long)(c->r->now - c->e->arrival);
	if (c->r->kind == BOUNCE_FAILED)
		snprintf_rq(out, size, "Returned mail: see transcript for details");
	else if (c->r->kind == BOUNCE_RELAYED)
		snprintf_rq(out, size, "Return receipt: message relayed");
	else if (age >= 3600)
		snprintf_rq(out, size, "Warning: could not send message for past "
		    "%ld hour%s", age / 3600, age / 3600 == 1 ? "" : "s");
	else
		snprintf_rq(out, size, "Warning: could not send message for past "
		    "%ld minute%s", age / 60, age / 60 == 1 ? "" : "s");
}

static int
top_headers(struct buf *b, const struct ctx *c)
{
	char subj[128], date[64], stamp[32];
	struct tm tm;
	subject(c, subj, sizeof subj);
	fmt_date(date, sizeof date, c->r->now);
	if (gmtime_r(&c->r->now, &tm) == NULL || strftime(stamp, sizeof stamp,
	    "%Y%m%d%H%M%S", &tm) == 0)
		strlcpy_rq(stamp, "0", sizeof stamp);
	return buf_printf(b, "From: Mail Delivery Subsystem <MAILER-DAEMON@%s>\n"
	    "To: <%s>\nSubject: %s\nDate: %s\nMessage-ID: <%s.%s.%016llx@%s>\n"
	    "Auto-Submitted: auto-replied\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/report; report-type=delivery-status;\n"
	    " boundary=\"%s\"\n%s\nThis is a MIME-encapsulated message.\n",
	    c->host, c->to, subj, date, stamp, c->qid, c->r->nonce, c->host,
	    c->bnd, c->eightbit ? "Content-Transfer-Encoding: 8bit\n" : "");
}

/* Everything before the original's bytes, in one buffer. */
static int
assemble_head(struct buf *b, const struct ctx *c, const struct buf *p1,
    const struct buf *p2)
{
	const char *cte = c->eightbit ? "Content-Transfer-Encoding: 8bit\n" : "";
	return top_headers(b, c) == -1 ||
	    buf_printf(b, "\n--%s\nContent-Type: text/plain; charset=%s\n%s"
	    "Content-Description: Notification\n\n%s", c->bnd, c->utf8 ? "utf-8" : "us-ascii",
	    c->utf8 ? "Content-Transfer-Encoding: 8bit\n" : "", buf_str(p1)) == -1 ||
	    buf_printf(b, "\n--%s\nContent-Type: message/delivery-status\n"
	    "Content-Description: Delivery report\n\n%s", c->bnd, buf_str(p2)) == -1 ||
	    buf_printf(b, "\n--%s\nContent-Type: %s\nContent-Description: %s\n%s\n",
	    c->bnd, c->full ? "message/rfc822" : "text/rfc822-headers",
	    c->full ? "Original message" : "Original message headers", cte) == -1
	    ? -1 : 0;
}

/* Writes head, the original (given an LF end if it lacks one) and the
 * closing delimiter, whose leading LF belongs to it (RFC 2046 §5.1.1). */
static int
emit(FILE *out, const struct ctx *c, const struct buf *head)
{
	struct copy cp = { .out = out, .last = '\n', .wrap = { 0 } };
	if (fwrite(head->data, 1, head->len, out) != head->len)
		return -1;
	if (read_chunks(c->r->content_fd, c->e->content_off, c->inc_len,
	    copy_chunk, &cp) == -1)
		return -1;
	if (cp.last != '\n' && fputc('\n', out) == EOF)
		return -1;
	if (fprintf(out, "\n--%s--\n", c->bnd) < 0 || ferror(out))
		return -1;
	return 0;
}

static int
ctx_init(struct ctx *c, const struct bounce_req *r, char *err, size_t errlen)
{
	size_t n = 0;
	memset(c, 0, sizeof *c);
	c->r = r;
	c->e = r->env;
	if (r->env == NULL || r->hostname == NULL || r->hostname[0] == '\0') {
		snprintf_rq(err, errlen, "bounce: no envelope or host name");
		errno = EINVAL;
		return -1;
	}
	for (size_t i = 0; i < c->e->nrcpt; i++) {
		n += bounce_selected(r, i);
		c->utf8 |= bounce_selected(r, i) && utf8_addr(c->e->rcpts[i].addr);
	}
	if (n == 0) {
		snprintf_rq(err, errlen, "bounce: no recipient to report");
		errno = EINVAL;
		return -1;
	}
	c->qid = qid_valid(c->e->qid) ? c->e->qid : "noqid";
	clean_into(c->host, sizeof c->host, r->hostname, true);
	clean_into(c->relay, sizeof c->relay, r->relay, true);
	clean_into(c->pm, sizeof c->pm, r->postmaster != NULL ? r->postmaster :
	    "postmaster", true);
	addr_into(c->to, sizeof c->to, r->to != NULL ? r->to : c->e->sender);
	c->utf8 |= utf8_addr(c->to);
	return 0;
}

static int
fail(char *err, size_t errlen, const char *qid, const char *what)
{
	int saved = errno;
	snprintf_rq(err, errlen, "%s: bounce: %s: %s", qid, what, strerror(saved));
	errno = saved;
	return -1;
}

int
bounce_write(FILE *out, const struct bounce_req *r, bool *eightbit,
    char *err, size_t errlen)
{
	struct ctx c;
	struct buf p1, p2, head;
	int rc = -1;
	if (ctx_init(&c, r, err, errlen) == -1)
		return -1;
	buf_init(&p1);
	buf_init(&p2);
	buf_init(&head);
	if (text_part(&p1, &c) == -1 || status_part(&p2, &c) == -1)
		fail(err, errlen, c.qid, "composing report");
	else if (original_extent(&c) == -1 || choose_boundary(&c, &p1, &p2) == -1)
		fail(err, errlen, c.qid, errno == EEXIST ? "no unused MIME boundary"
		    : "reading the queued message");
	else if (assemble_head(&head, &c, &p1, &p2) == -1)
		fail(err, errlen, c.qid, "composing report");
	else if (emit(out, &c, &head) == -1)
		fail(err, errlen, c.qid, "writing report");
	else
		rc = 0;
	if (eightbit != NULL)
		*eightbit = c.eightbit;
	buf_free(&p1);
	buf_free(&p2);
	buf_free(&head);
	return rc;
}
