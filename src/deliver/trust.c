/* trust: pre-privilege-drop setup of TLS, SASL and the authinfo map; the
 * look-ups in the map are creds.c's. */
#include "trust.h"
#include "creds.h"
#include "buf.h"
#include "harden.h"
#include "log.h"
#include "map.h"
#include "sasl.h"
#include "tls.h"

#include <errno.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

/* Besides root, the relayq user may own the map (it runs relayqd). */
static uid_t
map_owner(void)
{
	struct passwd *pw = getpwnam(RELAYQ_USER);
	if (pw != NULL)
		return pw->pw_uid;
	return geteuid() != 0 ? geteuid() : (uid_t)-1;
}

static void
fail(struct trust *t, const char *why)
{
	strlcpy_rq(t->error, why, sizeof t->error);
	log_err("%s; mail stays queued", why);
}

void
trust_init(struct trust *t, const struct conf *c)
{
	char err[RELAYQ_ERRLEN];
	memset(t, 0, sizeof *t);
	t->c = c;
	harden_no_core_dumps();
	/* A sender_relay entry may ask for TLS where relayq.conf says none. */
	if ((conf_tls_mode(c) != TLS_NONE || c->sender_relay[0] != '\0') &&
	    tls_ctx_new(&t->tls, c->tls_ca, c->tls_cert, c->tls_key, err, sizeof err) == -1) {
		fail(t, err);
		return;
	}
	if (conf_auth_mode(c) == AUTH_NONE)
		return;
	if (saslc_global_init(err, sizeof err) == -1) {
		fail(t, err);
		return;
	}
	if (map_open(&t->authinfo, c->authinfo, MAP_F_SECRET, map_owner(), err, sizeof err) == -1) {
		/* The details once, in the log; messages carry only a pointer to it. */
		log_err("authinfo %s: %s", c->authinfo, err);
		fail(t, CREDS_UNUSABLE_TEXT);
	}
}

void
trust_free(struct trust *t)
{
	map_close(t->authinfo);
	tls_ctx_free(t->tls);
	if (conf_auth_mode(t->c) != AUTH_NONE)
		saslc_global_done();
	memset(t, 0, sizeof *t);
}
