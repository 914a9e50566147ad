/* test_eai: SMTPUTF8 at submission — which octet strings are UTF-8
 * addresses, the refusal of malformed ones, the "needs SMTPUTF8" decision
 * (eai.h), its Y record, sendmail -U, and the DSN's utf-8 address type. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bounce.h"
#include "buf.h"
#include "cli.h"
#include "drop.h"
#include "eai.h"
#include "message.h"
#include "prepare.h"
#include "utf8.h"

/* ---- utf8.c ---- */

static void
test_classify(void **state)
{
	size_t bad = 99;
	assert_int_equal(utf8_classify("", NULL), UTF8_ASCII);
	assert_int_equal(utf8_classify("joe@example.org", NULL), UTF8_ASCII);
	assert_int_equal(utf8_classify("j\xc3\xb6rg@b\xc3\xbc" "cher.example", NULL),
	    UTF8_NON_ASCII);
	assert_int_equal(utf8_classify("\xe7\x94\xa8\xe6\x88\xb7@\xe4\xbe\x8b\xe5\xad\x90."
	    "\xe5\x85\xac\xe5\x8f\xb8", NULL), UTF8_NON_ASCII);	/* 用户@例子.公司 */
	assert_int_equal(utf8_classify("\xf0\x9f\x93\xa7@example.org", NULL), UTF8_NON_ASCII);
	assert_int_equal(utf8_classify("\xf4\x8f\xbf\xbf", NULL), UTF8_NON_ASCII);	/* U+10FFFF */
	/* Latin-1, the usual wrong charset */
	assert_int_equal(utf8_classify("j\xf6rg@example.org", &bad), UTF8_MALFORMED);
	assert_int_equal(bad, 1);
	/* stray continuation, truncated at the end and before ASCII */
	assert_int_equal(utf8_classify("a\x80", &bad), UTF8_MALFORMED);
	assert_int_equal(bad, 1);
	assert_int_equal(utf8_classify("ab\xc3", &bad), UTF8_MALFORMED);
	assert_int_equal(bad, 2);
	assert_int_equal(utf8_classify("\xe2\x82x", &bad), UTF8_MALFORMED);
	assert_int_equal(bad, 0);
	/* overlong forms: '/' in two octets, U+0000 in two, U+07FF in three */
	assert_int_equal(utf8_classify("\xc0\xaf", NULL), UTF8_MALFORMED);
	assert_int_equal(utf8_classify("\xc1\xbf", NULL), UTF8_MALFORMED);
	assert_int_equal(utf8_classify("\xe0\x9f\xbf", NULL), UTF8_MALFORMED);
	assert_int_equal(utf8_classify("\xf0\x8f\xbf\xbf", NULL), UTF8_MALFORMED);
	/* surrogates, beyond U+10FFFF, 0xf5..0xff */
	assert_int_equal(utf8_classify("\xed\xa0\x80", NULL), UTF8_MALFORMED);
	assert_int_equal(utf8_classify("\xed\xbf\xbf", NULL), UTF8_MALFORMED);
	assert_int_equal(utf8_classify("\xf4\x90\x80\x80", NULL), UTF8_MALFORMED);
	assert_int_equal(utf8_classify("\xf5\x80\x80\x80", NULL), UTF8_MALFORMED);
	assert_int_equal(utf8_classify("\xff", NULL), UTF8_MALFORMED);
	assert_true(utf8_has_8bit("\xf6"));
	assert_false(utf8_has_8bit("plain"));
}

static void
test_quote_and_xtext(void **state)
{
	struct buf b;
	buf_init(&b);
	assert_int_equal(utf8_quote(&b, "j\xf6rg\\\"@x", 100), 0);
	assert_string_equal(buf_str(&b), "j\\xF6rg\\x5C\"@x");
	buf_reset(&b);
	assert_int_equal(utf8_quote(&b, "abcdef", 3), 0);
	assert_string_equal(buf_str(&b), "abc...");
	buf_reset(&b);
	/* RFC 6533 §3: QCHARs as they are, others \x{HEX} without leading 0 */
	assert_int_equal(utf8_addr_xtext(&b, "j\xc3\xb6rg+x=y@\xe4\xbe\x8b.jp"), 0);
	assert_string_equal(buf_str(&b), "j\\x{F6}rg\\x{2B}x\\x{3D}y@\\x{4F8B}.jp");
	buf_reset(&b);
	assert_int_equal(utf8_addr_xtext(&b, "\xf0\x9f\x93\xa7@x"), 0);
	assert_string_equal(buf_str(&b), "\\x{1F4E7}@x");
	buf_reset(&b);
	assert_int_equal(utf8_addr_xtext(&b, "j\xf6rg@x"), -1);
	buf_free(&b);
}

/* ---- eai.c through prepare_message, as sendmail runs it ---- */

struct run {
	int rc;
	struct msg_result res;
	char err[512];
};

static void
submit(const char *input, const char *from, bool forced, char **argv, size_t argc,
    struct run *r)
{
	struct msg_opts o = {
		.extract = argc == 0, .from = from, .fullname = "", .login = "root",
		.domain = "example.org", .hostname = "host.example.org",
		.local_names = "host.example.org localhost", .qid = "QQQQQQQQQQQQQQ",
		.now = 1795376039, .aliases_path = "", .sender_map_path = "",
		.masquerade = "", .smtputf8 = forced,
	};
	struct message m;
	memset(r, 0, sizeof *r);
	FILE *in = fmemopen((void *)input, strlen(input), "r");
	message_init(&m);
	r->rc = message_read_header(&m, in, &o, r->err, sizeof r->err);
	if (r->rc == SUBMIT_OK)
		r->rc = prepare_message(&m, &o, argv, argc, &r->res, r->err, sizeof r->err);
	message_free(&m);
	fclose(in);
}

static bool
needs(const char *input, const char *from, bool forced, char **argv, size_t argc)
{
	struct run r;
	submit(input, from, forced, argv, argc, &r);
	assert_int_equal(r.rc, SUBMIT_OK);
	bool y = r.res.smtputf8;
	message_result_free(&r.res);
	return y;
}

static void
test_needs_smtputf8(void **state)
{
	char *ascii[] = { "bob@example.net" };
	char *utf8[] = { "j\xc3\xb6rg@example.net" };
	/* nothing non-ASCII, or only where a reader loses nothing */
	assert_false(needs("Subject: x\n\nbody\n", NULL, false, ascii, 1));
	assert_false(needs("Subject: Gr\xc3\xbc\xc3\x9f" "e\nFrom: J\xc3\xb6rg <root@example.org>\n"
	    "To: \"M\xc3\xbc" "ller\" <bob@example.net> (B\xc3\xb6" "b)\n\nb\xc3\xa4" "h\n", NULL, false,
	    ascii, 1));
	/* a UTF-8 envelope recipient alone: decided per RCPT, not here */
	assert_false(needs("Subject: x\n\n", NULL, false, utf8, 1));
	/* the sender, an address field, -U */
	assert_true(needs("Subject: x\n\n", "\xc3\xa5sa@example.org", false, ascii, 1));
	assert_true(needs("To: j\xc3\xb6rg@example.net\n\n", NULL, false, NULL, 0));
	assert_true(needs("Cc: Bob <b\xc3\xb6" "b@example.net>\n\n", NULL, false, ascii, 1));
	assert_true(needs("Reply-To: x@\xe4\xbe\x8b.jp\n\n", NULL, false, ascii, 1));
	assert_true(needs("Resent-From: x@\xe4\xbe\x8b.jp\nResent-To: bob@example.net\n\n",
	    NULL, false, ascii, 1));
	assert_true(needs("Subject: x\n\n", NULL, true, ascii, 1));
	/* Bcc is removed before the message is stored: no longer counts */
	assert_false(needs("Bcc: j\xc3\xb6rg@example.net\n\n", NULL, false, ascii, 1));
}

static void
test_malformed_refused(void **state)
{
	struct run r;
	char *latin1[] = { "j\xf6rg@example.org" };
	char *ascii[] = { "bob@example.net" };
	submit("Subject: x\n\n", NULL, false, latin1, 1, &r);
	assert_int_equal(r.rc, SUBMIT_BAD_DATA);
	assert_int_equal(submit_status_exit(r.rc), 65);
	assert_string_equal(r.err, "recipient \"j\\xF6rg@example.org\" is not valid UTF-8 "
	    "(octet 2): an address may have non-ASCII characters only in UTF-8 (RFC 6531)");
	message_result_free(&r.res);
	submit("Subject: x\n\n", "\xe9ve@example.org", false, ascii, 1, &r);
	assert_int_equal(r.rc, SUBMIT_BAD_DATA);
	assert_non_null(strstr(r.err, "sender \"\\xE9ve@example.org\" is not valid UTF-8 (octet 1)"));
	message_result_free(&r.res);
	submit("From: Ren\xe9 <ren\xe9@example.org>\n\n", NULL, false, ascii, 1, &r);
	assert_int_equal(r.rc, SUBMIT_BAD_DATA);
	assert_non_null(strstr(r.err, "header From: address \"ren\\xE9@example.org\""));
	message_result_free(&r.res);
	/* with -t the To: address is a recipient: refused as one */
	submit("To: a\xc0\xaf" "b@example.org\n\n", NULL, false, NULL, 0, &r);
	assert_int_equal(r.rc, SUBMIT_BAD_DATA);
	assert_non_null(strstr(r.err, "recipient \"a\\xC0\\xAFb@example.org\""));
	message_result_free(&r.res);
	/* a Latin-1 display name or Subject is not an address: as before */
	submit("From: Ren\xe9 <root@example.org>\nSubject: caf\xe9\n\n", NULL, false, ascii, 1, &r);
	assert_int_equal(r.rc, SUBMIT_OK);
	assert_false(r.res.smtputf8);
	message_result_free(&r.res);
}

/* ---- the Y record, -U ---- */

static void
test_record_round_trip(void **state)
{
	struct envelope e, back;
	struct buf b;
	char err[128];
	envelope_init(&e);
	envelope_init(&back);
	buf_init(&b);
	assert_int_equal(envelope_set(&e.sender, "\xc3\xa5sa@example.org"), 0);
	assert_int_equal(envelope_add_rcpt(&e, "j\xc3\xb6rg@example.net"), 0);
	e.smtputf8 = true;
	assert_int_equal(drop_put_envelope(&b, &e), 0);
	assert_non_null(strstr(buf_str(&b), "\nY\n"));
	FILE *fp = fmemopen(b.data, b.len, "r");
	assert_int_equal(drop_parse_envelope(fp, &back, err, sizeof err), 0);
	fclose(fp);
	assert_true(back.smtputf8);
	assert_string_equal(back.rcpts[0].addr, "j\xc3\xb6rg@example.net");
	envelope_free(&back);
	/* without it (every older file): not needed; "Yx" is malformed */
	const char *old = "RELAYQ 1\nT1\nU0\nSa@b\nrc@d\nM\n";
	fp = fmemopen((void *)old, strlen(old), "r");
	assert_int_equal(drop_parse_envelope(fp, &back, err, sizeof err), 0);
	fclose(fp);
	assert_false(back.smtputf8);
	envelope_free(&back);
	const char *bad = "RELAYQ 1\nT1\nU0\nSa@b\nYx\nrc@d\nM\n";
	fp = fmemopen((void *)bad, strlen(bad), "r");
	assert_int_equal(drop_parse_envelope(fp, &back, err, sizeof err), -1);
	assert_string_equal(err, "bad record at line 5");
	fclose(fp);
	envelope_free(&back);
	envelope_free(&e);
	buf_free(&b);
}

static void
test_cli_u(void **state)
{
	struct cli c;
	char a0[] = "sendmail", a1[] = "-U", a2[] = "-i", a3[] = "j\xc3\xb6rg@example.net";
	char *argv[] = { a0, a1, a2, a3, NULL };
	assert_int_equal(cli_parse(&c, 4, argv, "sendmail"), 0);
	assert_true(c.smtputf8);
	assert_int_equal(c.nrcpts, 1);
	char *plain[] = { a0, a2, a3, NULL };
	assert_int_equal(cli_parse(&c, 3, plain, "sendmail"), 0);
	assert_false(c.smtputf8);
}

/* ---- the DSN of a UTF-8 recipient ---- */

static void
test_dsn_utf8_recipient(void **state)
{
	struct envelope e;
	char *out = NULL, err[256];
	size_t len = 0;
	bool eightbit = false;
	envelope_init(&e);
	strlcpy_rq(e.qid, "AbCdEfGh012345", sizeof e.qid);
	e.arrival = 1795376039;
	assert_int_equal(envelope_set(&e.sender, "ann@example.org"), 0);
	assert_int_equal(envelope_add_rcpt(&e, "j\xc3\xb6rg@example.net"), 0);
	e.rcpts[0].state = RCPT_FAILED;
	assert_int_equal(envelope_set(&e.rcpts[0].reply, "5.6.7 no SMTPUTF8 there"), 0);
	int fd = memfd_create("df", 0);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "Subject: x\n\nbody\n", 17), 17);
	e.content_len = 17;
	struct bounce_req r = { .env = &e, .kind = BOUNCE_FAILED, .hostname = "h.example.org",
	    .relay = "smtp.isp.example", .now = e.arrival + 60, .content_fd = fd, .nonce = 1 };
	FILE *m = open_memstream(&out, &len);
	assert_int_equal(bounce_write(m, &r, &eightbit, err, sizeof err), 0);
	fclose(m);
	assert_true(eightbit);
	assert_non_null(strstr(out, "Content-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: 8bit\n"));
	assert_non_null(strstr(out, "\n<j\xc3\xb6rg@example.net>\n    Failed permanently:\n"
	    "    5.6.7 no SMTPUTF8 there\n"));
	assert_non_null(strstr(out, "\nFinal-Recipient: utf-8; j\\x{F6}rg@example.net\n"
	    "Action: failed\nStatus: 5.6.7\n"));
	assert_null(strstr(out, "Diagnostic-Code"));	/* no server said it */
	free(out);
	close(fd);
	envelope_free(&e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_quote_and_xtext),
		cmocka_unit_test(test_needs_smtputf8),
		cmocka_unit_test(test_malformed_refused),
		cmocka_unit_test(test_record_round_trip),
		cmocka_unit_test(test_cli_u),
		cmocka_unit_test(test_dsn_utf8_recipient),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
