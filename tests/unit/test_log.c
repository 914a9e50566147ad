/* test_log: what -v prints — a hostile server's bytes shown harmlessly
 * (control characters and 8-bit octets as '?'), AUTH payloads redacted,
 * and no line over 998 octets (cron mails -v output). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

static char out[16384];

/* Runs fn with stderr sent to a temporary file; its text into out. */
static void
capture(void (*fn)(void))
{
	char path[] = "/tmp/relayq-log-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	fflush(stderr);
	int saved = dup(2);
	assert_int_equal(dup2(fd, 2), 2);
	fn();
	fflush(stderr);
	assert_int_equal(dup2(saved, 2), 2);
	close(saved);
	ssize_t n = pread(fd, out, sizeof out - 1, 0);
	assert_true(n >= 0);
	out[n] = '\0';
	close(fd);
	unlink(path);
}

static void
hostile_reply(void)
{
	log_set_verbose(true);
	log_transcript(false, "250 ok\x1b[2J\x07\x85 done\r\n", XS_CLEAR);
}

static void
test_control_bytes_escaped(void **state)
{
	capture(hostile_reply);
	assert_string_equal(out, "<<< 250 ok?[2J?? done\n");
}

static void
auth_line(void)
{
	log_set_verbose(true);
	log_transcript(true, "AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n", XS_AFTER_TWO_WORDS);
}

static void
test_auth_redacted(void **state)
{
	capture(auth_line);
	assert_string_equal(out, ">>> AUTH PLAIN ***\n");
}

static void
long_reply(void)
{
	char line[3000];
	memset(line, 'a', sizeof line - 1);
	line[sizeof line - 1] = '\0';
	log_set_verbose(true);
	log_transcript(false, line, XS_CLEAR);
}

static void
test_no_line_over_998(void **state)
{
	capture(long_reply);
	size_t a = 0, longest = 0;
	for (char *p = out; *p != '\0';) {
		size_t n = strcspn(p, "\n");
		longest = n > longest ? n : longest;
		for (size_t i = 0; i < n; i++)
			a += p[i] == 'a';
		p += n + (p[n] == '\n');
	}
	assert_true(longest <= 998);
	assert_int_equal(a, 2999);	/* continued, not cut */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_control_bytes_escaped),
		cmocka_unit_test(test_auth_redacted),
		cmocka_unit_test(test_no_line_over_998),
	};
	return cmocka_run_group_tests_name("log", tests, NULL, NULL);
}
