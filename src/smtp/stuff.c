/* stuff: CRLF line ends and dot-stuffing, a span at a time. */
#include "stuff.h"

#include <string.h>

void
stuff_init(struct stuffer *st, stuff_put put, void *arg)
{
	*st = (struct stuffer){ .put = put, .arg = arg, .bol = true };
}

int
stuff(struct stuffer *st, const char *p, size_t n)
{
	const char *end = p + n;
	while (p < end) {
		if (st->cr) {		/* a CR waits for its LF */
			st->cr = false;
			st->bol = true;
			if (st->put(st->arg, "\r\n", 2) == -1)
				return -1;
			if (*p == '\n' && ++p == end)
				break;
		}
		if (*p == '\r' || *p == '\n') {
			st->cr = *p == '\r';
			st->bol = *p == '\n';
			if (*p++ == '\n' && st->put(st->arg, "\r\n", 2) == -1)
				return -1;
			continue;
		}
		if (st->bol && *p == '.' && st->put(st->arg, ".", 1) == -1)
			return -1;
		/* The text up to the next line end goes out in one piece. */
		const char *lf = memchr(p, '\n', (size_t)(end - p));
		const char *stop = lf != NULL ? lf : end;
		const char *cr = memchr(p, '\r', (size_t)(stop - p));
		stop = cr != NULL ? cr : stop;
		if (st->put(st->arg, p, (size_t)(stop - p)) == -1)
			return -1;
		st->bol = false;
		p = stop;
	}
	return 0;
}

int
stuff_end(struct stuffer *st)
{
	if (!st->cr && st->bol)
		return 0;
	st->cr = false;
	st->bol = true;
	return st->put(st->arg, "\r\n", 2);
}
