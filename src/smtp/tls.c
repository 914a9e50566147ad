/* tls: OpenSSL client sessions over a conn (see tls.h).  Verification is
 * decided after the handshake (SSL_VERIFY_NONE plus our own check of the
 * verify result), so the log can say why a certificate failed and
 * opportunistic TLS can go on while mandatory TLS refuses. */
#include "tls.h"
#include "buf.h"
#include "conn.h"
#include "relayq.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

struct tls_ctx {
	SSL_CTX *ssl;
	bool system_store_due;	/* the system store loads at the first handshake */
	char client_id[256];
};

struct tls {
	SSL *ssl;
	const struct tls_ctx *ctx;
	char summary[256];
};

/* The newest OpenSSL error as text, or fallback. */
static const char *
ssl_reason(const char *fallback)
{
	unsigned long e = ERR_peek_last_error();
	const char *r = e != 0 ? ERR_reason_error_string(e) : NULL;
	ERR_clear_error();
	return r != NULL ? r : fallback;
}

/* Parsing the system's bundle takes some 20 ms, which a queue run with
 * nothing to send, or nothing sent over TLS, need not pay; it is as
 * readable after the privilege drop (/etc/ssl/certs is public). */
static int
load_system_store(struct tls_ctx *t, char *err, size_t errlen)
{
	if (!t->system_store_due)
		return 0;
	if (SSL_CTX_set_default_verify_paths(t->ssl) != 1) {
		snprintf_rq(err, errlen, "cannot load the system trust store: %s",
		    ssl_reason("unknown error"));
		return -1;
	}
	t->system_store_due = false;
	return 0;
}

/* A tls_ca file or directory loads now, while relayqd may still read a
 * file only root can. */
static int
load_ca(SSL_CTX *ssl, const char *ca, char *err, size_t errlen)
{
	FILE *f = fopen(ca, "r");
	bool is_file = f != NULL && fgetc(f) != EOF;
	if (f != NULL)
		fclose(f);
	if (SSL_CTX_load_verify_locations(ssl, is_file ? ca : NULL, is_file ? NULL : ca) == 1)
		return 0;
	snprintf_rq(err, errlen, "tls_ca %s: %s", ca, ssl_reason(strerror(errno)));
	return -1;
}

static void
remember_client_id(struct tls_ctx *t)
{
	X509 *cert = SSL_CTX_get0_certificate(t->ssl);
	X509_NAME *name = cert != NULL ? X509_get_subject_name(cert) : NULL;
	if (name == NULL ||
	    X509_NAME_get_text_by_NID(name, NID_commonName, t->client_id,
	    (int)sizeof t->client_id) < 0)
		t->client_id[0] = '\0';
}

static int
load_client_cert(struct tls_ctx *t, const char *cert, const char *key,
    char *err, size_t errlen)
{
	if (cert[0] == '\0' && key[0] == '\0')
		return 0;
	const char *k = key[0] != '\0' ? key : cert;
	if (cert[0] == '\0') {
		snprintf_rq(err, errlen, "tls_key %s given without tls_cert", key);
		return -1;
	}
	if (SSL_CTX_use_certificate_chain_file(t->ssl, cert) != 1) {
		snprintf_rq(err, errlen, "tls_cert %s: %s", cert, ssl_reason("cannot load"));
		return -1;
	}
	if (SSL_CTX_use_PrivateKey_file(t->ssl, k, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(t->ssl) != 1) {
		snprintf_rq(err, errlen, "tls_key %s: %s", k, ssl_reason("cannot load"));
		return -1;
	}
	remember_client_id(t);
	return 0;
}

int
tls_ctx_new(struct tls_ctx **out, const char *ca, const char *cert, const char *key,
    char *err, size_t errlen)
{
	struct tls_ctx *t = calloc(1, sizeof *t);
	*out = NULL;
	if (t == NULL || (t->ssl = SSL_CTX_new(TLS_client_method())) == NULL) {
		snprintf_rq(err, errlen, "cannot create a TLS context: %s",
		    ssl_reason("out of memory"));
		free(t);
		return -1;
	}
	SSL_CTX_set_verify(t->ssl, SSL_VERIFY_NONE, NULL);
	t->system_store_due = ca[0] == '\0';
	if (SSL_CTX_set_min_proto_version(t->ssl, TLS1_2_VERSION) != 1 ||
	    (ca[0] != '\0' && load_ca(t->ssl, ca, err, errlen) == -1) ||
	    load_client_cert(t, cert, key, err, errlen) == -1) {
		if (err[0] == '\0')
			snprintf_rq(err, errlen, "TLS setup: %s", ssl_reason("failed"));
		tls_ctx_free(t);
		return -1;
	}
	*out = t;
	return 0;
}

void
tls_ctx_free(struct tls_ctx *t)
{
	if (t == NULL)
		return;
	SSL_CTX_free(t->ssl);
	free(t);
}

/* ---- conn_io over SSL ---- */

static ssize_t
io_result(SSL *ssl, int n)
{
	if (n > 0)
		return n;
	switch (SSL_get_error(ssl, n)) {
	case SSL_ERROR_WANT_READ:
		return CONN_WANT_READ;
	case SSL_ERROR_WANT_WRITE:
		return CONN_WANT_WRITE;
	case SSL_ERROR_ZERO_RETURN:
		return 0;
	case SSL_ERROR_SYSCALL:
		if (errno == 0)
			return 0;	/* EOF without close_notify */
		return -1;
	default:
		ERR_clear_error();
		errno = EPROTO;
		return -1;
	}
}

static ssize_t
tls_read(void *ctx, void *p, size_t n)
{
	SSL *ssl = ctx;
	errno = 0;
	return io_result(ssl, SSL_read(ssl, p, n > INT32_MAX ? INT32_MAX : (int)n));
}

static ssize_t
tls_write(void *ctx, const void *p, size_t n)
{
	SSL *ssl = ctx;
	errno = 0;
	return io_result(ssl, SSL_write(ssl, p, n > INT32_MAX ? INT32_MAX : (int)n));
}

static const struct conn_io tls_io = { tls_read, tls_write };

/* ---- handshake and verification ---- */

static int
expect_peer(SSL *ssl, const struct tls_peer *peer)
{
	if (peer->literal) {
		X509_VERIFY_PARAM *vp = SSL_get0_param(ssl);
		return X509_VERIFY_PARAM_set1_ip_asc(vp, peer->host) == 1 ? 0 : -1;
	}
	if (SSL_set_tlsext_host_name(ssl, peer->host) != 1)
		return -1;
	SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	return SSL_set1_host(ssl, peer->host) == 1 ? 0 : -1;
}

static int
handshake(SSL *ssl, struct conn *c, int timeout, char *err, size_t errlen)
{
	long long deadline = conn_deadline(timeout);
	for (;;) {
		ERR_clear_error();
		errno = 0;
		int n = SSL_connect(ssl);
		if (n == 1)
			return 0;
		int e = SSL_get_error(ssl, n);
		int want = e == SSL_ERROR_WANT_READ ? CONN_WANT_READ :
		    e == SSL_ERROR_WANT_WRITE ? CONN_WANT_WRITE : 0;
		if (want == 0) {
			snprintf_rq(err, errlen, "TLS handshake with %s failed: %s",
			    conn_peer(c), e == SSL_ERROR_SYSCALL && errno == 0 ?
			    "connection closed" : e == SSL_ERROR_SYSCALL ?
			    strerror(errno) : ssl_reason("protocol error"));
			return -1;
		}
		if (conn_wait(c, want, deadline) == -1) {
			snprintf_rq(err, errlen, "TLS handshake with %s: %s", conn_peer(c),
			    errno == ETIMEDOUT ? "timeout" : strerror(errno));
			return -1;
		}
	}
}

static void
hex_sha256(X509 *cert, char *out, size_t outlen)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	out[0] = '\0';
	if (X509_digest(cert, EVP_sha256(), md, &len) != 1)
		return;
	for (unsigned i = 0; i < len && 2 * i + 2 < outlen; i++)
		snprintf_rq(out + 2 * i, outlen - 2 * i, "%02x", md[i]);
}

/* "OK", "TRUSTED" (pinned), or "FAIL" with why set. */
static const char *
verify_peer(SSL *ssl, const struct tls_peer *peer, char *why, size_t whylen)
{
	X509 *cert = SSL_get0_peer_certificate(ssl);
	if (cert == NULL) {
		snprintf_rq(why, whylen, "no server certificate");
		return "FAIL";
	}
	if (peer->pin[0] != '\0') {
		char fp[2 * EVP_MAX_MD_SIZE + 1];
		hex_sha256(cert, fp, sizeof fp);
		if (strcmp(fp, peer->pin) == 0)
			return "TRUSTED";
		snprintf_rq(why, whylen, "certificate fingerprint sha256:%s does not match "
		    "tls_fingerprint", fp);
		return "FAIL";
	}
	long v = SSL_get_verify_result(ssl);
	if (v == X509_V_OK)
		return "OK";
	snprintf_rq(why, whylen, "certificate not trusted: %s",
	    X509_verify_cert_error_string(v));
	return "FAIL";
}

static void
summarise(struct tls *t, const char *verify)
{
	int alg = 0;
	int bits = SSL_get_cipher_bits(t->ssl, &alg);
	snprintf_rq(t->summary, sizeof t->summary,
	    "version=%s, verify=%s, cipher=%s, bits=%d/%d", SSL_get_version(t->ssl),
	    verify, SSL_get_cipher_name(t->ssl), bits, alg);
}

int
tls_start(struct tls **out, struct tls_ctx *ctx, struct conn *c,
    const struct tls_peer *peer, int timeout, char *err, size_t errlen)
{
	char why[RELAYQ_ERRLEN];
	*out = NULL;
	if (load_system_store(ctx, err, errlen) == -1)
		return -1;
	struct tls *t = calloc(1, sizeof *t);
	if (t == NULL || (t->ssl = SSL_new(ctx->ssl)) == NULL ||
	    SSL_set_fd(t->ssl, conn_fd(c)) != 1 || expect_peer(t->ssl, peer) == -1) {
		snprintf_rq(err, errlen, "TLS setup for %s: %s", conn_peer(c),
		    ssl_reason("out of memory"));
		tls_free(t);
		return -1;
	}
	t->ctx = ctx;
	if (handshake(t->ssl, c, timeout, err, errlen) == -1) {
		tls_free(t);
		return -1;
	}
	const char *verify = verify_peer(t->ssl, peer, why, sizeof why);
	summarise(t, verify);
	if (strcmp(verify, "FAIL") == 0 && peer->enforce) {
		snprintf_rq(err, errlen, "TLS with %s: %s", conn_peer(c), why);
		tls_free(t);
		return -1;
	}
	conn_set_io(c, &tls_io, t->ssl);
	*out = t;
	return 0;
}

void
tls_free(struct tls *t)
{
	if (t == NULL)
		return;
	SSL_free(t->ssl);
	free(t);
}

const char *tls_library_version(void) { return OpenSSL_version(OPENSSL_VERSION); }
const char *tls_summary(const struct tls *t) { return t->summary; }
const char *tls_client_id(const struct tls *t) { return t->ctx->client_id; }

int
tls_cipher_bits(const struct tls *t)
{
	return SSL_get_cipher_bits(t->ssl, NULL);
}
