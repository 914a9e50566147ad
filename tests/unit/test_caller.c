/* test_caller: the submitter's login and full name are getpwuid's, and a
 * uid without an entry is "nobody". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>

#include "caller.h"

static void
test_known_uid(void **state)
{
	struct caller c;
	struct passwd *pw = getpwuid(0);
	assert_non_null(pw);
	char gecos[256];
	snprintf(gecos, sizeof gecos, "%.*s", (int)strcspn(pw->pw_gecos, ","), pw->pw_gecos);
	caller_lookup(&c, 0);
	assert_string_equal(c.login, pw->pw_name);
	assert_string_equal(c.gecos, gecos);
}

static void
test_unknown_uid(void **state)
{
	struct caller c;
	caller_lookup(&c, (uid_t)4000000123u);
	assert_string_equal(c.login, "nobody");
	assert_string_equal(c.gecos, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_uid),
		cmocka_unit_test(test_unknown_uid),
	};
	return cmocka_run_group_tests_name("caller", tests, NULL, NULL);
}
