/* oauth2: what relayq-setup --oauth2 knows about OAuth2 sign-in — the
 * built-in providers (Microsoft, Google: endpoints, scope, submission
 * server, mechanism; oauth2.md §6), the overrides that replace any of it,
 * and the OAuth 2.0 Device Authorization Grant (RFC 8628) as pure parts:
 * the device endpoint's answer, the token endpoint's answers, and the
 * polling rules (interval, slow_down, expiry, back-off).  No I/O here;
 * signin.c does the requests. */
#ifndef RELAYQ_SETUP_OAUTH2_H
#define RELAYQ_SETUP_OAUTH2_H

#include <stdbool.h>
#include <stddef.h>

#include "autoconfig.h"

#define OAUTH2_URL_MAX 512
#define OAUTH2_DEFAULT_INTERVAL 5	/* s, RFC 8628 §3.2 */
#define OAUTH2_SLOW_DOWN 5		/* s added per slow_down, §3.5 */
#define OAUTH2_MAX_INTERVAL 120		/* s, whatever the server asks */
#define OAUTH2_MAX_TRANSIENT 5		/* network failures in a row */

struct oauth2_provider {
	const char *name;		/* "Microsoft" */
	const char *issuer;		/* host name, as ISPDB's <issuer> */
	const char *device_endpoint, *token_endpoint, *scope;
	const char *client_id;		/* NULL: none shipped, --client-id */
	const char *smtp_host;
	int smtp_port;
	enum ac_socket socket;
	const char *mech;		/* XOAUTH2 or OAUTHBEARER */
	const char *no_device_flow;	/* NULL, or why the provider refuses
					   the device flow for this scope */
	const char *const *domains;	/* mail domains it hosts, NULL-ended */
};

/* The built-in provider for the address's domain, or NULL. */
const struct oauth2_provider *oauth2_by_domain(const char *email);
/* The built-in provider whose issuer is issuer (a host name, or an
 * https:// URL on that host), or NULL. */
const struct oauth2_provider *oauth2_by_issuer(const char *issuer);

/* The command line's say over the provider (NULL: not given). */
struct oauth2_overrides {
	const char *issuer, *client_id, *device_endpoint, *token_endpoint, *scope;
	const char *smtp;		/* "host:port" (465: implicit TLS) */
	const char *mech;
};

/* What the sign-in uses: a provider with the overrides applied. */
struct oauth2_settings {
	char name[64];
	char device_endpoint[OAUTH2_URL_MAX], token_endpoint[OAUTH2_URL_MAX];
	char scope[OAUTH2_URL_MAX], client_id[256], mech[16];
	char smtp_host[256];
	int smtp_port;
	enum ac_socket socket;
};

/* Finds the provider (--oauth2-issuer, else the domain) and applies the
 * overrides.  0, or -1 with err saying what is missing: an unknown
 * provider needs both endpoints, --oauth2-scope and --oauth2-smtp; every
 * provider needs a client id; Google's refusal of the device flow is
 * reported unless the device endpoint is overridden. */
int oauth2_resolve(struct oauth2_settings *s, const char *email,
    const struct oauth2_overrides *ov, char *err, size_t errlen);

/* ---- RFC 8628 ---- */

/* The device endpoint's answer (§3.2).  device_code is a secret. */
struct device_auth {
	char device_code[1024];
	char user_code[64];
	char verification_uri[OAUTH2_URL_MAX];		/* or Google's _url */
	char verification_uri_complete[OAUTH2_URL_MAX];	/* "" if not given */
	long long expires_in, interval;
};

/* Parses a 200 answer.  0, or -1 with err (never the device code). */
int oauth2_device_parse(const char *body, size_t len, struct device_auth *d,
    char *err, size_t errlen);
void oauth2_device_clear(struct device_auth *d);

/* A token endpoint answer, classified. */
enum oauth2_answer {
	OA_TOKENS,		/* 200 with an access token */
	OA_PENDING,		/* authorization_pending */
	OA_SLOW_DOWN,		/* slow_down */
	OA_EXPIRED,		/* expired_token */
	OA_DENIED,		/* access_denied, authorization_declined */
	OA_ERROR,		/* another OAuth2 error: fatal */
	OA_TRANSIENT		/* no answer, 5xx, not JSON: try again */
};

struct oauth2_tokens {
	char *access_token, *refresh_token;	/* malloc'd secrets */
	long long expires_in;			/* s; 0 = not said */
};

/* Classifies an answer (status 0: no HTTP answer at all).  With OA_TOKENS
 * fills t; else code gets the error code (or the reason) for a message. */
enum oauth2_answer oauth2_token_answer(long status, const char *body, size_t len,
    struct oauth2_tokens *t, char *code, size_t codelen);
void oauth2_tokens_clear(struct oauth2_tokens *t);

/* The polling state (§3.4, §3.5). */
struct device_flow {
	long long interval;	/* s to wait before the next poll */
	long long deadline;	/* when the code expires */
	int transient;		/* failures in a row */
	int polls;
};

enum df_action { DF_WAIT, DF_DONE, DF_FAIL };

void device_flow_start(struct device_flow *f, const struct device_auth *d,
    long long now);
/* What to do after answer a at time now: DF_WAIT f->interval seconds and
 * poll again, DF_DONE, or DF_FAIL with why.  slow_down adds 5 s for this
 * and every later poll; a transient failure doubles the wait (at most
 * OAUTH2_MAX_INTERVAL) and the fifth in a row fails; the deadline fails
 * the flow when the next poll would come after it. */
enum df_action device_flow_next(struct device_flow *f, enum oauth2_answer a,
    const char *code, long long now, char *why, size_t whylen);

/* x-www-form-urlencoded value of s appended to out (size: out's). */
int oauth2_form_append(char *out, size_t size, const char *key, const char *value);

#endif
