/* map_type: the names of the map types, as makemap and sendmail spell them
 * ("hash", "btree", "text"), shared by map.c and the backends. */
#include "map_type.h"

#include <stddef.h>
#include <string.h>

static const char *const type_names[] = { "hash", "btree", "text" };

const char *
map_type_name(enum map_type type)
{
	return type_names[type];
}

int
map_type_from_name(const char *name, enum map_type *type)
{
	for (size_t i = 0; i < sizeof type_names / sizeof type_names[0]; i++) {
		if (strcmp(name, type_names[i]) == 0) {
			*type = (enum map_type)i;
			return 0;
		}
	}
	return -1;
}
