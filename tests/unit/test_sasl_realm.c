/* test_sasl_realm: the realm relayq's DIGEST-MD5 answer names, against
 * libsasl2's real client plugin fed hand-made server challenges.  R: wins
 * whatever the server offers (one realm, several, none); without R: the
 * server's realm is kept; other mechanisms ignore R:. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authinfo.h"
#include "base64.h"
#include "sasl.h"

#define NONCE "nonce=\"OA6MG9tEQGm2hh\",qop=\"auth\",charset=utf-8,algorithm=md5-sess"

static int
setup(void **state)
{
	char err[256];
	return saslc_global_init(err, sizeof err);
}

static int
teardown(void **state)
{
	saslc_global_done();
	return 0;
}

/* The decoded answer of a DIGEST-MD5 client with authinfo value entry to
 * the challenge chal (plain text), into out. */
static void
digest_answer(const char *entry, const char *chal, char *out, size_t outcap)
{
	struct authinfo ai;
	struct saslc *sc;
	char err[256], b64[1024];
	const char *mech, *ir, *resp;
	size_t len;

	assert_int_equal(authinfo_parse(entry, strlen(entry), "authinfo:k", &ai,
	    err, sizeof err), 0);
	struct saslc_params p = { .ai = &ai, .host = "localhost", .ext_ssf = 256,
	    .ext_id = "" };
	assert_int_equal(saslc_new(&sc, &p, err, sizeof err), 0);
	assert_int_equal(saslc_start(sc, "DIGEST-MD5", &mech, &ir), SASLC_CONTINUE);
	assert_string_equal(mech, "DIGEST-MD5");
	assert_null(ir);
	assert_int_equal(base64_encode(chal, strlen(chal), b64, sizeof b64), 0);
	assert_int_equal(saslc_step(sc, b64, &resp), SASLC_CONTINUE);
	assert_int_equal(base64_decode(resp, strlen(resp), out, outcap - 1, &len), 0);
	out[len] = '\0';
	saslc_free(sc);
	authinfo_free(&ai);
}

static void
assert_realm(const char *entry, const char *chal, const char *want)
{
	char resp[1024];
	digest_answer(entry, chal, resp, sizeof resp);
	if (strstr(resp, want) == NULL)
		fail_msg("answer %s has no %s", resp, want);
	assert_non_null(strstr(resp, "username=\"carol\""));
}

#define WITH_R "\"U:carol\" \"P:pw\" \"R:other.realm.test\" \"M:DIGEST-MD5\""
#define NO_R   "\"U:carol\" \"P:pw\" \"M:DIGEST-MD5\""

static void
test_r_over_the_one_offered(void **state)
{
	assert_realm(WITH_R, "realm=\"smarthost.test\"," NONCE,
	    "realm=\"other.realm.test\"");
}

static void
test_r_over_several_offered(void **state)
{
	assert_realm(WITH_R, "realm=\"a.test\",realm=\"b.test\"," NONCE,
	    "realm=\"other.realm.test\"");
}

static void
test_r_when_none_offered(void **state)
{
	assert_realm(WITH_R, NONCE, "realm=\"other.realm.test\"");
}

static void
test_r_equal_to_offered(void **state)
{
	assert_realm(WITH_R, "realm=\"other.realm.test\"," NONCE,
	    "realm=\"other.realm.test\"");
}

static void
test_r_quoted(void **state)
{
	/* "R=" base64 of  we"ird\realm  */
	assert_realm("\"U:carol\" \"P:pw\" \"R=d2UiaXJkXHJlYWxt\" \"M:DIGEST-MD5\"",
	    "realm=\"smarthost.test\"," NONCE, "realm=\"we\\\"ird\\\\realm\"");
}

static void
test_no_r_keeps_server_realm(void **state)
{
	assert_realm(NO_R, "realm=\"smarthost.test\"," NONCE, "realm=\"smarthost.test\"");
	assert_realm(NO_R, "realm=\"a.test\",realm=\"b.test\"," NONCE, "realm=\"a.test\"");
}

static void
test_r_too_long(void **state)
{
	struct authinfo ai;
	struct saslc *sc;
	char err[256], entry[2200], b64[512];
	const char *mech, *ir, *resp;
	char realm[2049];

	memset(realm, 'r', sizeof realm - 1);
	realm[sizeof realm - 1] = '\0';
	snprintf(entry, sizeof entry, "\"U:carol\" \"P:pw\" \"R:%s\"", realm);
	assert_int_equal(authinfo_parse(entry, strlen(entry), NULL, &ai, err, sizeof err), 0);
	struct saslc_params p = { .ai = &ai, .host = "localhost", .ext_id = "" };
	assert_int_equal(saslc_new(&sc, &p, err, sizeof err), 0);
	assert_int_equal(saslc_start(sc, "DIGEST-MD5", &mech, &ir), SASLC_CONTINUE);
	assert_int_equal(base64_encode(NONCE, strlen(NONCE), b64, sizeof b64), 0);
	assert_int_equal(saslc_step(sc, b64, &resp), SASLC_FAIL);
	assert_non_null(strstr(saslc_error(sc), "R:"));
	saslc_free(sc);
	authinfo_free(&ai);
}

/* CRAM-MD5 answers "authid digest": R: is not added to the name. */
static void
test_cram_ignores_r(void **state)
{
	struct authinfo ai;
	struct saslc *sc;
	const char *entry, *chal = "<1896.697170952@postoffice.example.net>";
	char err[256], b64[256], resp[256];
	const char *mech, *ir, *r64;
	size_t len;

	entry = "\"U:carol\" \"P:pw\" \"R:other.realm.test\" \"M:CRAM-MD5\"";
	assert_int_equal(authinfo_parse(entry, strlen(entry), NULL, &ai, err, sizeof err), 0);
	struct saslc_params p = { .ai = &ai, .host = "localhost", .ext_id = "" };
	assert_int_equal(saslc_new(&sc, &p, err, sizeof err), 0);
	assert_int_equal(saslc_start(sc, "CRAM-MD5", &mech, &ir), SASLC_CONTINUE);
	assert_int_equal(base64_encode(chal, strlen(chal), b64, sizeof b64), 0);
	assert_int_not_equal(saslc_step(sc, b64, &r64), SASLC_FAIL);
	assert_int_equal(base64_decode(r64, strlen(r64), resp, sizeof resp - 1, &len), 0);
	resp[len] = '\0';
	assert_int_equal(strncmp(resp, "carol ", 6), 0);
	saslc_free(sc);
	authinfo_free(&ai);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_r_over_the_one_offered),
		cmocka_unit_test(test_r_over_several_offered),
		cmocka_unit_test(test_r_when_none_offered),
		cmocka_unit_test(test_r_equal_to_offered),
		cmocka_unit_test(test_r_quoted),
		cmocka_unit_test(test_no_r_keeps_server_realm),
		cmocka_unit_test(test_r_too_long),
		cmocka_unit_test(test_cram_ignores_r),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
