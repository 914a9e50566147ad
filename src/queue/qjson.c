/* qjson: queued messages as JSON objects, written straight to a stream. */
#include "qjson.h"

#include <stdbool.h>

/* Is p[0..n) continuation bytes? */
static bool
continuations(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((p[i] & 0xC0) != 0x80)
			return false;
	return true;
}

size_t
qjson_utf8_len(const unsigned char *p)
{
	if (p[0] < 0x80)
		return 1;
	size_t n = p[0] >= 0xF0 ? 4 : p[0] >= 0xE0 ? 3 : p[0] >= 0xC2 ? 2 : 0;
	if (n == 0 || p[0] > 0xF4 || !continuations(p + 1, n - 1))
		return 0;	/* a stray continuation, C0/C1, F5-FF, or cut short */
	/* The second byte's range rules out overlong forms, surrogates and
	 * code points past U+10FFFF (RFC 3629 §4). */
	if ((p[0] == 0xE0 && p[1] < 0xA0) || (p[0] == 0xED && p[1] > 0x9F) ||
	    (p[0] == 0xF0 && p[1] < 0x90) || (p[0] == 0xF4 && p[1] > 0x8F))
		return 0;
	return n;
}

static void
put_char(FILE *out, unsigned char ch)
{
	switch (ch) {
	case '"': fputs("\\\"", out); return;
	case '\\': fputs("\\\\", out); return;
	case '\n': fputs("\\n", out); return;
	case '\r': fputs("\\r", out); return;
	case '\t': fputs("\\t", out); return;
	}
	if (ch < 0x20 || ch == 0x7F)
		fprintf(out, "\\u%04x", ch);
	else
		fputc(ch, out);
}

void
qjson_str(FILE *out, const char *s)
{
	if (s == NULL) {
		fputs("null", out);
		return;
	}
	const unsigned char *p = (const unsigned char *)s;
	fputc('"', out);
	while (*p != '\0') {
		size_t n = qjson_utf8_len(p);
		if (n == 0) {
			fputs("\\ufffd", out);
			p++;
		} else if (n == 1) {
			put_char(out, *p++);
		} else {
			fwrite(p, 1, n, out);
			p += n;
		}
	}
	fputc('"', out);
}

/* "key":value pairs; `first` says whether a comma goes before. */
static void
key(FILE *out, const char *k, bool first)
{
	fprintf(out, "%s\"%s\":", first ? "" : ",", k);
}

static void
key_str(FILE *out, const char *k, const char *v)
{
	key(out, k, false);
	qjson_str(out, v);
}

/* A time, or null for 0 (never, none, as soon as possible). */
static void
key_time(FILE *out, const char *k, time_t t)
{
	key(out, k, false);
	if (t == 0)
		fputs("null", out);
	else
		fprintf(out, "%lld", (long long)t);
}

static void
key_num(FILE *out, const char *k, long long n)
{
	key(out, k, false);
	fprintf(out, "%lld", n);
}

static void
recipients(FILE *out, const struct envelope *e)
{
	key(out, "recipients", false);
	fputc('[', out);
	for (size_t i = 0; i < e->nrcpt; i++) {
		fputs(i == 0 ? "{" : ",{", out);
		key(out, "address", true);
		qjson_str(out, e->rcpts[i].addr);
		key_str(out, "state", mailq_rcpt_word(e->rcpts[i].state));
		key_str(out, "reply", e->rcpts[i].reply);
		fputc('}', out);
	}
	fputc(']', out);
}

static void
dsn(FILE *out, const struct envelope *e)
{
	key(out, "dsn", false);
	fputc('{', out);
	key(out, "notify", true);
	qjson_str(out, e->notify);
	key_str(out, "ret", e->ret);
	key_str(out, "envid", e->envid);
	key_str(out, "body", e->body);
	fputc('}', out);
}

void
qjson_message(FILE *out, const struct mailq_item *it, time_t now)
{
	const struct envelope *e = &it->e;
	fputc('{', out);
	key(out, "queue_id", true);
	qjson_str(out, e->qid);
	key_str(out, "status", mailq_status(it));
	key(out, "held", false);
	fputs(e->held != 0 ? "true" : "false", out);
	key_time(out, "held_since", e->held);
	key_time(out, "arrival", e->arrival);
	key_num(out, "age", (long long)(now - e->arrival));
	key_num(out, "size", (long long)e->content_len);
	key_num(out, "uid", (long long)e->uid);
	key_str(out, "sender", e->sender);
	key_str(out, "message_id", e->msgid);
	dsn(out, e);
	key_num(out, "attempts", e->attempts);
	key_time(out, "last_attempt", e->last_try);
	key_time(out, "next_attempt", e->held != 0 ? 0 : e->next_try);
	key_time(out, "delay_notice", e->warned);
	key_str(out, "reason", e->reason);
	recipients(out, e);
	fputc('}', out);
}

void
qjson_list(FILE *out, const char *spool, const struct mailq_list *l, time_t now,
    long older_than)
{
	fputc('{', out);
	key(out, "spool", true);
	qjson_str(out, spool);
	key_num(out, "now", (long long)now);
	key_num(out, "count", (long long)l->n);
	if (older_than >= 0) {
		key_num(out, "older_than", older_than);
		key_num(out, "older", (long long)mailq_older(l, now, older_than));
	}
	key(out, "messages", false);
	fputc('[', out);
	for (size_t i = 0; i < l->n; i++) {
		fputs(i == 0 ? "\n" : ",\n", out);
		qjson_message(out, &l->v[i], now);
	}
	fputs("]}\n", out);
}
