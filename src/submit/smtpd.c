/* smtpd: `sendmail -bs` — an SMTP server dialogue on stdin/stdout for
 * mail readers that submit that way.  Each DATA becomes one queued message. */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "relayq.h"
#include "spool.h"
#include "smtpd.h"
#include "submit.h"
#include "utf8.h"

#define CMD_MAX 1000	/* RFC 5321 4.5.3.1.4 command line limit, +slack */
#define MAX_RCPTS 1000

struct session {
	const struct cli *cli;
	const struct conf *conf;
	FILE *in, *out;
	bool greeted;
	bool have_mail;
	bool smtputf8;		/* MAIL FROM:<...> SMTPUTF8 (RFC 6531) */
	char *sender;
	char **rcpts;
	size_t nrcpts;
};

static void
reply(struct session *s, const char *text)
{
	fputs(text, s->out);
	fputs("\r\n", s->out);
	fflush(s->out);
}

static void
reset_txn(struct session *s)
{
	free(s->sender);
	s->sender = NULL;
	for (size_t i = 0; i < s->nrcpts; i++)
		free(s->rcpts[i]);
	free(s->rcpts);
	s->rcpts = NULL;
	s->nrcpts = 0;
	s->have_mail = false;
	s->smtputf8 = false;
}

enum line_read { LINE_READ, LINE_TOO_LONG, LINE_NONE };

/* Reads one CRLF/LF line into b without its terminator.  LINE_NONE at EOF
 * (or out of memory), LINE_TOO_LONG when it passed max (rest discarded). */
static enum line_read
read_line(FILE *in, struct buf *b, size_t max)
{
	int ch;
	bool too_long = false;
	buf_reset(b);
	while ((ch = getc(in)) != EOF && ch != '\n') {
		if (b->len < max) {
			if (buf_putc(b, (char)ch) == -1)
				return LINE_NONE;
		} else {
			too_long = true;
		}
	}
	if (ch == EOF && b->len == 0)
		return LINE_NONE;
	if (b->len > 0 && b->data[b->len - 1] == '\r')
		b->data[--b->len] = '\0';
	return too_long ? LINE_TOO_LONG : LINE_READ;
}

/* "FROM:<addr> params" -> malloc'd addr (no brackets), NULL if bad. */
static char *
path_arg(const char *arg, const char *prefix)
{
	size_t plen = strlen(prefix);
	if (strncasecmp(arg, prefix, plen) != 0)
		return NULL;
	arg += plen;
	while (*arg == ' ')
		arg++;
	if (*arg != '<')
		return NULL;
	const char *end = strchr(arg, '>');
	if (end == NULL)
		return NULL;
	for (const char *p = arg + 1; p < end; p++)
		if ((unsigned char)*p < 0x21 || *p == 0x7f)
			return NULL;
	return strndup(arg + 1, (size_t)(end - arg - 1));
}

static void
cmd_ehlo(struct session *s, bool ehlo)
{
	char line[512];
	reset_txn(s);
	s->greeted = true;
	if (!ehlo) {
		snprintf_rq(line, sizeof line, "250 %s", s->conf->hostname);
		reply(s, line);
		return;
	}
	snprintf_rq(line, sizeof line, "250-%s", s->conf->hostname);
	reply(s, line);
	reply(s, "250-PIPELINING");
	reply(s, "250-8BITMIME");
	if (s->conf->max_message_size > 0) {
		snprintf_rq(line, sizeof line, "250-SIZE %lld", (long long)s->conf->max_message_size);
		reply(s, line);
	}
	reply(s, "250-SMTPUTF8");
	reply(s, "250 ENHANCEDSTATUSCODES");
}

/* Does MAIL's parameter list (after the '>') hold SMTPUTF8? */
static bool
has_smtputf8(const char *arg)
{
	const char *p = strchr(arg, '>');
	while (p != NULL && *p != '\0') {
		p += strspn(p, "> ");
		size_t n = strcspn(p, " ");
		if (n == 8 && strncasecmp(p, "SMTPUTF8", 8) == 0)
			return true;
		p += n;
	}
	return false;
}

/* The refusal of a path that is not ASCII, or NULL (RFC 6531 §3.4, §3.6). */
static const char *
utf8_refusal(const struct session *s, const char *addr)
{
	enum utf8_kind k = utf8_classify(addr, NULL);
	if (k == UTF8_MALFORMED)
		return "553 5.6.7 Error: address is not valid UTF-8";
	if (k == UTF8_NON_ASCII && !s->smtputf8)
		return "553 5.6.7 Error: a UTF-8 address needs MAIL FROM:<...> SMTPUTF8";
	return NULL;
}

static void
cmd_mail(struct session *s, const char *arg)
{
	if (s->have_mail) {
		reply(s, "503 5.5.1 Error: nested MAIL command");
		return;
	}
	char *addr = path_arg(arg, "FROM:");
	if (addr == NULL) {
		reply(s, "501 5.5.4 Syntax: MAIL FROM:<address>");
		return;
	}
	s->smtputf8 = has_smtputf8(arg);
	const char *refused = utf8_refusal(s, addr);
	if (refused != NULL) {
		free(addr);
		s->smtputf8 = false;
		reply(s, refused);
		return;
	}
	s->sender = addr;
	s->have_mail = true;
	reply(s, "250 2.1.0 Ok");
}

static void
cmd_rcpt(struct session *s, const char *arg)
{
	if (!s->have_mail) {
		reply(s, "503 5.5.1 Error: need MAIL command");
		return;
	}
	char *addr = path_arg(arg, "TO:");
	if (addr == NULL || *addr == '\0') {
		free(addr);
		reply(s, "501 5.5.4 Syntax: RCPT TO:<address>");
		return;
	}
	if (utf8_refusal(s, addr) != NULL) {
		reply(s, utf8_refusal(s, addr));
		free(addr);
		return;
	}
	char **v = s->nrcpts < MAX_RCPTS ?
	    realloc(s->rcpts, (s->nrcpts + 1) * sizeof *v) : NULL;
	if (v == NULL) {
		free(addr);
		reply(s, "452 4.5.3 Error: too many recipients");
		return;
	}
	s->rcpts = v;
	s->rcpts[s->nrcpts++] = addr;
	reply(s, "250 2.1.5 Ok");
}

/* Copies the dot-terminated DATA into tmp, un-stuffing, LF line ends.
 * 0 on ".", -1 on EOF or I/O error. */
static int
read_data(struct session *s, FILE *tmp)
{
	struct buf line;
	buf_init(&line);
	int rc = -1;
	while (read_line(s->in, &line, SIZE_MAX / 4) != LINE_NONE) {
		const char *p = buf_str(&line);
		size_t len = line.len;
		if (strcmp(p, ".") == 0) {
			rc = 0;
			break;
		}
		if (p[0] == '.') {
			p++;
			len--;
		}
		if (fwrite(p, 1, len, tmp) != len || putc('\n', tmp) == EOF)
			break;
	}
	buf_free(&line);
	return rc == 0 && fflush(tmp) == 0 && !ferror(tmp) ? 0 : -1;
}

static void
queue_data(struct session *s, FILE *tmp)
{
	char qid[QID_SIZE], err[RELAYQ_ERRLEN], line[RELAYQ_ERRLEN + 64];
	struct submit_req r = {
		.cli = s->cli, .conf = s->conf, .sender = s->sender,
		.rcpts = s->rcpts, .nrcpts = s->nrcpts, .ignore_dots = true,
		.smtputf8 = s->smtputf8,
	};
	rewind(tmp);
	enum submit_status rc = submit_stream(tmp, &r, qid, err, sizeof err);
	if (rc == SUBMIT_OK && !s->cli->queue_only)
		spool_wake(s->conf->spool);
	if (rc == SUBMIT_OK)
		snprintf_rq(line, sizeof line, "250 2.0.0 Ok: queued as %s", qid);
	else
		snprintf_rq(line, sizeof line, "%s %s", submit_status_reply(rc), err);
	reply(s, line);
}

static void
cmd_data(struct session *s)
{
	if (!s->have_mail || s->nrcpts == 0) {
		reply(s, "503 5.5.1 Error: need RCPT command");
		return;
	}
	FILE *tmp = tmpfile();
	if (tmp == NULL) {
		reply(s, "451 4.3.0 cannot create temporary file");
		return;
	}
	reply(s, "354 End data with <CR><LF>.<CR><LF>");
	if (read_data(s, tmp) == 0)
		queue_data(s, tmp);
	else if (!feof(s->in))
		reply(s, "451 4.3.0 cannot store message");
	fclose(tmp);
	reset_txn(s);
}

enum dialogue { DIALOGUE_GOES_ON, DIALOGUE_OVER };

static enum dialogue
command(struct session *s, const char *line)
{
	char verb[8];
	size_t n = strcspn(line, " ");
	snprintf_rq(verb, sizeof verb, "%.*s", (int)(n < 7 ? n : 7), line);
	const char *arg = line[n] == ' ' ? line + n + 1 : line + n;
	if (strcasecmp(verb, "EHLO") == 0 || strcasecmp(verb, "HELO") == 0)
		cmd_ehlo(s, strcasecmp(verb, "EHLO") == 0);
	else if (strcasecmp(verb, "QUIT") == 0) {
		reply(s, "221 2.0.0 Bye");
		return DIALOGUE_OVER;
	} else if (!s->greeted && strcasecmp(verb, "NOOP") != 0)
		reply(s, "503 5.5.1 Error: send HELO/EHLO first");
	else if (strcasecmp(verb, "MAIL") == 0)
		cmd_mail(s, arg);
	else if (strcasecmp(verb, "RCPT") == 0)
		cmd_rcpt(s, arg);
	else if (strcasecmp(verb, "DATA") == 0)
		cmd_data(s);
	else if (strcasecmp(verb, "RSET") == 0) {
		reset_txn(s);
		reply(s, "250 2.0.0 Ok");
	} else if (strcasecmp(verb, "NOOP") == 0)
		reply(s, "250 2.0.0 Ok");
	else if (strcasecmp(verb, "VRFY") == 0)
		reply(s, "252 2.0.0 Cannot VRFY user");
	else
		reply(s, "502 5.5.2 Error: command not recognized");
	return DIALOGUE_GOES_ON;
}

enum submit_status
smtpd_dialogue(const struct cli *c, const struct conf *conf)
{
	struct session s = { .cli = c, .conf = conf, .in = stdin, .out = stdout };
	struct buf line;
	char greet[512];
	enum line_read r;
	buf_init(&line);
	snprintf_rq(greet, sizeof greet, "220 %s ESMTP relayq", conf->hostname);
	reply(&s, greet);
	while ((r = read_line(s.in, &line, CMD_MAX)) != LINE_NONE) {
		if (r == LINE_TOO_LONG) {
			reply(&s, "500 5.5.2 Error: line too long");
			continue;
		}
		if (command(&s, buf_str(&line)) == DIALOGUE_OVER)
			break;
	}
	reset_txn(&s);
	buf_free(&line);
	return SUBMIT_OK;
}
