/* test_dropwire: the submission socket's command and reply lines — what
 * the server accepts, what it refuses, and that the client's lines are
 * the server's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "dropwire.h"

static int
parse(const char *line, struct dropwire_cmd *c)
{
	return dropwire_parse_cmd(line, strlen(line), c);
}

static void
test_commands_accepted(void **state)
{
	struct dropwire_cmd c;
	assert_int_equal(parse("envelope 57 0123456789abcd\n", &c), 0);
	assert_int_equal(c.verb, DW_ENVELOPE);
	assert_int_equal(c.len, 57);
	assert_string_equal(c.qid, "0123456789abcd");
	assert_int_equal(parse("data 0\n", &c), 0);
	assert_int_equal(c.verb, DW_DATA);
	assert_int_equal(parse("data 65536\n", &c), 0);
	assert_int_equal(c.len, 65536);
	assert_int_equal(parse("qp 120 98\n", &c), 0);
	assert_int_equal(c.verb, DW_QP);
	assert_int_equal(c.len, 120);
	assert_int_equal(c.body_off, 98);
	assert_int_equal(parse("commit 8\n", &c), 0);
	assert_int_equal(c.verb, DW_COMMIT);
	assert_true(c.eightbit);
	assert_int_equal(parse("commit 7\n", &c), 0);
	assert_false(c.eightbit);
	assert_int_equal(parse("queue release 0123456789abcd\n", &c), 0);
	assert_int_equal(c.verb, DW_QUEUE);
	assert_string_equal(c.op, "release");
	assert_string_equal(c.qid, "0123456789abcd");
}

static void
test_commands_refused(void **state)
{
	static const char *bad[] = {
		"data 5", "data 5\r\n", "data  5\n", "data -5\n", "data +5\n", "data 05\n",
		"data 5 \n", "data\n", "DATA 5\n", "data 99999999999999999999\n",
		"envelope 57\n", "envelope 57 0123456789abc\n", "envelope 57 0123456789abc!\n",
		"envelope 17000000 0123456789abcd\n", "qp 3000000 0\n", "qp 1\n", "qp 1 2 3\n",
		"commit\n", "commit 9\n", "commit 77\n", "hello\n", "\n", "",
		"queue delete 0123456789abcd\n", "queue hold\n", "queue hold 0123456789abc!\n",
		"queue hold 0123456789abcd \n",
	};
	struct dropwire_cmd c;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (parse(bad[i], &c) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
}

static void
test_format_round_trip(void **state)
{
	struct dropwire_cmd in = { .verb = DW_ENVELOPE, .len = 12 }, out;
	char line[DROPWIRE_LINE_MAX];
	memcpy(in.qid, "AbCdEfGh012345", QID_SIZE);
	size_t n = dropwire_format_cmd(&in, line, sizeof line);
	assert_string_equal(line, "envelope 12 AbCdEfGh012345\n");
	assert_int_equal(dropwire_parse_cmd(line, n, &out), 0);
	assert_string_equal(out.qid, in.qid);
	in = (struct dropwire_cmd){ .verb = DW_QP, .len = 3, .body_off = 40 };
	n = dropwire_format_cmd(&in, line, sizeof line);
	assert_string_equal(line, "qp 3 40\n");
	assert_int_equal(dropwire_parse_cmd(line, n, &out), 0);
	assert_int_equal(out.body_off, 40);
}

static void
test_replies(void **state)
{
	char line[DROPWIRE_LINE_MAX * 4], text[DROPWIRE_LINE_MAX * 4];
	enum dropwire_reply r;
	size_t n = dropwire_format_reply(DWR_TOO_BIG, "too\nbig", line, sizeof line);
	assert_string_equal(line, "toobig too big\n");
	assert_int_equal(dropwire_parse_reply(line, n, &r, text, sizeof text), 0);
	assert_int_equal(r, DWR_TOO_BIG);
	assert_string_equal(text, "too big");
	assert_int_equal(dropwire_reply_errno(r), EFBIG);
	assert_int_equal(dropwire_parse_reply("ok AbCdEfGh012345\n", 18, &r, text, sizeof text), 0);
	assert_int_equal(r, DWR_OK);
	assert_string_equal(text, "AbCdEfGh012345");
	assert_int_equal(dropwire_parse_reply("fine thanks\n", 12, &r, text, sizeof text), -1);
	assert_int_equal(dropwire_parse_reply("ok\n", 3, &r, text, sizeof text), -1);
	assert_int_equal(dropwire_reply_errno(DWR_TEMPFAIL), EAGAIN);
	assert_int_equal(dropwire_reply_errno(DWR_NO_SPACE), ENOSPC);
	/* A long text is cut, and the line still ends in LF. */
	char longtext[1000];
	memset(longtext, 'x', sizeof longtext - 1);
	longtext[sizeof longtext - 1] = '\0';
	n = dropwire_format_reply(DWR_TEMPFAIL, longtext, line, 64);
	assert_int_equal(n, 63);	/* 62 of text, LF, NUL: the buffer full */
	assert_int_equal(line[n - 1], '\n');
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_commands_accepted),
		cmocka_unit_test(test_commands_refused),
		cmocka_unit_test(test_format_round_trip),
		cmocka_unit_test(test_replies),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
