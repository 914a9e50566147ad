/* aliases: parse `name: target, target` lines (with continuation lines
 * and # comments) and expand unqualified recipients through them. */
#include "aliases.h"
#include "buf.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_DEPTH 10

struct alias {
	char *name;
	char *targets;		/* "a@b, c" as written */
};

struct aliases {
	struct alias *v;
	size_t n;
};

size_t
aliases_count(const struct aliases *a)
{
	return a != NULL ? a->n : 0;
}

void
aliases_free(struct aliases *a)
{
	if (a == NULL)
		return;
	for (size_t i = 0; i < a->n; i++) {
		free(a->v[i].name);
		free(a->v[i].targets);
	}
	free(a->v);
	free(a);
}

static int
add_alias(struct aliases *a, const char *line, char *why, size_t whylen)
{
	const char *colon = strchr(line, ':');
	if (colon == NULL || colon == line) {
		snprintf_rq(why, whylen, "expected \"name: address, ...\"");
		return -1;
	}
	size_t nlen = (size_t)(colon - line);
	while (nlen > 0 && isspace((unsigned char)line[nlen - 1]))
		nlen--;
	struct alias *v = realloc(a->v, (a->n + 1) * sizeof *v);
	if (v == NULL)
		return -1;
	a->v = v;
	struct alias *al = &a->v[a->n];
	al->name = strndup(line, nlen);
	al->targets = strdup(colon + 1);
	if (al->name == NULL || al->targets == NULL) {
		free(al->name);
		free(al->targets);
		return -1;
	}
	a->n++;
	return 0;
}

/* Joins continuation lines, then stores each logical line. */
static int
parse_file(struct aliases *a, FILE *fp, const char *path, char *err, size_t errlen)
{
	struct buf logical;
	char *line = NULL, why[128];
	size_t cap = 0;
	long lineno = 0, start = 0;
	int rc = 0;
	buf_init(&logical);
	for (ssize_t n; rc == 0;) {
		n = getline(&line, &cap, fp);
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		bool cont = n > 0 && (line[0] == ' ' || line[0] == '\t');
		if ((n < 0 || !cont) && logical.len > 0) {
			if (add_alias(a, logical.data, why, sizeof why) == -1) {
				snprintf_rq(err, errlen, "%s:%ld: %s", path, start, why);
				rc = -1;
			}
			buf_reset(&logical);
		}
		if (n < 0)
			break;
		lineno++;
		if (n == 0 || line[0] == '#')
			continue;
		if (!cont)
			start = lineno;
		if (buf_puts(&logical, line) == -1)
			rc = -1;
	}
	free(line);
	buf_free(&logical);
	return rc;
}

int
aliases_load(struct aliases **out, const char *path, char *err, size_t errlen)
{
	*out = calloc(1, sizeof **out);
	if (*out == NULL)
		return -1;
	if (path == NULL || path[0] == '\0')
		return 0;
	FILE *fp = fopen(path, "re");
	if (fp == NULL) {
		if (errno == ENOENT)
			return 0;
		snprintf_rq(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	int rc = parse_file(*out, fp, path, err, errlen);
	fclose(fp);
	if (rc == -1) {
		aliases_free(*out);
		*out = NULL;
	}
	return rc;
}

static const struct alias *
find(const struct aliases *a, const char *name)
{
	for (size_t i = 0; a != NULL && i < a->n; i++)
		if (strcasecmp(a->v[i].name, name) == 0)
			return &a->v[i];
	return NULL;
}

/* One expansion: the table, where unqualified names go, and the result. */
struct expansion {
	const struct aliases *a;
	const char *domain;
	const char *local_names;
	struct strlist seen;
	struct strlist *out;
	char *note;
	size_t notelen;
};

static int expand(struct expansion *x, const char *addr, int depth);

/* user@domain for a local user (unqualified or at one of our names). */
static int
qualify_into(struct expansion *x, const char *user)
{
	struct buf b;
	buf_init(&b);
	int rc = buf_printf(&b, "%s@%s", user, x->domain);
	if (rc == 0)
		rc = strlist_add_unique(x->out, buf_str(&b));
	buf_free(&b);
	return rc;
}

static int
expand_targets(struct expansion *x, const struct alias *al, int depth)
{
	char *copy = strdup(al->targets);
	if (copy == NULL)
		return -1;
	int rc = 0;
	char *save = NULL;
	for (char *t = strtok_r(copy, ",", &save); t != NULL && rc == 0;
	    t = strtok_r(NULL, ",", &save)) {
		while (isspace((unsigned char)*t))
			t++;
		size_t len = strlen(t);
		while (len > 0 && isspace((unsigned char)t[len - 1]))
			t[--len] = '\0';
		if (len == 0)
			continue;
		if (t[0] == '|' || t[0] == '/' || strncasecmp(t, ":include:", 9) == 0) {
			snprintf_rq(x->note, x->notelen, "alias %s: target \"%.60s\" skipped "
			    "(relayq only relays to addresses)", al->name, t);
			continue;
		}
		rc = expand(x, t, depth + 1);
	}
	free(copy);
	return rc;
}

static int
expand(struct expansion *x, const char *addr, int depth)
{
	if (!addr_is_local(addr, x->local_names))
		return strlist_add_unique(x->out, addr);
	const char *dom = addr_domain(addr);
	char *user = dom != NULL ? strndup(addr, (size_t)(dom - 1 - addr)) : strdup(addr);
	if (user == NULL)
		return -1;
	const struct alias *al = find(x->a, user);
	int rc;
	if (al == NULL || depth >= MAX_DEPTH || strlist_has(&x->seen, user))
		rc = qualify_into(x, user);
	else if ((rc = strlist_add_unique(&x->seen, user)) == 0)
		rc = expand_targets(x, al, depth);
	free(user);
	return rc;
}

int
aliases_expand(const struct aliases *a, const char *addr, const char *domain,
    const char *local_names, struct strlist *out, char *note, size_t notelen)
{
	struct expansion x = {
		.a = a, .domain = domain, .local_names = local_names, .out = out,
		.note = note, .notelen = notelen,
	};
	int rc = expand(&x, addr, 0);
	strlist_free(&x.seen);
	return rc;
}
