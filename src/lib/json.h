/* json: a small, strict, bounded RFC 8259 parser for the flat objects
 * OAuth2 endpoints answer with — token responses and errors (RFC 6749
 * §5.1/§5.2), device authorization (RFC 8628 §3.2), the SASL error
 * challenge (RFC 7628 §3.2.2).  Shared by relayq-oauth2-refresh,
 * relayq-setup and the SMTP client; no external library.
 *
 * Use:
 *	struct json_obj o;
 *	char err[RELAYQ_ERRLEN];
 *	if (json_parse_object(text, len, &o, err, sizeof err) == -1)
 *		... err says what and where (a byte offset, never input bytes)
 *	const char *tok = json_string(&o, "access_token");  NULL: absent / not a string
 *	long long n;
 *	if (json_int(&o, "expires_in", 0, 1000000000, &n) == 0) ...
 *	json_free(&o);	wipes every key and value: they may be tokens
 *
 * What is accepted: one object, JSON whitespace around it, nothing else.
 * At most JSON_MAX_MEMBERS members at the top level, each key once (a
 * duplicate is an error: which value would the server have meant?).
 * Member values of any JSON type; nested objects and arrays are checked
 * (depth at most JSON_MAX_DEPTH) and kept by type only.  Strings have
 * their escapes decoded to UTF-8 (surrogate pairs joined; lone
 * surrogates, \u0000, raw control characters and invalid UTF-8 refused)
 * and are at most JSON_MAX_STRING bytes; numbers follow the RFC grammar
 * and are kept as text.  The input is at most JSON_MAX_INPUT bytes and
 * need not be NUL-terminated.  Ownership: the struct owns its strings. */
#ifndef RELAYQ_JSON_H
#define RELAYQ_JSON_H

#include <stddef.h>

#define JSON_MAX_INPUT   65536
#define JSON_MAX_STRING  16384
#define JSON_MAX_MEMBERS 64
#define JSON_MAX_DEPTH   16

enum json_type {
	JSON_STRING, JSON_NUMBER, JSON_TRUE, JSON_FALSE, JSON_NULL,
	JSON_OBJECT, JSON_ARRAY
};

struct json_member {
	char *key;		/* decoded, NUL-free */
	enum json_type type;
	char *value;		/* string (decoded) or number text; else NULL */
};

struct json_obj {
	struct json_member m[JSON_MAX_MEMBERS];
	size_t n;
};

/* 0, or -1 with err ("JSON: ... at byte N") and o left empty. */
int json_parse_object(const char *text, size_t len, struct json_obj *o, char *err,
    size_t errlen);

/* The member named key, or NULL. */
const struct json_member *json_get(const struct json_obj *o, const char *key);

/* The string value of key; NULL when absent or not a string. */
const char *json_string(const struct json_obj *o, const char *key);

/* key as an integer in [min, max]: a JSON integer, or a string of digits
 * (some token endpoints send "expires_in":"3599").  0, or -1 when absent,
 * not an integer or out of range. */
int json_int(const struct json_obj *o, const char *key, long long min, long long max,
    long long *out);

/* Wipes and frees every key and value; NULL-safe, idempotent. */
void json_free(struct json_obj *o);

#endif
