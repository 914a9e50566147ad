/* strlist: recipients and alias names, collected once each (compared
 * case-insensitively).  Ownership: the list owns its copies;
 * strlist_free leaves an empty list. */
#ifndef RELAYQ_STRLIST_H
#define RELAYQ_STRLIST_H

#include <stdbool.h>
#include <stddef.h>

struct strlist {
	char **v;
	size_t n;
};

/* Adds a copy of s unless present.  0, or -1 when out of memory. */
int  strlist_add_unique(struct strlist *l, const char *s);
bool strlist_has(const struct strlist *l, const char *s);
void strlist_free(struct strlist *l);

#endif
