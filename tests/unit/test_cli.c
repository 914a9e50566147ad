/* test_cli: the sendmail command line as cron, mailx, git and PHP use it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "cli.h"

static int
parse(struct cli *c, const char *prog, ...)
{
	static char store[16][64];
	static char *argv[17];
	va_list ap;
	int argc = 0;
	argv[argc++] = (char *)prog;
	va_start(ap, prog);
	const char *a;
	while ((a = va_arg(ap, const char *)) != NULL && argc < 16) {
		strncpy(store[argc], a, sizeof store[argc] - 1);
		argv[argc] = store[argc];
		argc++;
	}
	va_end(ap);
	argv[argc] = NULL;
	return cli_parse(c, argc, argv, prog);
}

static void
test_cron_style(void **state)
{
	struct cli c;
	assert_int_equal(parse(&c, "sendmail", "-FCronDaemon", "-i", "-B8BITMIME",
	    "-oem", "root", NULL), 0);
	assert_int_equal(c.mode, MODE_SUBMIT);
	assert_true(c.ignore_dots);
	assert_string_equal(c.fullname, "CronDaemon");
	assert_string_equal(c.body_type, "8BITMIME");
	assert_int_equal(c.error_mode, 'm');
	assert_int_equal(c.nrcpts, 1);
	assert_string_equal(c.rcpts[0], "root");
}

static void
test_t_and_from(void **state)
{
	struct cli c;
	assert_int_equal(parse(&c, "sendmail", "-t", "-oi", "-f", "a@b.example", NULL), 0);
	assert_true(c.extract);
	assert_true(c.ignore_dots);
	assert_string_equal(c.from, "a@b.example");
	assert_int_equal(parse(&c, "sendmail", "-f<>", "x", NULL), 0);
	assert_string_equal(c.from, "");
	assert_int_equal(parse(&c, "sendmail", "-fa", "-fb", "x", NULL), -1);
	assert_string_equal(c.error, "More than one \"from\" person");
}

static void
test_modes(void **state)
{
	struct cli c;
	assert_int_equal(parse(&c, "mailq", NULL), 0);
	assert_int_equal(c.mode, MODE_LIST);
	assert_int_equal(parse(&c, "sendmail", "-bp", NULL), 0);
	assert_int_equal(c.mode, MODE_LIST);
	assert_int_equal(parse(&c, "sendmail", "-bs", NULL), 0);
	assert_int_equal(c.mode, MODE_SMTP);
	assert_int_equal(parse(&c, "newaliases", NULL), 0);
	assert_int_equal(c.mode, MODE_NEWALIASES);
	assert_int_equal(parse(&c, "sendmail", "--version", NULL), 0);
	assert_int_equal(c.mode, MODE_VERSION);
	assert_int_equal(parse(&c, "sendmail", "-bd", NULL), -1);
	/* Selectors narrow the listing; they never turn mailq into a run. */
	assert_int_equal(parse(&c, "mailq", "-qRbob", NULL), 0);
	assert_int_equal(c.mode, MODE_LIST);
	assert_int_equal(c.q.n, 1);
	assert_int_equal(parse(&c, "mailq", "-q30m", NULL), -1);
}

/* mailq's age check: a long option of relayq's own, in either spelling,
 * seconds unless a unit is given, and only for listing. */
static void
test_older_than(void **state)
{
	struct cli c;
	assert_int_equal(parse(&c, "mailq", NULL), 0);
	assert_int_equal(c.older_than, -1);
	assert_int_equal(parse(&c, "mailq", "--older-than", "1h", "-qRbob", NULL), 0);
	assert_int_equal(c.mode, MODE_LIST);
	assert_int_equal(c.older_than, 3600);
	assert_int_equal(c.q.n, 1);
	assert_int_equal(parse(&c, "sendmail", "-bp", "--older-than=90", NULL), 0);
	assert_int_equal(c.older_than, 90);
	assert_int_equal(parse(&c, "mailq", "--older-than=0", NULL), 0);
	assert_int_equal(c.older_than, 0);
	assert_int_equal(parse(&c, "mailq", "--older-than", NULL), -1);
	assert_int_equal(parse(&c, "mailq", "--older-than=soon", NULL), -1);
	assert_int_equal(parse(&c, "sendmail", "--older-than=1h", "bob", NULL), -1);
	assert_string_equal(c.error, "--older-than goes with mailq or -bp");
}

static void
test_queue_flags(void **state)
{
	struct cli c;
	assert_int_equal(parse(&c, "sendmail", "-q", "-v", NULL), 0);
	assert_int_equal(c.mode, MODE_QUEUE_RUN);
	assert_true(c.verbose);
	assert_int_equal(parse(&c, "sendmail", "-q1h30m", NULL), 0);
	assert_int_equal(c.mode, MODE_DAEMON);
	assert_int_equal(c.q.interval, 5400);
	assert_int_equal(parse(&c, "sendmail", "-q15", NULL), 0);
	assert_int_equal(c.q.interval, 900);
	assert_int_equal(parse(&c, "sendmail", "-qIabc", "-q!Rbob", "-qf", NULL), 0);
	assert_int_equal(c.mode, MODE_QUEUE_RUN);
	assert_true(c.q.foreground);
	assert_int_equal(c.q.n, 2);
	assert_int_equal(c.q.v[0].kind, 'I');
	assert_string_equal(c.q.v[0].substr, "abc");
	assert_true(c.q.v[1].negate);
	assert_int_equal(parse(&c, "sendmail", "-qxyz", NULL), -1);
}

static void
test_dsn_flags(void **state)
{
	struct cli c;
	assert_int_equal(parse(&c, "sendmail", "-Nsuccess,delay", "-Rhdrs", "-Vabc+2B1", "x", NULL), 0);
	assert_string_equal(c.notify, "SUCCESS,DELAY");
	assert_string_equal(c.ret, "HDRS");
	assert_string_equal(c.envid, "abc+1");	/* decoded: smtp encodes it once */
	assert_int_equal(parse(&c, "sendmail", "-Nsometimes", "x", NULL), -1);
	assert_string_equal(c.error, "Invalid -N argument");
	assert_int_equal(parse(&c, "sendmail", "-Rfull", "-Rhdrs", "x", NULL), -1);
	assert_string_equal(c.error, "Duplicate -R flag");
	assert_int_equal(parse(&c, "sendmail", "-Va=b", "x", NULL), -1);
	assert_int_equal(parse(&c, "sendmail", "-Va+0Ab", "x", NULL), -1);	/* a newline */
	assert_int_equal(parse(&c, "sendmail", "-N", "", "x", NULL), -1);	/* NOTIFY= */
	assert_string_equal(c.error, "Invalid -N argument");
	assert_int_equal(parse(&c, "sendmail", "-Bbinary", "x", NULL), -1);
	assert_string_equal(c.error, "Illegal body type binary");
}

static void
test_unknown_and_ignored(void **state)
{
	struct cli c;
	assert_int_equal(parse(&c, "sendmail", "-Z", NULL), -1);
	assert_string_equal(c.error, "illegal option -- Z");
	assert_int_equal(parse(&c, "sendmail", "-f", NULL), -1);
	assert_int_equal(parse(&c, "sendmail", "-odq", "-Ac", "-L", "tag", "-OFoo=bar",
	    "-oZz", "--", "-rcpt", NULL), 0);
	assert_true(c.queue_only);
	assert_int_equal(c.nwarnings, 2);
	assert_int_equal(c.nrcpts, 1);
	assert_string_equal(c.rcpts[0], "-rcpt");
	assert_int_equal(parse(&c, "sendmail", "-hx", NULL), -1);
	assert_string_equal(c.error, "Bad hop count (x)");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cron_style),
		cmocka_unit_test(test_t_and_from),
		cmocka_unit_test(test_modes),
		cmocka_unit_test(test_queue_flags),
		cmocka_unit_test(test_older_than),
		cmocka_unit_test(test_dsn_flags),
		cmocka_unit_test(test_unknown_and_ignored),
	};
	return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
