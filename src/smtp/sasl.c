/* sasl: Cyrus libsasl2 client sessions (see sasl.h).  Call sequence per
 * ../shared/reference/sasl-client.md: client_new, security properties,
 * external SSF, client_start, client_step until the server says 235. */
#include "sasl.h"
#include "buf.h"
#include "authinfo.h"
#include "log.h"
#include "relayq.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sasl/sasl.h>
#include <sasl/saslutil.h>

typedef int (*sasl_cb_fn)(void);	/* libsasl2 2.1.28 has no typedef */
/* Through void (*)(void), the generic function pointer, so the compiler
 * accepts the cast; libsasl2 calls each with its real signature. */
#define CB(f) ((sasl_cb_fn)(void (*)(void))(f))

/* libsasl2's DIGEST-MD5 client refuses a longer server challenge. */
#define DIGEST_CHALLENGE_MAX 2048

struct saslc {
	sasl_conn_t *conn;
	const struct authinfo *ai;
	sasl_callback_t cbs[6];
	sasl_secret_t *secret;		/* password copy handed to libsasl2 */
	char *b64;			/* our last answer, base64 */
	size_t b64cap;
	char *raw;			/* the last challenge, decoded */
	size_t rawcap;
	char *chal;			/* a DIGEST-MD5 challenge with R: added */
	size_t chalcap;
	bool digest;			/* the mechanism is DIGEST-MD5 */
	bool done;
	char error[RELAYQ_ERRLEN];
};

static bool global_ready;

int
saslc_global_init(char *err, size_t errlen)
{
	if (global_ready)
		return 0;
	int rc = sasl_client_init(NULL);
	if (rc != SASL_OK) {
		snprintf_rq(err, errlen, "cannot initialise libsasl2: %s",
		    sasl_errstring(rc, NULL, NULL));
		return -1;
	}
	global_ready = true;
	return 0;
}

void
saslc_global_done(void)
{
	if (global_ready)
		sasl_client_done();
	global_ready = false;
}

void
saslc_library_version(char *out, size_t outlen)
{
	const char *impl = NULL, *ver = NULL;
	sasl_version_info(&impl, &ver, NULL, NULL, NULL, NULL);
	snprintf_rq(out, outlen, "%s %s", impl != NULL ? impl : "libsasl2",
	    ver != NULL ? ver : "");
}

int
saslc_mechanisms(char *out, size_t outlen, char *err, size_t errlen)
{
	if (saslc_global_init(err, errlen) == -1)
		return -1;
	const char **mechs = sasl_global_listmech();
	size_t used = 0;
	out[0] = '\0';
	for (size_t i = 0; mechs != NULL && mechs[i] != NULL && used < outlen; i++) {
		snprintf_rq(out + used, outlen - used, "%s%s", used > 0 ? " " : "", mechs[i]);
		used = strlen(out);
	}
	if (out[0] == '\0')
		snprintf_rq(out, outlen, "none (install libsasl2-modules)");
	return 0;
}

/* ---- callbacks: answers come from the authinfo entry ---- */

static int
cb_simple(void *ctx, int id, const char **result, unsigned *len)
{
	const struct authinfo *ai = ctx;
	const char *v = "";
	if (id == SASL_CB_AUTHNAME)
		v = ai->authid;
	else if (id == SASL_CB_USER && ai->authzid_given && strcmp(ai->authzid, ai->authid) != 0)
		v = ai->authzid;	/* an authzid only when U: asks for one */
	*result = v;
	if (len != NULL)
		*len = (unsigned)strlen(v);
	return SASL_OK;
}

static int
cb_pass(sasl_conn_t *conn, void *ctx, int id, sasl_secret_t **psecret)
{
	struct saslc *sc = ctx;
	*psecret = sc->secret;
	return sc->secret != NULL ? SASL_OK : SASL_FAIL;
}

/* DIGEST-MD5's realm: R: whenever the entry gives one, even when the
 * server offers other realms (R: names the realm the account lives in);
 * without R:, the server's first.  libsasl2 asks only when the challenge
 * lists several realms; add_realm() makes sure R: gets here. */
static int
cb_realm(void *ctx, int id, const char **avail, const char **result)
{
	const struct authinfo *ai = ctx;
	*result = ai->realm != NULL ? ai->realm :
	    avail != NULL && avail[0] != NULL ? avail[0] : NULL;
	return SASL_OK;
}

static int
cb_log(void *ctx, int level, const char *msg)
{
	if (level <= SASL_LOG_WARN && msg != NULL)
		log_warn("libsasl2: %s", msg);
	return SASL_OK;
}

static sasl_secret_t *
secret_new(const char *password)
{
	size_t len = strlen(password);
	sasl_secret_t *s = malloc(sizeof *s + len);
	if (s == NULL)
		return NULL;
	s->len = len;
	memcpy(s->data, password, len + 1);
	return s;
}

static void
set_callbacks(struct saslc *sc)
{
	const sasl_callback_t cbs[] = {
		{ SASL_CB_GETREALM, CB(cb_realm), (void *)sc->ai },
		{ SASL_CB_USER, CB(cb_simple), (void *)sc->ai },
		{ SASL_CB_AUTHNAME, CB(cb_simple), (void *)sc->ai },
		{ SASL_CB_PASS, CB(cb_pass), sc },
		{ SASL_CB_LOG, CB(cb_log), NULL },
		{ SASL_CB_LIST_END, NULL, NULL },
	};
	memcpy(sc->cbs, cbs, sizeof sc->cbs);
}

static int
set_properties(struct saslc *sc, const struct saslc_params *p)
{
	sasl_security_properties_t sp = {
		.min_ssf = 0,
		.max_ssf = 0,
		.maxbufsize = 0,
		.security_flags = SASL_SEC_NOANONYMOUS | SASL_SEC_NOPLAINTEXT,
	};
	sasl_ssf_t ext = p->ext_ssf > 0 ? (sasl_ssf_t)p->ext_ssf : 0;
	if (sasl_setprop(sc->conn, SASL_SEC_PROPS, &sp) != SASL_OK ||
	    sasl_setprop(sc->conn, SASL_SSF_EXTERNAL, &ext) != SASL_OK)
		return -1;
	if (p->ext_id != NULL && p->ext_id[0] != '\0' &&
	    sasl_setprop(sc->conn, SASL_AUTH_EXTERNAL, p->ext_id) != SASL_OK)
		return -1;
	return 0;
}

int
saslc_new(struct saslc **out, const struct saslc_params *p, char *err, size_t errlen)
{
	struct saslc *sc = calloc(1, sizeof *sc);
	*out = NULL;
	if (sc == NULL || (sc->secret = secret_new(p->ai->password)) == NULL) {
		snprintf_rq(err, errlen, "out of memory");
		saslc_free(sc);
		return -1;
	}
	sc->ai = p->ai;
	set_callbacks(sc);
	int rc = sasl_client_new("smtp", p->host, p->local_ipport, p->remote_ipport,
	    sc->cbs, 0, &sc->conn);
	if (rc != SASL_OK || set_properties(sc, p) == -1) {
		snprintf_rq(err, errlen, "libsasl2: %s", rc != SASL_OK ?
		    sasl_errstring(rc, NULL, NULL) : sasl_errdetail(sc->conn));
		saslc_free(sc);
		return -1;
	}
	*out = sc;
	return 0;
}

static void
wipe_free(char *p, size_t cap)
{
	if (p != NULL)
		explicit_bzero(p, cap);
	free(p);
}

void
saslc_free(struct saslc *sc)
{
	if (sc == NULL)
		return;
	if (sc->conn != NULL)
		sasl_dispose(&sc->conn);
	if (sc->secret != NULL)
		wipe_free((char *)sc->secret, sizeof *sc->secret + sc->secret->len);
	wipe_free(sc->b64, sc->b64cap);
	wipe_free(sc->raw, sc->rawcap);
	wipe_free(sc->chal, sc->chalcap);
	free(sc);
}

/* Grows *p to at least need bytes, wiping the old contents. */
static int
reserve(char **p, size_t *cap, size_t need)
{
	if (*cap >= need)
		return 0;
	char *n = malloc(need);
	if (n == NULL)
		return -1;
	wipe_free(*p, *cap);
	*p = n;
	*cap = need;
	return 0;
}

static enum saslc_status
fail(struct saslc *sc, int rc)
{
	snprintf_rq(sc->error, sizeof sc->error, "%s", rc == SASL_NOMECH ?
	    "no offered mechanism is allowed (PLAIN and LOGIN need TLS)" :
	    sasl_errdetail(sc->conn));
	return SASLC_FAIL;
}

/* Our answer, base64 (empty string for zero bytes). */
static int
encode(struct saslc *sc, const char *out, unsigned outlen)
{
	size_t need = ((size_t)outlen + 2) / 3 * 4 + 1;
	unsigned len = 0;
	if (reserve(&sc->b64, &sc->b64cap, need) == -1 ||
	    sasl_encode64(out, outlen, sc->b64, (unsigned)sc->b64cap, &len) != SASL_OK)
		return -1;
	sc->b64[len] = '\0';
	return 0;
}

static enum saslc_status
status(struct saslc *sc, int rc)
{
	if (rc == SASL_OK)
		sc->done = true;
	return rc == SASL_OK ? SASLC_OK : SASLC_CONTINUE;
}

enum saslc_status
saslc_start(struct saslc *sc, const char *mechs, const char **mech, const char **ir)
{
	const char *out = NULL;
	unsigned outlen = 0;
	*mech = *ir = NULL;
	sc->done = false;
	int rc = sasl_client_start(sc->conn, mechs, NULL, &out, &outlen, mech);
	if (rc != SASL_OK && rc != SASL_CONTINUE)
		return fail(sc, rc);
	sc->digest = *mech != NULL && strcasecmp(*mech, "DIGEST-MD5") == 0;
	if (out != NULL && outlen == 0)
		*ir = "=";
	else if (out != NULL) {
		if (encode(sc, out, outlen) == -1)
			return fail(sc, SASL_NOMEM);
		*ir = sc->b64;
	}
	return status(sc, rc);
}

/* The base64 text of a 334 into sc->raw: *in is NULL for an empty text. */
static enum saslc_status
decode(struct saslc *sc, const char *challenge, const char **in, unsigned *inlen)
{
	size_t clen = strlen(challenge);
	*in = NULL;
	*inlen = 0;
	if (reserve(&sc->raw, &sc->rawcap, clen / 4 * 3 + 4) == -1)
		return fail(sc, SASL_NOMEM);
	if (clen > 0 && sasl_decode64(challenge, (unsigned)clen, sc->raw,
	    (unsigned)sc->rawcap, inlen) != SASL_OK) {
		snprintf_rq(sc->error, sizeof sc->error, "server challenge is not base64");
		return SASLC_FAIL;
	}
	if (clen > 0)
		*in = sc->raw;
	return SASLC_OK;
}

/* Whether in is a DIGEST-MD5 digest-challenge (not the server's final
 * rspauth) and the entry names a realm for it. */
static bool
wants_realm(const struct saslc *sc, const char *in, unsigned inlen)
{
	static const char rspauth[] = "rspauth=";
	if (!sc->digest || sc->ai->realm == NULL || in == NULL || inlen == 0)
		return false;
	return inlen < sizeof rspauth - 1 ||
	    strncasecmp(in, rspauth, sizeof rspauth - 1) != 0;
}

/* s as the inside of an RFC 2831 quoted-string ('"' and '\' escaped)
 * into out, or only counted when out is NULL.  The length. */
static size_t
quote_into(char *out, const char *s)
{
	size_t n = 0;
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\') {
			if (out != NULL)
				out[n] = '\\';
			n++;
		}
		if (out != NULL)
			out[n] = *s;
		n++;
	}
	return n;
}

/* libsasl2's DIGEST-MD5 client takes a realm the server offers alone
 * without asking SASL_CB_GETREALM, and the host name when the server
 * offers none: R: would never be used against a server with one default
 * realm.  So R: is offered as one more realm in front of the server's:
 * when the server names realms, the plugin now sees several and asks
 * cb_realm, which answers R:; when it names none, R: is the only one.
 * The challenge is not protected; the server checks only our response.
 * *in / *inlen are replaced by sc->chal. */
static enum saslc_status
add_realm(struct saslc *sc, const char **in, unsigned *inlen)
{
	static const char pre[] = "realm=\"", post[] = "\",";
	size_t need = sizeof pre - 1 + quote_into(NULL, sc->ai->realm) +
	    sizeof post - 1 + *inlen;
	if (need > DIGEST_CHALLENGE_MAX) {
		snprintf_rq(sc->error, sizeof sc->error,
		    "authinfo realm (R:) too long for DIGEST-MD5");
		return SASLC_FAIL;
	}
	if (reserve(&sc->chal, &sc->chalcap, need + 1) == -1)
		return fail(sc, SASL_NOMEM);
	char *p = sc->chal;
	memcpy(p, pre, sizeof pre - 1);
	p += sizeof pre - 1;
	p += quote_into(p, sc->ai->realm);
	memcpy(p, post, sizeof post - 1);
	p += sizeof post - 1;
	memcpy(p, *in, *inlen);
	p[*inlen] = '\0';
	*in = sc->chal;
	*inlen = (unsigned)need;
	return SASLC_OK;
}

enum saslc_status
saslc_step(struct saslc *sc, const char *challenge, const char **resp)
{
	const char *in, *out = NULL;
	unsigned outlen = 0, inlen;
	*resp = NULL;
	if (decode(sc, challenge, &in, &inlen) == SASLC_FAIL)
		return SASLC_FAIL;
	if (wants_realm(sc, in, inlen) && add_realm(sc, &in, &inlen) == SASLC_FAIL)
		return SASLC_FAIL;
	int rc = sasl_client_step(sc->conn, in, inlen, NULL, &out, &outlen);
	if (rc != SASL_OK && rc != SASL_CONTINUE)
		return fail(sc, rc);
	if (encode(sc, out != NULL ? out : "", out != NULL ? outlen : 0) == -1)
		return fail(sc, SASL_NOMEM);
	*resp = sc->b64;
	return status(sc, rc);
}

bool saslc_done(const struct saslc *sc) { return sc->done; }
const char *saslc_error(const struct saslc *sc) { return sc->error; }

int
saslc_ssf(const struct saslc *sc)
{
	const void *v = NULL;
	if (sasl_getprop(sc->conn, SASL_SSF, &v) != SASL_OK || v == NULL)
		return 0;
	return (int)*(const sasl_ssf_t *)v;
}
