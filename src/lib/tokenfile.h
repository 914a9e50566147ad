/* tokenfile: an OAuth2 token state file, the secret behind an authinfo
 * entry's "O:/path" item.  Written by relayq-setup --oauth2 (sign-in) and
 * relayq-oauth2-refresh (refresh), read by relayqd before a session.
 *
 * Format: text, one "key value" per line (the value is the rest of the
 * line after the first run of blanks, trailing blanks dropped, so scope
 * may hold blanks), '#' comments and blank lines ignored.  Keys:
 *   token_endpoint  https URL of the token endpoint (RFC 6749 §3.2)
 *   client_id       the OAuth2 client
 *   client_secret   optional (public clients have none)
 *   scope           optional, space separated
 *   user            the mailbox, for messages ("run relayq-setup
 *                   --oauth2 USER again")
 *   ca_file         optional: PEM trust store for the token endpoint
 *                   (tests; default: the system's)
 *   refresh_token   the long-lived grant
 *   access_token    the bearer token SMTP AUTH sends
 *   expires         Unix time the access token expires at
 * A known key twice is an error; unknown keys ("key value", lower-case
 * [a-z0-9_]) are kept verbatim and written back in order, comments are
 * not.  No value may hold a control character other than a tab.
 *
 * Safety: the file is read only when it is a regular file (no symlink)
 * owned by the reading user, mode 0600 or stricter, in a directory that
 * nobody else may write; it is always written whole (temporary file,
 * fsync, rename, directory fsync) mode 0600 as the writing user.  Errors
 * name the file and a line, never a value.  The struct owns its strings;
 * tokenfile_free wipes them. */
#ifndef RELAYQ_TOKENFILE_H
#define RELAYQ_TOKENFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "buf.h"

#define TOKENFILE_DIR_DEFAULT	"/var/lib/relayq/oauth2"
#define TOKENFILE_MAX		65536	/* bytes, the whole file */
#define TOKENFILE_LINE_MAX	16384	/* bytes, one line */
#define TOKENFILE_MARGIN	300	/* s: refresh when it expires sooner */

struct tokenfile {
	char *token_endpoint;
	char *client_id;
	char *client_secret;
	char *scope;
	char *user;
	char *ca_file;
	char *refresh_token;
	char *access_token;
	long long expires;	/* 0: unknown */
	struct buf extra;	/* unknown lines, each ending in "\n" */
};

/* Parses text (len bytes, need not be NUL-terminated) into tf (filled
 * from empty).  name only labels err ("NAME:LINE: reason").  0 / -1. */
int tokenfile_parse(const char *text, size_t len, const char *name, struct tokenfile *tf,
    char *err, size_t errlen);

/* The file's text into out (appended).  -1 when a value holds a line
 * break or another control character (or out of memory). */
int tokenfile_format(const struct tokenfile *tf, struct buf *out);

/* Reads and parses path after the safety checks above.  0 / -1 (err). */
int tokenfile_read(const char *path, struct tokenfile *tf, char *err, size_t errlen);

/* Replaces path atomically with tf's text, mode 0600.  0 / -1 (err). */
int tokenfile_write(const char *path, const struct tokenfile *tf, char *err,
    size_t errlen);

/* Sets *field to a copy of value (NULL clears it), wiping the old one.
 * 0 / -1 (out of memory). */
int tokenfile_set(char **field, const char *value);

/* An access token that is still good for margin seconds after now? */
bool tokenfile_fresh(const struct tokenfile *tf, time_t now, long margin);

void tokenfile_free(struct tokenfile *tf);	/* NULL-safe, wipes */

#endif
