/* test_qjson: JSON strings from queue files — escapes, and bytes that are
 * not UTF-8 replaced so that a parser never rejects the document. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qjson.h"

static char *
str(const char *s)
{
	static char out[256];
	char *p = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&p, &n);
	assert_non_null(fp);
	qjson_str(fp, s);
	assert_int_equal(fclose(fp), 0);
	snprintf(out, sizeof out, "%s", p);
	free(p);
	return out;
}

static void
test_escapes(void **state)
{
	assert_string_equal(str(NULL), "null");
	assert_string_equal(str(""), "\"\"");
	assert_string_equal(str("a\"b\\c"), "\"a\\\"b\\\\c\"");
	assert_string_equal(str("tab\there\r\n"), "\"tab\\there\\r\\n\"");
	assert_string_equal(str("\x01\x1f\x7f"), "\"\\u0001\\u001f\\u007f\"");
}

static void
test_utf8(void **state)
{
	assert_string_equal(str("J\xc3\xbcrgen \xe2\x82\xac \xf0\x9f\x93\xa7"),
	    "\"J\xc3\xbcrgen \xe2\x82\xac \xf0\x9f\x93\xa7\"");
	/* Latin-1, a stray continuation, overlong '/', a surrogate, past
	 * U+10FFFF, a sequence cut short by the end. */
	assert_string_equal(str("\xfc"), "\"\\ufffd\"");
	assert_string_equal(str("\x80x"), "\"\\ufffdx\"");
	assert_string_equal(str("\xc0\xaf"), "\"\\ufffd\\ufffd\"");
	assert_string_equal(str("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");
	assert_string_equal(str("\xf4\x90\x80\x80"), "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
	assert_string_equal(str("\xe2\x82"), "\"\\ufffd\\ufffd\"");
	assert_int_equal(qjson_utf8_len((const unsigned char *)"\xe0\xa0\x80"), 3);
	assert_int_equal(qjson_utf8_len((const unsigned char *)"\xe0\x9f\x80"), 0);
	assert_int_equal(qjson_utf8_len((const unsigned char *)"\xf4\x8f\xbf\xbf"), 4);
}

static void
test_message(void **state)
{
	struct mailq_item it;
	char *p = NULL;
	size_t n = 0;
	memset(&it, 0, sizeof it);
	envelope_init(&it.e);
	snprintf(it.e.qid, sizeof it.e.qid, "%s", "1xYegk0ZlK04Sj");
	it.e.arrival = 1000;
	it.e.held = 1500;
	it.e.next_try = 1600;
	assert_int_equal(envelope_set(&it.e.sender, ""), 0);
	assert_int_equal(envelope_add_rcpt(&it.e, "bob@example.org"), 0);
	FILE *fp = open_memstream(&p, &n);
	qjson_message(fp, &it, 2000);
	assert_int_equal(fclose(fp), 0);
	assert_non_null(strstr(p, "\"status\":\"held\",\"held\":true,\"held_since\":1500,"));
	assert_non_null(strstr(p, "\"age\":1000,"));
	assert_non_null(strstr(p, "\"sender\":\"\","));
	assert_non_null(strstr(p, "\"next_attempt\":null,"));	/* none while held */
	assert_non_null(strstr(p, "\"last_attempt\":null,"));
	assert_non_null(strstr(p, "[{\"address\":\"bob@example.org\",\"state\":\"pending\",\"reply\":null}]"));
	free(p);
	envelope_free(&it.e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_message),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
