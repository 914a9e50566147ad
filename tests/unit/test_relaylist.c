/* test_relaylist: relayq.conf's relay syntax, shared by `smarthost` and
 * the sender_relay map's values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "relaylist.h"

static void
test_one_and_many(void **state)
{
	struct relay_list l;
	char why[128];
	assert_int_equal(relaylist_parse("smtp.example.net", "25", &l, why, sizeof why), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.host[0].name, "smtp.example.net");
	assert_string_equal(l.host[0].port, "25");
	assert_int_equal(l.tls, RL_TLS_DEFAULT);
	assert_int_equal(relaylist_parse("a.example:587\t[192.0.2.1]:465  [2001:db8::1] b.example "
	    "tls=starttls", "25", &l, why, sizeof why), 0);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.host[0].port, "587");
	assert_string_equal(l.host[1].name, "192.0.2.1");
	assert_true(l.host[1].bracketed);
	assert_string_equal(l.host[1].port, "465");
	assert_string_equal(l.host[2].name, "2001:db8::1");
	assert_string_equal(l.host[2].port, "25");
	assert_false(l.host[3].bracketed);
	assert_int_equal(l.tls, RL_TLS_STARTTLS);
	assert_int_equal(relaylist_parse("a.example:0587", "25", &l, why, sizeof why), 0);
	assert_string_equal(l.host[0].port, "587");
}

static void
expect_error(const char *text, const char *why_part)
{
	struct relay_list l;
	char why[128];
	if (relaylist_parse(text, "25", &l, why, sizeof why) != -1)
		fail_msg("accepted \"%s\"", text);
	if (strstr(why, why_part) == NULL)
		fail_msg("\"%s\": \"%s\" does not say \"%s\"", text, why, why_part);
}

static void
test_errors(void **state)
{
	expect_error("", "no relay");
	expect_error("tls=none", "no relay before tls=none");
	expect_error("a.example tls=sometimes", "bad tls=sometimes");
	expect_error("a.example tls=none b.example", "the mode comes last");
	expect_error("a.example:0", "bad port \"0\"");
	expect_error("a.example:65536", "bad port");
	expect_error("2001:db8::1", "must be written in brackets");
	expect_error("[192.0.2.1", "missing ']'");
	expect_error("[192.0.2.1]x", "junk after ']'");
	expect_error("a b c d e f g h i", "more than 8 relays");
	expect_error(":25", "bad host name");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_and_many),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
