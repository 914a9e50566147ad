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
 * would reject fails the open with "file: line N: ...".  A repeated key
 * keeps the first value, as makemap does.  0 / -1. */
int maptext_load(struct maptext **tp, FILE *fp, const char *file,
    bool nofold, char *err, size_t errlen);
/* Exact match on the (already folded) key; *val stays owned by t. */
void maptext_get(const struct maptext *t, const char *key, size_t klen,
    const char **val, size_t *vlen, bool *found);
int maptext_iterate(const struct maptext *t, map_iter_fn fn, void *arg);
void maptext_free(struct maptext *t);	/* wipes values; NULL-safe */

#endif
