/* test_qsel: the -q argument and queue selection — sendmail's forms, and an
 * envelope damaged enough to have no sender (queue_selected used to
 * dereference it). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "qsel.h"

static struct envelope
env(const char *sender, const char *rcpt)
{
	struct envelope e;
	envelope_init(&e);
	memcpy(e.qid, "1xYbAbCdEf0123", QID_SIZE);
	if (sender != NULL)
		assert_int_equal(envelope_set(&e.sender, sender), 0);
	assert_int_equal(envelope_add_rcpt(&e, rcpt), 0);
	return e;
}

static void
test_forms(void **state)
{
	struct qsel q = { 0 };
	char why[128];
	assert_int_equal(qsel_parse(&q, "30m", false, why, sizeof why), 0);
	assert_int_equal(q.interval, 1800);
	assert_int_equal(qsel_parse(&q, "fRbob", false, why, sizeof why), 0);
	assert_true(q.foreground);
	assert_int_equal(q.n, 1);
	assert_int_equal(q.v[0].kind, 'R');
	assert_string_equal(q.v[0].substr, "bob");
	assert_int_equal(qsel_parse(&q, "!Sroot", false, why, sizeof why), 0);
	assert_true(q.v[1].negate);
	assert_int_equal(qsel_parse(&q, "30m", true, why, sizeof why), -1);
	assert_string_equal(why, "mailq takes no queue interval");
	assert_int_equal(qsel_parse(&q, "xyz", false, why, sizeof why), -1);
}

static void
test_match(void **state)
{
	struct qsel q = { 0 };
	char why[128];
	struct envelope e = env("Alice@Example.org", "bob@example.net");
	assert_true(qsel_match(&q, &e));			/* no selector */
	assert_int_equal(qsel_parse(&q, "Salice@example", false, why, sizeof why), 0);
	assert_true(qsel_match(&q, &e));			/* case-insensitive */
	assert_int_equal(qsel_parse(&q, "!RBOB", false, why, sizeof why), 0);
	assert_false(qsel_match(&q, &e));			/* negated hit */
	envelope_free(&e);
}

static void
test_no_sender_matches_no_sender_selector(void **state)
{
	struct qsel q = { 0 };
	char why[128];
	struct envelope e = env(NULL, "bob@example.net");
	assert_int_equal(qsel_parse(&q, "Sroot", false, why, sizeof why), 0);
	assert_false(qsel_match(&q, &e));
	q.v[0].negate = true;
	assert_true(qsel_match(&q, &e));
	envelope_free(&e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_no_sender_matches_no_sender_selector),
	};
	return cmocka_run_group_tests_name("qsel", tests, NULL, NULL);
}
