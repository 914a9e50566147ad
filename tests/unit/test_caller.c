/* test_caller: the submitter's login and full name — read from a passwd
 * file as glibc's files service reads it when nsswitch names files first,
 * left to getpwuid otherwise.  uid 0 is "root" to getpwuid on every host;
 * the test files call it something else, so the answer shows its source. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "caller.h"

static char nss[64], pwd[64];

static void
write_file(char *path, size_t size, const char *text)
{
	snprintf(path, size, "/tmp/relayq-caller-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* caller_lookup for uid with these two files. */
static void
lookup(struct caller *c, uid_t uid, const char *nsswitch, const char *passwd)
{
	write_file(nss, sizeof nss, nsswitch);
	write_file(pwd, sizeof pwd, passwd);
	caller_lookup(c, uid, nss, pwd);
	unlink(nss);
	unlink(pwd);
}

static const char *PASSWD =
    "# local accounts\n"
    "\n"
    "+toor::0:0:NIS compat:/:/bin/sh\n"
    "   admin:x:0:0:Ad Min,Room 1,,:/root:/bin/bash\n"
    "alice:x:1000:1000:Alice Liddell,,,:/home/alice:/bin/bash\n"
    "carol:x:1001:1001\n";

static void
test_files_first(void **state)
{
	struct caller c;
	lookup(&c, 0, "passwd:         files systemd\ngroup: files\n", PASSWD);
	assert_true(c.from_files);
	assert_string_equal(c.login, "admin");	/* +toor is never a match */
	assert_string_equal(c.gecos, "Ad Min");
	caller_free(&c);
	lookup(&c, 1000, "# comment\npasswd:files\n", PASSWD);
	assert_true(c.from_files);
	assert_string_equal(c.login, "alice");
	assert_string_equal(c.gecos, "Alice Liddell");
	caller_free(&c);
	/* The last passwd line counts, as glibc reads the file. */
	lookup(&c, 0, "passwd: sss files\npasswd: files   # local only\n", PASSWD);
	assert_true(c.from_files);
	assert_string_equal(c.login, "admin");
	caller_free(&c);
}

/* Anything that might not be files' answer goes to getpwuid. */
static void
test_getpwuid_decides(void **state)
{
	static const char *nsswitch[] = {
		"passwd: systemd files\n",
		"passwd: files [NOTFOUND=return] ldap\n",
		"passwd: files systemd [SUCCESS=merge]\n",
		"passwd: compat\n",
		"passwd: filesx\n",
		"group: files\n",
		"Passwd: files\n",
	};
	struct caller c;
	for (size_t i = 0; i < sizeof nsswitch / sizeof nsswitch[0]; i++) {
		lookup(&c, 0, nsswitch[i], PASSWD);
		if (c.from_files || strcmp(c.login, "root") != 0)
			fail_msg("nsswitch \"%s\": login %s from the file", nsswitch[i], c.login);
		caller_free(&c);
	}
	/* A uid field strtoul reads otherwise (blank, sign) or a bad gid. */
	static const char *passwd[] = {
		"admin:x: 0:0::/:/bin/sh\n",
		"admin:x:+0:0::/:/bin/sh\n",
		"other:x:12x:0::/:/bin/sh\nadmin:x:0:0::/:/bin/sh\n",
		"admin:x:0:zero::/:/bin/sh\n",
		"admin:x:0\n",
		"admin:x:4294967296:0::/:/bin/sh\n",
		"nobody-here:x:1:1::/:/bin/sh\n",
	};
	for (size_t i = 0; i < sizeof passwd / sizeof passwd[0]; i++) {
		lookup(&c, 0, "passwd: files\n", passwd[i]);
		if (c.from_files || strcmp(c.login, "root") != 0)
			fail_msg("passwd \"%s\": login %s from the file", passwd[i], c.login);
		caller_free(&c);
	}
}

static void
test_short_line(void **state)
{
	struct caller c;
	lookup(&c, 1001, "passwd: files\n", PASSWD);
	assert_true(c.from_files);
	assert_string_equal(c.login, "carol");
	assert_string_equal(c.gecos, "");
	caller_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_files_first),
		cmocka_unit_test(test_getpwuid_decides),
		cmocka_unit_test(test_short_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
