/* mapsrc: makemap's input rules, byte for byte (makemap.c main loop):
 * 1024-byte lines, comments only in column 1, no continuation lines. */
#include "mapsrc.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "buf.h"

void
mapsrc_init(struct mapsrc *s, FILE *fp)
{
	memset(s, 0, sizeof *s);
	s->fp = fp;
	s->comment = '#';
	s->fold = true;
}

/* SM_ISSPACE: ASCII isspace (blank, tab, CR, LF, VT, FF). */
static bool
sm_isspace(unsigned char c)
{
	return c < 0x80 && isspace(c);
}

static bool
is_sep(const struct mapsrc *s, unsigned char c)
{
	return s->sep == '\0' ? sm_isspace(c) : c == (unsigned char)s->sep;
}

bool
mapsrc_key_plain(const char *key, size_t klen)
{
	if (klen == 0 || klen > 100)
		return false;
	for (size_t i = 0; i < klen; i++) {
		unsigned char c = (unsigned char)key[i];
		if (c <= ' ' || c >= 0x7f || c == '"' || c == '\\')
			return false;
	}
	return true;
}

bool
mapsrc_key_authinfo(const char *key, size_t klen)
{
	static const char tag[] = "authinfo:";

	return klen >= sizeof tag - 1 &&
	    strncasecmp(key, tag, sizeof tag - 1) == 0;
}

bool
mapsrc_key_showable(const char *key, size_t klen)
{
	return mapsrc_key_plain(key, klen) && !mapsrc_key_authinfo(key, klen);
}

/* makemap's "no RHS for LHS KEY", unless the key may hold a secret. */
static void
no_rhs(const struct mapsrc *s, const struct mapsrc_rec *r, char *msg,
    size_t msglen)
{
	if (!s->secret && mapsrc_key_showable(r->key, r->klen))
		snprintf_rq(msg, msglen, "no RHS for LHS %s", r->key);
	else if (memchr(r->key, '"', r->klen) != NULL)
		snprintf_rq(msg, msglen, "no RHS for LHS (key not shown): no "
		    "blank between the key and its first quoted item");
	else
		snprintf_rq(msg, msglen, "no RHS for LHS (key not shown)");
}

/* Splits s->line into key and value; -1 when there is no value. */
static int
split(struct mapsrc *s, struct mapsrc_rec *r, char *msg, size_t msglen)
{
	char *p = s->line;

	for (; *p != '\0' && !is_sep(s, (unsigned char)*p); p++) {
		if (s->fold && isupper((unsigned char)*p) && (unsigned char)*p < 0x80)
			*p = (char)tolower((unsigned char)*p);
	}
	r->key = s->line;
	r->klen = (size_t)(p - s->line);
	if (*p != '\0')
		*p++ = '\0';
	while (*p != '\0' && is_sep(s, (unsigned char)*p))
		p++;
	if (*p == '\0' && !s->allow_empty) {
		no_rhs(s, r, msg, msglen);
		return -1;
	}
	r->val = p;
	r->vlen = strlen(p);
	r->lineno = s->lineno;
	return 0;
}

int
mapsrc_next(struct mapsrc *s, struct mapsrc_rec *r, char *msg, size_t msglen)
{
	while (fgets(s->line, sizeof s->line, s->fp) != NULL) {
		char *nl = strchr(s->line, '\n');

		s->lineno++;
		if (nl != NULL) {
			*nl = '\0';
		} else if (!feof(s->fp)) {
			/* Like makemap: the rest of the line is read next,
			 * as if it were a line of its own. */
			snprintf_rq(msg, msglen, "line too long (%d bytes max)",
			    MAPSRC_LINE);
			return -1;
		}
		if (s->line[0] == '\0' || s->line[0] == s->comment)
			continue;
		if (s->sep == '\0' && sm_isspace((unsigned char)s->line[0])) {
			snprintf_rq(msg, msglen, "syntax error (leading space)");
			return -1;
		}
		return split(s, r, msg, msglen) < 0 ? -1 : 1;
	}
	if (ferror(s->fp)) {
		snprintf_rq(msg, msglen, "read error");
		return -2;
	}
	return 0;
}
