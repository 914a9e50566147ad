/* test_authinfo: AuthInfo value parsing as sendmail's getauth() does it,
 * error texts without secrets, lookup keys and the three-step lookup. */
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

#include "authinfo.h"
#include "base64.h"
#include "buf.h"
#include "map.h"

static int
parse(const char *v, struct authinfo *ai, char *err, size_t errlen)
{
	return authinfo_parse(v, strlen(v), "authinfo:k", ai, err, errlen);
}

static void
test_all_fields(void **state)
{
	struct authinfo ai;
	char err[256];

	assert_int_equal(parse("\"U:alice@isp\" \"I:alice\" \"P:s3cret pass\" "
	    "\"R:isp.example\" \"M:PLAIN LOGIN\"", &ai, err, sizeof err), 0);
	assert_string_equal(ai.authzid, "alice@isp");
	assert_string_equal(ai.authid, "alice");
	assert_string_equal(ai.password, "s3cret pass");
	assert_string_equal(ai.realm, "isp.example");
	assert_string_equal(ai.mechs, "PLAIN LOGIN");
	assert_string_equal(authinfo_mechs(&ai), "PLAIN LOGIN");
	assert_true(ai.authzid_given);
	authinfo_free(&ai);
	assert_null(ai.password);
}

static void
test_defaults_u_i(void **state)
{
	struct authinfo ai;
	char err[256];

	assert_int_equal(parse("\"U:bob\" \"P:x\"", &ai, err, sizeof err), 0);
	assert_string_equal(ai.authid, "bob");
	assert_true(ai.authzid_given);
	assert_false(ai.authid_given);
	assert_null(ai.realm);
	assert_string_equal(authinfo_mechs(&ai), AUTHINFO_DEFAULT_MECHS);
	authinfo_free(&ai);
	assert_int_equal(parse("\"I:carol\" \"P:x\"", &ai, err, sizeof err), 0);
	assert_string_equal(ai.authzid, "carol");
	assert_false(ai.authzid_given);
	authinfo_free(&ai);
}

static void
test_case_and_tabs(void **state)
{
	struct authinfo ai;
	char err[256];

	/* lower-case tags, tabs, CR kept by makemap after the last item */
	assert_int_equal(parse("\"u:a\"\t\"p:b\"\"m:PLAIN\"\r", &ai, err,
	    sizeof err), 0);
	assert_string_equal(ai.authzid, "a");
	assert_string_equal(ai.password, "b");
	assert_string_equal(ai.mechs, "PLAIN");
	authinfo_free(&ai);
}

static void
test_base64(void **state)
{
	struct authinfo ai;
	char err[256], out[16];
	size_t n;

	assert_int_equal(parse("\"U:bob\" \"P=c2VjcmV0\"", &ai, err,
	    sizeof err), 0);
	assert_string_equal(ai.password, "secret");
	authinfo_free(&ai);
	assert_int_equal(base64_decode("YQ==", 4, out, sizeof out, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(base64_decode("YR==", 4, out, sizeof out, &n), -1);
	assert_int_equal(base64_decode("YQ=", 3, out, sizeof out, &n), -1);
	assert_int_equal(base64_decode("Y=Q=", 4, out, sizeof out, &n), -1);
	assert_int_equal(base64_decode("YQ==YQ==", 8, out, sizeof out, &n), -1);
	assert_int_equal(parse("\"U:bob\" \"P=c2Vj*mV0\"", &ai, err,
	    sizeof err), -1);
	assert_non_null(strstr(err, "item 2 (P): invalid base64"));
	assert_null(ai.authzid);
	assert_int_equal(parse("\"U:bob\" \"P=YQBi\"", &ai, err, sizeof err),
	    -1);	/* "a\0b" */
	assert_non_null(strstr(err, "NUL"));
}

static void
test_quoting(void **state)
{
	struct authinfo ai;
	char err[256];

	/* No escape processing: backslashes stay, \" does not end the item. */
	assert_int_equal(parse("\"U:u\" \"P:a<b>@c,d;e\\\"f\\\\g\"", &ai, err,
	    sizeof err), 0);
	assert_string_equal(ai.password, "a<b>@c,d;e\\\"f\\\\g");
	authinfo_free(&ai);
	/* An unquoted token stops processing: P after it is never seen. */
	assert_int_equal(parse("\"U:u\" , \"P:x\"", &ai, err, sizeof err), -1);
	assert_non_null(strstr(err, "no P:"));
	assert_int_equal(parse("\"U:u\" \"P:x", &ai, err, sizeof err), -1);
	assert_non_null(strstr(err, "unbalanced"));
	assert_int_equal(parse("", &ai, err, sizeof err), -1);
}

static void
test_duplicates(void **state)
{
	struct authinfo ai;
	char err[256];

	assert_int_equal(parse("\"U:a\" \"P:one\" \"P:two\" \"U:b\"", &ai, err,
	    sizeof err), 0);
	assert_string_equal(ai.password, "two");
	assert_string_equal(ai.authzid, "b");
	authinfo_free(&ai);
}

static void
test_malformed(void **state)
{
	static const struct {
		const char *v, *msg;
	} cases[] = {
		{ "\"U:\" \"P:x\"", "item 1 (U): empty value" },
		{ "\"U:a\" \"Xhunter2\"", "item 2: unknown field letter" },
		{ "\"U:a\" \"P-hunter2\"", "item 2 (P): bad delimiter" },
		{ "\"U:a\" \"\"", "item 2: too short" },
		{ "\"P:hunter2\"", "needs a U: or I:" },
		{ "\"U:a\"", "no P:" },
	};
	struct authinfo ai;
	char err[256];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(parse(cases[i].v, &ai, err, sizeof err), -1);
		assert_non_null(strstr(err, cases[i].msg));
		assert_non_null(strstr(err, "authinfo:k"));
		assert_null(strstr(err, "hunter2"));
		assert_null(ai.password);
	}
}

static void
test_error_never_has_password(void **state)
{
	/* Each value is invalid somewhere after or inside the password. */
	static const char *const vals[] = {
		"\"P:Zq9secretpw\" \"Q:x\"", "\"P:Zq9secretpw\" \"U;x\"",
		"\"P:Zq9secretpw\"", "\"P:Zq9secretpw\" \"U:",
		"\"P=Zq9secretpw\" \"U:x\"", "\"Zq9secretpw\"",
		"\"U:a\" \"P:Zq9secretpw\" , \"I:b\"",
	};
	char err[256];
	struct authinfo ai;

	for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
		const char *v = vals[i];
		if (parse(v, &ai, err, sizeof err) == 0) {
			authinfo_free(&ai);	/* the last one parses */
			continue;
		}
		assert_null(strstr(err, "secret"));
		assert_null(strstr(err, "Zq9"));
	}
}

static void
test_keys(void **state)
{
	char k[128];

	assert_int_equal(authinfo_name_key("SMTP.Example.NET.", k, sizeof k), 0);
	assert_string_equal(k, "authinfo:smtp.example.net");
	assert_int_equal(authinfo_name_key("[smtp.isp.example]", k, sizeof k),
	    0);
	assert_string_equal(k, "authinfo:smtp.isp.example");
	assert_int_equal(authinfo_name_key("[192.0.2.25]", k, sizeof k), 0);
	assert_string_equal(k, "authinfo:[192.0.2.25]");
	assert_int_equal(authinfo_addr_key("192.0.2.25", k, sizeof k), 0);
	assert_string_equal(k, "authinfo:192.0.2.25");
	assert_int_equal(authinfo_addr_key("2001:DB8::1", k, sizeof k), 0);
	assert_string_equal(k, "authinfo:ipv6:2001:db8:0:0:0:0:0:1");
	assert_int_equal(authinfo_addr_key("::ffff:192.0.2.7", k, sizeof k), 0);
	assert_string_equal(k, "authinfo:192.0.2.7");
	assert_int_equal(authinfo_addr_key("nonsense", k, sizeof k), -1);
}

/* A text: map in a private directory drives authinfo_lookup. */
static struct map *
text_map(const char *content, char *dir)
{
	char path[256], err[256];
	struct map *m;

	snprintf(dir, 64, "/tmp/t_authinfo.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/authinfo", dir);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(content, fp);
	fclose(fp);
	assert_int_equal(map_open_type(&m, MAP_TEXT, path, 0, (uid_t)-1, err,
	    sizeof err), 0);
	unlink(path);
	rmdir(dir);
	return m;
}

static void
test_lookup_order(void **state)
{
	char dir[64], matched[128], err[256];
	struct authinfo ai;
	bool found;
	struct map *m = text_map(
	    "AuthInfo:Relay.Example \"U:name\" \"P:1\"\n"
	    "AuthInfo:192.0.2.9 \"U:addr\" \"P:2\"\n"
	    "AuthInfo:ipv6:2001:db8:0:0:0:0:0:5 \"U:v6\" \"P:3\"\n"
	    "AuthInfo:broken.example \"U:x\" \"P=!!!!\"\n"
	    "AuthInfo: \"U:dflt\" \"P:4\"\n", dir);

	assert_int_equal(authinfo_lookup(m, "relay.example", "192.0.2.9", &ai,
	    &found, matched, sizeof matched, err, sizeof err), 0);
	assert_true(found);
	assert_string_equal(matched, "authinfo:relay.example");
	assert_string_equal(ai.authzid, "name");
	authinfo_free(&ai);
	assert_int_equal(authinfo_lookup(m, "other", "192.0.2.9", &ai, &found,
	    matched, sizeof matched, err, sizeof err), 0);
	assert_string_equal(ai.authzid, "addr");
	authinfo_free(&ai);
	assert_int_equal(authinfo_lookup(m, "other", "2001:db8::5", &ai, &found,
	    matched, sizeof matched, err, sizeof err), 0);
	assert_string_equal(ai.authzid, "v6");
	authinfo_free(&ai);
	assert_int_equal(authinfo_lookup(m, "other", NULL, &ai, &found,
	    matched, sizeof matched, err, sizeof err), 0);
	assert_string_equal(matched, "authinfo:");
	assert_string_equal(ai.password, "4");
	authinfo_free(&ai);
	/* A malformed first hit is an error, never a fall-back. */
	assert_int_equal(authinfo_lookup(m, "broken.example", NULL, &ai, &found,
	    matched, sizeof matched, err, sizeof err), -1);
	assert_true(found);
	assert_string_equal(matched, "authinfo:broken.example");
	assert_non_null(strstr(err, "item 2 (P): invalid base64"));
	/* Which file and line, so the admin can find the entry. */
	char where[96];
	snprintf(where, sizeof where, "%s/authinfo:4: ", dir);
	if (strstr(err, where) == NULL)
		fail_msg("no \"%s\" in \"%s\"", where, err);
	assert_null(strstr(err, "!!!!"));
	map_close(m);
}

static void
test_lookup_none(void **state)
{
	char dir[64], matched[128], err[256];
	struct authinfo ai;
	bool found = true;
	struct map *m = text_map("AuthInfo:a \"U:x\" \"P:y\"\n", dir);

	assert_int_equal(authinfo_lookup(m, "b", "192.0.2.1", &ai, &found,
	    matched, sizeof matched, err, sizeof err), 0);
	assert_false(found);
	assert_string_equal(matched, "");
	/* The raw value is there, unparsed, for the one key that exists. */
	struct buf v;
	buf_init(&v);
	assert_int_equal(map_lookup(m, "AUTHINFO:A", &v, &found, err,
	    sizeof err), 0);
	assert_true(found);
	assert_string_equal(buf_str(&v), "\"U:x\" \"P:y\"");
	buf_free_secret(&v);
	map_close(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_fields),
		cmocka_unit_test(test_defaults_u_i),
		cmocka_unit_test(test_case_and_tabs),
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_error_never_has_password),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_lookup_order),
		cmocka_unit_test(test_lookup_none),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
