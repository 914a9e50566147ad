/* login: the credentials relayq-setup verifies and writes, rendered as
 * the value of an AuthInfo entry ("U:alice" "I:alice" "P:secret"), the
 * form relayqd reads back through the same parser. */
#ifndef RELAYQ_SETUP_LOGIN_H
#define RELAYQ_SETUP_LOGIN_H

#include <limits.h>
#include <stdbool.h>

#include "buf.h"

struct login {
	char user[256];		/* U: and I: */
	char *password;		/* malloc'd; NULL = none given */
	/* --oauth2: the token file ("" = a password login) and the
	 * mechanism; the entry is then "U:user" "O:file" "M:mech". */
	char oauth2_file[PATH_MAX];
	char mech[16];
	char *access_token;	/* malloc'd; the one to verify the login
				   with (never written by login_value) */
};

/* Is there a credential to log in with and write (a password or a token
 * file)? */
bool login_given(const struct login *l);

/* Renders the AuthInfo value into out (a secret: free it with
 * buf_free_secret); with a token file, "U:user" "O:file" "M:mech", no
 * secret in it.  `redact`: "P:***" instead of the password.  Each of
 * user and password goes literally ("U:alice") when it is printable
 * ASCII without '"' or '\\' and without a blank at either end, else in
 * base64 ("P=..."): there are no escapes, so only then does the value
 * come back from authinfo_parse byte for byte.  0 / -1. */
int login_value(const struct login *l, bool redact, struct buf *out);

/* Can l be written as the AuthInfo entry for host (the key after
 * "AuthInfo:", "host" or "host/sender")?  Not with an empty
 * password, nor when the line would not fit makemap's 1024-byte line
 * buffer.  0, or -1 with err (never the password). */
int login_check(const struct login *l, const char *host, char *err,
    size_t errlen);

/* Wipes and frees the password and the access token. */
void login_clear(struct login *l);

#endif
