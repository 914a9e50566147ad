/* map_db: the Berkeley DB 5.3 backend of map.c (the only <db.h> user).
 * Raw bytes in and out: key folding and NUL conventions live in map.c. */
#ifndef RELAYQ_MAP_DB_H
#define RELAYQ_MAP_DB_H

#include <stdbool.h>
#include <stddef.h>

#include "map.h"

struct mapdb;

/* The Berkeley DB this program runs with, for --version. */
const char *mapdb_version(void);

/* Read-only open of file; it must be the inode behind fd (checked with
 * fstat on both), so a swap between safety check and open is caught. */
int mapdb_open_read(struct mapdb **dp, enum map_type type, const char *file,
    int fd, char *err, size_t errlen);
/* *val points into Berkeley DB memory, valid until the next call. */
int mapdb_get(struct mapdb *d, const void *key, size_t klen, const void **val,
    size_t *vlen, bool *found, char *err, size_t errlen);
int mapdb_iterate(struct mapdb *d, map_iter_fn fn, void *arg, char *err,
    size_t errlen);

/* Opens (creating if empty) file for writing. */
int mapdb_open_write(struct mapdb **dp, enum map_type type, const char *file,
    bool dup, size_t cachesize, char *err, size_t errlen);
/* 0 stored, 1 key exists (only when !replace and !dup), -1 error. */
int mapdb_put(struct mapdb *d, const void *key, size_t klen, const void *val,
    size_t vlen, bool replace, char *err, size_t errlen);
/* Flushes and closes; frees d.  0 / -1. */
int mapdb_close(struct mapdb *d, char *err, size_t errlen);

#endif
