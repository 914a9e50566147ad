/* tokenstore: the OAuth2 token state file (tokenfile.h's format)
 * relayq-setup --oauth2 writes and relayq-oauth2-refresh keeps up to
 * date.  One file per
 * account, named after it, mode 0600 and owned by relayq (root when
 * there is no such user) in a 0700 directory of the same owner; written
 * under a temporary name, fsync'd, renamed, the directory fsync'd. */
#ifndef RELAYQ_SETUP_TOKENSTORE_H
#define RELAYQ_SETUP_TOKENSTORE_H

#include <stddef.h>

#include "tokenfile.h"

#define TOKEN_DIR_DEFAULT TOKENFILE_DIR_DEFAULT
#define TOKEN_OWNER "relayq"

struct token_record {
	const char *user, *token_endpoint, *client_id, *scope;
	const char *refresh_token, *access_token;	/* secrets */
	long long expires;
	const char *ca_file;		/* "" or NULL: not written */
};

/* dir/user into out: 0, or -1 with err when user cannot be a file name
 * or the path could not go into an authinfo "O:" item. */
int token_path(const char *dir, const char *user, char *out, size_t size,
    char *err, size_t errlen);

/* Writes r as the file path (its directory made 0700 when missing).
 * 0, or -1 with err (never a token). */
int token_store(const char *path, const struct token_record *r, char *err,
    size_t errlen);

#endif
