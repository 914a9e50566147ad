/* tls: the client side of TLS (OpenSSL) over a conn, for STARTTLS and
 * implicit TLS.  The only file of relayq that includes OpenSSL: the rest
 * sees opaque handles and strings.
 *
 * A tls_ctx holds what is loaded once, before relayqd drops privileges:
 * the trust store (system default or tls_ca) and an optional client
 * certificate.  A tls session wraps one connection; once started, the
 * conn reads and writes through it (conn_set_io). */
#ifndef RELAYQ_TLS_H
#define RELAYQ_TLS_H

#include <stdbool.h>
#include <stddef.h>

struct conn;
struct tls_ctx;
struct tls;

/* ca: a PEM file or a hashed directory, loaded now ("" = the system
 * store, loaded at the first tls_start); cert/key: client certificate
 * chain and key ("" = none).  TLS >= 1.2.  0, or -1 with err naming the
 * file and OpenSSL's reason. */
int  tls_ctx_new(struct tls_ctx **out, const char *ca, const char *cert,
    const char *key, char *err, size_t errlen);
void tls_ctx_free(struct tls_ctx *ctx);		/* NULL-safe */

/* What the server's certificate must satisfy. */
struct tls_peer {
	const char *host;	/* configured smarthost: checked against
				   the certificate, sent as SNI if a name */
	bool literal;		/* host is an IP address */
	const char *pin;	/* "" or 64 lowercase hex digits: SHA-256 of
				   the certificate (DER); replaces the chain
				   and name checks */
	bool enforce;		/* false: log a failed check, go on
				   (opportunistic TLS) */
};

/* Handshakes on c within timeout seconds and, on success, switches c's
 * I/O to TLS.  Fails (-1, err says why: handshake error, "certificate
 * not trusted: <reason>", "fingerprint mismatch") without touching c's
 * I/O; the caller must then drop the connection. */
int  tls_start(struct tls **out, struct tls_ctx *ctx, struct conn *c,
    const struct tls_peer *peer, int timeout, char *err, size_t errlen);
void tls_free(struct tls *t);			/* NULL-safe */

/* "version=TLSv1.3, verify=OK, cipher=TLS_AES_256_GCM_SHA384,
 * bits=256/256", sendmail's STARTTLS= log fields. */
const char *tls_summary(const struct tls *t);
/* Symmetric cipher strength in bits (SASL's external SSF). */
int tls_cipher_bits(const struct tls *t);
/* The subject CN of our own client certificate, "" if none (SASL
 * EXTERNAL's authentication id). */
const char *tls_client_id(const struct tls *t);

/* The OpenSSL this program runs with ("OpenSSL 3.0.19 27 Jan 2026"). */
const char *tls_library_version(void);

#endif
