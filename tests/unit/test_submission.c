/* test_submission: what sendmail does to a message at submission —
 * recipients (-t, aliases), headers added and qualified, Bcc removed,
 * dot and line-end rules, sender rewriting — asserted on exact bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "address.h"
#include "linewrap.h"
#include "message.h"
#include "prepare.h"
#include "relayq.h"

static char dir[64], aliases[96], smap[96];

static int
setup(void **state)
{
	snprintf(dir, sizeof dir, "/tmp/relayq-msg-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(aliases, sizeof aliases, "%s/aliases", dir);
	snprintf(smap, sizeof smap, "%s/senders", dir);
	FILE *fp = fopen(aliases, "w");
	fputs("# comment\nroot: admin@example.org\npostmaster: root\n"
	    "team: ann,\n  bob@example.net, |/usr/bin/prog\nloop1: loop2\nloop2: loop1\n", fp);
	fclose(fp);
	fp = fopen(smap, "w");
	fputs("# sender map\nwww-data web@example.com\n", fp);
	fclose(fp);
	setenv("TZ", "UTC", 1);
	tzset();
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd);
}

static struct msg_opts
opts(void)
{
	struct msg_opts o = {
		.extract = true, .ignore_dots = false, .from = NULL, .fullname = "",
		.login = "root", .domain = "example.org", .hostname = "host.example.org",
		.local_names = "host host.example.org localhost localhost.example.org",
		.qid = "QQQQQQQQQQQQQQ", .now = 1795376039,	/* 2026-11-22 19:33:59 UTC */
		.aliases_path = aliases, .sender_map_path = "", .masquerade = "",
	};
	return o;
}

struct run {
	int rc;
	struct msg_result res;
	char out[8192];
	struct msg_stats st;
	char err[256];
};

/* Runs the submission pipeline on `input` and captures the stored bytes. */
static void
submit(const char *input, const struct msg_opts *o, char *const *argv, size_t argc,
    struct run *r)
{
	struct message m;
	memset(r, 0, sizeof *r);
	FILE *in = fmemopen((void *)input, strlen(input), "r");
	FILE *out = fmemopen(r->out, sizeof r->out - 1, "w");
	message_init(&m);
	r->rc = message_read_header(&m, in, o, r->err, sizeof r->err);
	if (r->rc == SUBMIT_OK)
		r->rc = prepare_message(&m, o, argv, argc, &r->res, r->err, sizeof r->err);
	if (r->rc == SUBMIT_OK && message_write_header(&m, out) == 0)
		r->rc = message_copy_body(&m, in, out, &r->st, r->err, sizeof r->err);
	fclose(out);
	fclose(in);
	message_free(&m);
}

static void
done(struct run *r)
{
	message_result_free(&r->res);
}

static void
test_t_recipients_and_bcc(void **state)
{
	struct msg_opts o = opts();
	struct run r;
	char *argv[] = { "extra@example.net" };
	submit("To: Ann <ann@example.org>, \"Smith, Bob\" <bob@example.org>\n"
	    "Cc: friends: carl@example.org, (comment) dora@example.org;\n"
	    "Bcc: hidden@example.org\nSubject: s\nMessage-ID: <id@x>\nDate: d\nFrom: f@x\n\nbody\n",
	    &o, argv, 1, &r);
	assert_int_equal(r.rc, SUBMIT_OK);
	assert_int_equal(r.res.nrcpts, 6);
	assert_string_equal(r.res.rcpts[0], "extra@example.net");
	assert_string_equal(r.res.rcpts[1], "ann@example.org");
	assert_string_equal(r.res.rcpts[2], "bob@example.org");
	assert_string_equal(r.res.rcpts[3], "carl@example.org");
	assert_string_equal(r.res.rcpts[4], "dora@example.org");
	assert_string_equal(r.res.rcpts[5], "hidden@example.org");
	assert_null(strstr(r.out, "Bcc:"));
	assert_string_equal(r.out, "To: Ann <ann@example.org>, \"Smith, Bob\" <bob@example.org>\n"
	    "Cc: friends: carl@example.org, (comment) dora@example.org;\n"
	    "Subject: s\nMessage-ID: <id@x>\nDate: d\nFrom: f@x\n\nbody\n");
	assert_string_equal(r.res.msgid, "<id@x>");
	done(&r);
}

static void
test_resent_takes_precedence(void **state)
{
	struct msg_opts o = opts();
	struct run r;
	submit("To: old@example.org\nResent-To: new@example.org\nDate: d\nFrom: f@x\n"
	    "Message-ID: <a@b>\n\nx\n", &o, NULL, 0, &r);
	assert_int_equal(r.rc, SUBMIT_OK);
	assert_int_equal(r.res.nrcpts, 1);
	assert_string_equal(r.res.rcpts[0], "new@example.org");
	assert_non_null(strstr(r.out, "Resent-Date: Sun, 22 Nov 2026 19:33:59 +0000\n"));
	assert_non_null(strstr(r.out, "Resent-Message-ID: <20261122193359.QQQQQQQQQQQQQQ@host.example.org>\n"));
	done(&r);
}

static void
test_added_headers_exact(void **state)
{
	struct msg_opts o = opts();
	o.fullname = "Root User";
	struct run r;
	char *argv[] = { "bob@example.net" };
	o.extract = false;
	submit("Subject: hi\n\nhello\n", &o, argv, 1, &r);
	assert_int_equal(r.rc, SUBMIT_OK);
	assert_string_equal(r.out, "Subject: hi\n"
	    "Date: Sun, 22 Nov 2026 19:33:59 +0000\n"
	    "Message-ID: <20261122193359.QQQQQQQQQQQQQQ@host.example.org>\n"
	    "From: Root User <root@example.org>\n\nhello\n");
	assert_string_equal(r.res.sender, "root@example.org");
	assert_int_equal(r.st.size, (off_t)strlen(r.out));
	assert_false(r.st.eightbit);
	done(&r);
}

static void
test_display_name_quoted(void **state)
{
	struct msg_opts o = opts();
	o.fullname = "Doe, \"J\"";
	o.extract = false;
	struct run r;
	char *argv[] = { "x@example.net" };
	submit("\nbody\n", &o, argv, 1, &r);
	assert_non_null(strstr(r.out, "From: \"Doe, \\\"J\\\"\" <root@example.org>\n"));
	done(&r);
}

static void
test_cron_qualification_and_aliases(void **state)
{
	struct msg_opts o = opts();
	struct run r;
	submit("From: root (Cron Daemon)\nTo: root, team\nSubject: Cron <root@h> x\n\nout\n",
	    &o, NULL, 0, &r);
	assert_int_equal(r.rc, SUBMIT_OK);
	assert_int_equal(r.res.nrcpts, 3);
	assert_string_equal(r.res.rcpts[0], "admin@example.org");
	assert_string_equal(r.res.rcpts[1], "ann@example.org");
	assert_string_equal(r.res.rcpts[2], "bob@example.net");
	assert_non_null(strstr(r.out, "From: root@example.org (Cron Daemon)\n"));
	assert_non_null(strstr(r.out, "To: root@example.org, team@example.org\n"));
	done(&r);
}

/* mutt (`sendmail -oem -oi -- root@callers-host`) and mailutils (-t with
 * To: <root@callers-host>): the host's own names are local. */
static void
test_own_names_are_local(void **state)
{
	struct msg_opts o = opts();
	o.local_names = "callers-host callers-host.example.org localhost localhost.example.org";
	struct run r;
	char *argv[] = { "root@callers-host", "bob@LOCALHOST", "carol@elsewhere.example" };
	submit("From: rqalice@callers-host\nTo: <root@callers-host>, x@localhost.example.org\n"
	    "Reply-To: rqalice@localhost\n\nhi\n", &o, argv, 3, &r);
	assert_int_equal(r.rc, SUBMIT_OK);
	assert_int_equal(r.res.nrcpts, 4);
	assert_string_equal(r.res.rcpts[0], "admin@example.org");
	assert_string_equal(r.res.rcpts[1], "bob@example.org");
	assert_string_equal(r.res.rcpts[2], "carol@elsewhere.example");
	assert_string_equal(r.res.rcpts[3], "x@example.org");
	assert_non_null(strstr(r.out, "From: rqalice@example.org\n"));
	assert_non_null(strstr(r.out, "To: <root@example.org>, x@example.org\n"));
	assert_non_null(strstr(r.out, "Reply-To: rqalice@example.org\n"));
	done(&r);
}

static void
test_alias_loop_and_chain(void **state)
{
	struct msg_opts o = opts();
	o.extract = false;
	struct run r;
	char *argv[] = { "postmaster", "loop1" };
	submit("\nx\n", &o, argv, 2, &r);
	assert_int_equal(r.rc, SUBMIT_OK);
	assert_int_equal(r.res.nrcpts, 2);
	assert_string_equal(r.res.rcpts[0], "admin@example.org");
	assert_string_equal(r.res.rcpts[1], "loop1@example.org");
	done(&r);
}

static void
test_dots_and_crlf(void **state)
{
	struct msg_opts o = opts();
	o.extract = false;
	struct run r;
	char *argv[] = { "a@example.net" };
	submit("Subject: d\r\nDate: x\r\nFrom: f@x\r\nMessage-ID: <m@x>\r\n\r\n.a\r\n..b\r\n.\r\nlost\r\n",
	    &o, argv, 1, &r);
	assert_string_equal(r.out, "Subject: d\nDate: x\nFrom: f@x\nMessage-ID: <m@x>\n\n.a\n.b\n");
	done(&r);
	o.ignore_dots = true;
	submit("Subject: d\nDate: x\nFrom: f@x\nMessage-ID: <m@x>\n\n.\n..\n", &o, argv, 1, &r);
	assert_string_equal(r.out, "Subject: d\nDate: x\nFrom: f@x\nMessage-ID: <m@x>\n\n.\n..\n");
	done(&r);
}

static void
test_headerless_and_8bit(void **state)
{
	struct msg_opts o = opts();
	o.extract = false;
	struct run r;
	char *argv[] = { "a@example.net" };
	submit("just a body line\ncaf\xc3\xa9\n", &o, argv, 1, &r);
	assert_int_equal(r.rc, SUBMIT_OK);
	assert_non_null(strstr(r.out, "From: root@example.org\n\njust a body line\ncaf\xc3\xa9\n"));
	assert_true(r.st.eightbit);
	done(&r);
}

static void
test_sender_map_and_masquerade(void **state)
{
	struct msg_opts o = opts();
	o.extract = false;
	o.login = "www-data";
	o.sender_map_path = smap;
	struct run r;
	char *argv[] = { "a@example.net" };
	submit("From: www-data\n\nx\n", &o, argv, 1, &r);
	assert_string_equal(r.res.sender, "web@example.com");
	assert_non_null(strstr(r.out, "From: web@example.com\n"));
	done(&r);
	o.sender_map_path = "";
	o.masquerade = "corp.example";
	o.from = "cron@host.example.org";
	submit("\nx\n", &o, argv, 1, &r);
	assert_string_equal(r.res.sender, "cron@corp.example");
	done(&r);
}

static void
test_hostile_input_refused(void **state)
{
	struct msg_opts o = opts();
	o.extract = false;
	struct run r;
	char *argv[] = { "a@example.net" };
	o.fullname = "Evil\nBcc: victim@example.com";
	submit("\nx\n", &o, argv, 1, &r);
	assert_int_equal(r.rc, SUBMIT_USAGE);
	assert_string_equal(r.err, "invalid characters in -F value");
	done(&r);
	o.fullname = "";
	char nul[] = "Subject: a\0b\n\nx\n";
	struct message m;
	FILE *in = fmemopen(nul, sizeof nul - 1, "r");
	message_init(&m);
	assert_int_equal(message_read_header(&m, in, &o, r.err, sizeof r.err), SUBMIT_BAD_DATA);
	assert_string_equal(r.err, "NUL byte in message header");
	message_free(&m);
	fclose(in);
	o.extract = true;
	submit("To: <unclosed@example.org\n\nx\n", &o, NULL, 0, &r);
	assert_int_equal(r.rc, SUBMIT_USAGE);
	done(&r);
	/* A bare CR in a quoted local part would reach RCPT TO. */
	submit("To: \"a\rb\"@example.org\n\nx\n", &o, NULL, 0, &r);
	assert_int_equal(r.rc, SUBMIT_BAD_DATA);
	assert_string_equal(r.err, "header: control character in address");
	done(&r);
	o.extract = false;
	char *cr[] = { "\"c\rd\"@example.org" };
	submit("\nx\n", &o, cr, 1, &r);
	assert_int_equal(r.rc, SUBMIT_BAD_DATA);
	done(&r);
}

static void
test_large_body_streams(void **state)
{
	struct msg_opts o = opts();
	o.extract = false;
	char *argv[] = { "a@example.net" };
	FILE *in = tmpfile();
	fputs("Subject: big\n\n", in);
	for (int i = 0; i < 70000; i++)
		fputs("0123456789012345678901234567890123456789012345678901234567890123456789012\n", in);
	rewind(in);
	FILE *out = tmpfile();
	struct message m;
	struct msg_result res = { 0 };
	struct msg_stats st;
	char err[256];
	message_init(&m);
	assert_int_equal(message_read_header(&m, in, &o, err, sizeof err), SUBMIT_OK);
	assert_int_equal(prepare_message(&m, &o, argv, 1, &res, err, sizeof err), SUBMIT_OK);
	assert_int_equal(message_write_header(&m, out), 0);
	assert_int_equal(message_copy_body(&m, in, out, &st, err, sizeof err), 0);
	fflush(out);
	assert_int_equal(st.size, ftello(out));
	assert_true(st.size > 70000L * 74);
	message_result_free(&res);
	message_free(&m);
	fclose(in);
	fclose(out);
}

static void
test_address_spans(void **state)
{
	struct addr_list l;
	char err[128];
	const char *t = " \"A, B\" <a@x.org>, b (c), <@route:c@y.org>";
	assert_int_equal(addr_parse_list(t, &l, err, sizeof err), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[0].spec, "a@x.org");
	assert_string_equal(l.v[1].spec, "b");
	assert_memory_equal(t + l.v[1].start, "b", l.v[1].end - l.v[1].start);
	assert_string_equal(l.v[2].spec, "c@y.org");
	addr_list_free(&l);
	assert_int_equal(addr_parse_list("undisclosed-recipients:;", &l, err, sizeof err), 0);
	assert_int_equal(l.n, 0);
	addr_list_free(&l);
	assert_int_equal(addr_parse_list("a@b (unclosed", &l, err, sizeof err), -1);
	assert_int_equal(addr_parse_list("a\x01@b", &l, err, sizeof err), -1);
}

/* `in` ends inside the header, with no LF: what is stored is `in`, its
 * LF, then the fields added, each a line of at most LINEWRAP_MAX. */
static void
header_ends_at_eof(const char *in, struct msg_opts *o)
{
	struct run r;
	char *argv[] = { "bob@example.net" };
	char want[1400];
	submit(in, o, argv, 1, &r);
	assert_int_equal(r.rc, SUBMIT_OK);
	snprintf(want, sizeof want, "%s\nDate: Sun, 22 Nov 2026 19:33:59 +0000\n"
	    "Message-ID: <20261122193359.QQQQQQQQQQQQQQ@host.example.org>\n"
	    "From: root@example.org\n\n", in);
	assert_string_equal(r.out, want);
	for (const char *p = r.out; *p != '\0'; p += strcspn(p, "\n") + 1)
		assert_true(strcspn(p, "\n") <= LINEWRAP_MAX);
	done(&r);
}

/* The input ends in a continuation line: the field still ends in LF, so
 * the Date: added after it is a line of its own, not run on into it
 * (fuzz_message, corpus eof_continuation). */
static void
test_header_ends_in_continuation(void **state)
{
	struct msg_opts o = opts();
	char in[1100];
	o.extract = false;
	header_ends_at_eof("Subject: a\n b", &o);
	/* A continuation line of 991 octets: 1,028 with the Date: run on. */
	snprintf(in, sizeof in, "Subject: x\n %0990d", 0);
	header_ends_at_eof(in, &o);
	/* An address field that does not parse is left as written. */
	header_ends_at_eof("Cc: a@b,\n (unclosed", &o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_t_recipients_and_bcc),
		cmocka_unit_test(test_resent_takes_precedence),
		cmocka_unit_test(test_added_headers_exact),
		cmocka_unit_test(test_display_name_quoted),
		cmocka_unit_test(test_cron_qualification_and_aliases),
		cmocka_unit_test(test_own_names_are_local),
		cmocka_unit_test(test_alias_loop_and_chain),
		cmocka_unit_test(test_dots_and_crlf),
		cmocka_unit_test(test_headerless_and_8bit),
		cmocka_unit_test(test_sender_map_and_masquerade),
		cmocka_unit_test(test_hostile_input_refused),
		cmocka_unit_test(test_large_body_streams),
		cmocka_unit_test(test_address_spans),
		cmocka_unit_test(test_header_ends_in_continuation),
	};
	return cmocka_run_group_tests_name("submission", tests, setup, teardown);
}
