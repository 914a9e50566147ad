/* test_policy: retire / return / warn / reschedule after an attempt, on
 * envelopes in every state and at chosen times — no clock, no sleeps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "policy.h"

#define ARRIVAL 1800000000
#define HOUR 3600

static const struct policy_params params = {
	.retry_min = 300, .retry_max = 3 * HOUR, .queue_lifetime = 120 * HOUR,
	.queue_warn = 4 * HOUR,
};

/* One envelope with recipients in the given states ("PDF" = pending,
 * delivered, failed) after `attempts` attempts. */
static void
make(struct envelope *e, const char *states, int attempts)
{
	envelope_init(e);
	e->arrival = ARRIVAL;
	e->attempts = attempts;
	assert_int_equal(envelope_set(&e->sender, "alice@example.org"), 0);
	for (const char *s = states; *s != '\0'; s++) {
		assert_int_equal(envelope_add_rcpt(e, "x@example.net"), 0);
		e->rcpts[e->nrcpt - 1].state = (enum rcpt_state)*s;
	}
}

static struct policy_decision
decide(const struct envelope *e, time_t now, unsigned rnd)
{
	struct policy_decision d;
	memset(&d, 0xff, sizeof d);	/* every field must be written */
	policy_after_attempt(e, &params, now, rnd, &d);
	return d;
}

static void
test_all_delivered_retires(void **state)
{
	struct envelope e;
	make(&e, "DD", 1);
	struct policy_decision d = decide(&e, ARRIVAL + 10, 0);
	assert_true(d.retire);
	assert_false(d.return_failed);
	assert_false(d.warn);
	assert_int_equal(d.next_try, 0);
	envelope_free(&e);
}

static void
test_failure_is_returned_and_the_rest_rescheduled(void **state)
{
	struct envelope e;
	make(&e, "FTD", 1);
	struct policy_decision d = decide(&e, ARRIVAL + 10, 500);
	assert_true(d.return_failed);
	assert_false(d.expired);
	assert_false(d.retire);
	assert_false(d.warn);		/* a failure notice, not also a warning */
	assert_int_equal(d.next_try, ARRIVAL + 10 + 300);	/* rnd 500: no jitter */
	envelope_free(&e);
}

static void
test_backoff_doubles_to_the_cap_with_jitter(void **state)
{
	struct envelope e;
	make(&e, "T", 3);
	assert_int_equal(decide(&e, ARRIVAL, 500).next_try, ARRIVAL + 1200);
	assert_int_equal(decide(&e, ARRIVAL, 0).next_try, ARRIVAL + 1200 - 120);
	assert_int_equal(decide(&e, ARRIVAL, 999).next_try, ARRIVAL + 1200 + 119);
	e.attempts = 30;
	assert_int_equal(decide(&e, ARRIVAL, 500).next_try, ARRIVAL + 3 * HOUR);
	envelope_free(&e);
}

static void
test_warning_once_after_queue_warn(void **state)
{
	struct envelope e;
	make(&e, "T", 5);
	assert_false(decide(&e, ARRIVAL + 4 * HOUR - 1, 500).warn);
	assert_true(decide(&e, ARRIVAL + 4 * HOUR, 500).warn);
	e.warned = ARRIVAL + 4 * HOUR;
	assert_false(decide(&e, ARRIVAL + 5 * HOUR, 500).warn);
	envelope_free(&e);
}

static void
test_lifetime_over_returns_pending(void **state)
{
	struct envelope e;
	make(&e, "TD", 40);
	struct policy_decision d = decide(&e, ARRIVAL + 120 * HOUR, 500);
	assert_true(d.return_failed);
	assert_true(d.expired);
	assert_false(d.warn);
	assert_false(decide(&e, ARRIVAL + 120 * HOUR - 1, 500).expired);
	envelope_free(&e);
}

static void
test_due_and_owed(void **state)
{
	struct envelope e;
	make(&e, "T", 1);
	e.next_try = ARRIVAL + 600;
	assert_false(policy_due(&e, ARRIVAL + 599, false));
	assert_true(policy_due(&e, ARRIVAL + 599, true));	/* sendmail -q */
	assert_true(policy_due(&e, ARRIVAL + 600, false));
	envelope_free(&e);
	make(&e, "FD", 1);
	assert_false(policy_due(&e, ARRIVAL, true));		/* nothing to send */
	assert_true(policy_notice_owed(&e));
	assert_int_equal(envelope_set(&e.sender, ""), 0);
	assert_false(policy_notice_owed(&e));			/* never to <> */
	envelope_free(&e);
}

/* I7: a held message is neither sent, even by sendmail -q, nor returned. */
static void
test_held(void **state)
{
	struct envelope e;
	make(&e, "T", 1);
	e.held = ARRIVAL + 10;
	assert_false(policy_due(&e, ARRIVAL + 600, false));
	assert_false(policy_due(&e, ARRIVAL + 600, true));
	e.held = 0;
	assert_true(policy_due(&e, ARRIVAL + 600, true));
	envelope_free(&e);
	make(&e, "FD", 1);
	e.held = ARRIVAL;
	assert_false(policy_notice_owed(&e));
	envelope_free(&e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_delivered_retires),
		cmocka_unit_test(test_failure_is_returned_and_the_rest_rescheduled),
		cmocka_unit_test(test_backoff_doubles_to_the_cap_with_jitter),
		cmocka_unit_test(test_warning_once_after_queue_warn),
		cmocka_unit_test(test_lifetime_over_returns_pending),
		cmocka_unit_test(test_due_and_owed),
		cmocka_unit_test(test_held),
	};
	return cmocka_run_group_tests_name("policy", tests, NULL, NULL);
}
