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
	unsigned lineno;
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
/* 1: a record; 0: end of input; -1: a bad line, msg holds makemap's text
 * ("line 3: no RHS for LHS foo"), keep calling; -2: read error. */
int mapsrc_next(struct mapsrc *s, struct mapsrc_rec *r, char *msg,
    size_t msglen);

#endif
