/* mapsrc: reads makemap source text ("key<blanks>value" lines) with
 * sendmail makemap's exact rules; used by relayq-makemap and text: maps. */
#ifndef RELAYQ_MAPSRC_H
#define RELAYQ_MAPSRC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define MAPSRC_LINE 1024	/* makemap's BUFSIZE line buffer */

struct mapsrc {
	FILE *fp;		/* not owned */
	char sep;		/* '\0': first run of blanks splits (-t) */
	char comment;		/* comment char in column 1 (-D), '#' */
	bool allow_empty;	/* -e */
	bool fold;		/* lowercase keys (not -f) */
	bool secret;		/* a credential file: never quote a key */
	unsigned lineno;	/* of the record or the bad line */
	char line[MAPSRC_LINE];
};

struct mapsrc_rec {
	char *key;		/* into src->line, valid until the next call */
	size_t klen;
	char *val;
	size_t vlen;
	unsigned lineno;
};

void mapsrc_init(struct mapsrc *s, FILE *fp);
/* 1: a record; 0: end of input; -1: a bad line, keep calling; -2: read
 * error.  On -1/-2 msg holds the reason without the line number (which is
 * s->lineno), makemap's text: "no RHS for LHS foo".  A message never
 * holds a byte of the line unless the key is mapsrc_key_showable and
 * s->secret is false: a key may be a value run into it by a typo. */
int mapsrc_next(struct mapsrc *s, struct mapsrc_rec *r, char *msg,
    size_t msglen);

/* A plain key: 1 to 100 bytes of printable ASCII without blanks, quotes
 * or backslashes (a typo that runs a value into the key gives one). */
bool mapsrc_key_plain(const char *key, size_t klen);
/* An AuthInfo key ("authinfo:" in any case): it belongs to a credential. */
bool mapsrc_key_authinfo(const char *key, size_t klen);
/* May an error message quote this key?  Plain and not AuthInfo. */
bool mapsrc_key_showable(const char *key, size_t klen);

#endif
