/* probe: candidate checks through relayq's SMTP client (see probe.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "authinfo.h"
#include "buf.h"
#include "probe.h"
#include "relayq.h"
#include "smtp.h"

/* What the session with c needs; port is filled from c. */
static void
session_opts(const struct probe_env *e, const struct candidate *c,
    struct smtp_opts *o, char *port, size_t psize)
{
	snprintf_rq(port, psize, "%d", c->port);
	memset(o, 0, sizeof *o);
	o->host = c->host;
	o->port = port;
	const struct net_map *m = net_lookup(e->net, c->host, port);
	if (m != NULL) {
		o->connect_host = m->to_host;
		o->connect_port = m->to_port;
	}
	o->helo_name = e->helo;
	o->to = (struct smtp_timeouts){ e->net->timeout, e->net->timeout,
	    e->net->timeout, e->net->timeout, e->net->timeout, e->net->timeout,
	    e->net->timeout, e->net->timeout, e->net->timeout };
	o->tls = c->socket == AC_SOCK_SSL ? SMTP_TLS_SMTPS : SMTP_TLS_STARTTLS;
	o->tls_ctx = e->tls;
	o->tls_pin = "";
}

static enum verdict
stage_verdict(enum smtp_stage st)
{
	switch (st) {
	case SMTP_STAGE_TLS: return V_TLS_FAILED;
	case SMTP_STAGE_AUTH: return V_AUTH_FAILED;
	default: return V_UNREACHABLE;
	}
}

void
probe_tls(const struct probe_env *e, struct candidate *c)
{
	struct smtp_opts o;
	struct smtp_session *s;
	enum smtp_stage stage;
	char port[8];

	if (c->socket == AC_SOCK_PLAIN) {
		c->verdict = V_UNSAFE;
		snprintf_rq(c->why, sizeof c->why, "the provider lists it without TLS; "
		    "relayq-setup never configures that");
		return;
	}
	session_opts(e, c, &o, port, sizeof port);
	if (!net_allowed(e->net, c->host, port)) {
		c->verdict = V_UNREACHABLE;
		snprintf_rq(c->why, sizeof c->why, "not in the --connect-to list");
		return;
	}
	if (smtp_open_staged(&s, &o, &stage, c->why, sizeof c->why) != OUT_OK) {
		c->verdict = stage_verdict(stage);
		return;
	}
	strlcpy_rq(c->tls_info, smtp_tls_info(s), sizeof c->tls_info);
	strlcpy_rq(c->offered, smtp_auth_offered(s), sizeof c->offered);
	c->verdict = c->offered[strspn(c->offered, " ")] != '\0' ? V_OK : V_NO_AUTH;
	if (c->verdict == V_NO_AUTH)
		snprintf_rq(c->why, sizeof c->why, "no AUTH offered after TLS");
	smtp_close(s);
}

/* An O: entry: the access token just obtained becomes the credential,
 * as relayqd's token_resolve_creds does with the file's. */
static int
with_token(struct authinfo *ai, const struct login *l, char *err, size_t errlen)
{
	if (l->access_token == NULL) {
		snprintf_rq(err, errlen, "no access token to log in with");
		return -1;
	}
	if (authinfo_set_token(ai, l->access_token) == -1) {
		snprintf_rq(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

/* Makes the session log in as l (AUTH required), with l as the one
 * credential, parsed as an AuthInfo entry; cr is freed by the caller. */
static int
with_login(struct smtp_opts *o, struct smtp_creds *cr, const struct login *l,
    char *err, size_t errlen)
{
	struct authinfo ai;
	struct buf v;
	buf_init(&v);
	memset(&ai, 0, sizeof ai);
	int rc = login_value(l, false, &v);
	if (rc == 0)
		rc = authinfo_parse(buf_str(&v), v.len, "relayq-setup", &ai, err, errlen);
	else
		snprintf_rq(err, errlen, "out of memory");
	buf_free_secret(&v);
	if (rc == 0 && ai.token_file != NULL)
		rc = with_token(&ai, l, err, errlen);
	if (rc == 0)
		rc = smtp_creds_add(cr, "", &ai);
	authinfo_free(&ai);
	o->creds = cr;
	o->auth_required = true;
	return rc;
}

/* Can l be sent and then written (login_check)?  If not, the verdict is
 * V_LOCAL_ERROR: nothing goes to the server, and it is not its refusal. */
static bool
login_usable(const struct probe_env *e, struct candidate *c, const struct login *l)
{
	char key[sizeof c->host + 320];
	snprintf_rq(key, sizeof key, "%s%s%s", c->host, e->sender != NULL ? "/" : "",
	    e->sender != NULL ? e->sender : "");
	if (login_check(l, key, c->why, sizeof c->why) == 0)
		return true;
	c->verdict = V_LOCAL_ERROR;
	return false;
}

void
probe_login(const struct probe_env *e, struct candidate *c, const struct login *l)
{
	struct smtp_opts o;
	struct smtp_session *s;
	enum smtp_stage stage;
	char port[8];

	if (!login_usable(e, c, l))
		return;
	struct smtp_creds cr = { .n = 0 };
	session_opts(e, c, &o, port, sizeof port);
	if (with_login(&o, &cr, l, c->why, sizeof c->why) == -1) {
		c->verdict = V_LOCAL_ERROR;	/* nothing was sent */
	} else if (smtp_open_staged(&s, &o, &stage, c->why, sizeof c->why) != OUT_OK) {
		c->verdict = stage_verdict(stage);
	} else {
		strlcpy_rq(c->mech, smtp_auth_mech(s), sizeof c->mech);
		c->verdict = V_OK;
		smtp_close(s);
	}
	smtp_creds_free(&cr);
}

/* The test message, LF line ends, into a temporary file. */
static int
test_message(FILE *fp, const struct candidate *c, const char *email,
    const char *helo)
{
	char date[64];
	time_t now = time(NULL);
	struct tm tm;
	if (localtime_r(&now, &tm) == NULL ||
	    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S %z", &tm) == 0)
		return -1;
	fprintf(fp, "From: <%s>\nTo: <%s>\nSubject: relayq-setup test message\n"
	    "Date: %s\nMessage-ID: <setup.%lld.%ld@%s>\nMIME-Version: 1.0\n"
	    "Content-Type: text/plain; charset=us-ascii\n\n"
	    "relayq-setup sent this message through %s port %d (%s%s%s)\n"
	    "to check the settings it wrote.  No need to answer it.\n",
	    email, email, date, (long long)now, (long)getpid(), helo, c->host,
	    c->port, cand_socket_words(c->socket), c->mech[0] != '\0' ? ", AUTH " : "",
	    c->mech);
	return fflush(fp) == 0 && !ferror(fp) ? 0 : -1;
}

int
probe_send_test(const struct probe_env *e, const struct candidate *c,
    const struct login *l, const char *email, char *result, size_t size)
{
	struct smtp_opts o;
	struct smtp_session *s;
	char port[8];
	FILE *fp = tmpfile();

	if (fp == NULL || test_message(fp, c, email, e->helo) == -1) {
		snprintf_rq(result, size, "cannot write the test message");
		if (fp != NULL)
			fclose(fp);
		return -1;
	}
	struct smtp_creds cr = { .n = 0 };
	session_opts(e, c, &o, port, sizeof port);
	if ((login_given(l) && with_login(&o, &cr, l, result, size) == -1) ||
	    smtp_open(&s, &o, result, size) != OUT_OK) {
		smtp_creds_free(&cr);
		fclose(fp);
		return -1;
	}
	smtp_creds_free(&cr);	/* AUTH is over once the session is open */
	struct smtp_rcpt r = { .addr = email };
	struct smtp_txn t = { .sender = email, .content_fd = fileno(fp),
	    .content_len = ftello(fp), .nrcpt = 1, .rcpts = &r };
	enum outcome out = smtp_send(s, &t);
	int rc = out == OUT_OK && r.result == OUT_OK ? 0 : -1;
	snprintf_rq(result, size, "%s", r.reply.code != 0 ? r.reply.text : t.reply.text);
	smtp_close(s);
	fclose(fp);
	return rc;
}
