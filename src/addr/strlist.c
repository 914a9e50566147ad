/* strlist: a list of strings without case-insensitive duplicates. */
#include "strlist.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool
strlist_has(const struct strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcasecmp(l->v[i], s) == 0)
			return true;
	return false;
}

int
strlist_add_unique(struct strlist *l, const char *s)
{
	if (strlist_has(l, s))
		return 0;
	char **v = realloc(l->v, (l->n + 1) * sizeof *v);
	if (v == NULL)
		return -1;
	l->v = v;
	if ((l->v[l->n] = strdup(s)) == NULL)
		return -1;
	l->n++;
	return 0;
}

void
strlist_free(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
