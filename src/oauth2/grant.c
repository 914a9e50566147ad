/* grant: the refresh-token request body and the answer's meaning. */
#include "grant.h"
#include "json.h"
#include "relayq.h"

#include <string.h>
#include <strings.h>

static bool
unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	    c == '-' || c == '.' || c == '_' || c == '~';
}

/* "&name=value", value percent-encoded (application/x-www-form-urlencoded). */
static int
field(struct buf *out, const char *name, const char *value)
{
	static const char hex[] = "0123456789ABCDEF";
	if (buf_printf(out, "%s%s=", out->len > 0 ? "&" : "", name) == -1)
		return -1;
	for (const unsigned char *p = (const unsigned char *)value; *p != '\0'; p++) {
		char e[3] = { '%', hex[*p >> 4], hex[*p & 15] };
		if (unreserved(*p) ? buf_putc(out, (char)*p) == -1 : buf_append(out, e, 3) == -1)
			return -1;
	}
	return 0;
}

int
grant_refresh_body(const struct tokenfile *tf, struct buf *out)
{
	if (tf->token_endpoint == NULL || tf->client_id == NULL || tf->refresh_token == NULL)
		return -1;
	if (field(out, "grant_type", "refresh_token") == -1 ||
	    field(out, "refresh_token", tf->refresh_token) == -1 ||
	    field(out, "client_id", tf->client_id) == -1)
		return -1;
	if (tf->client_secret != NULL && tf->client_secret[0] != '\0' &&
	    field(out, "client_secret", tf->client_secret) == -1)
		return -1;
	if (tf->scope != NULL && tf->scope[0] != '\0' && field(out, "scope", tf->scope) == -1)
		return -1;
	return 0;
}

/* RFC 6750 §2.1 b64token characters, bounded: the token goes into the
 * file, a SASL message and nowhere else. */
static bool
token_ok(const char *t)
{
	size_t n = t != NULL ? strlen(t) : 0;
	if (n == 0 || n > GRANT_TOKEN_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)t[i];
		if (!unreserved(c) && strchr("+/=", c) == NULL)
			return false;
	}
	return true;
}

/* An error code fit for a log line (RFC 6749 §5.2: %x20-21 / %x23-5B /
 * %x5D-7E; we keep letters, digits and _.-), else "unknown". */
static const char *
error_code(const struct json_obj *o)
{
	const char *e = json_string(o, "error");
	size_t n = e != NULL ? strlen(e) : 0;
	if (n == 0 || n > 64)
		return "unknown";
	for (size_t i = 0; i < n; i++)
		if (!unreserved((unsigned char)e[i]))
			return "unknown";
	return e;
}

static enum grant_result
refused(const struct tokenfile *tf, const struct json_obj *o, char *why, size_t whylen)
{
	const char *e = error_code(o), *user = tf->user != NULL ? tf->user : "USER";
	if (strcmp(e, "invalid_grant") == 0)
		snprintf_rq(why, whylen, "refresh token revoked or expired: run relayq-setup "
		    "--oauth2 %s again", user);
	else
		snprintf_rq(why, whylen, "token endpoint refused the refresh (%s): check "
		    "token_endpoint, client_id and client_secret, or run relayq-setup "
		    "--oauth2 %s again", e, user);
	return GRANT_REFUSED;
}

static enum grant_result
success(struct tokenfile *tf, const struct json_obj *o, time_t now, char *why, size_t whylen)
{
	const char *at = json_string(o, "access_token"), *rt = json_string(o, "refresh_token");
	const char *type = json_string(o, "token_type");
	long long expires_in = GRANT_DEFAULT_EXPIRES;
	if (!token_ok(at) || (rt != NULL && !token_ok(rt)))
		snprintf_rq(why, whylen, "token endpoint answer without a usable access token");
	else if (type != NULL && strcasecmp(type, "Bearer") != 0)
		snprintf_rq(why, whylen, "token endpoint issued a token of another type than Bearer");
	else if (json_get(o, "expires_in") != NULL &&
	    json_int(o, "expires_in", 1, GRANT_MAX_EXPIRES, &expires_in) == -1)
		snprintf_rq(why, whylen, "token endpoint answer with a bad expires_in");
	else if (tokenfile_set(&tf->access_token, at) == -1 ||
	    (rt != NULL && tokenfile_set(&tf->refresh_token, rt) == -1))
		snprintf_rq(why, whylen, "out of memory");
	else {
		tf->expires = (long long)now + expires_in;
		return GRANT_OK;
	}
	return GRANT_TEMP;
}

enum grant_result
grant_apply(struct tokenfile *tf, long status, const char *body, size_t len, time_t now,
    char *why, size_t whylen)
{
	struct json_obj o;
	char jerr[RELAYQ_ERRLEN];
	enum grant_result r = GRANT_TEMP;
	if (status >= 500 || status == 429 || (status != 200 && status != 400 && status != 401)) {
		snprintf_rq(why, whylen, "token endpoint answered HTTP %ld; will try again", status);
		return GRANT_TEMP;
	}
	if (json_parse_object(body, len, &o, jerr, sizeof jerr) == -1) {
		snprintf_rq(why, whylen, "token endpoint answered HTTP %ld, not usable: %s", status,
		    jerr);
		return GRANT_TEMP;
	}
	if (status == 200)
		r = success(tf, &o, now, why, whylen);
	else if (json_get(&o, "error") != NULL)
		r = refused(tf, &o, why, whylen);
	else
		snprintf_rq(why, whylen, "token endpoint answered HTTP %ld without an error code",
		    status);
	json_free(&o);
	return r;
}
