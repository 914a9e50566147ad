/* trust: pre-privilege-drop setup of TLS, SASL and the authinfo map, and
 * the credentials callback the SMTP client calls per session. */
#include "trust.h"
#include "buf.h"
#include "authinfo.h"
#include "harden.h"
#include "log.h"
#include "map.h"
#include "sasl.h"
#include "tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pwd.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
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
	if (conf_tls_mode(c) != TLS_NONE &&
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
		char why[RELAYQ_ERRLEN];
		snprintf_rq(why, sizeof why, "authinfo %s: %s", c->authinfo, err);
		fail(t, why);
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

/* smtp_creds_fn: the entry for the configured name, the address we
 * reached, or the default entry — sendmail's order. */
static int
lookup_creds(void *arg, const char *addr, struct authinfo *ai, bool *found,
    char *err, size_t errlen)
{
	struct trust *t = arg;
	char matched[300], why[RELAYQ_ERRLEN];
	char name[300];
	snprintf_rq(name, sizeof name, t->c->smarthost_literal ? "[%s]" : "%s",
	    t->c->smarthost);
	if (authinfo_lookup(t->authinfo, name, addr, ai, found, matched, sizeof matched,
	    why, sizeof why) == -1) {
		snprintf_rq(err, errlen, "authinfo %s: %s", t->c->authinfo, why);
		log_err("%s", err);
		return -1;
	}
	return 0;
}

static enum smtp_tls
smtp_tls_mode(enum conf_tls mode)
{
	switch (mode) {
	case TLS_NONE: return SMTP_TLS_NONE;
	case TLS_STARTTLS: return SMTP_TLS_STARTTLS;
	case TLS_SMTPS: return SMTP_TLS_SMTPS;
	default: return SMTP_TLS_MAY;
	}
}

void
trust_smtp_opts(struct trust *t, struct smtp_opts *o)
{
	unsigned char a[16];
	o->host_literal = inet_pton(AF_INET, t->c->smarthost, a) == 1 ||
	    inet_pton(AF_INET6, t->c->smarthost, a) == 1;
	o->tls = smtp_tls_mode(conf_tls_mode(t->c));
	o->tls_ctx = t->tls;
	o->tls_pin = t->c->tls_fingerprint;
	o->creds = t->authinfo != NULL ? lookup_creds : NULL;
	o->creds_arg = t;
	o->auth_required = conf_auth_mode(t->c) == AUTH_REQUIRED;
}
