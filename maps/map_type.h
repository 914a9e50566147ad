/* map_type: which kind of map a file is, and its name.  map.c and the
 * backends include this, never each other the other way round. */
#ifndef RELAYQ_MAP_TYPE_H
#define RELAYQ_MAP_TYPE_H

enum map_type { MAP_HASH, MAP_BTREE, MAP_TEXT };

/* "hash", "btree", "text". */
const char *map_type_name(enum map_type type);
/* 0 with *type, or -1 for an unknown name. */
int map_type_from_name(const char *name, enum map_type *type);

#endif
