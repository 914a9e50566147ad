/* signin: the OAuth 2.0 Device Authorization Grant (RFC 8628) over
 * HTTPS — asks the device endpoint for a code, tells the user where to
 * enter it, and polls the token endpoint by oauth2.c's rules until the
 * user approves, declines, or the code expires. */
#ifndef RELAYQ_SETUP_SIGNIN_H
#define RELAYQ_SETUP_SIGNIN_H

#include <stddef.h>

#include "net.h"
#include "oauth2.h"

/* Waiting and the clock, replaceable for tests. */
struct signin_clock {
	long long (*now)(void);
	void (*sleep)(long long seconds);
};

/* Signs in; the instructions go to stdout.  0 with the tokens in t
 * (oauth2_tokens_clear them), or -1 with err. */
int oauth2_sign_in(const struct net *n, const struct oauth2_settings *s,
    const struct signin_clock *clock, struct oauth2_tokens *t, char *err,
    size_t errlen);

/* The real clock: time(NULL) and sleep(). */
extern const struct signin_clock signin_real_clock;

#endif
