/* dropwire: the submission socket's command and reply lines (dropwire.h).
 * Strict: one space between fields, decimal lengths without sign or
 * leading zero, nothing after the last field. */
#include "dropwire.h"
#include "buf.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char *const reply_words[] = {
	[DWR_OK] = "ok", [DWR_TEMPFAIL] = "tempfail", [DWR_NO_SPACE] = "nospace",
	[DWR_TOO_BIG] = "toobig", [DWR_BAD_DATA] = "baddata", [DWR_REFUSED] = "refused",
	[DWR_GONE] = "gone",
};

/* A decimal length at *p up to a blank or the end; advances *p. */
static int
parse_len(const char **p, const char *end, long long max, long long *out)
{
	const char *s = *p;
	long long v = 0;
	if (s == end || *s < '0' || *s > '9' || (*s == '0' && s + 1 < end && s[1] != ' '))
		return -1;
	for (; s < end && *s >= '0' && *s <= '9'; s++) {
		if (v > (max - (*s - '0')) / 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	*p = s;
	*out = v;
	return 0;
}

/* Does [*p, end) start with word and a blank?  Advances past both. */
static bool
take_word(const char **p, const char *end, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(end - *p) <= n || memcmp(*p, word, n) != 0 || (*p)[n] != ' ')
		return false;
	*p += n + 1;
	return true;
}

static int
parse_envelope(const char *p, const char *end, struct dropwire_cmd *c)
{
	if (parse_len(&p, end, DROPWIRE_ENVELOPE_MAX, &c->len) == -1 || p == end || *p++ != ' ')
		return -1;
	size_t n = (size_t)(end - p);
	if (n != QID_LEN)
		return -1;
	memcpy(c->qid, p, n);
	c->qid[n] = '\0';
	return qid_valid(c->qid) ? 0 : -1;
}

static int
parse_qp(const char *p, const char *end, struct dropwire_cmd *c)
{
	if (parse_len(&p, end, DROPWIRE_HEADER_MAX, &c->len) == -1 || p == end || *p++ != ' ')
		return -1;
	return parse_len(&p, end, (1LL << 62), &c->body_off) == 0 && p == end ? 0 : -1;
}

/* "OP QID": one of the owner's changes and a queue id. */
static int
parse_queue(const char *p, const char *end, struct dropwire_cmd *c)
{
	static const char *const ops[] = { "hold", "release", "retry", "requeue" };
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		const char *q = p;
		if (!take_word(&q, end, ops[i]) || (size_t)(end - q) != QID_LEN)
			continue;
		strlcpy_rq(c->op, ops[i], sizeof c->op);
		memcpy(c->qid, q, QID_LEN);
		c->qid[QID_LEN] = '\0';
		return qid_valid(c->qid) ? 0 : -1;
	}
	return -1;
}

int
dropwire_parse_cmd(const char *line, size_t n, struct dropwire_cmd *c)
{
	memset(c, 0, sizeof *c);
	if (n < 2 || n > DROPWIRE_LINE_MAX || line[n - 1] != '\n')
		return -1;
	const char *p = line, *end = line + n - 1;
	if (take_word(&p, end, "envelope")) {
		c->verb = DW_ENVELOPE;
		return parse_envelope(p, end, c);
	}
	if (take_word(&p, end, "data")) {
		c->verb = DW_DATA;
		return parse_len(&p, end, (1LL << 62), &c->len) == 0 && p == end ? 0 : -1;
	}
	if (take_word(&p, end, "qp")) {
		c->verb = DW_QP;
		return parse_qp(p, end, c);
	}
	if (take_word(&p, end, "queue")) {
		c->verb = DW_QUEUE;
		return parse_queue(p, end, c);
	}
	if (take_word(&p, end, "commit") && end - p == 1 && (*p == '7' || *p == '8')) {
		c->verb = DW_COMMIT;
		c->eightbit = *p == '8';
		return 0;
	}
	return -1;
}

size_t
dropwire_format_cmd(const struct dropwire_cmd *c, char *out, size_t size)
{
	switch (c->verb) {
	case DW_ENVELOPE:
		snprintf_rq(out, size, "envelope %lld %s\n", c->len, c->qid);
		break;
	case DW_DATA:
		snprintf_rq(out, size, "data %lld\n", c->len);
		break;
	case DW_QP:
		snprintf_rq(out, size, "qp %lld %lld\n", c->len, c->body_off);
		break;
	case DW_COMMIT:
		snprintf_rq(out, size, "commit %c\n", c->eightbit ? '8' : '7');
		break;
	case DW_QUEUE:
		snprintf_rq(out, size, "queue %s %s\n", c->op, c->qid);
		break;
	}
	return strlen(out);
}

size_t
dropwire_format_reply(enum dropwire_reply r, const char *text, char *out, size_t size)
{
	snprintf_rq(out, size - 1, "%s %s", reply_words[r], text);
	size_t n = strlen(out);
	for (size_t i = 0; i < n; i++)
		if (out[i] == '\n' || out[i] == '\r')
			out[i] = ' ';
	out[n++] = '\n';
	out[n] = '\0';
	return n;
}

int
dropwire_parse_reply(const char *line, size_t n, enum dropwire_reply *r,
    char *text, size_t size)
{
	if (n < 2 || n > DROPWIRE_LINE_MAX * 4 || line[n - 1] != '\n' || memchr(line, '\0', n))
		return -1;
	const char *end = line + n - 1;
	for (size_t i = 0; i < sizeof reply_words / sizeof reply_words[0]; i++) {
		const char *p = line;
		if (take_word(&p, end, reply_words[i])) {
			*r = (enum dropwire_reply)i;
			snprintf_rq(text, size, "%.*s", (int)(end - p), p);
			return 0;
		}
	}
	return -1;
}

int
dropwire_reply_errno(enum dropwire_reply r)
{
	switch (r) {
	case DWR_OK: return 0;
	case DWR_TEMPFAIL: return EAGAIN;
	case DWR_NO_SPACE: return ENOSPC;
	case DWR_TOO_BIG: return EFBIG;
	case DWR_BAD_DATA: return EBADMSG;
	case DWR_REFUSED: return EPERM;
	case DWR_GONE: return ENOENT;
	}
	return EPROTO;
}
