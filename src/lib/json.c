/* json: recursive descent over RFC 8259 with every limit of json.h
 * checked as it goes; the top-level object's members are kept. */
#include "json.h"
#include "buf.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct jp {
	const unsigned char *s;
	size_t len, pos;
	int depth;
	const char *why;	/* static text: what went wrong */
};

static int
fail(struct jp *p, const char *why)
{
	if (p->why == NULL)
		p->why = why;
	return -1;
}

static void
skip_ws(struct jp *p)
{
	while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' ||
	    p->s[p->pos] == '\n' || p->s[p->pos] == '\r'))
		p->pos++;
}

static int
peek(const struct jp *p)
{
	return p->pos < p->len ? p->s[p->pos] : -1;
}

static int
expect(struct jp *p, int c, const char *why)
{
	skip_ws(p);
	if (peek(p) != c)
		return fail(p, why);
	p->pos++;
	return 0;
}

static int
literal(struct jp *p, const char *word)
{
	size_t n = strlen(word);
	if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0)
		return fail(p, "unexpected character");
	p->pos += n;
	return 0;
}

static bool
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static size_t
digits(struct jp *p)
{
	size_t start = p->pos;
	while (is_digit(peek(p)))
		p->pos++;
	return p->pos - start;
}

/* -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static int
number(struct jp *p)
{
	if (peek(p) == '-')
		p->pos++;
	if (peek(p) == '0')
		p->pos++;
	else if (digits(p) == 0)
		return fail(p, "bad number");
	if (peek(p) == '.') {
		p->pos++;
		if (digits(p) == 0)
			return fail(p, "bad number");
	}
	if (peek(p) == 'e' || peek(p) == 'E') {
		p->pos++;
		if (peek(p) == '+' || peek(p) == '-')
			p->pos++;
		if (digits(p) == 0)
			return fail(p, "bad number");
	}
	return 0;
}

static int
hex4(struct jp *p, unsigned *out)
{
	*out = 0;
	if (p->len - p->pos < 4)
		return fail(p, "bad \\u escape");
	for (int i = 0; i < 4; i++) {
		int c = p->s[p->pos++], v;
		if (is_digit(c))
			v = c - '0';
		else if (c >= 'a' && c <= 'f')
			v = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v = c - 'A' + 10;
		else
			return fail(p, "bad \\u escape");
		*out = *out << 4 | (unsigned)v;
	}
	return 0;
}

static int
put_utf8(struct buf *b, unsigned cp)
{
	char u[4];
	size_t n;
	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | cp >> 18);
		u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return buf_append(b, u, n);
}

/* After "\u": one code point, a surrogate pair joined. */
static int
unicode_escape(struct jp *p, struct buf *b)
{
	unsigned hi, lo;
	if (hex4(p, &hi) == -1)
		return -1;
	if (hi == 0)
		return fail(p, "\\u0000 in a string");
	if (hi >= 0xdc00 && hi <= 0xdfff)
		return fail(p, "lone low surrogate");
	if (hi >= 0xd800 && hi <= 0xdbff) {
		if (p->len - p->pos < 2 || p->s[p->pos] != '\\' || p->s[p->pos + 1] != 'u')
			return fail(p, "lone high surrogate");
		p->pos += 2;
		if (hex4(p, &lo) == -1)
			return -1;
		if (lo < 0xdc00 || lo > 0xdfff)
			return fail(p, "lone high surrogate");
		hi = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
	}
	return put_utf8(b, hi) == -1 ? fail(p, "out of memory") : 0;
}

static int
escape(struct jp *p, struct buf *b)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	int c = peek(p);
	const char *at = c > 0 ? strchr(from, c) : NULL;
	p->pos++;
	if (c == 'u')
		return unicode_escape(p, b);
	if (at == NULL)
		return fail(p, "bad escape");
	return buf_putc(b, to[at - from]) == -1 ? fail(p, "out of memory") : 0;
}

/* Length of the UTF-8 sequence at the cursor (RFC 3629), 0 if invalid. */
static size_t
utf8_len(const struct jp *p)
{
	const unsigned char *s = p->s + p->pos;
	size_t left = p->len - p->pos, n;
	unsigned min, cp;
	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2; min = 0x80; cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3; min = 0x800; cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4; min = 0x10000; cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (left < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* A string at the cursor (after skip_ws), decoded into b (may be NULL:
 * only checked). */
static int
string(struct jp *p, struct buf *b)
{
	struct buf scratch;
	buf_init(&scratch);
	if (b == NULL)
		b = &scratch;
	int rc = -1;
	if (peek(p) != '"') {
		fail(p, "expected a string");
		goto out;
	}
	p->pos++;
	for (;;) {
		int c = peek(p);
		size_t n;
		if (b->len > JSON_MAX_STRING) {
			fail(p, "string too long");
			goto out;
		}
		if (c == -1 || c < 0x20) {
			fail(p, c == -1 ? "unterminated string" : "control character in a string");
			goto out;
		}
		if (c == '"')
			break;
		if (c == '\\') {
			p->pos++;
			if (escape(p, b) == -1)
				goto out;
			continue;
		}
		if ((n = utf8_len(p)) == 0) {
			fail(p, "invalid UTF-8");
			goto out;
		}
		if (buf_append(b, p->s + p->pos, n) == -1) {
			fail(p, "out of memory");
			goto out;
		}
		p->pos += n;
	}
	p->pos++;
	rc = b->len > JSON_MAX_STRING ? fail(p, "string too long") : 0;
out:
	buf_free_secret(&scratch);
	return rc;
}

static int value(struct jp *p, enum json_type *type, struct buf *text);

/* An object or array at the cursor, only checked. */
static int
container(struct jp *p, int open)
{
	int close = open == '{' ? '}' : ']';
	enum json_type t;
	if (++p->depth > JSON_MAX_DEPTH)
		return fail(p, "nested too deep");
	p->pos++;
	skip_ws(p);
	if (peek(p) == close) {
		p->pos++;
		p->depth--;
		return 0;
	}
	for (;;) {
		skip_ws(p);
		if (open == '{' && (string(p, NULL) == -1 ||
		    expect(p, ':', "expected ':'") == -1))
			return -1;
		if (value(p, &t, NULL) == -1)
			return -1;
		skip_ws(p);
		if (peek(p) == close)
			break;
		if (expect(p, ',', "expected ',' or the end") == -1)
			return -1;
	}
	p->pos++;
	p->depth--;
	return 0;
}

/* Any value; a string's decoded text or a number's text goes to text
 * (when not NULL). */
static int
value(struct jp *p, enum json_type *type, struct buf *text)
{
	skip_ws(p);
	int c = peek(p);
	size_t start = p->pos;
	switch (c) {
	case '"':
		*type = JSON_STRING;
		return string(p, text);
	case '{':
	case '[':
		*type = c == '{' ? JSON_OBJECT : JSON_ARRAY;
		return container(p, c);
	case 't':
		*type = JSON_TRUE;
		return literal(p, "true");
	case 'f':
		*type = JSON_FALSE;
		return literal(p, "false");
	case 'n':
		*type = JSON_NULL;
		return literal(p, "null");
	default:
		*type = JSON_NUMBER;
		if (c != '-' && !is_digit(c))
			return fail(p, c == -1 ? "unexpected end" : "unexpected character");
		if (number(p) == -1)
			return -1;
		if (text != NULL && buf_append(text, p->s + start, p->pos - start) == -1)
			return fail(p, "out of memory");
		return 0;
	}
}

/* One "key": value of the top-level object into o. */
static int
member(struct jp *p, struct json_obj *o)
{
	struct buf key, val;
	enum json_type t;
	int rc = -1;
	buf_init(&key);
	buf_init(&val);
	skip_ws(p);
	if (string(p, &key) == -1 || expect(p, ':', "expected ':'") == -1 ||
	    value(p, &t, &val) == -1)
		goto out;
	if (json_get(o, buf_str(&key)) != NULL) {
		fail(p, "duplicate key");
		goto out;
	}
	if (o->n == JSON_MAX_MEMBERS) {
		fail(p, "too many members");
		goto out;
	}
	struct json_member *m = &o->m[o->n];
	m->type = t;
	m->key = buf_steal(&key);
	m->value = t == JSON_STRING || t == JSON_NUMBER ? buf_steal(&val) : NULL;
	if (m->key == NULL || ((t == JSON_STRING || t == JSON_NUMBER) && m->value == NULL)) {
		free(m->key);
		free(m->value);
		fail(p, "out of memory");
		goto out;
	}
	o->n++;
	rc = 0;
out:
	buf_free_secret(&key);
	buf_free_secret(&val);
	return rc;
}

static int
top(struct jp *p, struct json_obj *o)
{
	if (expect(p, '{', "expected an object") == -1)
		return -1;
	p->depth = 1;
	skip_ws(p);
	if (peek(p) == '}') {
		p->pos++;
	} else {
		for (;;) {
			if (member(p, o) == -1)
				return -1;
			skip_ws(p);
			if (peek(p) == '}')
				break;
			if (expect(p, ',', "expected ',' or '}'") == -1)
				return -1;
		}
		p->pos++;
	}
	skip_ws(p);
	return p->pos == p->len ? 0 : fail(p, "data after the object");
}

int
json_parse_object(const char *text, size_t len, struct json_obj *o, char *err,
    size_t errlen)
{
	struct jp p = { .s = (const unsigned char *)text, .len = len };
	memset(o, 0, sizeof *o);
	if (len > JSON_MAX_INPUT) {
		snprintf_rq(err, errlen, "JSON: longer than %d bytes", JSON_MAX_INPUT);
		return -1;
	}
	if (top(&p, o) == 0)
		return 0;
	snprintf_rq(err, errlen, "JSON: %s at byte %zu", p.why != NULL ? p.why : "error",
	    p.pos);
	json_free(o);
	return -1;
}

const struct json_member *
json_get(const struct json_obj *o, const char *key)
{
	for (size_t i = 0; i < o->n; i++)
		if (strcmp(o->m[i].key, key) == 0)
			return &o->m[i];
	return NULL;
}

const char *
json_string(const struct json_obj *o, const char *key)
{
	const struct json_member *m = json_get(o, key);
	return m != NULL && m->type == JSON_STRING ? m->value : NULL;
}

int
json_int(const struct json_obj *o, const char *key, long long min, long long max,
    long long *out)
{
	const struct json_member *m = json_get(o, key);
	char *end;
	if (m == NULL || (m->type != JSON_STRING && m->type != JSON_NUMBER))
		return -1;
	const char *v = m->value;
	if (!is_digit((unsigned char)v[v[0] == '-']))
		return -1;
	errno = 0;
	long long n = strtoll(v, &end, 10);
	if (errno != 0 || *end != '\0' || n < min || n > max)
		return -1;
	*out = n;
	return 0;
}

static void
wipe_free(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

void
json_free(struct json_obj *o)
{
	if (o == NULL)
		return;
	for (size_t i = 0; i < o->n; i++) {
		wipe_free(o->m[i].key);
		wipe_free(o->m[i].value);
	}
	memset(o, 0, sizeof *o);
}
