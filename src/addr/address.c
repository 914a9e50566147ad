/* address: a small RFC 5322 §3.4 scanner.  It splits an address list at
 * top-level commas, skips group names and comments, and reports each
 * addr-spec with its byte span for in-place rewriting. */
#include "address.h"
#include "buf.h"
#include "words.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct scan {
	const char *s;
	size_t i;
};

/* Skips a quoted string or a (nested) comment starting at s->i. */
static int
skip_delimited(struct scan *sc)
{
	bool quote = sc->s[sc->i] == '"';
	int depth = 0;
	for (size_t first = sc->i; sc->s[sc->i] != '\0'; sc->i++) {
		char ch = sc->s[sc->i];
		if (ch == '\\' && sc->s[sc->i + 1] != '\0') {
			sc->i++;
		} else if (quote ? ch == '"' && sc->i != first : ch == ')' && --depth == 0) {
			sc->i++;
			return 0;
		} else if (!quote && ch == '(') {
			depth++;
		}
	}
	return -1;
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Copies s[start,end) without comments and folding whitespace. */
static char *
clean_spec(const char *s, size_t start, size_t end)
{
	struct buf b;
	buf_init(&b);
	struct scan sc = { s, start };
	while (sc.i < end) {
		char ch = s[sc.i];
		if (ch == '(') {
			if (skip_delimited(&sc) == -1)
				break;
			continue;
		}
		if (ch == '"') {
			size_t from = sc.i;
			if (skip_delimited(&sc) == -1 || buf_append(&b, s + from, sc.i - from) == -1)
				break;
			continue;
		}
		if (!is_space(ch) && buf_putc(&b, ch) == -1)
			break;
		sc.i++;
	}
	return buf_steal(&b);
}

static int
push(struct addr_list *l, const char *s, size_t start, size_t end)
{
	struct addr *v = realloc(l->v, (l->n + 1) * sizeof *v);
	if (v == NULL)
		return -1;
	l->v = v;
	char *spec = clean_spec(s, start, end);
	if (spec == NULL)
		return -1;
	if (*spec == '\0') {	/* empty member, e.g. "a,,b" or an empty group */
		free(spec);
		return 0;
	}
	l->v[l->n++] = (struct addr){ spec, start, end };
	return 0;
}

/* The span of the addr-spec in one mailbox s[from,to): inside <> if any,
 * else the whole text less leading/trailing blanks and comments. */
static int
mailbox_span(const char *s, size_t from, size_t to, size_t *start, size_t *end)
{
	const char *lt = NULL;
	struct scan sc = { s, from };
	while (sc.i < to) {
		char ch = s[sc.i];
		if (ch == '"' || ch == '(') {
			if (skip_delimited(&sc) == -1)
				return -1;
			continue;
		}
		if (ch == '<')
			lt = s + sc.i;
		sc.i++;
	}
	if (lt != NULL) {
		const char *gt = memchr(lt, '>', (size_t)(s + to - lt));
		if (gt == NULL)
			return -1;
		const char *colon = memchr(lt, ':', (size_t)(gt - lt));
		*start = (size_t)((colon != NULL ? colon : lt) - s) + 1;	/* route */
		*end = (size_t)(gt - s);
		return 0;
	}
	*start = from;
	*end = to;
	for (;;) {	/* leading blanks and comments are not the address */
		while (*start < *end && is_space(s[*start]))
			(*start)++;
		if (*start >= *end || s[*start] != '(')
			break;
		struct scan c = { s, *start };
		if (skip_delimited(&c) == -1)
			return -1;
		*start = c.i;
	}
	while (*end > *start && (is_space(s[*end - 1]) || s[*end - 1] == ')')) {
		if (s[*end - 1] != ')') {
			(*end)--;
			continue;
		}
		/* a trailing comment: find its start */
		size_t depth = 0, k = *end;
		while (k > *start) {
			k--;
			if (s[k] == ')')
				depth++;
			else if (s[k] == '(' && --depth == 0)
				break;
		}
		*end = k;
	}
	return 0;
}

static bool
has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if (((unsigned char)*s < 0x20 && !is_space(*s)) || *s == 0x7f)
			return true;
	return false;
}

int
addr_parse_list(const char *text, struct addr_list *out, char *err, size_t errlen)
{
	struct scan sc = { text, 0 };
	size_t from = 0;
	bool in_angle = false;
	out->v = NULL;
	out->n = 0;
	if (has_control(text))
		goto bad;
	for (;;) {
		char ch = text[sc.i];
		if (ch == '"' || ch == '(') {
			if (skip_delimited(&sc) == -1)
				goto bad;
			continue;
		}
		if (ch == '<')
			in_angle = true;
		else if (ch == '>')
			in_angle = false;
		if (!in_angle && ch == ':') {		/* group display name */
			from = sc.i + 1;
		} else if ((!in_angle && (ch == ',' || ch == ';')) || ch == '\0') {
			size_t start, end;
			if (mailbox_span(text, from, sc.i, &start, &end) == -1 ||
			    push(out, text, start, end) == -1)
				goto bad;
			from = sc.i + 1;
		}
		if (ch == '\0')
			break;
		sc.i++;
	}
	if (!in_angle)
		return 0;
bad:
	snprintf_rq(err, errlen, "bad address syntax: %.80s", text);
	addr_list_free(out);
	return -1;
}

void
addr_list_free(struct addr_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].spec);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

const char *
addr_domain(const char *spec)
{
	const char *at = strrchr(spec, '@');
	return at != NULL ? at + 1 : NULL;
}

bool
addr_is_local(const char *spec, const char *local_names)
{
	const char *dom = addr_domain(spec);
	return dom == NULL || words_has(local_names, dom);
}
