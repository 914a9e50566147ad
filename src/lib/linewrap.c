/* linewrap: folding header fields, breaking body lines and quoted-printable
 * encoding, so that nothing we send passes 998 octets a line. */
#include "linewrap.h"
#include "buf.h"

#include <stdlib.h>
#include <string.h>

#define QP_LINE 76		/* RFC 2045 §6.7 (5): encoded line length */

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool
utf8_tail(char c)
{
	return ((unsigned char)c & 0xC0) == 0x80;
}

/* Where to cut p[0..len) (len > room) so that the first piece has at most
 * room octets: before the last blank that follows some text, or else at a
 * UTF-8 boundary (*hard set: the caller inserts a blank). */
static size_t
cut_point(const char *p, size_t len, size_t room, size_t min, bool *hard)
{
	size_t text = 1;	/* a cut needs some text before it */
	while (text < len && is_blank(p[text]))
		text++;
	if (min < text)
		min = text;
	for (size_t i = room; i > min; i--)
		if (is_blank(p[i]))
			return *hard = false, i;
	size_t k = room;
	for (int back = 0; back < 3 && k > 1 && utf8_tail(p[k]); back++)
		k--;
	*hard = true;
	return k;
}

/* One physical line (without its LF) into b, folded. */
static int
fold_line(struct buf *b, const char *p, size_t len, size_t min)
{
	size_t lead = 0;	/* a blank we inserted before p */
	while (lead + len > LINEWRAP_MAX) {
		bool hard;
		size_t cut = cut_point(p, len, LINEWRAP_MAX - lead, min, &hard);
		if (buf_append(b, p, cut) == -1 || buf_puts(b, hard ? "\n " : "\n") == -1)
			return -1;
		p += cut;
		len -= cut;
		lead = hard ? 1 : 0;
		min = 0;
	}
	return buf_append(b, p, len);
}

char *
linewrap_field(const char *text)
{
	struct buf b;
	buf_init(&b);
	/* The first line is not cut before the blank after "Name:". */
	const char *colon = strchr(text, ':');
	size_t min = colon != NULL ? (size_t)(colon - text) + 1 : 0;
	int rc = 0;
	for (const char *p = text; rc == 0 && *p != '\0';) {
		size_t len = strcspn(p, "\n");
		rc = fold_line(&b, p, len, min);
		if (rc == 0 && p[len] == '\n')
			rc = buf_putc(&b, '\n');
		p += len + (p[len] == '\n');
		min = 0;
	}
	if (rc == 0 && b.data == NULL)
		rc = buf_puts(&b, "");
	if (rc == -1) {
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b);
}

/* One octet, after "\n " when the line is full (a few octets early rather
 * than inside a character). */
static int
put_octet(struct linewrap *w, FILE *out, char c, size_t *added)
{
	bool full = w->col >= LINEWRAP_MAX ||
	    (w->col >= LINEWRAP_MAX - 3 && !utf8_tail(c));
	if (c != '\n' && full) {
		if (fputs("\n ", out) == EOF)
			return -1;
		w->col = 1;
		if (added != NULL)
			*added += 2;
	}
	if (putc(c, out) == EOF)
		return -1;
	w->col = c == '\n' ? 0 : w->col + 1;
	return 0;
}

int
linewrap_write(struct linewrap *w, FILE *out, const char *p, size_t n, size_t *added)
{
	while (n > 0) {
		/* A line piece that fits is written whole: the common case. */
		const char *nl = memchr(p, '\n', n);
		size_t len = nl != NULL ? (size_t)(nl - p) + 1 : n;
		size_t text = nl != NULL ? len - 1 : len;
		if (w->col + text < LINEWRAP_MAX - 3) {
			if (fwrite(p, 1, len, out) != len)
				return -1;
			w->col = nl != NULL ? 0 : w->col + len;
		} else {
			for (size_t i = 0; i < len; i++)
				if (put_octet(w, out, p[i], added) == -1)
					return -1;
		}
		p += len;
		n -= len;
	}
	return 0;
}

static bool
qp_literal(const char *line, size_t len, size_t i)
{
	unsigned char c = (unsigned char)line[i];
	bool at_end = i + 1 == len || line[i + 1] == '\n';
	if (c == ' ' || c == '\t')
		return !at_end;
	if (i == 0 && (c == '.' || (c == 'F' && len >= 5 && memcmp(line, "From ", 5) == 0)))
		return false;
	return c > 32 && c < 127 && c != '=';
}

int
linewrap_qp_line(FILE *out, const char *line, size_t len, size_t *written)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t col = 0;
	bool nl = len > 0 && line[len - 1] == '\n';
	size_t end = nl ? len - 1 : len;
	for (size_t i = 0; i < end; i++) {
		char tok[4];
		size_t tlen = 1;
		tok[0] = line[i];
		if (!qp_literal(line, end, i)) {
			unsigned char c = (unsigned char)line[i];
			tok[0] = '=', tok[1] = hex[c >> 4], tok[2] = hex[c & 15], tlen = 3;
		}
		/* A soft break "=" must fit too, unless this ends the line. */
		size_t limit = i + 1 == end ? QP_LINE : QP_LINE - 1;
		if (col + tlen > limit) {
			if (fputs("=\n", out) == EOF)
				return -1;
			*written += 2;
			col = 0;
		}
		if (fwrite(tok, 1, tlen, out) != tlen)
			return -1;
		col += tlen;
		*written += tlen;
	}
	if (nl && putc('\n', out) == EOF)
		return -1;
	*written += nl;
	return 0;
}

int
linewrap_qp_copy(FILE *raw, off_t len, FILE *out, size_t *written)
{
	char *line = NULL;
	size_t cap = 0;
	int rc = 0;
	while (rc == 0 && len > 0) {
		ssize_t n = getline(&line, &cap, raw);
		if (n <= 0) {
			rc = -1;	/* the stored body is shorter than recorded */
			break;
		}
		if ((off_t)n > len)
			n = (ssize_t)len;
		len -= n;
		rc = linewrap_qp_line(out, line, (size_t)n, written);
	}
	free(line);
	return rc;
}
