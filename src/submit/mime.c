/* mime: quoted-printable re-encoding of a single-part text message whose
 * body has over-long lines, with the header fields that declare it. */
#include "mime.h"
#include "linewrap.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The value of the first live field `name`, blanks skipped, or NULL. */
static const char *
field_value(const struct message *m, const char *name, size_t *index)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < m->n; i++) {
		const struct hfield *f = &m->f[i];
		if (f->deleted || f->namelen != n || strncasecmp(f->text, name, n) != 0)
			continue;
		if (index != NULL)
			*index = i;
		const char *v = f->text + n + 1;
		while (isspace((unsigned char)*v))
			v++;
		return v;
	}
	return NULL;
}

/* Does value start with token (case-insensitive), followed by a
 * delimiter: blank, ';', '(' or the end? */
static bool
token_is(const char *value, const char *token)
{
	size_t n = strlen(token);
	return strncasecmp(value, token, n) == 0 &&
	    (value[n] == '\0' || strchr(" \t\r\n;(", value[n]) != NULL);
}

bool
mime_qp_eligible(const struct message *m)
{
	if (field_value(m, "MIME-Version", NULL) == NULL)
		return false;
	const char *type = field_value(m, "Content-Type", NULL);
	if (type != NULL && strncasecmp(type, "text/", 5) != 0)
		return false;
	const char *cte = field_value(m, "Content-Transfer-Encoding", NULL);
	return cte == NULL || token_is(cte, "7bit") || token_is(cte, "8bit") ||
	    token_is(cte, "binary");
}

int
mime_set_qp(struct message *m)
{
	static const char field[] = "Content-Transfer-Encoding: quoted-printable\n";
	size_t i;
	char *text = strdup(field);
	if (text == NULL)
		return -1;
	if (field_value(m, "Content-Transfer-Encoding", &i) != NULL) {
		free(m->f[i].text);
		m->f[i].text = text;
	} else {
		struct hfield *f = realloc(m->f, (m->n + 1) * sizeof *f);
		if (f == NULL) {
			free(text);
			return -1;
		}
		m->f = f;
		m->f[m->n++] = (struct hfield){ text, strlen("Content-Transfer-Encoding"), false };
	}
	message_count_header(m);
	return 0;
}
