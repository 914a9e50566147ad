/* redact: authinfo lines with their secrets replaced (see redact.h). */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "redact.h"

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* End of the key: the first blank or double quote. */
static size_t
key_end(const char *line, size_t len)
{
	size_t i = 0;
	while (i < len && !is_blank(line[i]) && line[i] != '"')
		i++;
	return i;
}

/* Index of the quote closing the item opened at `open`, or len when the
 * line ends first; a backslash keeps the next byte inside the item. */
static size_t
item_end(const char *line, size_t len, size_t open)
{
	size_t j = open + 1;
	while (j < len && line[j] != '"') {
		if (line[j] == '\\' && j + 1 < len)
			j++;
		j++;
	}
	return j;
}

/* A U, I, R, M or O item ("U:alice", "R=...", "O:/var/lib/relayq/oauth2/
 * alice@outlook.example": the token file's name, not its contents) names no
 * secret. */
static bool
item_shown(const char *p, size_t n)
{
	return n >= 2 && strchr("UIRMO", toupper((unsigned char)p[0])) != NULL &&
	    (p[1] == ':' || p[1] == '=');
}

/* One closed item, quotes included in [open, close]. */
static int
put_item(struct buf *out, const char *line, size_t open, size_t close)
{
	const char *p = line + open + 1;
	size_t n = close - open - 1;
	if (item_shown(p, n))
		return buf_append(out, line + open, close - open + 1);
	if (n > 0 && toupper((unsigned char)p[0]) == 'P')
		return buf_puts(out, "\"P:***\"");
	return buf_puts(out, "\"***\"");
}

/* A word outside quotes: up to a blank or a quote. */
static size_t
word_end(const char *line, size_t len, size_t i)
{
	while (i < len && !is_blank(line[i]) && line[i] != '"')
		i++;
	return i;
}

static int
put_value(struct buf *out, const char *line, size_t len, size_t i)
{
	while (i < len) {
		if (is_blank(line[i])) {
			if (buf_putc(out, line[i++]) == -1)
				return -1;
		} else if (line[i] == '"') {
			size_t close = item_end(line, len, i);
			if (close >= len)
				return buf_puts(out, "\"***");
			if (put_item(out, line, i, close) == -1)
				return -1;
			i = close + 1;
		} else {
			if (buf_puts(out, "***") == -1)
				return -1;
			i = word_end(line, len, i);
		}
	}
	return 0;
}

int
redact_authinfo_line(struct buf *out, const char *line, size_t len)
{
	if (len == 0 || line[0] == '#')
		return buf_append(out, line, len) == -1 ? -1 : buf_putc(out, '\n');
	size_t k = key_end(line, len);
	if (buf_append(out, line, k) == -1 || put_value(out, line, len, k) == -1)
		return -1;
	return buf_putc(out, '\n');
}
