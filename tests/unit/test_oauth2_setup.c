/* test_oauth2_setup: relayq-setup --oauth2's pure parts — the built-in
 * provider table (by domain, by issuer), the overrides and what is
 * refused, the device endpoint's answer, the token endpoint's answers,
 * the device grant's polling rules (RFC 8628 §3.5: pending, slow_down
 * +5 s, expiry, declines, back-off on failures), the form encoding, and
 * the AuthInfo value with an O: token file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "login.h"
#include "oauth2.h"
#include "redact.h"
#include "tokenstore.h"

static void
test_by_domain(void **state)
{
	const struct oauth2_provider *p = oauth2_by_domain("alice@Outlook.COM");
	assert_non_null(p);
	assert_string_equal(p->name, "Microsoft");
	assert_string_equal(p->smtp_host, "smtp.office365.com");
	assert_int_equal(p->smtp_port, 587);
	assert_int_equal(p->socket, AC_SOCK_STARTTLS);
	assert_string_equal(p->mech, "XOAUTH2");
	assert_string_equal(p->scope, "https://outlook.office.com/SMTP.Send offline_access");
	assert_string_equal(p->device_endpoint,
	    "https://login.microsoftonline.com/common/oauth2/v2.0/devicecode");
	assert_null(p->client_id);	/* none shipped (oauth2.md §6) */
	assert_ptr_equal(oauth2_by_domain("bob@hotmail.com"), p);
	p = oauth2_by_domain("carol@gmail.com");
	assert_non_null(p);
	assert_string_equal(p->name, "Google");
	assert_int_equal(p->smtp_port, 465);
	assert_int_equal(p->socket, AC_SOCK_SSL);
	assert_string_equal(p->scope, "https://mail.google.com/");
	assert_non_null(p->no_device_flow);
	assert_null(oauth2_by_domain("dave@outlook.example"));
	assert_null(oauth2_by_domain("dave@sub.outlook.com"));
	assert_null(oauth2_by_domain("no-at-sign"));
}

static void
test_by_issuer(void **state)
{
	assert_string_equal(oauth2_by_issuer("login.microsoftonline.com")->name, "Microsoft");
	assert_string_equal(oauth2_by_issuer("https://login.microsoftonline.com/common/v2.0")->name,
	    "Microsoft");
	assert_string_equal(oauth2_by_issuer("ACCOUNTS.google.com")->name, "Google");
	assert_null(oauth2_by_issuer("login.microsoftonline.com.evil.example"));
	assert_null(oauth2_by_issuer("microsoftonline.com"));
	assert_null(oauth2_by_issuer(""));
}

static void
test_resolve(void **state)
{
	struct oauth2_settings s;
	char err[512];
	struct oauth2_overrides ov = { .client_id = "cid" };
	assert_int_equal(oauth2_resolve(&s, "a@outlook.com", &ov, err, sizeof err), 0);
	assert_string_equal(s.client_id, "cid");
	assert_string_equal(s.smtp_host, "smtp.office365.com");
	/* no client id */
	ov.client_id = NULL;
	assert_int_equal(oauth2_resolve(&s, "a@outlook.com", &ov, err, sizeof err), -1);
	assert_non_null(strstr(err, "--client-id"));
	/* the issuer picks the provider for any domain */
	ov = (struct oauth2_overrides){ .issuer = "login.microsoftonline.com",
		.client_id = "cid", .scope = "x y" };
	assert_int_equal(oauth2_resolve(&s, "a@company.example", &ov, err, sizeof err), 0);
	assert_string_equal(s.scope, "x y");
	assert_string_equal(s.name, "Microsoft");
	/* Google: refused, unless the device endpoint is overridden */
	ov = (struct oauth2_overrides){ .client_id = "cid" };
	assert_int_equal(oauth2_resolve(&s, "a@gmail.com", &ov, err, sizeof err), -1);
	assert_non_null(strstr(err, "app password"));
	ov.device_endpoint = "https://oauth2.test/device";
	assert_int_equal(oauth2_resolve(&s, "a@gmail.com", &ov, err, sizeof err), 0);
	/* unknown: every piece needed */
	ov = (struct oauth2_overrides){ .client_id = "cid" };
	assert_int_equal(oauth2_resolve(&s, "a@nowhere.example", &ov, err, sizeof err), -1);
	assert_non_null(strstr(err, "no built-in provider"));
	ov = (struct oauth2_overrides){ .client_id = "cid", .issuer = "id.test",
		.device_endpoint = "https://id.test/device", .token_endpoint =
		"https://id.test/token", .scope = "smtp", .smtp = "Mail.Test:465",
		.mech = "OAUTHBEARER" };
	assert_int_equal(oauth2_resolve(&s, "a@nowhere.example", &ov, err, sizeof err), 0);
	assert_string_equal(s.smtp_host, "mail.test");
	assert_int_equal(s.socket, AC_SOCK_SSL);
	assert_string_equal(s.mech, "OAUTHBEARER");
	assert_string_equal(s.name, "id.test");
	ov.smtp = "mail.test:587";
	assert_int_equal(oauth2_resolve(&s, "a@nowhere.example", &ov, err, sizeof err), 0);
	assert_int_equal(s.socket, AC_SOCK_STARTTLS);
	/* refused: plain HTTP, a bad mechanism, a bad host:port */
	ov.token_endpoint = "http://id.test/token";
	assert_int_equal(oauth2_resolve(&s, "a@nowhere.example", &ov, err, sizeof err), -1);
	assert_non_null(strstr(err, "https://"));
	ov.token_endpoint = "https://id.test/token";
	ov.mech = "PLAIN";
	assert_int_equal(oauth2_resolve(&s, "a@nowhere.example", &ov, err, sizeof err), -1);
	ov.mech = NULL;
	ov.smtp = "mail.test";
	assert_int_equal(oauth2_resolve(&s, "a@nowhere.example", &ov, err, sizeof err), -1);
	ov.smtp = "mail.test:0";
	assert_int_equal(oauth2_resolve(&s, "a@nowhere.example", &ov, err, sizeof err), -1);
	ov.smtp = "mail.test:587";
	ov.client_id = "a\"b";
	assert_int_equal(oauth2_resolve(&s, "a@nowhere.example", &ov, err, sizeof err), -1);
}

#define DEV(extra) "{\"device_code\":\"DC-1\",\"user_code\":\"BCDF-GHJK\"," \
	"\"expires_in\":900" extra "}"

static void
test_device_parse(void **state)
{
	struct device_auth d;
	char err[512];
	const char *ok = DEV(",\"verification_uri\":\"https://x.test/dev\",\"interval\":7,"
	    "\"verification_uri_complete\":\"https://x.test/dev?c=1\",\"message\":\"hi\"");
	assert_int_equal(oauth2_device_parse(ok, strlen(ok), &d, err, sizeof err), 0);
	assert_string_equal(d.device_code, "DC-1");
	assert_string_equal(d.user_code, "BCDF-GHJK");
	assert_string_equal(d.verification_uri, "https://x.test/dev");
	assert_string_equal(d.verification_uri_complete, "https://x.test/dev?c=1");
	assert_int_equal(d.interval, 7);
	assert_int_equal(d.expires_in, 900);
	/* no interval: 5 s; Google's verification_url */
	const char *g = DEV(",\"verification_url\":\"https://www.google.com/device\"");
	assert_int_equal(oauth2_device_parse(g, strlen(g), &d, err, sizeof err), 0);
	assert_int_equal(d.interval, 5);
	assert_string_equal(d.verification_uri, "https://www.google.com/device");
	assert_string_equal(d.verification_uri_complete, "");
	/* refused: no URL, no code, a blank in the code, no expires_in */
	const char *bad[] = {
		DEV(""),
		"{\"device_code\":\"DC\",\"verification_uri\":\"https://x\",\"expires_in\":9}",
		"{\"device_code\":\"DC\",\"user_code\":\"A B\",\"verification_uri\":\"https://x\",\"expires_in\":9}",
		"{\"device_code\":\"DC\",\"user_code\":\"AB\",\"verification_uri\":\"https://x\"}",
		DEV(",\"verification_uri\":\"https://x\",\"interval\":\"soon\""),
		"not json",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		assert_int_equal(oauth2_device_parse(bad[i], strlen(bad[i]), &d, err,
		    sizeof err), -1);
		assert_true(err[0] != '\0');
		assert_null(strstr(err, "DC"));
		assert_string_equal(d.device_code, "");
	}
}

static enum oauth2_answer
answer(long status, const char *body, struct oauth2_tokens *t, char *code, size_t n)
{
	return oauth2_token_answer(status, body, body != NULL ? strlen(body) : 0, t, code, n);
}

static void
test_token_answers(void **state)
{
	struct oauth2_tokens t;
	char code[256];
	assert_int_equal(answer(200, "{\"access_token\":\"AT\",\"token_type\":\"bearer\","
	    "\"expires_in\":3599,\"refresh_token\":\"RT\"}", &t, code, sizeof code), OA_TOKENS);
	assert_string_equal(t.access_token, "AT");
	assert_string_equal(t.refresh_token, "RT");
	assert_int_equal(t.expires_in, 3599);
	oauth2_tokens_clear(&t);
	assert_null(t.access_token);
	/* no refresh token: useless for relayq */
	assert_int_equal(answer(200, "{\"access_token\":\"AT\",\"token_type\":\"Bearer\"}",
	    &t, code, sizeof code), OA_ERROR);
	assert_non_null(strstr(code, "offline_access"));
	assert_null(t.access_token);
	/* not a bearer token */
	assert_int_equal(answer(200, "{\"access_token\":\"AT\",\"token_type\":\"mac\","
	    "\"refresh_token\":\"RT\"}", &t, code, sizeof code), OA_ERROR);
	struct { const char *error; enum oauth2_answer a; } e[] = {
		{ "authorization_pending", OA_PENDING }, { "slow_down", OA_SLOW_DOWN },
		{ "expired_token", OA_EXPIRED }, { "access_denied", OA_DENIED },
		{ "authorization_declined", OA_DENIED }, { "invalid_grant", OA_ERROR },
		{ "bad_verification_code", OA_ERROR },
	};
	for (size_t i = 0; i < sizeof e / sizeof e[0]; i++) {
		char body[128];
		snprintf(body, sizeof body, "{\"error\":\"%s\"}", e[i].error);
		assert_int_equal(answer(400, body, &t, code, sizeof code), e[i].a);
		assert_string_equal(code, e[i].error);
	}
	assert_int_equal(answer(0, NULL, &t, code, sizeof code), OA_TRANSIENT);
	assert_int_equal(answer(503, "busy", &t, code, sizeof code), OA_TRANSIENT);
	assert_int_equal(answer(400, "<html>", &t, code, sizeof code), OA_TRANSIENT);
	assert_int_equal(answer(200, "<html>", &t, code, sizeof code), OA_ERROR);
	assert_int_equal(answer(400, "{\"error\":\"x\\u0001y\"}", &t, code, sizeof code),
	    OA_ERROR);
	assert_string_equal(code, "x?y");
}

static void
test_device_flow(void **state)
{
	struct device_auth d = { .expires_in = 60, .interval = 1 };
	struct device_flow f;
	char why[256];
	device_flow_start(&f, &d, 1000);
	assert_int_equal(f.interval, 1);
	assert_int_equal(device_flow_next(&f, OA_PENDING, "", 1001, why, sizeof why), DF_WAIT);
	assert_int_equal(f.interval, 1);
	/* slow_down: +5 s for this and every later poll */
	assert_int_equal(device_flow_next(&f, OA_SLOW_DOWN, "", 1002, why, sizeof why), DF_WAIT);
	assert_int_equal(f.interval, 6);
	assert_int_equal(device_flow_next(&f, OA_PENDING, "", 1008, why, sizeof why), DF_WAIT);
	assert_int_equal(f.interval, 6);
	assert_int_equal(device_flow_next(&f, OA_SLOW_DOWN, "", 1014, why, sizeof why), DF_WAIT);
	assert_int_equal(f.interval, 11);
	assert_int_equal(device_flow_next(&f, OA_TOKENS, "", 1025, why, sizeof why), DF_DONE);
	assert_int_equal(f.polls, 5);
	/* the deadline: the next poll would be after it */
	device_flow_start(&f, &d, 1000);
	assert_int_equal(device_flow_next(&f, OA_PENDING, "", 1058, why, sizeof why), DF_WAIT);
	assert_int_equal(device_flow_next(&f, OA_PENDING, "", 1059, why, sizeof why), DF_WAIT);
	assert_int_equal(device_flow_next(&f, OA_PENDING, "", 1060, why, sizeof why), DF_FAIL);
	assert_non_null(strstr(why, "expired"));
	/* the end states */
	device_flow_start(&f, &d, 1000);
	assert_int_equal(device_flow_next(&f, OA_EXPIRED, "expired_token", 1001, why,
	    sizeof why), DF_FAIL);
	assert_non_null(strstr(why, "expired_token"));
	assert_int_equal(device_flow_next(&f, OA_DENIED, "access_denied", 1001, why,
	    sizeof why), DF_FAIL);
	assert_non_null(strstr(why, "declined (access_denied)"));
	assert_int_equal(device_flow_next(&f, OA_ERROR, "invalid_grant", 1001, why,
	    sizeof why), DF_FAIL);
	assert_non_null(strstr(why, "invalid_grant"));
	/* failures back off, the fifth in a row ends it; an answer resets */
	device_flow_start(&f, &d, 1000);
	for (int i = 0; i < OAUTH2_MAX_TRANSIENT - 1; i++)
		assert_int_equal(device_flow_next(&f, OA_TRANSIENT, "no answer", 1001, why,
		    sizeof why), DF_WAIT);
	assert_int_equal(device_flow_next(&f, OA_PENDING, "", 1001, why, sizeof why), DF_WAIT);
	for (int i = 0; i < OAUTH2_MAX_TRANSIENT - 1; i++)
		assert_int_equal(device_flow_next(&f, OA_TRANSIENT, "no answer", 1001, why,
		    sizeof why), DF_WAIT);
	assert_int_equal(device_flow_next(&f, OA_TRANSIENT, "HTTP status 503", 1001, why,
	    sizeof why), DF_FAIL);
	assert_non_null(strstr(why, "HTTP status 503"));
	/* a server's absurd interval is capped, zero becomes 1 s */
	d.interval = 100000;
	device_flow_start(&f, &d, 0);
	assert_int_equal(f.interval, OAUTH2_MAX_INTERVAL);
	d.interval = 0;
	device_flow_start(&f, &d, 0);
	assert_int_equal(f.interval, 1);
}

static void
test_form(void **state)
{
	char out[128] = "";
	assert_int_equal(oauth2_form_append(out, sizeof out, "scope",
	    "https://outlook.office.com/SMTP.Send offline_access"), 0);
	assert_string_equal(out, "scope=https%3A%2F%2Foutlook.office.com%2FSMTP.Send%20"
	    "offline_access");
	assert_int_equal(oauth2_form_append(out, sizeof out, "client_id", "a~b_c.d-e"), 0);
	assert_non_null(strstr(out, "&client_id=a~b_c.d-e"));
	char small[16] = "";
	assert_int_equal(oauth2_form_append(small, sizeof small, "k", "0123456789abcdef"), -1);
}

static void
test_login_value(void **state)
{
	struct login l = { .user = "alice@outlook.example", .mech = "XOAUTH2" };
	struct buf v, shown;
	char err[256];
	buf_init(&v);
	buf_init(&shown);
	assert_int_equal(token_path("/var/lib/relayq/oauth2", l.user, l.oauth2_file,
	    sizeof l.oauth2_file, err, sizeof err), 0);
	assert_true(login_given(&l));
	assert_int_equal(login_value(&l, false, &v), 0);
	assert_string_equal(buf_str(&v), "\"U:alice@outlook.example\" "
	    "\"O:/var/lib/relayq/oauth2/alice@outlook.example\" \"M:XOAUTH2\"");
	assert_int_equal(login_check(&l, "smtp.office365.com", err, sizeof err), 0);
	/* shown as it is: the path is no secret */
	char line[256];
	snprintf(line, sizeof line, "AuthInfo:x %s", buf_str(&v));
	assert_int_equal(redact_authinfo_line(&shown, line, strlen(line)), 0);
	assert_string_equal(buf_str(&shown), "AuthInfo:x \"U:alice@outlook.example\" "
	    "\"O:/var/lib/relayq/oauth2/alice@outlook.example\" \"M:XOAUTH2\"\n");
	buf_free(&v);
	buf_free(&shown);
	/* names that cannot be a token file or an O: item */
	char p[256];
	assert_int_equal(token_path("/d", "../x", p, sizeof p, err, sizeof err), -1);
	assert_int_equal(token_path("/d", "a/b", p, sizeof p, err, sizeof err), -1);
	assert_int_equal(token_path("rel", "a@b", p, sizeof p, err, sizeof err), -1);
	assert_int_equal(token_path("/d\"x", "a@b", p, sizeof p, err, sizeof err), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_by_domain),
		cmocka_unit_test(test_by_issuer),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_device_parse),
		cmocka_unit_test(test_token_answers),
		cmocka_unit_test(test_device_flow),
		cmocka_unit_test(test_form),
		cmocka_unit_test(test_login_value),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
