/* test_linewrap: the 998-octet line limit — header folding that unfolds to
 * the original, body breaking, quoted-printable that decodes to the
 * original, and which messages are re-encoded rather than broken. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linewrap.h"
#include "message.h"
#include "mime.h"

static size_t
longest_line(const char *s)
{
	size_t best = 0;
	while (*s != '\0') {
		size_t n = strcspn(s, "\n");
		best = n > best ? n : best;
		s += n + (s[n] == '\n');
	}
	return best;
}

/* RFC 5322 unfolding: remove each LF that is followed by a blank. */
static char *
unfold(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;
	for (; *s != '\0'; s++)
		if (!(s[0] == '\n' && (s[1] == ' ' || s[1] == '\t')))
			*o++ = *s;
	*o = '\0';
	return out;
}

static char *
words(const char *lead, int n)
{
	size_t size = strlen(lead) + (size_t)n * 15 + 2, len;
	char *s = malloc(size);
	len = (size_t)snprintf(s, size, "%s", lead);
	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(s + len, size - len, " --target=%05d", i);
	snprintf(s + len, size - len, "\n");
	return s;
}

static void
test_field_folds_at_blanks_and_unfolds_exactly(void **state)
{
	char *subj = words("Subject: Cron <root@callers-host>", 70);	/* > 1,000 */
	assert_true(strlen(subj) > 1000);
	char *f = linewrap_field(subj);
	assert_non_null(f);
	assert_true(longest_line(f) <= LINEWRAP_MAX);
	assert_true(strchr(f, '\n') < f + strlen(f) - 1);	/* it was folded */
	char *u = unfold(f);
	assert_string_equal(u, subj);
	free(u);
	free(f);
	free(subj);
}

static void
test_short_field_unchanged(void **state)
{
	const char *t = "To: a@example.org,\n\tb@example.org\n";
	char *f = linewrap_field(t);
	assert_string_equal(f, t);
	free(f);
}

static void
test_field_without_blanks_gets_hard_breaks_on_utf8_boundaries(void **state)
{
	char text[3100];
	size_t len = (size_t)snprintf(text, sizeof text, "X-Long: ");
	for (int i = 0; i < 1000; i++)
		len += (size_t)snprintf(text + len, sizeof text - len, "\xc3\xa9");	/* é */
	snprintf(text + len, sizeof text - len, "\n");
	char *f = linewrap_field(text);
	assert_true(longest_line(f) <= LINEWRAP_MAX);
	/* Every break falls between characters: no line starts inside one. */
	for (const char *p = strchr(f, '\n'); p != NULL && p[1] != '\0'; p = strchr(p + 1, '\n')) {
		assert_int_equal(p[1], ' ');
		assert_true(((unsigned char)p[2] & 0xC0) != 0x80);
	}
	free(f);
}

static void
test_body_break(void **state)
{
	char line[2601], out[4000];
	memset(line, 'y', 2599);
	line[2599] = '\n';
	line[2600] = '\0';
	FILE *fp = fmemopen(out, sizeof out, "w");
	struct linewrap w = { 0 };
	size_t added = 0;
	assert_int_equal(linewrap_write(&w, fp, line, 2600, &added), 0);
	fclose(fp);
	assert_true(longest_line(out) <= LINEWRAP_MAX);
	assert_int_equal(strlen(out), 2600 + added);
	char *u = unfold(out);
	/* Breaking inserts one blank per break: that is all that changed. */
	size_t blanks = 0;
	for (char *p = u; *p != '\0'; p++)
		blanks += *p == ' ';
	assert_int_equal(blanks, added / 2);
	assert_true(added >= 4);
	free(u);
}

/* A small RFC 2045 quoted-printable decoder, to check the round trip. */
static size_t
qp_decode(const char *in, char *out)
{
	size_t n = 0;
	while (*in != '\0') {
		if (in[0] == '=' && in[1] == '\n') {
			in += 2;
		} else if (in[0] == '=') {
			char hex[3] = { in[1], in[2], 0 };
			out[n++] = (char)strtol(hex, NULL, 16);
			in += 3;
		} else {
			out[n++] = *in++;
		}
	}
	return n;
}

static void
test_qp_round_trip(void **state)
{
	char line[1601], enc[8000], dec[2000];
	for (int i = 0; i < 1599; i++)
		line[i] = (char)(i % 7 == 0 ? ' ' : i % 11 == 0 ? '=' : 0x20 + (i * 37) % 224);
	line[0] = 'F';
	line[1598] = ' ';		/* a trailing blank must be encoded */
	line[1599] = '\n';
	line[1600] = '\0';
	memcpy(line, "From x", 6);
	FILE *fp = fmemopen(enc, sizeof enc, "w");
	size_t written = 0;
	assert_int_equal(linewrap_qp_line(fp, line, 1600, &written), 0);
	fclose(fp);
	assert_int_equal(strlen(enc), written);
	assert_true(longest_line(enc) <= 76);
	assert_int_equal(strncmp(enc, "=46rom", 6), 0);
	assert_non_null(strstr(enc, "=20\n"));
	for (const char *p = enc; *p != '\0'; p++)
		assert_true((*p >= 0x20 && *p < 0x7f) || *p == '\n');
	size_t n = qp_decode(enc, dec);
	assert_int_equal(n, 1600);
	assert_memory_equal(dec, line, 1600);
}

static struct message
header_of(const char *fields)
{
	struct message m;
	message_init(&m);
	FILE *in = fmemopen((void *)fields, strlen(fields), "r");
	struct msg_opts o = { .ignore_dots = true };
	char err[128];
	assert_int_equal(message_read_header(&m, in, &o, err, sizeof err), 0);
	fclose(in);
	return m;
}

static void
test_which_messages_are_reencoded(void **state)
{
	static const struct { const char *h; bool qp; } cases[] = {
		{ "MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\n"
		  "Content-Transfer-Encoding: 8bit\n\n", true },		/* cron */
		{ "MIME-Version: 1.0\n\n", true },
		{ "MIME-Version: 1.0\nContent-Transfer-Encoding: 7BIT\n\n", true },
		{ "Subject: no MIME\n\n", false },
		{ "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=x\n\n", false },
		{ "MIME-Version: 1.0\nContent-Transfer-Encoding: base64\n\n", false },
		{ "MIME-Version: 1.0\nContent-Transfer-Encoding: 8bitx\n\n", false },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct message m = header_of(cases[i].h);
		assert_int_equal(mime_qp_eligible(&m), cases[i].qp);
		message_free(&m);
	}
}

static void
test_set_qp_replaces_or_adds_the_encoding(void **state)
{
	char out[512];
	struct message m = header_of("MIME-Version: 1.0\nContent-Transfer-Encoding: 8bit\n\n");
	assert_int_equal(mime_set_qp(&m), 0);
	FILE *fp = fmemopen(out, sizeof out, "w");
	assert_int_equal(message_write_header(&m, fp), 0);
	fclose(fp);
	assert_string_equal(out, "MIME-Version: 1.0\nContent-Transfer-Encoding: quoted-printable\n\n");
	assert_int_equal(m.header_bytes, strlen(out));
	message_free(&m);
	m = header_of("MIME-Version: 1.0\n\n");
	assert_int_equal(mime_set_qp(&m), 0);
	fp = fmemopen(out, sizeof out, "w");
	assert_int_equal(message_write_header(&m, fp), 0);
	fclose(fp);
	assert_string_equal(out, "MIME-Version: 1.0\nContent-Transfer-Encoding: quoted-printable\n\n");
	message_free(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_field_folds_at_blanks_and_unfolds_exactly),
		cmocka_unit_test(test_short_field_unchanged),
		cmocka_unit_test(test_field_without_blanks_gets_hard_breaks_on_utf8_boundaries),
		cmocka_unit_test(test_body_break),
		cmocka_unit_test(test_qp_round_trip),
		cmocka_unit_test(test_which_messages_are_reencoded),
		cmocka_unit_test(test_set_qp_replaces_or_adds_the_encoding),
	};
	return cmocka_run_group_tests_name("linewrap", tests, NULL, NULL);
}
