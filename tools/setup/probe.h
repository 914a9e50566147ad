/* probe: checks a candidate for real before anything is written — the
 * same SMTP, TLS and SASL code relayqd delivers with: connect, EHLO,
 * STARTTLS or implicit TLS with the certificate verified against the
 * host name, the AUTH list, and (with a password) a login.  Also sends
 * the --test message. */
#ifndef RELAYQ_SETUP_PROBE_H
#define RELAYQ_SETUP_PROBE_H

#include "candidate.h"
#include "login.h"
#include "net.h"

struct tls_ctx;

struct probe_env {
	const struct net *net;
	struct tls_ctx *tls;
	const char *helo;		/* our host name for EHLO */
	const char *sender;		/* --add-sender: the entry is keyed
					   AuthInfo:<host>/<sender>; else NULL */
};

/* TLS and the AUTH list: sets verdict (V_OK, V_UNREACHABLE, V_TLS_FAILED,
 * V_UNSAFE, V_NO_AUTH), tls_info, offered and why. */
void probe_tls(const struct probe_env *e, struct candidate *c);

/* Logs in (after probe_tls said V_OK): V_OK with mech, V_AUTH_FAILED
 * when the server refused, V_LOCAL_ERROR when l cannot be used or
 * written here (nothing sent), or another verdict, with why. */
void probe_login(const struct probe_env *e, struct candidate *c,
    const struct login *l);

/* Sends a short test message from and to email through c (logged in as
 * l when login_given(l)).  0 with the server's reply in result, or -1
 * with the reason. */
int probe_send_test(const struct probe_env *e, const struct candidate *c,
    const struct login *l, const char *email, char *result, size_t size);

#endif
