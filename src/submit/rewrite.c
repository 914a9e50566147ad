/* rewrite: sender map lookup and masquerading.  A mapped address wins;
 * otherwise masquerading; otherwise the address is only qualified. */
#include "rewrite.h"
#include "address.h"
#include "words.h"

#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct rw_entry {
	char *key;
	char *value;
};

struct rewrite {
	struct rw_entry *v;
	size_t n;
	char *masquerade, *domain, *local_names;
};

void
rewrite_free(struct rewrite *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].key);
		free(r->v[i].value);
	}
	free(r->v);
	free(r->masquerade);
	free(r->domain);
	free(r->local_names);
	free(r);
}

static int
add_entry(struct rewrite *r, char *line, char *why, size_t whylen)
{
	char *save = NULL;
	char *key = strtok_r(line, " \t", &save);
	char *value = strtok_r(NULL, " \t", &save);
	if (value == NULL || strtok_r(NULL, " \t", &save) != NULL || strchr(value, '@') == NULL) {
		snprintf_rq(why, whylen, "expected \"sender replacement@domain\"");
		return -1;
	}
	struct rw_entry *v = realloc(r->v, (r->n + 1) * sizeof *v);
	if (v == NULL)
		return -1;
	r->v = v;
	r->v[r->n].key = strdup(key);
	r->v[r->n].value = strdup(value);
	if (r->v[r->n].key == NULL || r->v[r->n].value == NULL)
		return -1;
	r->n++;
	return 0;
}

static int
load_map(struct rewrite *r, const char *path, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "re");
	if (fp == NULL) {
		snprintf_rq(err, errlen, "sender_map %s: %s", path, strerror(errno));
		return -1;
	}
	char *line = NULL, why[128];
	size_t cap = 0;
	long lineno = 0;
	int rc = 0;
	for (ssize_t n; rc == 0 && (n = getline(&line, &cap, fp)) != -1;) {
		lineno++;
		while (n > 0 && isspace((unsigned char)line[n - 1]))
			line[--n] = '\0';
		char *p = line;
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0' || *p == '#')
			continue;
		if (add_entry(r, p, why, sizeof why) == -1) {
			snprintf_rq(err, errlen, "%s:%ld: %s", path, lineno, why);
			rc = -1;
		}
	}
	free(line);
	fclose(fp);
	return rc;
}

int
rewrite_load(struct rewrite **out, const char *map_path, const char *masquerade,
    const char *domain, const char *local_names, char *err, size_t errlen)
{
	struct rewrite *r = calloc(1, sizeof *r);
	if (r == NULL)
		return -1;
	r->masquerade = strdup(masquerade != NULL ? masquerade : "");
	r->domain = strdup(domain);
	r->local_names = strdup(local_names != NULL ? local_names : "");
	int rc = r->masquerade && r->domain && r->local_names ? 0 : -1;
	if (rc == 0 && map_path != NULL && map_path[0] != '\0')
		rc = load_map(r, map_path, err, errlen);
	if (rc == -1) {
		rewrite_free(r);
		r = NULL;
	}
	*out = r;
	return rc;
}

/* Is `dom` one of ours (so the local part may be mapped)? */
static bool
local_domain(const struct rewrite *r, const char *dom)
{
	return dom == NULL || strcasecmp(dom, r->domain) == 0 ||
	    words_has(r->local_names, dom);
}

static const char *
lookup(const struct rewrite *r, const char *addr)
{
	const char *at = strrchr(addr, '@');
	size_t llen = at != NULL ? (size_t)(at - addr) : strlen(addr);
	for (size_t i = 0; i < r->n; i++)
		if (strcasecmp(r->v[i].key, addr) == 0)
			return r->v[i].value;
	if (!local_domain(r, at != NULL ? at + 1 : NULL))
		return NULL;
	for (size_t i = 0; i < r->n; i++)
		if (strchr(r->v[i].key, '@') == NULL && strlen(r->v[i].key) == llen &&
		    strncasecmp(r->v[i].key, addr, llen) == 0)
			return r->v[i].value;
	return NULL;
}

int
rewrite_sender(const struct rewrite *r, const char *addr, struct buf *out)
{
	buf_reset(out);
	if (addr[0] == '\0')
		return buf_puts(out, "");
	const char *mapped = lookup(r, addr);
	if (mapped != NULL)
		return buf_puts(out, mapped);
	const char *at = strrchr(addr, '@');
	size_t llen = at != NULL ? (size_t)(at - addr) : strlen(addr);
	const char *dom = at != NULL ? at + 1 : r->domain;
	if (addr_is_local(addr, r->local_names))
		dom = r->masquerade[0] != '\0' ? r->masquerade : r->domain;
	return buf_printf(out, "%.*s@%s", (int)llen, addr, dom);
}
