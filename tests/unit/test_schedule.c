/* test_schedule: back-off growth, cap, jitter bounds; delay formatting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "schedule.h"

static void
test_backoff(void **state)
{
	assert_int_equal(schedule_delay(1, 300, 10800, 500), 300);
	assert_int_equal(schedule_delay(2, 300, 10800, 500), 600);
	assert_int_equal(schedule_delay(3, 300, 10800, 500), 1200);
	assert_int_equal(schedule_delay(20, 300, 10800, 500), 10800);
	for (unsigned r = 0; r < 1000; r += 37) {
		long d = schedule_delay(4, 300, 10800, r);
		assert_true(d >= 2160 && d <= 2640);
	}
}

static void
test_fmt(void **state)
{
	char b[32];
	schedule_fmt_delay(b, sizeof b, 5);
	assert_string_equal(b, "00:00:05");
	schedule_fmt_delay(b, sizeof b, 3723);
	assert_string_equal(b, "01:02:03");
	schedule_fmt_delay(b, sizeof b, 90061);
	assert_string_equal(b, "1+01:01:01");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_fmt),
	};
	return cmocka_run_group_tests_name("schedule", tests, NULL, NULL);
}
