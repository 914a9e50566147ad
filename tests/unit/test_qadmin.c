/* test_qadmin: what hold, release, retry and requeue change in a message's
 * delivery state, and what they leave alone (recipients, I6). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "qadmin.h"

#define NOW 1800000000

static void
deferred(struct envelope *e)
{
	envelope_init(e);
	assert_int_equal(envelope_add_rcpt(e, "bob@example.org"), 0);
	e->rcpts[0].state = RCPT_TEMPFAIL;
	e->attempts = 5;
	e->next_try = NOW + 3600;
	e->last_try = NOW - 60;
}

static void
test_hold_and_release(void **state)
{
	struct envelope e;
	deferred(&e);
	assert_true(qadmin_apply(&e, QADMIN_HOLD, NOW));
	assert_int_equal(e.held, NOW);
	assert_int_equal(e.next_try, NOW + 3600);	/* kept for the record */
	assert_false(qadmin_apply(&e, QADMIN_HOLD, NOW + 5));
	assert_int_equal(e.held, NOW);			/* since the first hold */
	assert_true(qadmin_apply(&e, QADMIN_RELEASE, NOW + 10));
	assert_int_equal(e.held, 0);
	assert_int_equal(e.next_try, 0);		/* due at once */
	assert_int_equal(e.attempts, 5);
	assert_false(qadmin_apply(&e, QADMIN_RELEASE, NOW + 20));
	assert_int_equal(e.rcpts[0].state, RCPT_TEMPFAIL);
	envelope_free(&e);
}

static void
test_retry_keeps_backoff(void **state)
{
	struct envelope e;
	deferred(&e);
	assert_true(qadmin_apply(&e, QADMIN_RETRY, NOW));
	assert_int_equal(e.next_try, 0);
	assert_int_equal(e.attempts, 5);
	assert_false(qadmin_apply(&e, QADMIN_RETRY, NOW));
	/* A held message stays held: retry is not release. */
	e.held = NOW;
	e.next_try = NOW + 60;
	assert_true(qadmin_apply(&e, QADMIN_RETRY, NOW));
	assert_int_equal(e.held, NOW);
	envelope_free(&e);
}

static void
test_requeue_resets_backoff(void **state)
{
	struct envelope e;
	deferred(&e);
	assert_true(qadmin_apply(&e, QADMIN_REQUEUE, NOW));
	assert_int_equal(e.attempts, 0);
	assert_int_equal(e.next_try, 0);
	assert_int_equal(e.last_try, NOW - 60);
	assert_false(qadmin_apply(&e, QADMIN_REQUEUE, NOW));
	assert_int_equal(e.rcpts[0].state, RCPT_TEMPFAIL);
	envelope_free(&e);
}

static void
test_op_names(void **state)
{
	enum qadmin_op op;
	assert_int_equal(qadmin_op_parse("hold", &op), 0);
	assert_int_equal(op, QADMIN_HOLD);
	assert_int_equal(qadmin_op_parse("requeue", &op), 0);
	assert_int_equal(op, QADMIN_REQUEUE);
	assert_string_equal(qadmin_op_name(QADMIN_RETRY), "retry");
	assert_int_equal(qadmin_op_parse("delete", &op), -1);
	assert_int_equal(qadmin_op_parse("Hold", &op), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hold_and_release),
		cmocka_unit_test(test_retry_keeps_backoff),
		cmocka_unit_test(test_requeue_resets_backoff),
		cmocka_unit_test(test_op_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
