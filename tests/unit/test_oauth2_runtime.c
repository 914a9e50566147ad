/* test_oauth2_runtime: the run-time half of OAuth2 — the XOAUTH2 and
 * OAUTHBEARER client messages and error challenges, the JSON parser, the
 * token file's parser, writer and safety checks, the refresh grant's
 * request body and answers, and the authinfo O: item. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "authinfo.h"
#include "base64.h"
#include "bearer.h"
#include "buf.h"
#include "grant.h"
#include "json.h"
#include "tokenfile.h"

/* ---- bearer.c: the examples of shared/reference/oauth2.md §1-2 ---- */

static const char *
response(const char *mech, const char *user, const char *host, const char *port,
    struct buf *b)
{
	buf_reset(b);
	assert_int_equal(bearer_response(mech, user, "tok.EXAMPLE-123", host, port, b), 0);
	return buf_str(b);
}

static void
test_xoauth2(void **state)
{
	struct buf b;
	buf_init(&b);
	assert_string_equal(response("XOAUTH2", "alice@isp.example", "h", "587", &b),
	    "dXNlcj1hbGljZUBpc3AuZXhhbXBsZQFhdXRoPUJlYXJlciB0b2suRVhBTVBMRS0xMjMBAQ==");
	assert_string_equal(response("xoauth2", "alice@isp.example", NULL, NULL, &b),
	    "dXNlcj1hbGljZUBpc3AuZXhhbXBsZQFhdXRoPUJlYXJlciB0b2suRVhBTVBMRS0xMjMBAQ==");
	buf_free_secret(&b);
}

static void
test_oauthbearer(void **state)
{
	struct buf b;
	buf_init(&b);
	assert_string_equal(response("OAUTHBEARER", "alice@isp.example", "smtp.isp.example",
	    "587", &b), "bixhPWFsaWNlQGlzcC5leGFtcGxlLAFob3N0PXNtdHAuaXNwLmV4YW1wbGUBcG9ydD01"
	    "ODcBYXV0aD1CZWFyZXIgdG9rLkVYQU1QTEUtMTIzAQE=");
	/* A service name is no port (RFC 7628: decimal, no leading zero). */
	const char *r = response("OAUTHBEARER", "a,b=c", "", "submission", &b);
	char raw[256];
	size_t n;
	assert_int_equal(base64_decode(r, strlen(r), raw, sizeof raw, &n), 0);
	assert_memory_equal(raw, "n,a=a=2Cb=3Dc,\001auth=Bearer tok.EXAMPLE-123\001\001", n);
	buf_reset(&b);
	assert_int_equal(bearer_response("PLAIN", "u", "t", NULL, NULL, &b), -1);
	assert_int_equal(bearer_response("XOAUTH2", "u\001x", "t", NULL, NULL, &b), -1);
	assert_int_equal(bearer_response("XOAUTH2", "u", "t\001", NULL, NULL, &b), -1);
	buf_free_secret(&b);
}

static void
test_error_challenge(void **state)
{
	char st[80];
	/* Google's sample: {"status":"401","schemes":"bearer mac","scope":...} */
	bearer_error_status("eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIG1hYyIsInNjb3BlIjoia"
	    "HR0cHM6Ly9tYWlsLmdvb2dsZS5jb20vIn0K", st, sizeof st);
	assert_string_equal(st, "401");
	bearer_error_status("", st, sizeof st);
	assert_string_equal(st, "unknown");
	bearer_error_status("not base64!", st, sizeof st);
	assert_string_equal(st, "unknown");
	bearer_error_status("eyJzdGF0dXMiOiJhIGIifQ==", st, sizeof st);	/* {"status":"a b"} */
	assert_string_equal(st, "unknown");
	bearer_error_status("WzFd", st, sizeof st);	/* [1]: not an object */
	assert_string_equal(st, "unknown");
}

/* ---- json.c ---- */

static int
jparse(const char *s, struct json_obj *o)
{
	char err[256];
	int rc = json_parse_object(s, strlen(s), o, err, sizeof err);
	if (rc == -1)
		assert_null(strstr(err, "secret"));	/* never input bytes */
	return rc;
}

static void
test_json(void **state)
{
	struct json_obj o;
	long long n;
	assert_int_equal(jparse(" {\"a\":\"x\\u00e9\\ud83d\\ude00\\n\",\"n\":3599,\"s\":\"900\","
	    "\"f\":1.5e3,\"t\":true,\"z\":null,\"o\":{\"k\":[1,[2]]}} ", &o), 0);
	assert_string_equal(json_string(&o, "a"), "x\xc3\xa9\xf0\x9f\x98\x80\n");
	assert_int_equal(json_int(&o, "n", 0, 10000, &n), 0);
	assert_int_equal(n, 3599);
	assert_int_equal(json_int(&o, "s", 0, 10000, &n), 0);
	assert_int_equal(n, 900);
	assert_int_equal(json_int(&o, "f", 0, 10000, &n), -1);
	assert_int_equal(json_int(&o, "n", 0, 100, &n), -1);
	assert_null(json_string(&o, "n"));
	assert_int_equal(json_get(&o, "o")->type, JSON_OBJECT);
	assert_int_equal(json_get(&o, "t")->type, JSON_TRUE);
	json_free(&o);
	static const char *const bad[] = {
		"", "[]", "{", "{}x", "{\"a\":1,}", "{\"a\":01}", "{\"a\":-}", "{\"a\":1.}",
		"{\"a\":\"\\u0000secret\"}", "{\"a\":\"\\ud800\"}", "{\"a\":\"\\udc00\"}",
		"{\"a\":\"\x01secret\"}", "{\"a\":\"\xc3(\"}", "{\"a\":\"\xed\xa0\x80\"}",
		"{\"a\":1,\"a\":2}", "{\"a\":tru}", "{\"a\":'x'}", "{a:1}", "{\"a\":\"\\x\"}",
		"{\"a\":[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(jparse(bad[i], &o), -1);
		assert_int_equal(o.n, 0);
	}
	assert_int_equal(jparse("{}", &o), 0);
	assert_int_equal(o.n, 0);
}

/* ---- tokenfile.c ---- */

static const char good_file[] =
	"# a comment\n"
	"token_endpoint https://login.example/token\n"
	"client_id cid\n"
	"scope  https://outlook.office.com/SMTP.Send offline_access  \r\n"
	"\n"
	"refresh_token rt-1\n"
	"access_token at-1\n"
	"expires 1700000000\n"
	"user alice@outlook.example\n"
	"future_key kept as is\n";

static void
test_tokenfile_parse(void **state)
{
	struct tokenfile tf;
	struct buf out;
	char err[256];
	assert_int_equal(tokenfile_parse(good_file, sizeof good_file - 1, "f", &tf, err,
	    sizeof err), 0);
	assert_string_equal(tf.scope, "https://outlook.office.com/SMTP.Send offline_access");
	assert_string_equal(tf.refresh_token, "rt-1");
	assert_int_equal(tf.expires, 1700000000LL);
	assert_null(tf.client_secret);
	assert_true(tokenfile_fresh(&tf, 1699999000, 300));
	assert_false(tokenfile_fresh(&tf, 1699999800, 300));
	buf_init(&out);
	assert_int_equal(tokenfile_format(&tf, &out), 0);
	assert_non_null(strstr(buf_str(&out), "\nfuture_key kept as is\n"));
	assert_non_null(strstr(buf_str(&out), "\nexpires 1700000000\n"));
	/* A value with a line break cannot be written. */
	assert_int_equal(tokenfile_set(&tf.access_token, "a\nexpires 9"), 0);
	assert_int_equal(tokenfile_format(&tf, &out), -1);
	tokenfile_free(&tf);
	buf_free_secret(&out);
	static const char *const bad[] = {
		"access_token a\naccess_token b\n", "expires soon\n", "expires 1\nexpires 2\n",
		"Key v\n", "=x\n", "access_token a\x01secret\n", "k\0v\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(tokenfile_parse(bad[i], strlen(bad[i]) + (i == 6 ? 4 : 0), "f",
		    &tf, err, sizeof err), -1);
		assert_non_null(strstr(err, "f:"));
		assert_null(strstr(err, "secret"));
		assert_null(tf.access_token);
	}
}

static void
test_tokenfile_io(void **state)
{
	char dir[] = "/tmp/test_oauth2.XXXXXX", path[300], err[512];
	struct tokenfile tf, back;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/alice", dir);
	assert_int_equal(tokenfile_parse(good_file, sizeof good_file - 1, "f", &tf, err,
	    sizeof err), 0);
	assert_int_equal(tokenfile_write(path, &tf, err, sizeof err), 0);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(tokenfile_read(path, &back, err, sizeof err), 0);
	assert_string_equal(back.access_token, "at-1");
	assert_string_equal(back.user, "alice@outlook.example");
	tokenfile_free(&back);
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(tokenfile_read(path, &back, err, sizeof err), -1);
	assert_non_null(strstr(err, "mode 0600"));
	assert_int_equal(chmod(path, 0600), 0);
	char link[320];
	snprintf(link, sizeof link, "%s/link", dir);
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(tokenfile_read(link, &back, err, sizeof err), -1);
	assert_non_null(strstr(err, "symbolic link"));
	assert_int_equal(chmod(dir, 0777), 0);
	assert_int_equal(tokenfile_read(path, &back, err, sizeof err), -1);
	assert_non_null(strstr(err, "mode 0700"));
	assert_int_equal(chmod(dir, 0700), 0);
	unlink(link);
	unlink(path);
	rmdir(dir);
	tokenfile_free(&tf);
}

/* ---- grant.c ---- */

static void
load(struct tokenfile *tf)
{
	char err[256];
	assert_int_equal(tokenfile_parse(good_file, sizeof good_file - 1, "f", tf, err,
	    sizeof err), 0);
}

static enum grant_result
apply(struct tokenfile *tf, long status, const char *body, char *why, size_t size)
{
	return grant_apply(tf, status, body, strlen(body), 1000, why, size);
}

static void
test_grant(void **state)
{
	struct tokenfile tf;
	struct buf b;
	char why[512];
	load(&tf);
	buf_init(&b);
	assert_int_equal(tokenfile_set(&tf.client_secret, "s e&c"), 0);
	assert_int_equal(grant_refresh_body(&tf, &b), 0);
	assert_string_equal(buf_str(&b), "grant_type=refresh_token&refresh_token=rt-1&"
	    "client_id=cid&client_secret=s%20e%26c&scope=https%3A%2F%2Foutlook.office.com"
	    "%2FSMTP.Send%20offline_access");
	buf_free_secret(&b);

	assert_int_equal(apply(&tf, 200, "{\"access_token\":\"at-2\",\"token_type\":\"bearer\","
	    "\"expires_in\":3599}", why, sizeof why), GRANT_OK);
	assert_string_equal(tf.access_token, "at-2");
	assert_string_equal(tf.refresh_token, "rt-1");	/* not rotated */
	assert_int_equal(tf.expires, 1000 + 3599);
	assert_int_equal(apply(&tf, 200, "{\"access_token\":\"at-3\",\"refresh_token\":\"rt-2\","
	    "\"expires_in\":\"60\"}", why, sizeof why), GRANT_OK);
	assert_string_equal(tf.refresh_token, "rt-2");
	assert_int_equal(tf.expires, 1060);
	assert_int_equal(apply(&tf, 200, "{\"access_token\":\"at-4\"}", why, sizeof why), GRANT_OK);
	assert_int_equal(tf.expires, 1000 + GRANT_DEFAULT_EXPIRES);

	assert_int_equal(apply(&tf, 400, "{\"error\":\"invalid_grant\",\"error_description\":"
	    "\"AADSTS70008: expired\"}", why, sizeof why), GRANT_REFUSED);
	assert_string_equal(why, "refresh token revoked or expired: run relayq-setup --oauth2 "
	    "alice@outlook.example again");
	assert_int_equal(apply(&tf, 401, "{\"error\":\"invalid_client\"}", why, sizeof why),
	    GRANT_REFUSED);
	assert_non_null(strstr(why, "(invalid_client)"));
	assert_int_equal(apply(&tf, 400, "{\"error\":\"<script>\"}", why, sizeof why),
	    GRANT_REFUSED);
	assert_non_null(strstr(why, "(unknown)"));
	assert_int_equal(apply(&tf, 503, "busy", why, sizeof why), GRANT_TEMP);
	assert_non_null(strstr(why, "HTTP 503"));
	assert_int_equal(apply(&tf, 200, "<html>", why, sizeof why), GRANT_TEMP);
	assert_int_equal(apply(&tf, 200, "{\"access_token\":\"a b\"}", why, sizeof why),
	    GRANT_TEMP);
	assert_int_equal(apply(&tf, 200, "{\"access_token\":\"x\",\"token_type\":\"mac\"}", why,
	    sizeof why), GRANT_TEMP);
	assert_int_equal(apply(&tf, 200, "{\"access_token\":\"x\",\"expires_in\":-5}", why,
	    sizeof why), GRANT_TEMP);
	assert_string_equal(tf.access_token, "at-4");	/* failures change nothing */
	tokenfile_free(&tf);
}

/* ---- authinfo O: ---- */

static void
test_authinfo_o(void **state)
{
	struct authinfo ai;
	char err[256];
	const char *v = "\"U:alice@outlook.example\" \"O:/var/lib/relayq/oauth2/alice\" \"M:XOAUTH2\"";
	assert_int_equal(authinfo_parse(v, strlen(v), "k", &ai, err, sizeof err), 0);
	assert_string_equal(ai.token_file, "/var/lib/relayq/oauth2/alice");
	assert_null(ai.password);
	assert_string_equal(authinfo_mechs(&ai), "XOAUTH2");
	assert_int_equal(authinfo_set_token(&ai, "at-1"), 0);
	assert_string_equal(ai.password, "at-1");
	authinfo_free(&ai);
	v = "\"U:a\" \"O:/t\"";
	assert_int_equal(authinfo_parse(v, strlen(v), "k", &ai, err, sizeof err), 0);
	assert_string_equal(authinfo_mechs(&ai), AUTHINFO_OAUTH2_MECHS);
	authinfo_free(&ai);
	static const char *const bad[][2] = {
		{ "\"U:a\" \"P:pw\" \"O:/t\"", "both P: and O:" },
		{ "\"U:a\" \"O:relative\"", "absolute path" },
		{ "\"U:a\" \"O:/t\" \"M:PLAIN XOAUTH2\"", "only XOAUTH2 and OAUTHBEARER" },
		{ "\"U:a\"", "no P: (password) or O:" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(authinfo_parse(bad[i][0], strlen(bad[i][0]), "k", &ai, err,
		    sizeof err), -1);
		assert_non_null(strstr(err, bad[i][1]));
		assert_null(ai.token_file);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xoauth2),
		cmocka_unit_test(test_oauthbearer),
		cmocka_unit_test(test_error_challenge),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_tokenfile_parse),
		cmocka_unit_test(test_tokenfile_io),
		cmocka_unit_test(test_grant),
		cmocka_unit_test(test_authinfo_o),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
