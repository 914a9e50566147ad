/* fuzz_smtp_reply: libFuzzer target for the SMTP reply parser and the EHLO
 * keyword parser (OpenSMTPD's CVE-2020-8794 lived in this parser): server
 * bytes cut into lines as the client reads them, reply after reply. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtp_reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool
printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return false;
	return true;
}

/* A finished reply: valid code, its digits first, bounded printable text,
 * an enhanced code of the reply's class or none. */
static void
check_reply(const struct smtp_reply *r)
{
	if (r->code < 200 || r->code > 559 ||
	    strnlen(r->text, sizeof r->text) == sizeof r->text ||
	    strnlen(r->enh, sizeof r->enh) == sizeof r->enh || !printable(r->text))
		abort();
	if (r->text[0] - '0' != r->code / 100)
		abort();
	if (r->enh[0] != '\0' && (r->enh[0] - '0' != r->code / 100 || r->enh[1] != '.' ||
	    strspn(r->enh, "0123456789.") != strlen(r->enh)))
		abort();
}

/* Each keyword the set holds is found again, case-insensitively. */
static void
check_set(const char *set, size_t size, bool (*has)(const struct smtp_ext *,
    const char *), const struct smtp_ext *e)
{
	char word[80];
	size_t len = strnlen(set, size);
	if (len == size || (len > 0 && (set[0] != ' ' || set[len - 1] != ' ')))
		abort();
	for (const char *p = set; *p != '\0'; ) {
		p += strspn(p, " ");
		size_t n = strcspn(p, " ");
		if (n == 0)
			break;
		if (n >= sizeof word)
			abort();
		memcpy(word, p, n);
		word[n] = '\0';
		if (!has(e, word))
			abort();
		p += n;
	}
}

static void
check_ext(const struct smtp_ext *e)
{
	check_set(e->keywords, sizeof e->keywords, smtp_ext_has, e);
	check_set(e->auth, sizeof e->auth, smtp_ext_has_auth, e);
	(void)smtp_ext_has(e, "");
	(void)smtp_ext_has_auth(e, "PLAIN");
}

/* One line, as conn_read_line hands it over: its own exact-size buffer
 * (an overread shows up), no LF. */
static enum srp_status
feed(struct smtp_reply_parser *p, const uint8_t *s, size_t n, struct smtp_ext *e,
    size_t lineno)
{
	char err[128];
	const char *text = NULL;
	size_t tlen = 0;
	char *line = malloc(n + 1);
	if (line == NULL)
		return SRP_ERROR;
	memcpy(line, s, n);
	err[0] = '\0';
	enum srp_status st = smtp_reply_feed(p, line, n, &text, &tlen, err, sizeof err);
	if (st == SRP_ERROR && (err[0] == '\0' || strnlen(err, sizeof err) == sizeof err))
		abort();
	if (st != SRP_ERROR && (text < line || text + tlen > line + n))
		abort();
	if (st != SRP_ERROR && lineno > 0 && p->r->code == 250)
		smtp_ext_parse_line(e, text, tlen);
	free(line);
	return st;
}

/* Replies one after another; after an error the next line starts afresh.
 * Returns how many bytes the first reply took when it parsed alone. */
static size_t
run_lines(const uint8_t *data, size_t size, struct smtp_reply *first, bool *first_ok)
{
	struct smtp_reply_parser p;
	struct smtp_reply r;
	struct smtp_ext e;
	size_t off = 0, lineno = 0, first_end = 0;
	int nreply = 0;
	smtp_ext_clear(&e);
	smtp_reply_begin(&p, &r);
	while (off < size) {
		const uint8_t *nl = memchr(data + off, '\n', size - off);
		size_t n = nl != NULL ? (size_t)(nl - (data + off)) : size - off;
		enum srp_status st = feed(&p, data + off, n, &e, lineno++);
		off += n + (nl != NULL);
		if (st == SRP_MORE)
			continue;
		if (st == SRP_DONE) {
			check_reply(&r);
			check_ext(&e);
		}
		if (nreply++ == 0) {
			*first_ok = st == SRP_DONE && nl != NULL;
			*first = r;
			first_end = off;
		}
		smtp_ext_clear(&e);
		smtp_reply_begin(&p, &r);
		lineno = 0;
	}
	return first_end;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smtp_reply whole, first;
	char err[128];
	bool first_ok = false;
	size_t first_end = run_lines(data, size, &first, &first_ok);
	char *copy = malloc(size + 1);
	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	/* The buffer parser agrees with the line feeder: the whole input is
	 * one reply exactly when the first reply parsed and ended it. */
	int rc = smtp_reply_parse(&whole, copy, size, err, sizeof err);
	if ((rc == 0) != (first_ok && first_end == size))
		abort();
	if (rc == 0 && memcmp(&whole, &first, sizeof whole) != 0)
		abort();
	smtp_reply_set(&whole, 451, "4.4.2", copy);
	if (!printable(whole.text))
		abort();
	free(copy);
	return 0;
}
