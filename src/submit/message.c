/* message: reading the header section into memory and streaming the body,
 * with sendmail's line rules (CRLF or LF in, LF stored; without -i a lone
 * "." ends the message and ".." loses a dot).  Editing is in prepare.c. */
#include "message.h"
#include "linewrap.h"
#include "relayq.h"

#include <stdlib.h>
#include <string.h>

#define HEADER_MAX (1024 * 1024)	/* the only part held in memory */

void
message_init(struct message *m)
{
	memset(m, 0, sizeof *m);
}

void
message_free(struct message *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->f[i].text);
	free(m->f);
	free(m->first_body_line);
	message_init(m);
}

void
message_result_free(struct msg_result *r)
{
	free(r->sender);
	free(r->msgid);
	for (size_t i = 0; i < r->nrcpts; i++)
		free(r->rcpts[i]);
	free(r->rcpts);
	memset(r, 0, sizeof *r);
}

enum line_kind { LINE_OK, LINE_EOF, LINE_END_DOT };

/* One input line into *line (LF-terminated unless at EOF), CRLF -> LF,
 * dot rules applied.  *len excludes nothing: it is the stored length. */
static enum line_kind
read_line(FILE *in, bool ignore_dots, char **line, size_t *cap, size_t *len)
{
	ssize_t n = getline(line, cap, in);
	if (n <= 0)
		return LINE_EOF;
	if (n >= 2 && (*line)[n - 2] == '\r' && (*line)[n - 1] == '\n') {
		(*line)[n - 2] = '\n';
		(*line)[--n] = '\0';
	}
	*len = (size_t)n;
	if (ignore_dots || (*line)[0] != '.')
		return LINE_OK;
	if (n == 1 || (n == 2 && (*line)[1] == '\n'))
		return LINE_END_DOT;
	if ((*line)[1] == '.') {
		memmove(*line, *line + 1, (size_t)n);	/* incl. the NUL */
		(*len)--;
	}
	return LINE_OK;
}

/* "Name:" with printable, non-space name characters (RFC 5322 §2.2). */
static size_t
field_name_len(const char *line, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)line[i];
		if (ch == ':')
			return i;
		if (ch <= 32 || ch >= 127)
			return 0;
	}
	return 0;
}

static int
add_field(struct message *m, const char *line, size_t len, size_t namelen)
{
	struct hfield *f = realloc(m->f, (m->n + 1) * sizeof *f);
	if (f == NULL)
		return -1;
	m->f = f;
	if ((m->f[m->n].text = strndup(line, len)) == NULL)
		return -1;
	m->f[m->n].namelen = namelen;
	m->f[m->n].deleted = false;
	m->n++;
	return 0;
}

static int
continue_field(struct message *m, const char *line, size_t len)
{
	struct hfield *f = &m->f[m->n - 1];
	size_t old = strlen(f->text);
	char *t = realloc(f->text, old + len + 1);
	if (t == NULL)
		return -1;
	memcpy(t + old, line, len);
	t[old + len] = '\0';
	f->text = t;
	return 0;
}

enum header_step {
	HEADER_STORED,		/* a field or continuation line was kept */
	HEADER_DONE,		/* the header section is over */
	HEADER_NO_MEMORY
};

static enum header_step
stored(int rc)
{
	return rc == -1 ? HEADER_NO_MEMORY : HEADER_STORED;
}

static enum header_step
header_line(struct message *m, char *line, size_t len, bool first)
{
	if (line[0] == '\n')
		return HEADER_DONE;
	if (first && strncmp(line, "From ", 5) == 0)
		return HEADER_STORED;	/* mbox separator: dropped, as dma does */
	int rc;
	if ((line[0] == ' ' || line[0] == '\t') && m->n > 0) {
		rc = continue_field(m, line, len);
	} else {
		size_t nl = field_name_len(line, len);
		if (nl == 0) {	/* no header: this line starts the body */
			m->first_body_line = strndup(line, len);
			return m->first_body_line == NULL ? HEADER_NO_MEMORY : HEADER_DONE;
		}
		rc = add_field(m, line, len, nl);
	}
	/* The header ends at EOF, in a field or in one of its continuation
	 * lines: every field ends in LF, or the next one written (an added
	 * Date:) would run on in the same line, past LINEWRAP_MAX. */
	if (rc == 0 && line[len - 1] != '\n')
		rc = continue_field(m, "\n", 1);
	return stored(rc);
}

enum submit_status
message_read_header(struct message *m, FILE *in, const struct msg_opts *o,
    char *err, size_t errlen)
{
	char *line = NULL;
	size_t cap = 0, len = 0, total = 0;
	enum submit_status rc = SUBMIT_OK;
	m->ignore_dots = o->ignore_dots;
	for (bool first = true;; first = false) {
		enum line_kind k = read_line(in, o->ignore_dots, &line, &cap, &len);
		if (k != LINE_OK) {
			m->ended = k == LINE_END_DOT;
			break;
		}
		if (memchr(line, '\0', len) != NULL || (total += len) > HEADER_MAX) {
			snprintf_rq(err, errlen, total > HEADER_MAX ? "header too large" :
			    "NUL byte in message header");
			rc = SUBMIT_BAD_DATA;
			break;
		}
		enum header_step h = header_line(m, line, len, first);
		if (h == HEADER_NO_MEMORY) {
			snprintf_rq(err, errlen, "out of memory");
			rc = SUBMIT_NO_MEMORY;
		}
		if (h != HEADER_STORED)
			break;
	}
	free(line);
	if (rc == SUBMIT_OK && ferror(in)) {
		snprintf_rq(err, errlen, "error reading the message");
		rc = SUBMIT_READ_ERROR;
	}
	return rc;
}

void
message_count_header(struct message *m)
{
	m->header_bytes = 1;	/* the empty separator line */
	m->header_8bit = false;
	for (size_t i = 0; i < m->n; i++) {
		if (m->f[i].deleted)
			continue;
		m->header_bytes += strlen(m->f[i].text);
		for (const char *s = m->f[i].text; *s != '\0'; s++)
			m->header_8bit |= (unsigned char)*s > 127;
	}
}

int
message_write_header(const struct message *m, FILE *out)
{
	for (size_t i = 0; i < m->n; i++)
		if (!m->f[i].deleted && fputs(m->f[i].text, out) == EOF)
			return -1;
	return putc('\n', out) == EOF ? -1 : 0;
}

static bool
has_8bit(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)p[i] > 127)
			return true;
	return false;
}

static enum submit_status
put_body(struct message *m, FILE *out, const char *p, size_t n, struct msg_stats *st)
{
	size_t added = 0;
	size_t line = n > 0 && p[n - 1] == '\n' ? n - 1 : n;
	if (line > st->longest)
		st->longest = line;
	if (m->wrap_body && line > LINEWRAP_MAX) {
		struct linewrap w = { 0 };
		if (linewrap_write(&w, out, p, n, &added) == -1)
			return SUBMIT_WRITE_FAILED;
	} else if (fwrite(p, 1, n, out) != n) {
		return SUBMIT_WRITE_FAILED;
	}
	st->size += (off_t)(n + added);
	st->eightbit |= has_8bit(p, n);
	return m->max_size > 0 && st->size > m->max_size ? SUBMIT_TOO_BIG : SUBMIT_OK;
}

enum submit_status
message_copy_body(struct message *m, FILE *in, FILE *out, struct msg_stats *st,
    char *err, size_t errlen)
{
	/* Line-wise: memory is bounded by the longest line, not the message. */
	char *line = NULL;
	size_t cap = 0, len;
	enum submit_status rc = SUBMIT_OK;
	st->size = (off_t)m->header_bytes;
	st->eightbit = m->header_8bit;
	st->longest = 0;
	if (m->first_body_line != NULL)
		rc = put_body(m, out, m->first_body_line, strlen(m->first_body_line), st);
	while (rc == SUBMIT_OK && !m->ended) {
		enum line_kind k = read_line(in, m->ignore_dots, &line, &cap, &len);
		if (k != LINE_OK)
			break;
		rc = put_body(m, out, line, len, st);
	}
	free(line);
	if (rc == SUBMIT_TOO_BIG)
		snprintf_rq(err, errlen, "message is larger than max_message_size (%lld octets)",
		    (long long)m->max_size);
	if (rc == SUBMIT_OK && ferror(in)) {
		snprintf_rq(err, errlen, "error reading the message");
		rc = SUBMIT_READ_ERROR;
	}
	return rc;
}
