/* map_text: loads a makemap source file into an array of records; linear
 * look-ups, fine for the handful of entries an authinfo file holds. */
#include "map_text.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mapsrc.h"

struct rec {
	char *key;
	size_t klen;
	char *val;
	size_t vlen;
	unsigned line;
};

struct maptext {
	struct rec *recs;
	size_t n, cap;
};

static char *
memdup0(const char *p, size_t n)
{
	char *s = malloc(n + 1);

	if (s != NULL) {
		memcpy(s, p, n);
		s[n] = '\0';
	}
	return s;
}

static int
add_rec(struct maptext *t, const struct mapsrc_rec *r)
{
	bool found;
	const char *v;
	size_t vl;
	unsigned line;

	maptext_get(t, r->key, r->klen, &v, &vl, &line, &found);
	if (found)
		return 0;	/* first value kept, like makemap */
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct rec *nr = realloc(t->recs, cap * sizeof *nr);
		if (nr == NULL)
			return -1;
		t->recs = nr;
		t->cap = cap;
	}
	struct rec *e = &t->recs[t->n];
	e->key = memdup0(r->key, r->klen);
	e->val = memdup0(r->val, r->vlen);
	if (e->key == NULL || e->val == NULL) {
		free(e->key);
		free(e->val);
		return -1;
	}
	e->klen = r->klen;
	e->vlen = r->vlen;
	e->line = r->lineno;
	t->n++;
	return 0;
}

int
maptext_load(struct maptext **tp, FILE *fp, const char *file, bool nofold,
    char *err, size_t errlen)
{
	struct mapsrc src;
	struct mapsrc_rec r;
	char msg[256];
	int rc;

	*tp = calloc(1, sizeof **tp);
	if (*tp == NULL) {
		snprintf_rq(err, errlen, "%s: out of memory", file);
		return -1;
	}
	mapsrc_init(&src, fp);
	src.fold = !nofold;
	src.secret = true;
	while ((rc = mapsrc_next(&src, &r, msg, sizeof msg)) == 1) {
		if (add_rec(*tp, &r) < 0) {
			snprintf_rq(msg, sizeof msg, "out of memory");
			rc = -1;
			break;
		}
	}
	explicit_bzero(src.line, sizeof src.line);
	if (rc == 0)
		return 0;
	snprintf_rq(err, errlen, "%s:%u: %s", file, src.lineno, msg);
	maptext_free(*tp);
	*tp = NULL;
	return -1;
}

void
maptext_get(const struct maptext *t, const char *key, size_t klen,
    const char **val, size_t *vlen, unsigned *line, bool *found)
{
	*found = false;
	for (size_t i = 0; i < t->n; i++) {
		if (t->recs[i].klen == klen &&
		    memcmp(t->recs[i].key, key, klen) == 0) {
			*val = t->recs[i].val;
			*vlen = t->recs[i].vlen;
			*line = t->recs[i].line;
			*found = true;
			return;
		}
	}
}

int
maptext_iterate(const struct maptext *t, map_iter_fn fn, void *arg)
{
	for (size_t i = 0; i < t->n; i++) {
		int r = fn(arg, t->recs[i].key, t->recs[i].klen,
		    t->recs[i].val, t->recs[i].vlen);
		if (r != 0)
			return r;
	}
	return 0;
}

void
maptext_free(struct maptext *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->n; i++) {
		free(t->recs[i].key);
		explicit_bzero(t->recs[i].val, t->recs[i].vlen);
		free(t->recs[i].val);
	}
	free(t->recs);
	free(t);
}
