/* login: the credentials relayq-setup verifies and writes, rendered as
 * the value of an AuthInfo entry ("U:alice" "I:alice" "P:secret"), the
 * form relayqd reads back through the same parser. */
#ifndef RELAYQ_SETUP_LOGIN_H
#define RELAYQ_SETUP_LOGIN_H

#include <stdbool.h>

#include "buf.h"

struct login {
	char user[256];		/* U: and I: */
	char *password;		/* malloc'd; NULL = none given */
};

/* Renders the AuthInfo value into out (a secret: free it with
 * buf_free_secret).  `redact`: "P:***" instead of the password.  The
 * password goes as P: when it is plain printable text without '"', as
 * P= (base64) otherwise.  0 / -1. */
int login_value(const struct login *l, bool redact, struct buf *out);

/* Wipes and frees the password. */
void login_clear(struct login *l);

#endif
