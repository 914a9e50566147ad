/* map: sendmail-compatible key/value maps named "type:path" (hash, btree
 * via Berkeley DB; text = a makemap source file), read side and writer. */
#ifndef RELAYQ_MAP_H
#define RELAYQ_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct buf;
struct map;		/* opaque; map_open's result belongs to the caller */
struct map_writer;	/* opaque; ended by map_writer_commit or _abort */

#include "map_type.h"

/* map_open flags (sendmail K-line equivalents in brackets). */
#define MAP_F_NOFOLD	0x01	/* keep key case [-f] */
#define MAP_F_NUL	0x02	/* keys stored with a trailing NUL only [-N] */
#define MAP_F_NONUL	0x04	/* keys stored without NUL only [-O] */
#define MAP_F_SAFE	0x08	/* safefile rules: owner, modes, directories */
#define MAP_F_SECRET	0x18	/* MAP_F_SAFE and not readable by others */

/* Parses "hash:/etc/mail/authinfo" into type and the file actually used
 * ("/etc/mail/authinfo.db"; a name already ending in ".db" is kept, as
 * makemap does).  A spec without "type:" is taken as hash.  0 / -1. */
int map_parse_spec(const char *spec, enum map_type *type, char *file,
    size_t filelen, char *err, size_t errlen);
/* Appends ".db" for hash/btree unless mapname already ends in ".db". */
int map_file_name(enum map_type type, const char *mapname, char *file,
    size_t filelen);

/* Opens read-only.  Berkeley DB maps use DB_RDONLY without an
 * environment, so no lock is ever held against a writer; the file is
 * opened O_NOFOLLOW, checked with fstat (MAP_F_SAFE) and must be the same
 * inode Berkeley DB opened.  trusted_uid is allowed to own the file
 * besides root ((uid_t)-1: root only).  0 / -1 with err. */
int map_open(struct map **mp, const char *spec, int flags, uid_t trusted_uid,
    char *err, size_t errlen);
int map_open_type(struct map **mp, enum map_type type, const char *file,
    int flags, uid_t trusted_uid, char *err, size_t errlen);

/* Looks key up the way sendmail does: lowercased unless MAP_F_NOFOLD,
 * tried without and then with a trailing NUL (unless MAP_F_NUL/NONUL).
 * On a hit the value (minus a trailing NUL) replaces val's contents;
 * values may be secrets: free val with buf_free_secret.  0 / -1. */
int map_lookup(struct map *m, const char *key, struct buf *val, bool *found,
    char *err, size_t errlen);

/* Calls fn for every record in storage order, raw bytes (NULs kept).
 * A non-zero return from fn stops the walk and is returned. */
typedef int (*map_iter_fn)(void *arg, const char *key, size_t klen,
    const char *val, size_t vlen);
int map_iterate(struct map *m, map_iter_fn fn, void *arg, char *err,
    size_t errlen);

const char *map_file(const struct map *m);
/* The source line of the record the last successful map_lookup found:
 * > 0 for text maps, 0 for Berkeley DB maps (no lines). */
unsigned map_hit_line(const struct map *m);
void map_close(struct map *m);		/* NULL-safe */

/* Writer options.  A new map is built in a temporary file next to the
 * target, fsync'd and renamed over it, so readers never see half a map. */
#define MAP_W_NUL	0x01	/* store key and value with a NUL [-N] */
#define MAP_W_NOFOLD	0x02	/* keep key case [-f] */
#define MAP_W_DUP	0x04	/* allow duplicate keys (DB_DUP) [-d] */
#define MAP_W_REPLACE	0x08	/* a repeated key replaces [-r] */
#define MAP_W_APPEND	0x10	/* start from the existing map [-o] */
#define MAP_W_UNSAFE	0x20	/* skip the path safety checks [-s] */
#define MAP_W_PRIVATE	0x40	/* secrets: a mode that is not
				   safefile_mode_private becomes 0600 */

struct map_wopts {
	int flags;
	size_t cachesize;	/* 0: 1 MiB like makemap */
	uid_t new_owner;	/* owner of a new map; (uid_t)-1: the caller */
	uid_t trusted_uid;	/* may own directories on the path besides root */
};

int map_writer_open(struct map_writer **wp, enum map_type type,
    const char *file, const struct map_wopts *o, char *err, size_t errlen);
/* 0 stored; 1 duplicate key (not stored, first value kept); -1 error. */
int map_writer_put(struct map_writer *w, const char *key, size_t klen,
    const char *val, size_t vlen, char *err, size_t errlen);
/* Syncs, keeps the old map's owner/group/mode (new: 0640; with
 * MAP_W_PRIVATE 0600 instead of a mode others could read), renames into
 * place and syncs the directory.  Frees w in every case.  0 / -1. */
int map_writer_commit(struct map_writer *w, char *err, size_t errlen);
void map_writer_abort(struct map_writer *w);	/* removes the temp file */

#endif
