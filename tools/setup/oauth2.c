/* oauth2: providers and the device grant's rules (see oauth2.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "json.h"
#include "oauth2.h"
#include "relayq.h"

static const char *const ms_domains[] = { "outlook.com", "hotmail.com",
	"live.com", "msn.com", "passport.com", "hotmail.co.uk", "hotmail.fr",
	"hotmail.de", "hotmail.it", "outlook.de", "outlook.fr", "live.co.uk",
	"live.de", "live.fr", NULL };
static const char *const google_domains[] = { "gmail.com", "googlemail.com", NULL };

/* oauth2.md §4 and §6. */
static const struct oauth2_provider providers[] = {
	{ "Microsoft", "login.microsoftonline.com",
	  "https://login.microsoftonline.com/common/oauth2/v2.0/devicecode",
	  "https://login.microsoftonline.com/common/oauth2/v2.0/token",
	  "https://outlook.office.com/SMTP.Send offline_access", NULL,
	  "smtp.office365.com", 587, AC_SOCK_STARTTLS, "XOAUTH2", NULL, ms_domains },
	{ "Google", "accounts.google.com",
	  "https://oauth2.googleapis.com/device/code",
	  "https://oauth2.googleapis.com/token",
	  "https://mail.google.com/", NULL,
	  "smtp.gmail.com", 465, AC_SOCK_SSL, "XOAUTH2",
	  "Google refuses the device flow for Gmail's scope https://mail.google.com/ "
	  "(invalid_scope before any sign-in); use an app password with "
	  "relayq-setup ADDRESS instead", google_domains },
};
#define NPROVIDERS (sizeof providers / sizeof providers[0])

const struct oauth2_provider *
oauth2_by_domain(const char *email)
{
	const char *at = strrchr(email, '@');
	if (at == NULL)
		return NULL;
	for (size_t i = 0; i < NPROVIDERS; i++)
		for (const char *const *d = providers[i].domains; *d != NULL; d++)
			if (strcasecmp(at + 1, *d) == 0)
				return &providers[i];
	return NULL;
}

const struct oauth2_provider *
oauth2_by_issuer(const char *issuer)
{
	const char *h = strncasecmp(issuer, "https://", 8) == 0 ? issuer + 8 : issuer;
	size_t len = strcspn(h, "/:?#");
	for (size_t i = 0; i < NPROVIDERS; i++)
		if (strlen(providers[i].issuer) == len &&
		    strncasecmp(h, providers[i].issuer, len) == 0)
			return &providers[i];
	return NULL;
}

static int
set(char *out, size_t size, const char *given, const char *builtin, const char *what,
    char *err, size_t errlen)
{
	const char *v = given != NULL ? given : builtin;
	if (v == NULL || v[0] == '\0') {
		snprintf_rq(err, errlen, "%s", what);
		return -1;
	}
	if (strlen(v) >= size || strpbrk(v, "\r\n\"\\") != NULL) {
		snprintf_rq(err, errlen, "%s: too long, or a quote, backslash or line end "
		    "in it", what);
		return -1;
	}
	strlcpy_rq(out, v, size);
	return 0;
}

static int
https_url(const char *url, const char *what, char *err, size_t errlen)
{
	if (strncmp(url, "https://", 8) == 0 && url[8] != '\0' && url[8] != '/' &&
	    strpbrk(url, " \t") == NULL)
		return 0;
	snprintf_rq(err, errlen, "%s %s: an https:// URL is needed (tokens never go "
	    "over plain HTTP)", what, url);
	return -1;
}

/* "host:port" into s: 465 is implicit TLS, any other port STARTTLS. */
static int
set_smtp(struct oauth2_settings *s, const char *spec, char *err, size_t errlen)
{
	const char *colon = strrchr(spec, ':');
	char *end;
	long port = colon != NULL ? strtol(colon + 1, &end, 10) : 0;
	size_t hlen = colon != NULL ? (size_t)(colon - spec) : 0;
	if (colon == NULL || *end != '\0' || port < 1 || port > 65535 || hlen == 0 ||
	    hlen >= sizeof s->smtp_host) {
		snprintf_rq(err, errlen, "--oauth2-smtp %s: expected host:port", spec);
		return -1;
	}
	memcpy(s->smtp_host, spec, hlen);
	s->smtp_host[hlen] = '\0';
	if (!autoconfig_host_normalize(s->smtp_host)) {
		snprintf_rq(err, errlen, "--oauth2-smtp %s: not a host name", spec);
		return -1;
	}
	s->smtp_port = (int)port;
	s->socket = port == 465 ? AC_SOCK_SSL : AC_SOCK_STARTTLS;
	return 0;
}

/* The provider's facts, each unless overridden. */
static int
apply(struct oauth2_settings *s, const struct oauth2_provider *p,
    const struct oauth2_overrides *ov, char *err, size_t errlen)
{
	const char *unknown = "no built-in provider for this address: give "
	    "--oauth2-issuer login.microsoftonline.com (or accounts.google.com), or "
	    "for another provider --oauth2-device-endpoint, --oauth2-token-endpoint, "
	    "--oauth2-scope, --oauth2-smtp and --client-id";
	strlcpy_rq(s->name, p != NULL ? p->name : ov->issuer != NULL ? ov->issuer :
	    "the provider", sizeof s->name);
	if (set(s->device_endpoint, sizeof s->device_endpoint, ov->device_endpoint,
	    p != NULL ? p->device_endpoint : NULL, unknown, err, errlen) == -1 ||
	    set(s->token_endpoint, sizeof s->token_endpoint, ov->token_endpoint,
	    p != NULL ? p->token_endpoint : NULL, unknown, err, errlen) == -1 ||
	    set(s->scope, sizeof s->scope, ov->scope, p != NULL ? p->scope : NULL,
	    unknown, err, errlen) == -1 ||
	    set(s->mech, sizeof s->mech, ov->mech, p != NULL ? p->mech : "XOAUTH2",
	    unknown, err, errlen) == -1)
		return -1;
	if (ov->smtp != NULL)
		return set_smtp(s, ov->smtp, err, errlen);
	if (p == NULL) {
		snprintf_rq(err, errlen, "%s", unknown);
		return -1;
	}
	strlcpy_rq(s->smtp_host, p->smtp_host, sizeof s->smtp_host);
	s->smtp_port = p->smtp_port;
	s->socket = p->socket;
	return 0;
}

static int
check_settings(const struct oauth2_settings *s, const struct oauth2_provider *p,
    const struct oauth2_overrides *ov, char *err, size_t errlen)
{
	if (https_url(s->device_endpoint, "device endpoint", err, errlen) == -1 ||
	    https_url(s->token_endpoint, "token endpoint", err, errlen) == -1)
		return -1;
	if (strcmp(s->mech, "XOAUTH2") != 0 && strcmp(s->mech, "OAUTHBEARER") != 0) {
		snprintf_rq(err, errlen, "--oauth2-mech %s: XOAUTH2 or OAUTHBEARER", s->mech);
		return -1;
	}
	if (p != NULL && p->no_device_flow != NULL && ov->device_endpoint == NULL) {
		snprintf_rq(err, errlen, "%s", p->no_device_flow);
		return -1;
	}
	return 0;
}

int
oauth2_resolve(struct oauth2_settings *s, const char *email,
    const struct oauth2_overrides *ov, char *err, size_t errlen)
{
	const struct oauth2_provider *p = ov->issuer != NULL ?
	    oauth2_by_issuer(ov->issuer) : oauth2_by_domain(email);
	memset(s, 0, sizeof *s);
	if (apply(s, p, ov, err, errlen) == -1 || check_settings(s, p, ov, err, errlen) == -1)
		return -1;
	return set(s->client_id, sizeof s->client_id, ov->client_id,
	    p != NULL ? p->client_id : NULL, "relayq ships no OAuth2 client id: "
	    "register an application with the provider (public client, device flow "
	    "allowed, permission for SMTP) and give its id with --client-id "
	    "(see \"OAuth2 providers\" in relayq-setup(8))", err, errlen);
}

/* ---- RFC 8628 ---- */

/* A string member into out: -1 with err if missing (and required) or
 * too long or with bytes that cannot be shown or sent. */
static int
member(const struct json_obj *o, const char *key, bool required, char *out,
    size_t size, char *err, size_t errlen)
{
	const char *v = json_string(o, key);
	out[0] = '\0';
	if (v == NULL) {
		if (required)
			snprintf_rq(err, errlen, "the device endpoint's answer has no "
			    "string \"%s\"", key);
		return required ? -1 : 0;
	}
	for (const char *c = v; *c != '\0'; c++)
		if ((unsigned char)*c < 0x21 || (unsigned char)*c > 0x7e) {
			snprintf_rq(err, errlen, "the device endpoint's \"%s\" has a "
			    "blank, control or non-ASCII character", key);
			return -1;
		}
	if (strlen(v) >= size) {
		snprintf_rq(err, errlen, "the device endpoint's \"%s\" is too long", key);
		return -1;
	}
	strlcpy_rq(out, v, size);
	return 0;
}

static int
device_fields(const struct json_obj *o, struct device_auth *d, char *err, size_t errlen)
{
	if (member(o, "device_code", true, d->device_code, sizeof d->device_code, err,
	    errlen) == -1 || member(o, "user_code", true, d->user_code,
	    sizeof d->user_code, err, errlen) == -1 ||
	    member(o, "verification_uri_complete", false, d->verification_uri_complete,
	    sizeof d->verification_uri_complete, err, errlen) == -1)
		return -1;
	/* Google calls it verification_url (oauth2.md §4). */
	bool rfc = json_string(o, "verification_uri") != NULL;
	if (member(o, rfc ? "verification_uri" : "verification_url", true,
	    d->verification_uri, sizeof d->verification_uri, err, errlen) == -1)
		return -1;
	if (json_int(o, "expires_in", 1, 86400, &d->expires_in) == -1) {
		snprintf_rq(err, errlen, "the device endpoint's answer has no usable "
		    "\"expires_in\"");
		return -1;
	}
	if (json_get(o, "interval") == NULL)
		d->interval = OAUTH2_DEFAULT_INTERVAL;
	else if (json_int(o, "interval", 0, 3600, &d->interval) == -1) {
		snprintf_rq(err, errlen, "the device endpoint's \"interval\" is not a "
		    "number of seconds");
		return -1;
	}
	if (d->interval < 1)
		d->interval = 1;
	return 0;
}

int
oauth2_device_parse(const char *body, size_t len, struct device_auth *d, char *err,
    size_t errlen)
{
	struct json_obj o;
	memset(d, 0, sizeof *d);
	if (json_parse_object(body, len, &o, err, errlen) == -1)
		return -1;
	int rc = device_fields(&o, d, err, errlen);
	json_free(&o);
	if (rc == -1)
		oauth2_device_clear(d);
	return rc;
}

void
oauth2_device_clear(struct device_auth *d)
{
	explicit_bzero(d, sizeof *d);
}

/* A token: printable ASCII without blanks (RFC 6749 appendix A.12's
 * VSCHAR), so it fits a "key value" line of the token file. */
static char *
token_dup(const char *v)
{
	if (v == NULL || v[0] == '\0')
		return NULL;
	for (const char *c = v; *c != '\0'; c++)
		if ((unsigned char)*c < 0x21 || (unsigned char)*c > 0x7e)
			return NULL;
	return strdup(v);
}

static enum oauth2_answer
tokens_from(const struct json_obj *o, struct oauth2_tokens *t, char *code,
    size_t codelen)
{
	const char *type = json_string(o, "token_type");
	t->access_token = token_dup(json_string(o, "access_token"));
	t->refresh_token = token_dup(json_string(o, "refresh_token"));
	if (json_int(o, "expires_in", 1, 10LL * 365 * 86400, &t->expires_in) == -1)
		t->expires_in = 0;
	if (t->access_token == NULL || type == NULL || strcasecmp(type, "Bearer") != 0) {
		oauth2_tokens_clear(t);
		snprintf_rq(code, codelen, "the token endpoint's answer has no usable "
		    "Bearer access_token");
		return OA_ERROR;
	}
	if (t->refresh_token == NULL) {
		oauth2_tokens_clear(t);
		snprintf_rq(code, codelen, "the token endpoint gave no refresh_token (is "
		    "offline_access in the scope?)");
		return OA_ERROR;
	}
	return OA_TOKENS;
}

/* An error answer's code (§3.5, RFC 6749 §5.2). */
static enum oauth2_answer
error_from(const struct json_obj *o, char *code, size_t codelen)
{
	static const struct {
		const char *code;
		enum oauth2_answer a;
	} known[] = {
		{ "authorization_pending", OA_PENDING }, { "slow_down", OA_SLOW_DOWN },
		{ "expired_token", OA_EXPIRED }, { "access_denied", OA_DENIED },
		{ "authorization_declined", OA_DENIED },	/* Microsoft */
	};
	const char *e = json_string(o, "error");
	if (e == NULL) {
		snprintf_rq(code, codelen, "an answer without \"error\"");
		return OA_ERROR;
	}
	snprintf_rq(code, codelen, "%.64s", e);
	for (char *c = code; *c != '\0'; c++)
		if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e)
			*c = '?';
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (strcmp(e, known[i].code) == 0)
			return known[i].a;
	return OA_ERROR;
}

enum oauth2_answer
oauth2_token_answer(long status, const char *body, size_t len,
    struct oauth2_tokens *t, char *code, size_t codelen)
{
	struct json_obj o;
	char jerr[RELAYQ_ERRLEN];
	memset(t, 0, sizeof *t);
	if (status == 0 || status >= 500) {
		snprintf_rq(code, codelen, status == 0 ? "no answer" : "HTTP status %ld",
		    status);
		return OA_TRANSIENT;
	}
	if (json_parse_object(body, len, &o, jerr, sizeof jerr) == -1) {
		snprintf_rq(code, codelen, "HTTP status %ld, not JSON (%s)", status, jerr);
		return status == 200 ? OA_ERROR : OA_TRANSIENT;
	}
	enum oauth2_answer a = status == 200 ? tokens_from(&o, t, code, codelen) :
	    error_from(&o, code, codelen);
	json_free(&o);
	return a;
}

void
oauth2_tokens_clear(struct oauth2_tokens *t)
{
	if (t->access_token != NULL) {
		explicit_bzero(t->access_token, strlen(t->access_token));
		free(t->access_token);
	}
	if (t->refresh_token != NULL) {
		explicit_bzero(t->refresh_token, strlen(t->refresh_token));
		free(t->refresh_token);
	}
	memset(t, 0, sizeof *t);
}

void
device_flow_start(struct device_flow *f, const struct device_auth *d, long long now)
{
	memset(f, 0, sizeof *f);
	f->interval = d->interval < 1 ? 1 : d->interval > OAUTH2_MAX_INTERVAL ?
	    OAUTH2_MAX_INTERVAL : d->interval;
	f->deadline = now + d->expires_in;
}

/* The wait before the next poll, or DF_FAIL when it would pass the
 * deadline. */
static enum df_action
wait_or_expire(const struct device_flow *f, long long wait, long long now, char *why,
    size_t whylen)
{
	if (now + wait <= f->deadline)
		return DF_WAIT;
	snprintf_rq(why, whylen, "the code expired before the sign-in was approved; "
	    "run relayq-setup --oauth2 again for a new code");
	return DF_FAIL;
}

enum df_action
device_flow_next(struct device_flow *f, enum oauth2_answer a, const char *code,
    long long now, char *why, size_t whylen)
{
	f->polls++;
	if (a != OA_TRANSIENT)
		f->transient = 0;
	switch (a) {
	case OA_TOKENS:
		return DF_DONE;
	case OA_SLOW_DOWN:
		f->interval += OAUTH2_SLOW_DOWN;
		if (f->interval > OAUTH2_MAX_INTERVAL)
			f->interval = OAUTH2_MAX_INTERVAL;
		return wait_or_expire(f, f->interval, now, why, whylen);
	case OA_PENDING:
		return wait_or_expire(f, f->interval, now, why, whylen);
	case OA_TRANSIENT:
		if (++f->transient >= OAUTH2_MAX_TRANSIENT) {
			snprintf_rq(why, whylen, "the token endpoint failed %d times in a "
			    "row (last: %s)", f->transient, code);
			return DF_FAIL;
		}
		return wait_or_expire(f, f->interval << f->transient >
		    OAUTH2_MAX_INTERVAL ? OAUTH2_MAX_INTERVAL : f->interval << f->transient,
		    now, why, whylen);
	case OA_EXPIRED:
		snprintf_rq(why, whylen, "the code expired (expired_token) before the "
		    "sign-in was approved; run relayq-setup --oauth2 again for a new code");
		return DF_FAIL;
	case OA_DENIED:
		snprintf_rq(why, whylen, "the sign-in was declined (%s): nothing was "
		    "authorized", code);
		return DF_FAIL;
	case OA_ERROR:
	default:
		snprintf_rq(why, whylen, "the token endpoint refused the device code: %s",
		    code);
		return DF_FAIL;
	}
}

int
oauth2_form_append(char *out, size_t size, const char *key, const char *value)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = strlen(out);
	int n = snprintf(out + o, size - o, "%s%s=", o > 0 ? "&" : "", key);
	if (n < 0 || (size_t)n >= size - o)
		return -1;
	o += (size_t)n;
	for (const unsigned char *c = (const unsigned char *)value; *c != '\0'; c++) {
		bool plain = (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
		    (*c >= '0' && *c <= '9') || strchr("-._~", *c) != NULL;
		if (o + (plain ? 1 : 3) >= size)
			return -1;
		if (plain) {
			out[o++] = (char)*c;
		} else {
			out[o++] = '%';
			out[o++] = hex[*c >> 4];
			out[o++] = hex[*c & 15];
		}
	}
	out[o] = '\0';
	return 0;
}
