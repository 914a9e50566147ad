/* record: the line format drop files and .qf files share — one "Kvalue"
 * record a line, parsed strictly, written only when the value has no LF. */
#include "record.h"
#include "buf.h"
#include "qid.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int
record_put(struct buf *b, char key, const char *value)
{
	if (value == NULL)
		return 0;
	if (strchr(value, '\n') != NULL) {
		errno = EINVAL;
		return -1;
	}
	return buf_printf(b, "%c%s\n", key, value);
}

int
record_put_envelope(struct buf *b, const struct envelope *e)
{
	if (buf_printf(b, "T%lld\nU%lu\n", (long long)e->arrival,
	    (unsigned long)e->uid) == -1)
		return -1;
	if (record_put(b, 'S', e->sender) == -1 || record_put(b, 'I', e->msgid) == -1 ||
	    record_put(b, 'N', e->notify) == -1 || record_put(b, 'R', e->ret) == -1 ||
	    record_put(b, 'V', e->envid) == -1 || record_put(b, 'B', e->body) == -1)
		return -1;
	/* Only when set: files without it are read as they always were. */
	return e->smtputf8 ? buf_puts(b, "Y\n") : 0;
}

static int
parse_num(const char *v, long long *out)
{
	char *end;
	errno = 0;
	long long n = strtoll(v, &end, 10);
	if (errno != 0 || *v == '\0' || *end != '\0' || n < 0)
		return -1;
	*out = n;
	return 0;
}

static int
parse_qf_rcpt(struct envelope *e, const char *v)
{
	if (strchr("PTDFR", v[0]) == NULL || v[0] == '\0' || v[1] == '\0')
		return -1;
	if (envelope_add_rcpt(e, v + 1) == -1)
		return -1;
	e->rcpts[e->nrcpt - 1].state = (enum rcpt_state)v[0];
	return 0;
}

static int
parse_content(struct envelope *e, const char *v)
{
	long long off, len;
	char o[32], l[32], eb;
	if (sscanf(v, "%31s %31s %c", o, l, &eb) != 3 || (eb != '7' && eb != '8'))
		return -1;
	if (parse_num(o, &off) == -1 || parse_num(l, &len) == -1)
		return -1;
	e->content_off = (off_t)off;
	e->content_len = (off_t)len;
	e->eightbit = eb == '8';
	return 0;
}

/* One "Kvalue" record common to drop files and qf files. */
static int
parse_record(struct envelope *e, char key, const char *v, bool qf)
{
	long long n;
	switch (key) {
	case 'Q': if (!qid_valid(v)) return -1;
		  strlcpy_rq(e->qid, v, sizeof e->qid); return 0;
	case 'T': if (parse_num(v, &n) == -1) return -1;
		  e->arrival = (time_t)n; return 0;
	case 'U': if (parse_num(v, &n) == -1) return -1;
		  e->uid = (uid_t)n; return 0;
	case 'S': return envelope_set(&e->sender, v);
	case 'I': return envelope_set(&e->msgid, v);
	case 'N': return envelope_set(&e->notify, v);
	case 'R': return envelope_set(&e->ret, v);
	case 'V': return envelope_set(&e->envid, v);
	case 'B': return envelope_set(&e->body, v);
	case 'Y': if (*v != '\0') return -1;	/* "Y": needs SMTPUTF8 */
		  e->smtputf8 = true; return 0;
	/* drop: "r<addr>"; qf: "r<state><addr>", then optional "e<reply>" */
	case 'r': return qf ? parse_qf_rcpt(e, v) : envelope_add_rcpt(e, v);
	}
	if (!qf)
		return -1;
	switch (key) {
	case 'e': if (e->nrcpt == 0) return -1;
		  return envelope_set(&e->rcpts[e->nrcpt - 1].reply, v);
	case 'A': if (parse_num(v, &n) == -1 || n > 1000000) return -1;
		  e->attempts = (int)n; return 0;
	case 'X': if (parse_num(v, &n) == -1) return -1;
		  e->next_try = (time_t)n; return 0;
	case 'L': if (parse_num(v, &n) == -1) return -1;
		  e->last_try = (time_t)n; return 0;
	case 'W': if (parse_num(v, &n) == -1) return -1;
		  e->warned = (time_t)n; return 0;
	case 'H': if (parse_num(v, &n) == -1) return -1;
		  e->held = (time_t)n; return 0;
	case 'E': return envelope_set(&e->reason, v);
	case 'C': return parse_content(e, v);
	}
	return -1;
}

/* Reads records line by line until the terminator line `stop`. */
int
record_parse_all(FILE *fp, struct envelope *e, bool qf, const char *stop,
    off_t *endpos, char *err, size_t errlen)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = -1;
	long lineno = 1;
	while ((n = getline(&line, &cap, fp)) > 0) {
		lineno++;
		if (line[n - 1] != '\n')
			break;
		line[n - 1] = '\0';
		if (strcmp(line, stop) == 0) {
			rc = 0;
			break;
		}
		if (parse_record(e, line[0], line + 1, qf) == -1) {
			snprintf_rq(err, errlen, "bad record at line %ld", lineno);
			free(line);
			return -1;
		}
	}
	free(line);
	if (rc == -1)
		snprintf_rq(err, errlen, "truncated envelope");
	else if (endpos != NULL && (*endpos = ftello(fp)) == -1)
		rc = -1;
	return rc;
}

int
record_check_magic(FILE *fp, const char *magic, char *err, size_t errlen)
{
	char head[32];
	size_t len = strlen(magic);
	if (fread(head, 1, len, fp) != len || memcmp(head, magic, len) != 0) {
		snprintf_rq(err, errlen, "not a relayq queue file (or a newer version)");
		return -1;
	}
	return 0;
}
