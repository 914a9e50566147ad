/* signin: the device grant over HTTPS (see signin.h). */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "fetch.h"
#include "relayq.h"
#include "signin.h"

#define FORM_MAX 4096

static long long
real_now(void)
{
	return (long long)time(NULL);
}

static void
real_sleep(long long seconds)
{
	while (seconds > 0)
		seconds = (long long)sleep((unsigned)seconds);
}

const struct signin_clock signin_real_clock = { real_now, real_sleep };

/* POST form to url: the status (0: no answer, err says why) and body. */
static long
post(const struct net *n, const char *url, char *form, struct buf *body, char *err,
    size_t errlen)
{
	long status = 0;
	(void)fetch_post_form(n, url, form, body, &status, err, errlen);
	explicit_bzero(form, strlen(form));
	return status;
}

static int
request_code(const struct net *n, const struct oauth2_settings *s,
    struct device_auth *d, char *err, size_t errlen)
{
	char form[FORM_MAX] = "", why[RELAYQ_ERRLEN] = "";
	struct buf body;
	buf_init(&body);
	if (oauth2_form_append(form, sizeof form, "client_id", s->client_id) == -1 ||
	    oauth2_form_append(form, sizeof form, "scope", s->scope) == -1) {
		snprintf_rq(err, errlen, "the client id and scope are too long");
		return -1;
	}
	long status = post(n, s->device_endpoint, form, &body, why, sizeof why);
	int rc = -1;
	if (status == 200) {
		rc = oauth2_device_parse(body.data, body.len, d, why, sizeof why);
	} else if (status != 0) {
		struct oauth2_tokens none;
		(void)oauth2_token_answer(status, body.data, body.len, &none, why,
		    sizeof why);
		oauth2_tokens_clear(&none);
	}
	if (rc == -1)
		snprintf_rq(err, errlen, "the device endpoint %s refused: %s%s%s",
		    s->device_endpoint, status != 0 ? "" : "no answer: ", why,
		    status == 400 ? " (is the client id registered for the device "
		    "flow, and the scope allowed?)" : "");
	buf_free_secret(&body);
	return rc;
}

static void
instructions(const struct oauth2_settings *s, const struct device_auth *d)
{
	printf("\nTo let relayq send mail as you, sign in to %s in a browser "
	    "(on any device):\n", s->name);
	if (d->verification_uri_complete[0] != '\0')
		printf("  open   %s\n  (or open %s and enter the code %s)\n",
		    d->verification_uri_complete, d->verification_uri, d->user_code);
	else
		printf("  open   %s\n  enter  %s\n", d->verification_uri, d->user_code);
	printf("The code is valid for %lld minutes.  Waiting for the approval",
	    (d->expires_in + 59) / 60);
	fflush(stdout);
}

/* One poll of the token endpoint. */
static enum oauth2_answer
poll_once(const struct net *n, const struct oauth2_settings *s,
    const struct device_auth *d, struct oauth2_tokens *t, char *code, size_t codelen)
{
	char form[FORM_MAX] = "";
	struct buf body;
	if (oauth2_form_append(form, sizeof form, "grant_type",
	    "urn:ietf:params:oauth:grant-type:device_code") == -1 ||
	    oauth2_form_append(form, sizeof form, "device_code", d->device_code) == -1 ||
	    oauth2_form_append(form, sizeof form, "client_id", s->client_id) == -1) {
		explicit_bzero(form, sizeof form);
		snprintf_rq(code, codelen, "the device code is too long");
		return OA_ERROR;
	}
	buf_init(&body);
	long status = post(n, s->token_endpoint, form, &body, code, codelen);
	enum oauth2_answer a = oauth2_token_answer(status, body.data, body.len, t,
	    code, codelen);
	buf_free_secret(&body);
	return a;
}

int
oauth2_sign_in(const struct net *n, const struct oauth2_settings *s,
    const struct signin_clock *clock, struct oauth2_tokens *t, char *err,
    size_t errlen)
{
	struct device_auth d;
	struct device_flow f;
	char code[RELAYQ_ERRLEN];
	enum df_action next = DF_WAIT;
	memset(t, 0, sizeof *t);
	if (request_code(n, s, &d, err, errlen) == -1)
		return -1;
	instructions(s, &d);
	device_flow_start(&f, &d, clock->now());
	while (next == DF_WAIT) {
		clock->sleep(f.interval);
		putchar('.');
		fflush(stdout);
		enum oauth2_answer a = poll_once(n, s, &d, t, code, sizeof code);
		next = device_flow_next(&f, a, code, clock->now(), err, errlen);
		if (a == OA_SLOW_DOWN && next == DF_WAIT)
			printf(" (slow_down: polling every %lld s)", f.interval);
	}
	printf(next == DF_DONE ? " approved.\n" : " failed.\n");
	oauth2_device_clear(&d);
	if (next != DF_DONE)
		oauth2_tokens_clear(t);
	return next == DF_DONE ? 0 : -1;
}
