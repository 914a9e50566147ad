/* smtp_reply: strict parser for SMTP replies (RFC 5321 §4.2) and the EHLO
 * keyword list (§4.1.1.1).  Pure and bounded; fuzzed by tests/fuzz. */
#include "smtp_reply.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

/* Hostile input is shown in logs: keep only printable ASCII. */
static char
safe_char(unsigned char c)
{
	return (c >= 0x20 && c <= 0x7e) ? (char)c : '?';
}

/* Appends n bytes of (sanitized) src to the NUL-terminated dst, cutting. */
static void
append_text(char *dst, size_t size, const char *src, size_t n)
{
	size_t len = strlen(dst);
	for (size_t i = 0; i < n && len + 1 < size; i++)
		dst[len++] = safe_char((unsigned char)src[i]);
	dst[len] = '\0';
}

/* For error texts: a short sanitized quote of the offending line. */
static void
set_err(char *err, size_t errlen, const char *what, const char *line,
    size_t len)
{
	char quote[48] = "";
	append_text(quote, sizeof(quote), line, len);
	snprintf_rq(err, errlen, "%s: \"%s\"", what, quote);
}

void
smtp_reply_begin(struct smtp_reply_parser *p, struct smtp_reply *r)
{
	memset(p, 0, sizeof(*p));
	memset(r, 0, sizeof(*r));
	p->r = r;
}

void
smtp_reply_set(struct smtp_reply *r, int code, const char *enh,
    const char *text)
{
	r->code = code;
	strlcpy_rq(r->enh, enh != NULL ? enh : "", sizeof(r->enh));
	r->text[0] = '\0';
	append_text(r->text, sizeof(r->text), text, strlen(text));
}

/* 1..3 digits at s[*i]; advances *i. */
static bool
digits13(const char *s, size_t len, size_t *i)
{
	size_t n = 0;
	while (*i < len && n < 4 && isdigit((unsigned char)s[*i])) {
		(*i)++;
		n++;
	}
	return n >= 1 && n <= 3;
}

/* Length of an enhanced status code "c.d{1,3}.d{1,3}" at the start of
 * text followed by SP or the end, whose class is `cls`; 0 if none
 * (RFC 2034 §4, RFC 3463). */
static size_t
enh_len(const char *t, size_t len, int cls)
{
	size_t i;
	if (len < 5 || t[0] != (char)('0' + cls) || t[1] != '.')
		return 0;
	i = 2;
	if (!digits13(t, len, &i) || i >= len || t[i] != '.')
		return 0;
	i++;
	if (!digits13(t, len, &i))
		return 0;
	if (i < len && t[i] != ' ')
		return 0;
	return i;
}

/* Validates "NNN" + ('-' | ' ' | end); returns the code or -1. */
static int
parse_code(const char *line, size_t len, bool *last)
{
	if (len < 3 || line[0] < '2' || line[0] > '5' || line[1] < '0' ||
	    line[1] > '5' || !isdigit((unsigned char)line[2]))
		return -1;
	if (len == 3 || line[3] == ' ')
		*last = true;
	else if (line[3] == '-')
		*last = false;
	else
		return -1;
	return (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
}

static int
check_bounds(struct smtp_reply_parser *p, size_t len, char *err,
    size_t errlen)
{
	if (len > SMTP_REPLY_LINE_MAX) {
		snprintf_rq(err, errlen, "reply line too long");
		return -1;
	}
	if (p->nlines >= SMTP_REPLY_MAX_LINES) {
		snprintf_rq(err, errlen, "reply has more than %d lines",
		    SMTP_REPLY_MAX_LINES);
		return -1;
	}
	if (p->nbytes + len > SMTP_REPLY_MAX_BYTES) {
		snprintf_rq(err, errlen, "reply longer than %d bytes",
		    SMTP_REPLY_MAX_BYTES);
		return -1;
	}
	return 0;
}

/* Adds one line's text to the log text (format in smtp_reply.h). */
static void
add_log_text(struct smtp_reply *r, bool first, const char *t, size_t n)
{
	if (first) {
		snprintf_rq(r->text, sizeof(r->text), "%d", r->code);
		if (n > 0)
			append_text(r->text, sizeof(r->text), " ", 1);
		append_text(r->text, sizeof(r->text), t, n);
		return;
	}
	size_t el = strlen(r->enh);
	if (el > 0 && n >= el && memcmp(t, r->enh, el) == 0 &&
	    (n == el || t[el] == ' ')) {
		t += el;
		n -= el;
		while (n > 0 && *t == ' ') {
			t++;
			n--;
		}
	}
	append_text(r->text, sizeof(r->text), "; ", 2);
	append_text(r->text, sizeof(r->text), t, n);
}

static void
set_enh(struct smtp_reply *r, const char *t, size_t n)
{
	int cls = r->code / 100;
	if (cls == 3)		/* never on 3xx (RFC 2034 §4) */
		return;
	size_t el = enh_len(t, n, cls);
	if (el > 0 && el < sizeof(r->enh)) {
		memcpy(r->enh, t, el);
		r->enh[el] = '\0';
	}
}

enum srp_status
smtp_reply_feed(struct smtp_reply_parser *p, const char *line, size_t len,
    const char **textp, size_t *textlenp, char *err, size_t errlen)
{
	bool last = false;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (p->done) {
		set_err(err, errlen, "data after end of reply", line, len);
		return SRP_ERROR;
	}
	if (check_bounds(p, len, err, errlen) == -1)
		return SRP_ERROR;
	int code = parse_code(line, len, &last);
	if (code < 0) {
		set_err(err, errlen, "malformed reply", line, len);
		return SRP_ERROR;
	}
	if (p->nlines > 0 && code != p->r->code) {
		set_err(err, errlen, "reply code changed within reply",
		    line, len);
		return SRP_ERROR;
	}
	const char *t = len > 3 ? line + 4 : line + 3;
	size_t tn = len > 3 ? len - 4 : 0;
	p->r->code = code;
	if (p->nlines == 0)
		set_enh(p->r, t, tn);
	add_log_text(p->r, p->nlines == 0, t, tn);
	p->nlines++;
	p->nbytes += len;
	p->done = last;
	if (textp != NULL)
		*textp = t;
	if (textlenp != NULL)
		*textlenp = tn;
	return last ? SRP_DONE : SRP_MORE;
}

int
smtp_reply_parse(struct smtp_reply *r, const char *data, size_t len,
    char *err, size_t errlen)
{
	struct smtp_reply_parser p;
	size_t off = 0;
	smtp_reply_begin(&p, r);
	while (off < len) {
		const char *nl = memchr(data + off, '\n', len - off);
		if (nl == NULL)
			break;
		size_t n = (size_t)(nl - (data + off));
		enum srp_status st = smtp_reply_feed(&p, data + off, n, NULL,
		    NULL, err, errlen);
		off += n + 1;
		if (st == SRP_ERROR)
			return -1;
		if (st == SRP_DONE) {
			if (off == len)
				return 0;
			snprintf_rq(err, errlen, "data after end of reply");
			return -1;
		}
	}
	snprintf_rq(err, errlen, "incomplete reply");
	return -1;
}

/* ---- EHLO ---- */

void
smtp_ext_clear(struct smtp_ext *e)
{
	memset(e, 0, sizeof(*e));
}

/* Adds " WORD " (upper-cased) to a space-delimited set unless present or
 * full; the set keeps a leading and trailing space for exact lookups. */
static void
set_add(char *set, size_t size, const char *w, size_t n)
{
	char needle[72];
	if (n == 0 || n + 3 > sizeof(needle))
		return;
	needle[0] = ' ';
	for (size_t i = 0; i < n; i++)
		needle[i + 1] = (char)toupper((unsigned char)w[i]);
	needle[n + 1] = ' ';
	needle[n + 2] = '\0';
	if (strstr(set, needle) != NULL)
		return;
	size_t len = strlen(set);
	size_t add = len == 0 ? n + 2 : n + 1;
	if (len + add + 1 > size)
		return;
	strlcpy_rq(set + len, len == 0 ? needle : needle + 1, size - len);
}

static bool
set_has(const char *set, const char *w)
{
	char needle[72];
	size_t n = strlen(w);
	if (n == 0 || n + 3 > sizeof(needle))
		return false;
	snprintf_rq(needle, sizeof(needle), " %s ", w);
	return strcasestr(set, needle) != NULL;
}

static bool
is_kw_char(char c)
{
	return isalnum((unsigned char)c) || c == '-';
}

static bool
is_mech_char(char c)
{
	return isupper((unsigned char)c) || islower((unsigned char)c) ||
	    isdigit((unsigned char)c) || c == '-' || c == '_';
}

static void
parse_auth(struct smtp_ext *e, const char *p, size_t n)
{
	size_t i = 0;
	e->flags |= EXT_AUTH;
	while (i < n) {
		while (i < n && p[i] == ' ')
			i++;
		size_t start = i;
		while (i < n && p[i] != ' ')
			i++;
		bool ok = i > start && i - start <= 20;
		for (size_t k = start; ok && k < i; k++)
			ok = is_mech_char(p[k]);
		if (ok)
			set_add(e->auth, sizeof(e->auth), p + start, i - start);
	}
}

/* SIZE [n]: absent, zero or unparsable means no fixed limit (RFC 1870). */
static void
parse_size(struct smtp_ext *e, const char *p, size_t n)
{
	unsigned long long v = 0;
	e->flags |= EXT_SIZE;
	for (size_t i = 0; i < n && isdigit((unsigned char)p[i]); i++) {
		if (v > 1000000000000000ULL)
			return;		/* absurd: keep "no limit" */
		v = v * 10 + (unsigned long long)(p[i] - '0');
	}
	e->size_max = v;
}

static const struct {
	const char *kw;
	unsigned flag;
} known_ext[] = {
	{ "PIPELINING", EXT_PIPELINING }, { "8BITMIME", EXT_8BITMIME },
	{ "DSN", EXT_DSN }, { "STARTTLS", EXT_STARTTLS },
	{ "ENHANCEDSTATUSCODES", EXT_ENHANCEDSTATUSCODES },
	{ "SMTPUTF8", EXT_SMTPUTF8 },
};

void
smtp_ext_parse_line(struct smtp_ext *e, const char *text, size_t len)
{
	size_t k = 0;
	while (k < len && is_kw_char(text[k]))
		k++;
	if (k == 0 || k > 64 || (k < len && text[k] != ' ' && text[k] != '='))
		return;
	const char *params = k < len ? text + k + 1 : text + k;
	size_t plen = k < len ? len - k - 1 : 0;
	set_add(e->keywords, sizeof(e->keywords), text, k);
	if (k == 4 && strncasecmp(text, "AUTH", 4) == 0) {
		parse_auth(e, params, plen);
		return;
	}
	if (k < len && text[k] == '=')	/* "AUTH=" is the only legacy form */
		return;
	if (k == 4 && strncasecmp(text, "SIZE", 4) == 0) {
		parse_size(e, params, plen);
		return;
	}
	for (size_t i = 0; i < sizeof(known_ext) / sizeof(known_ext[0]); i++)
		if (strlen(known_ext[i].kw) == k &&
		    strncasecmp(text, known_ext[i].kw, k) == 0)
			e->flags |= known_ext[i].flag;
}

bool
smtp_ext_has(const struct smtp_ext *e, const char *keyword)
{
	return set_has(e->keywords, keyword);
}

bool
smtp_ext_has_auth(const struct smtp_ext *e, const char *mech)
{
	return set_has(e->auth, mech);
}
