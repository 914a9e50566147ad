/* map_text: text: maps -- a makemap source file read into memory, so a
 * map can be used (or checked) without building a .db first.  Internal. */
#ifndef RELAYQ_MAP_TEXT_H
#define RELAYQ_MAP_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "map.h"

struct maptext;

/* Parses fp (makemap rules, keys folded unless nofold).  A line makemap
 * would reject fails the open with "FILE:N: reason"; the file holds
 * credentials, so the reason never quotes the line.  A repeated key
 * keeps the first value, as makemap does.  0 / -1. */
int maptext_load(struct maptext **tp, FILE *fp, const char *file,
    bool nofold, char *err, size_t errlen);
/* Exact match on the (already folded) key; *val stays owned by t, *line
 * is the record's line in the file. */
void maptext_get(const struct maptext *t, const char *key, size_t klen,
    const char **val, size_t *vlen, unsigned *line, bool *found);
int maptext_iterate(const struct maptext *t, map_iter_fn fn, void *arg);
void maptext_free(struct maptext *t);	/* wipes values; NULL-safe */

#endif
