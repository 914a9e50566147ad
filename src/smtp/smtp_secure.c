/* smtp_secure: the trust steps of a session — implicit TLS, STARTTLS done
 * right (RFC 3207: nothing read before the handshake survives it, EHLO
 * again), and SMTP AUTH (RFC 4954): through libsasl2, except the OAuth2
 * bearer mechanisms XOAUTH2 and OAUTHBEARER, which bearer.c builds.  Every failure
 * defers: a changed password or a broken certificate must not bounce
 * mail, and nothing more is sent on a connection that failed a check. */
#include "smtp_int.h"
#include "smtp_io.h"
#include "smtp_secure.h"
#include "buf.h"
#include "authinfo.h"
#include "bearer.h"
#include "conn.h"
#include "log.h"
#include "mech.h"
#include "sasl.h"
#include "tls.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define MAX_AUTH_TRIES 8

/* Marks the session dead (no QUIT) and says why: always OUT_TEMP. */
static enum outcome refuse(struct smtp_session *s, char *err, size_t errlen,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static enum outcome
refuse(struct smtp_session *s, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	s->alive = false;
	return OUT_TEMP;
}

static enum outcome
handshake(struct smtp_session *s, bool enforce, char *err, size_t errlen)
{
	struct tls_peer peer = { s->o.host, s->o.host_literal, s->o.tls_pin, enforce };
	if (tls_start(&s->tls, s->o.tls_ctx, s->c, &peer, s->o.to.helo, err, errlen) == -1) {
		s->alive = false;
		return OUT_TEMP;
	}
	log_info("STARTTLS=client, relay=%s, %s", conn_peer(s->c), tls_summary(s->tls));
	return OUT_OK;
}

enum outcome
smtp_secure_wrap(struct smtp_session *s, char *err, size_t errlen)
{
	return handshake(s, true, err, errlen);
}

void
smtp_secure_end(struct smtp_session *s)
{
	tls_free(s->tls);
	s->tls = NULL;
}

enum outcome
smtp_secure_starttls(struct smtp_session *s, char *err, size_t errlen)
{
	bool required = s->o.tls == SMTP_TLS_STARTTLS;
	struct smtp_reply r;
	if (!(s->ext.flags & EXT_STARTTLS))
		return !required ? OUT_OK : refuse(s, err, errlen,
		    "%s does not offer STARTTLS, which tls starttls requires; nothing sent",
		    conn_peer(s->c));
	if (smtp_io_cmd(s, XS_CLEAR, "STARTTLS") == -1 || smtp_io_flush(s, s->o.to.helo, &r) == -1 ||
	    smtp_io_read_reply(s, s->o.to.helo, &r, "STARTTLS") == -1)
		return refuse(s, err, errlen, "STARTTLS: %s", r.text);
	if (r.code != 220)
		return refuse(s, err, errlen, "%s refused STARTTLS: %s", conn_peer(s->c), r.text);
	/* Anything after the 220 came in plaintext, perhaps from a man in
	 * the middle: it must never be read as a reply (CVE-2011-0411). */
	if (conn_pending(s->c) > 0) {
		log_warn("%s sent %zu bytes after its STARTTLS reply; discarded",
		    conn_peer(s->c), conn_pending(s->c));
		conn_discard_input(s->c);
	}
	/* A pin is a promise about this server: never just logged. */
	if (handshake(s, required || s->o.tls_pin[0] != '\0', err, errlen) != OUT_OK)
		return OUT_TEMP;
	/* Forget the plaintext EHLO (RFC 3207 §4.2): read_ehlo starts afresh. */
	if (smtp_io_hello(s, false, err, errlen) != OUT_OK)
		s->alive = false;
	return s->alive ? OUT_OK : OUT_TEMP;
}

/* ---- AUTH ---- */

/* The entry's list (or the default) ∩ what the server offers, minus the
 * mechanisms that send a reusable secret, outside TLS (the one place this
 * rule is applied; libsasl2 refuses PLAIN and LOGIN there too). */
static void
common_mechs(const struct smtp_session *s, const struct authinfo *ai, char *out, size_t size)
{
	char want[1024], *save = NULL;
	strlcpy_rq(want, authinfo_mechs(ai), sizeof want);
	out[0] = '\0';
	for (char *m = strtok_r(want, " \t", &save); m != NULL; m = strtok_r(NULL, " \t", &save)) {
		if (!smtp_ext_has_auth(&s->ext, m) || (s->tls == NULL && mech_sends_secret(m)))
			continue;
		size_t len = strlen(out);
		snprintf_rq(out + len, size - len, "%s%s", len > 0 ? " " : "", m);
	}
}

static void
drop_mech(char *list, size_t size, const char *mech)
{
	char copy[1024], *save = NULL;
	strlcpy_rq(copy, list, sizeof copy);
	list[0] = '\0';
	for (char *m = strtok_r(copy, " ", &save); m != NULL; m = strtok_r(NULL, " ", &save)) {
		if (strcasecmp(m, mech) == 0)
			continue;
		size_t len = strlen(list);
		snprintf_rq(list + len, size - len, "%s%s", len > 0 ? " " : "", m);
	}
}

/* The base64 text of a 334 reply ("334 abc=" -> "abc="). */
static const char *
challenge_text(const struct smtp_reply *r)
{
	const char *t = r->text + 3;
	return *t == ' ' ? t + 1 : t;
}

/* One AUTH dialogue.  0 with r = the final reply, or -1 on a local
 * failure (err says why; the exchange was cancelled with "*"). */
static int
exchange(struct smtp_session *s, struct saslc *sc, const char *mech, const char *ir,
    struct smtp_reply *r, char *err, size_t errlen)
{
	int rc = ir == NULL ? smtp_io_cmd(s, XS_CLEAR, "AUTH %s", mech) :
	    smtp_io_cmd(s, XS_AFTER_TWO_WORDS, "AUTH %s %s", mech, ir);
	s->redact = true;
	if (rc == -1 || smtp_io_flush(s, s->o.to.helo, r) == -1 ||
	    smtp_io_read_reply(s, s->o.to.helo, r, "AUTH") == -1)
		goto io_error;
	while (r->code == 334) {
		const char *resp;
		if (strlen(r->text) >= sizeof r->text - 1 ||
		    saslc_step(sc, challenge_text(r), &resp) == SASLC_FAIL) {
			snprintf_rq(err, errlen, "AUTH %s: %s", mech, strlen(r->text) >=
			    sizeof r->text - 1 ? "challenge too long" : saslc_error(sc));
			if (smtp_io_cmd(s, XS_CLEAR, "*") == 0 && smtp_io_flush(s, s->o.to.helo, r) == 0)
				smtp_io_read_reply(s, s->o.to.helo, r, "AUTH *");
			s->redact = false;
			return -1;
		}
		if (smtp_io_cmd(s, XS_ALL, "%s", resp) == -1 || smtp_io_flush(s, s->o.to.helo, r) == -1 ||
		    smtp_io_read_reply(s, s->o.to.helo, r, "AUTH") == -1)
			goto io_error;
	}
	s->redact = false;
	return 0;
io_error:
	s->redact = false;
	snprintf_rq(err, errlen, "AUTH %s: %s", mech, r->text);
	return -1;
}

/* Codes after which another mechanism must not be tried: bad
 * credentials, too weak, temporary, encryption required (RFC 4954 §6). */
static bool
final_auth_failure(int code)
{
	return code == 535 || code == 534 || code == 538 || code / 100 == 4;
}

enum auth_try { AUTH_DONE, AUTH_NEXT_MECH, AUTH_GIVE_UP };

/* What the final reply r to AUTH mech means; note: more for err ("" or
 * "; ..."). */
static enum auth_try
verdict(struct smtp_session *s, const char *mech, const struct smtp_reply *r, bool complete,
    int ssf, const char *note, char *mechs, size_t mechsize, char *err, size_t errlen)
{
	if (r->code == 235 && complete) {
		strlcpy_rq(s->mech, mech, sizeof s->mech);
		log_info("AUTH=client, relay=%s, mech=%s, bits=%d", conn_peer(s->c), mech, ssf);
		return AUTH_DONE;
	}
	snprintf_rq(err, errlen, "AUTH %s with %s failed: %s%s", mech, conn_peer(s->c),
	    r->code == 235 ? "server accepted before proving its identity" : r->text, note);
	if (r->code / 100 != 5 || final_auth_failure(r->code))
		return AUTH_GIVE_UP;
	log_warn("%s; trying the other mechanisms", err);
	drop_mech(mechs, mechsize, mech);
	return mechs[0] != '\0' ? AUTH_NEXT_MECH : AUTH_GIVE_UP;
}

/* The first bearer mechanism of list into mech; false if none. */
static bool
first_bearer(const char *list, char *mech, size_t size)
{
	char copy[1024], *save = NULL;
	strlcpy_rq(copy, list, sizeof copy);
	for (char *m = strtok_r(copy, " ", &save); m != NULL; m = strtok_r(NULL, " ", &save))
		if (mech_is_bearer(m)) {
			strlcpy_rq(mech, m, size);
			return true;
		}
	return false;
}

/* Sends one line of the exchange and reads the reply (-1: I/O failure). */
static int
bearer_step(struct smtp_session *s, enum xscript_redact redact, const char *line,
    struct smtp_reply *r)
{
	if (smtp_io_cmd(s, redact, "%s", line) == -1 || smtp_io_flush(s, s->o.to.helo, r) == -1 ||
	    smtp_io_read_reply(s, s->o.to.helo, r, "AUTH") == -1)
		return -1;
	return 0;
}

/* AUTH mech with the response b64: as an initial response when the
 * command fits in 512 octets (RFC 4954 §4), else after an empty 334.  A
 * 334 after the token is an error challenge: its status goes to status,
 * the dummy response goes back, and r is the server's final reply. */
static int
bearer_dialogue(struct smtp_session *s, const char *mech, const char *b64,
    struct smtp_reply *r, char *status, size_t size)
{
	struct buf cmd;
	buf_init(&cmd);
	bool ir = strlen("AUTH ") + strlen(mech) + 1 + strlen(b64) + 2 <= 512;
	int rc = buf_printf(&cmd, ir ? "AUTH %s %s" : "AUTH %s", mech, b64);
	if (rc == 0)
		rc = bearer_step(s, ir ? XS_AFTER_TWO_WORDS : XS_CLEAR, buf_str(&cmd), r);
	buf_free_secret(&cmd);
	if (rc == 0 && !ir && r->code == 334)
		rc = bearer_step(s, XS_ALL, b64, r);
	if (rc == 0 && r->code == 334) {
		bearer_error_status(challenge_text(r), status, size);
		rc = bearer_step(s, XS_ALL, strcasecmp(mech, "OAUTHBEARER") == 0 ?
		    BEARER_DUMMY_OAUTHBEARER : BEARER_DUMMY_XOAUTH2, r);
	}
	return rc;
}

/* One XOAUTH2 / OAUTHBEARER attempt with the entry's token (password). */
static enum auth_try
attempt_bearer(struct smtp_session *s, const struct authinfo *ai, const char *mech,
    char *mechs, size_t mechsize, char *err, size_t errlen)
{
	struct smtp_reply r = { .code = 0 };
	struct buf b64;
	char status[80] = "", note[128] = "";
	if (s->tls == NULL) {	/* common_mechs already ruled it out */
		snprintf_rq(err, errlen, "AUTH %s: never without TLS", mech);
		return AUTH_GIVE_UP;
	}
	buf_init(&b64);
	if (bearer_response(mech, ai->authzid, ai->password, s->o.host, s->o.port, &b64) == -1) {
		buf_free_secret(&b64);
		snprintf_rq(err, errlen, "AUTH %s: cannot build the response", mech);
		return AUTH_GIVE_UP;
	}
	s->redact = true;
	int rc = bearer_dialogue(s, mech, buf_str(&b64), &r, status, sizeof status);
	s->redact = false;
	buf_free_secret(&b64);
	if (rc == -1) {
		snprintf_rq(err, errlen, "AUTH %s: %s", mech, r.text);
		return AUTH_GIVE_UP;
	}
	if (status[0] != '\0') {
		log_warn("AUTH %s with %s: error challenge, status %s", mech, conn_peer(s->c), status);
		snprintf_rq(note, sizeof note, " (error challenge status %s)", status);
	}
	return verdict(s, mech, &r, true, 0, note, mechs, mechsize, err, errlen);
}

/* One mechanism attempt: done, try the next mechanism, or give up.
 * Bearer mechanisms first: libsasl2 never sees them. */
static enum auth_try
attempt(struct smtp_session *s, const struct authinfo *ai, char *mechs,
    size_t mechsize, char *err, size_t errlen)
{
	struct saslc_params p = { .ai = ai, .host = s->o.host,
	    .ext_ssf = s->tls != NULL ? tls_cipher_bits(s->tls) : 0,
	    .ext_id = s->tls != NULL ? tls_client_id(s->tls) : "" };
	struct saslc *sc;
	const char *m, *ir;
	char mech[64];
	struct smtp_reply r = { .code = 0 };
	if (first_bearer(mechs, mech, sizeof mech))
		return attempt_bearer(s, ai, mech, mechs, mechsize, err, errlen);
	if (saslc_new(&sc, &p, err, errlen) == -1)
		return AUTH_GIVE_UP;
	if (saslc_start(sc, mechs, &m, &ir) == SASLC_FAIL) {
		snprintf_rq(err, errlen, "AUTH with %s: %s", conn_peer(s->c), saslc_error(sc));
		saslc_free(sc);
		return AUTH_GIVE_UP;
	}
	strlcpy_rq(mech, m, sizeof mech);
	int rc = exchange(s, sc, mech, ir, &r, err, errlen);
	bool complete = saslc_done(sc);
	int ssf = saslc_ssf(sc);
	saslc_free(sc);
	if (rc == -1)
		return AUTH_GIVE_UP;
	return verdict(s, mech, &r, complete, ssf, "", mechs, mechsize, err, errlen);
}

static enum outcome
authenticate(struct smtp_session *s, const struct authinfo *ai, char *err, size_t errlen)
{
	char mechs[1024];
	if (ai->password == NULL)	/* an O: entry whose token was never read */
		return refuse(s, err, errlen, "AUTH with %s: no OAuth2 access token", conn_peer(s->c));
	common_mechs(s, ai, mechs, sizeof mechs);
	if (mechs[0] == '\0')
		return refuse(s, err, errlen, "AUTH with %s: no usable mechanism (server offers%s, "
		    "authinfo allows %s%s)", conn_peer(s->c), s->ext.auth, authinfo_mechs(ai),
		    s->tls == NULL ? "; mechanisms that send the password need TLS" : "");
	for (int i = 0; i < MAX_AUTH_TRIES; i++) {
		enum auth_try rc = attempt(s, ai, mechs, sizeof mechs, err, errlen);
		if (rc == AUTH_DONE) {
			s->authed = true;
			return OUT_OK;
		}
		if (rc == AUTH_GIVE_UP)
			break;
	}
	log_err("%s", err);
	return OUT_TEMP;
}

enum outcome
smtp_secure_auth(struct smtp_session *s, char *err, size_t errlen)
{
	const struct authinfo *ai = smtp_creds_pick(s->o.creds, conn_addr(s->c));
	if (ai == NULL)
		return !s->o.auth_required ? OUT_OK : refuse(s, err, errlen,
		    "no authinfo entry for %s and auth is required; nothing sent", s->o.host);
	if (s->ext.flags & EXT_AUTH)
		return authenticate(s, ai, err, errlen);
	if (s->o.auth_required)
		return refuse(s, err, errlen, "%s does not offer AUTH%s; nothing sent",
		    conn_peer(s->c), s->tls == NULL ? " (without TLS)" : "");
	return OUT_OK;
}


