/* test_conf: relayq.conf parsing — values, defaults, errors with file:line. */
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

#include "conf.h"

static char path[64];

/* text into a new file named in path. */
static void
write_conf(const char *text)
{
	snprintf(path, sizeof path, "/tmp/relayq-conf-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* Loads text as relayqd does (a smarthost required) or as sendmail does. */
static int
load_as(struct conf *c, const char *text, bool daemon, char *err, size_t errlen)
{
	write_conf(text);
	conf_defaults(c);
	c->smarthost_required = daemon;
	int rc = conf_load(c, path, true, err, errlen);
	unlink(path);
	return rc;
}

static int
load(struct conf *c, const char *text, char *err, size_t errlen)
{
	return load_as(c, text, false, err, errlen);
}

static void
test_values(void **state)
{
	struct conf c;
	char err[256];
	assert_int_equal(load(&c, "# comment\n\nsmarthost  mail.isp.example:587\n"
	    "hostname host.example.org\ndomain example.org\ndeliver queue\n"
	    "timeout_connect 1m\nretry_min 2m\nretry_max 1h30m\n"
	    "spool /tmp/sp\naliases /etc/aliases\ntls none\n", err, sizeof err), 0);
	assert_string_equal(c.smarthost, "mail.isp.example");
	assert_string_equal(c.port, "587");
	assert_string_equal(c.hostname, "host.example.org");
	assert_string_equal(c.domain, "example.org");
	assert_false(c.deliver_immediate);
	assert_int_equal(c.to.connect, 60);
	assert_int_equal(c.retry_min, 120);
	assert_int_equal(c.retry_max, 5400);
	assert_string_equal(c.spool, "/tmp/sp");
	assert_int_equal(c.tls, TLS_NONE);
}

static void
test_smarthost_forms(void **state)
{
	struct conf c;
	char err[256];
	assert_int_equal(load(&c, "smarthost [::1]:2525\n", err, sizeof err), 0);
	assert_string_equal(c.smarthost, "::1");
	assert_string_equal(c.port, "2525");
	assert_true(c.smarthost_literal);
	assert_int_equal(load(&c, "smarthost [192.0.2.1]\n", err, sizeof err), 0);
	assert_string_equal(c.smarthost, "192.0.2.1");
	assert_string_equal(c.port, "25");
	assert_int_equal(load(&c, "smarthost ::1\n", err, sizeof err), -1);
	assert_non_null(strstr(err, "brackets"));
	assert_int_equal(load(&c, "smarthost host:99999\n", err, sizeof err), -1);
	/* "+587" reaches port 587 but would miss its TLS default (fuzz_conf). */
	assert_int_equal(load(&c, "smarthost host:+587\n", err, sizeof err), -1);
	assert_int_equal(load(&c, "smarthost host:0587\n", err, sizeof err), 0);
	assert_string_equal(c.port, "587");
	assert_int_equal(conf_tls_mode(&c), TLS_STARTTLS);
}

static void
test_errors_have_file_and_line(void **state)
{
	struct conf c;
	char err[256], want[128];
	assert_int_equal(load(&c, "domain x\n\nfrobnicate yes\n", err, sizeof err), -1);
	snprintf(want, sizeof want, "%s:3: unknown key \"frobnicate\"", path);
	assert_string_equal(err, want);
	assert_int_equal(load(&c, "deliver sometimes\n", err, sizeof err), -1);
	assert_non_null(strstr(err, ":1: bad value"));
	assert_int_equal(load(&c, "timeout_rcpt 5x\n", err, sizeof err), -1);
	assert_non_null(strstr(err, "bad duration"));
	assert_int_equal(load(&c, "spool relative/dir\n", err, sizeof err), -1);
	assert_int_equal(load(&c, "hostname\n", err, sizeof err), -1);
	assert_non_null(strstr(err, "missing value"));
	assert_int_equal(load(&c, "tls sometimes\n", err, sizeof err), -1);
	assert_non_null(strstr(err, "(none, starttls, smtps)"));
	assert_int_equal(load(&c, "auth required\n", err, sizeof err), -1);
	assert_non_null(strstr(err, "needs an authinfo map"));
}

/* Every bad line is reported, each with its line number, one a line. */
static void
test_every_error_reported(void **state)
{
	struct conf c;
	char err[1024], want[512];
	assert_int_equal(load(&c, "frobnicate yes\nsmarthost mail.example\n"
	    "tls sometimes\nretry_min 5x\nretry_min 0\n", err, sizeof err), -1);
	snprintf(want, sizeof want, "%s:1: unknown key \"frobnicate\"\n"
	    "%s:3: bad value \"sometimes\" (none, starttls, smtps)\n"
	    "%s:4: bad duration \"5x\" (e.g. 30s, 5m, 1h30m)\n"
	    "%s: retry_min must be > 0 and <= retry_max", path, path, path, path);
	assert_string_equal(err, want);
}

/* A list longer than the buffer keeps whole lines and says how many
 * more there were. */
static void
test_error_list_is_bounded(void **state)
{
	struct conf c;
	char err[200], text[2000] = "", want[128];
	for (int i = 0; i < 30; i++) {
		size_t n = strlen(text);
		snprintf(text + n, sizeof text - n, "key%d x\n", i);
	}
	assert_int_equal(load(&c, text, err, sizeof err), -1);
	assert_int_equal(strncmp(err, path, strlen(path)), 0);
	assert_true(strlen(err) < sizeof err);
	snprintf(want, sizeof want, "\n%s: ", path);
	const char *last = strrchr(err, '\n');
	assert_non_null(last);
	assert_int_equal(strncmp(last, want, strlen(want)), 0);
	int shown = 0;
	for (const char *p = err; (p = strstr(p, ": unknown key")) != NULL; p++)
		shown++;
	char tail[64];
	snprintf(tail, sizeof tail, ": %d more errors not shown", 30 - shown);
	assert_true(shown > 0 && shown < 30);
	assert_string_equal(last + strlen(want) - 2, tail);
}

/* No smarthost line: an error only where required (relayqd); there is
 * no default host. */
static void
test_smarthost_required(void **state)
{
	struct conf c;
	char err[512], want[512];
	assert_int_equal(load(&c, "domain example.org\n", err, sizeof err), 0);
	assert_string_equal(c.smarthost, "");
	assert_int_equal(load_as(&c, "domain example.org\n", true, err, sizeof err), -1);
	snprintf(want, sizeof want, "%s: no smarthost: relayqd relays all mail there "
	    "and has no default (smarthost host[:port])", path);
	assert_string_equal(err, want);
	assert_int_equal(load_as(&c, "smarthost mail.example\n", true, err, sizeof err), 0);
	/* A smarthost line with a bad value is reported once, as that line. */
	assert_int_equal(load_as(&c, "smarthost ::1\n", true, err, sizeof err), -1);
	assert_null(strchr(err, '\n'));
	assert_non_null(strstr(err, ":1: IPv6 address must be written in brackets"));
}

/* The defaults of the issue: 465 implicit, 587 or credentials STARTTLS,
 * otherwise opportunistic; "none" only when written. */
static void
test_tls_and_auth_modes(void **state)
{
	struct conf c;
	char err[256];
	assert_int_equal(load(&c, "smarthost mail.example:465\n", err, sizeof err), 0);
	assert_int_equal(conf_tls_mode(&c), TLS_SMTPS);
	assert_int_equal(conf_auth_mode(&c), AUTH_NONE);
	assert_int_equal(load(&c, "smarthost mail.example:587\n", err, sizeof err), 0);
	assert_int_equal(conf_tls_mode(&c), TLS_STARTTLS);
	assert_int_equal(load(&c, "smarthost mail.example\n", err, sizeof err), 0);
	assert_int_equal(conf_tls_mode(&c), TLS_MAY);
	assert_int_equal(load(&c, "smarthost mail.example\nauthinfo hash:/etc/mail/authinfo\n",
	    err, sizeof err), 0);
	assert_int_equal(conf_tls_mode(&c), TLS_STARTTLS);
	assert_int_equal(conf_auth_mode(&c), AUTH_REQUIRED);
	assert_int_equal(load(&c, "smarthost mail.example:465\ntls none\n"
	    "authinfo hash:/a\nauth optional\n", err, sizeof err), 0);
	assert_int_equal(conf_tls_mode(&c), TLS_NONE);
	assert_int_equal(conf_auth_mode(&c), AUTH_OPTIONAL);
}

static void
test_fingerprint(void **state)
{
	struct conf c;
	char err[256];
	const char *hex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	assert_int_equal(load(&c, "tls_fingerprint sha256:01:23:45:67:89:AB:CD:EF:01:23:45:67:"
	    "89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF\n", err, sizeof err), 0);
	assert_string_equal(c.tls_fingerprint, hex);
	assert_int_equal(load(&c, "tls_fingerprint SHA256:0123456789ABCDEF0123456789abcdef"
	    "0123456789abcdef0123456789abcdef\n", err, sizeof err), 0);
	assert_string_equal(c.tls_fingerprint, hex);
	assert_int_equal(load(&c, "tls_fingerprint sha256:0123\n", err, sizeof err), -1);
	assert_non_null(strstr(err, ":1: \"sha256:0123\": expected sha256:<64 hex digits>"));
	assert_int_equal(load(&c, "tls_fingerprint md5:0123\n", err, sizeof err), -1);
	assert_int_equal(load(&c, "tls_fingerprint sha256:0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdefff\n", err, sizeof err), -1);
	assert_int_equal(load(&c, "tls_fingerprint sha256:0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdeX\n", err, sizeof err), -1);
}

static void
test_trailing_comments(void **state)
{
	struct conf c;
	char err[256];
	assert_int_equal(load(&c, "hostname host.example.org   # our name\n"
	    "aliases /etc/my#aliases\n", err, sizeof err), 0);
	assert_string_equal(c.hostname, "host.example.org");
	assert_string_equal(c.aliases, "/etc/my#aliases");
	assert_int_equal(load(&c, "domain example.org extra\n", err, sizeof err), -1);
	assert_non_null(strstr(err, ":1: domain: one value expected"));
}

static void
test_durations(void **state)
{
	assert_int_equal(conf_duration("30", 1), 30);
	assert_int_equal(conf_duration("30", 60), 1800);
	assert_int_equal(conf_duration("1h30m", 60), 5400);
	assert_int_equal(conf_duration("2d", 1), 172800);
	assert_int_equal(conf_duration("1w", 1), 604800);
	assert_int_equal(conf_duration("", 1), -1);
	assert_int_equal(conf_duration("m", 1), -1);
	assert_int_equal(conf_duration("5q", 1), -1);
	assert_int_equal(conf_duration("-5", 1), -1);
}

static void
test_missing_file(void **state)
{
	struct conf c;
	char err[256];
	conf_defaults(&c);
	assert_int_equal(conf_load(&c, "/nonexistent/relayq.conf", false, err, sizeof err), 0);
	assert_int_equal(conf_load(&c, "/nonexistent/relayq.conf", true, err, sizeof err), -1);
	assert_string_equal(err, "/nonexistent/relayq.conf: No such file or directory");
}

/* The EHLO / Message-ID name when relayq.conf sets no hostname. */
static void
test_hostname_is_qualified_by_default(void **state)
{
	char mailname[] = "/tmp/relayq-mailname-XXXXXX";
	int fd = mkstemp(mailname);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "mail.example.net\n", 17), 17);
	close(fd);
	struct conf c;

	conf_defaults(&c);			/* a dotted host name wins */
	snprintf(c.nodename, sizeof c.nodename, "%s", "box.example.org");
	conf_finish(&c, mailname);
	assert_string_equal(c.hostname, "box.example.org");
	assert_string_equal(c.domain, "mail.example.net");

	conf_defaults(&c);			/* then host name + domain */
	snprintf(c.nodename, sizeof c.nodename, "%s", "callers-host");
	snprintf(c.domain, sizeof c.domain, "%s", "relayq.test");
	conf_finish(&c, mailname);
	assert_string_equal(c.hostname, "callers-host.relayq.test");
	assert_true(conf_hostname_qualified(&c));
	assert_true(conf_is_local_name(&c, "callers-host"));
	assert_true(conf_is_local_name(&c, "CALLERS-HOST.relayq.test"));
	assert_true(conf_is_local_name(&c, "localhost"));
	assert_true(conf_is_local_name(&c, "localhost.relayq.test"));
	assert_false(conf_is_local_name(&c, "relayq.test"));
	assert_false(conf_is_local_name(&c, "callers"));

	conf_defaults(&c);			/* then /etc/mailname */
	snprintf(c.nodename, sizeof c.nodename, "%s", "callers-host");
	conf_finish(&c, mailname);
	assert_string_equal(c.hostname, "mail.example.net");
	assert_string_equal(c.hostname_origin, mailname);

	conf_defaults(&c);			/* else bare, and said so */
	snprintf(c.nodename, sizeof c.nodename, "%s", "callers-host");
	conf_finish(&c, "/nonexistent/mailname");
	assert_string_equal(c.hostname, "callers-host");
	assert_string_equal(c.domain, "callers-host");
	assert_false(conf_hostname_qualified(&c));
	unlink(mailname);
}

static void
test_local_names_list(void **state)
{
	struct conf c;
	char err[256];
	assert_int_equal(load(&c, "hostname mx.example.org\ndomain example.org\n"
	    "local_names old-name.example.org, box.lan\n", err, sizeof err), 0);
	assert_true(conf_is_local_name(&c, "old-name.example.org"));
	assert_true(conf_is_local_name(&c, "box.lan"));
	assert_true(conf_is_local_name(&c, "mx.example.org"));
	assert_false(conf_is_local_name(&c, "example.org"));
}

static void
test_source_address(void **state)
{
	struct conf c;
	char err[512];
	assert_int_equal(load(&c, "source_address 192.0.2.10 2001:db8::10\n", err,
	    sizeof err), 0);
	assert_string_equal(c.source_address, "192.0.2.10 2001:db8::10");
	assert_int_equal(load(&c, "domain example.org\nsource_address mail.example.org\n"
	    "source_address 192.0.2.1 192.0.2.2\n", err, sizeof err), -1);
	assert_non_null(strstr(err, ":2: \"mail.example.org\" is not an IPv4 or IPv6 address\n"));
	assert_non_null(strstr(err, ":3: two IPv4 addresses (one of each family at most)"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_smarthost_forms),
		cmocka_unit_test(test_errors_have_file_and_line),
		cmocka_unit_test(test_every_error_reported),
		cmocka_unit_test(test_error_list_is_bounded),
		cmocka_unit_test(test_smarthost_required),
		cmocka_unit_test(test_trailing_comments),
		cmocka_unit_test(test_tls_and_auth_modes),
		cmocka_unit_test(test_fingerprint),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_hostname_is_qualified_by_default),
		cmocka_unit_test(test_local_names_list),
		cmocka_unit_test(test_source_address),
	};
	return cmocka_run_group_tests_name("conf", tests, NULL, NULL);
}
