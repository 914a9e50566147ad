/* sasl: SASL client exchanges through Cyrus libsasl2, the only file of
 * relayq that includes it.  The SMTP side sees base64 strings in and out
 * (RFC 4954 §4), so it never handles raw mechanism data.
 *
 * Security properties: NOANONYMOUS always, NOPLAINTEXT always (libsasl2
 * lifts it only when the external SSF — the TLS cipher bits — is above
 * 1, so PLAIN and LOGIN are possible only inside TLS), and max_ssf 0: a
 * SASL security layer is never negotiated; TLS protects the session. */
#ifndef RELAYQ_SASL_H
#define RELAYQ_SASL_H

#include <stdbool.h>
#include <stddef.h>

struct authinfo;
struct saslc;

/* Once per process, before privileges are dropped (loads the plugins).
 * 0, or -1 with err. */
int  saslc_global_init(char *err, size_t errlen);
void saslc_global_done(void);

/* For --version: libsasl2's name and version ("Cyrus SASL 2.1.28"), and
 * the client mechanisms its installed plugins offer, space separated (may
 * be truncated to outlen; initialises libsasl2).  0, or -1 with err. */
void saslc_library_version(char *out, size_t outlen);
int  saslc_mechanisms(char *out, size_t outlen, char *err, size_t errlen);

struct saslc_params {
	const struct authinfo *ai;	/* credentials; must outlive the saslc */
	const char *host;		/* smarthost name (DIGEST-MD5 digest-uri) */
	const char *local_ipport;	/* "addr;port", may be NULL */
	const char *remote_ipport;
	int ext_ssf;			/* TLS cipher bits, 0 without TLS */
	const char *ext_id;		/* TLS client identity, "" = none */
};

/* 0, or -1 with err. */
int  saslc_new(struct saslc **out, const struct saslc_params *p, char *err,
    size_t errlen);
void saslc_free(struct saslc *sc);	/* wipes our copy of the secret */

enum saslc_status {
	SASLC_FAIL = -1,	/* local failure: cancel with "*"; saslc_error */
	SASLC_OK = 0,		/* finished on our side */
	SASLC_CONTINUE = 1	/* more steps expected */
};

/* Chooses the strongest of mechs (space separated) that libsasl2 offers
 * under the security properties.  *mech: the chosen name.  *ir: base64
 * initial response, "=" for an empty one, NULL when the mechanism has none.
 * Both stay valid until the next call. */
enum saslc_status saslc_start(struct saslc *sc, const char *mechs,
    const char **mech, const char **ir);

/* Feeds the base64 text of a 334 challenge; *resp: the base64 answer
 * ("" = empty line).  Invalid base64 from the server is SASLC_FAIL.
 * DIGEST-MD5 answers with the authinfo R: realm whenever the entry has
 * one, whatever realms the server offers; without R:, the server's. */
enum saslc_status saslc_step(struct saslc *sc, const char *challenge,
    const char **resp);

/* Whether the mechanism considers the exchange complete (mutual auth
 * verified); a 235 before that is a server that skipped a step. */
bool saslc_done(const struct saslc *sc);
/* Negotiated security layer strength: always 0 with max_ssf 0. */
int  saslc_ssf(const struct saslc *sc);
/* Why the last call failed (libsasl2's detail, never a credential). */
const char *saslc_error(const struct saslc *sc);

#endif
