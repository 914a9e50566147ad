/* faultd: our scriptable SMTP server for fault tests — correct ESMTP by
 * default, with per-command replies, drops and stalls from a rule file.
 *
 * usage: faultd -p PORT -o OUTDIR [-l ADDR] [-B] [-D] [-s SCRIPT] [-c CERT -k KEY [-S]]
 * -c/-k: a server certificate (PEM) for STARTTLS; -S: implicit TLS (port
 * 465 style), the handshake before the greeting.
 * Listens on 127.0.0.1:PORT (-l ::1: on [::1]:PORT; no other address),
 * writes OUTDIR/faultd.pid when ready, serves connections one at a time
 * until SIGTERM.  Every accepted message is stored as OUTDIR/msg.N:
 * "MAIL FROM:<s>", one "RCPT TO:<r>" per accepted recipient, an empty
 * line, then the DATA bytes un-stuffed, CRLF kept.  OUTDIR/transcript.log
 * gets "--- connection N from PEER-ADDRESS" and every "C: "/"S: " line.
 * -B: a black hole: listens with its accept queue filled by a connection
 * of its own and never accepts, so the kernel drops clients' SYNs and
 * their connect hangs, as behind a firewall that drops (no root needed).
 * -D: a discarding sink for make bench, as Postfix's smtp-sink but with
 * the rules (STARTTLS, AUTH): nothing is stored and nothing logged, so
 * that its speed is not the disk's.
 *
 * SCRIPT, one rule per line ('#' comments):
 *   greeting CODE TEXT     reply instead of 220 (then close)
 *   ehlo CODE TEXT         reply to EHLO (e.g. 502 to force HELO)
 *   size N                 advertise SIZE N
 *   no-pipelining          do not advertise PIPELINING
 *   note-pipelining        after a final dot, if the client's next bytes
 *                          had already arrived (it pipelined past the
 *                          dot, RFC 2920 §3.1), log "--- pipelined"
 *   smtputf8               advertise SMTPUTF8 (RFC 6531)
 *   mail CODE TEXT         reply to MAIL
 *   rcpt ADDR CODE TEXT    reply to RCPT whose address contains ADDR (* = any)
 *   data CODE TEXT         reply to DATA instead of 354
 *   dataend CODE TEXT      reply after the final dot instead of 250
 *   drop-after EVENT       close right after EVENT
 *   stall-after EVENT      stop answering after EVENT (keep reading)
 *   multiline              multi-line 250 replies to MAIL, RCPT and dataend
 *   on-message N RULE      RULE only for the N-th transaction (MAIL count)
 *   on-connection N RULE   RULE only on the N-th connection
 *   starttls               advertise STARTTLS (needs -c/-k); after the
 *                          handshake the client must EHLO again
 *   starttls-reply CODE TEXT  reply to STARTTLS instead of 220, no TLS
 *   starttls-inject TEXT   send "TEXT\r\n" in the same write as the 220,
 *                          in plaintext (the CVE-2011-0411 injection)
 *   auth MECH...           advertise AUTH MECH... in EHLO
 *   auth-tls-only          ... but only once TLS is active
 *   authreply CODE TEXT    reply to AUTH (default 235); without an initial
 *                          response a "334 " challenge comes first, and a
 *                          "*" answer gets 501
 *   auth-user USER PASS    check the login: AUTH PLAIN whose authentication
 *                          id and password are USER and PASS gets 235
 *                          (authreply still wins), another login 535
 *                          5.7.8, another mechanism 504 5.5.4
 *   auth-bearer TOKEN      OAuth2: XOAUTH2 or OAUTHBEARER whose response
 *                          carries "auth=Bearer TOKEN" gets 235; another
 *                          token gets the RFC 7628 error challenge "334
 *                          <base64 JSON status invalid_token>", then (after
 *                          the client's dummy answer, logged as "--- dummy
 *                          answer AQ==" or "--- dummy answer empty") 535
 *                          5.7.8; another mechanism 504 5.5.4.  The
 *                          transcript gets "--- bearer MECH user USER".
 *   malformed EVENT KIND   spoil the reply to EVENT (greeting ehlo mail rcpt
 *                          data dataend; it has the code and text it would
 *                          have had otherwise) as KIND, all of it in one write:
 *     code-change            "CODE-TEXT" then "CODE+1 ..." (250-a, 251 b)
 *     many-lines             101 lines (a client's limit is 100)
 *     long-line              one line of 5,000 bytes before its CRLF
 *     trailing-data          the normal reply, then the unsolicited line
 *                            "250 2.0.0 not a reply to anything"
 *                          The session goes on as usual after it.  A spoilt
 *                          dataend reply stores nothing, except trailing-data
 *                          (its reply is a good 250).
 * EVENT: greeting ehlo mail rcpt data mid-data dataend (before the reply).
 * The transcript shows AUTH lines as "C: AUTH MECH ***" and the client's
 * AUTH responses as "C: ***", and "--- tls VERSION CIPHER" (or "--- tls
 * handshake failed: why") after a handshake. */
#include <arpa/inet.h>
#include <errno.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_RULES 128
#define UNSOLICITED "250 2.0.0 not a reply to anything"

struct rule {
	int conn, msg;		/* 0 = always */
	char kind[16];
	char arg[256];		/* rcpt address / event name */
	int code;		/* reply code, or SIZE value */
	char text[256];
};

static struct rule rules[MAX_RULES];
static int nrules, conn_no, msg_no, stored_no;
static const char *outdir;
static FILE *xlog;
static bool discard;		/* -D */
static FILE *nowhere;		/* /dev/null, for -D */
static SSL_CTX *tls_ctx;	/* with -c/-k */
static SSL *tls;		/* the connection's TLS, once active */
static bool implicit_tls;	/* -S */
static bool redact_next;	/* the next client line is an AUTH response */

/* The transcript is flushed line by line (tests read it as soon as the
 * client is done); with -D it goes nowhere and costs nothing. */
static void
xflush(void)
{
	if (!discard)
		fflush(xlog);
}

static void
die(const char *what)
{
	fprintf(stderr, "faultd: %s: %s\n", what, strerror(errno));
	exit(1);
}

static bool
in_list(const char *const *list, const char *s)
{
	for (int i = 0; s != NULL && list[i] != NULL; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

/* "malformed EVENT KIND": a typo would silently test nothing, so die. */
static void
parse_malformed(struct rule *r, char **save)
{
	static const char *const events[] = {
		"greeting", "ehlo", "mail", "rcpt", "data", "dataend", NULL
	};
	static const char *const kinds[] = {
		"code-change", "many-lines", "long-line", "trailing-data", NULL
	};
	char *ev = strtok_r(NULL, " \t\n", save);
	char *kind = strtok_r(NULL, " \t\n", save);
	if (!in_list(events, ev) || !in_list(kinds, kind)) {
		fprintf(stderr, "faultd: bad rule \"malformed %s %s\"\n",
		    ev != NULL ? ev : "", kind != NULL ? kind : "");
		exit(64);
	}
	snprintf(r->arg, sizeof r->arg, "%s", ev);
	snprintf(r->text, sizeof r->text, "%s", kind);
}

static void
parse_rule(char *line)
{
	struct rule r = { 0 };
	char *save = NULL, *tok = strtok_r(line, " \t\n", &save);
	while (tok != NULL && (strcmp(tok, "on-message") == 0 || strcmp(tok, "on-connection") == 0)) {
		char *n = strtok_r(NULL, " \t\n", &save);
		if (n == NULL)
			return;
		*(strcmp(tok, "on-message") == 0 ? &r.msg : &r.conn) = atoi(n);
		tok = strtok_r(NULL, " \t\n", &save);
	}
	if (tok == NULL || tok[0] == '#' || nrules == MAX_RULES)
		return;
	snprintf(r.kind, sizeof r.kind, "%s", tok);
	if (strcmp(tok, "malformed") == 0) {
		parse_malformed(&r, &save);
		rules[nrules++] = r;
		return;
	}
	if (strcmp(tok, "auth") == 0 || strcmp(tok, "starttls-inject") == 0) {
		char *rest = strtok_r(NULL, "\n", &save);
		snprintf(r.text, sizeof r.text, "%s", rest != NULL ? rest : "");
		rules[nrules++] = r;
		return;
	}
	if (strcmp(tok, "rcpt") == 0 || strcmp(tok, "drop-after") == 0 ||
	    strcmp(tok, "stall-after") == 0 || strcmp(tok, "auth-user") == 0 ||
	    strcmp(tok, "auth-bearer") == 0) {
		char *a = strtok_r(NULL, " \t\n", &save);
		snprintf(r.arg, sizeof r.arg, "%s", a != NULL ? a : "");
	}
	if (strcmp(tok, "auth-bearer") == 0) {	/* TOKEN: no code */
		rules[nrules++] = r;
		return;
	}
	if (strcmp(tok, "auth-user") == 0) {	/* USER PASS: no code */
		char *pass = strtok_r(NULL, " \t\n", &save);
		snprintf(r.text, sizeof r.text, "%s", pass != NULL ? pass : "");
		rules[nrules++] = r;
		return;
	}
	char *code = strtok_r(NULL, " \t\n", &save);
	r.code = code != NULL ? atoi(code) : 0;
	char *rest = strtok_r(NULL, "\n", &save);
	snprintf(r.text, sizeof r.text, "%s", rest != NULL ? rest : "");
	rules[nrules++] = r;
}

static void
load_script(const char *path)
{
	FILE *fp = fopen(path, "r");
	char line[1024];
	if (fp == NULL)
		die(path);
	while (fgets(line, sizeof line, fp) != NULL)
		parse_rule(line);
	fclose(fp);
}

/* The first rule of this kind (and arg) in force now, or NULL. */
static const struct rule *
find(const char *kind, const char *arg)
{
	for (int i = 0; i < nrules; i++) {
		const struct rule *r = &rules[i];
		if (strcmp(r->kind, kind) != 0 || (r->conn && r->conn != conn_no) ||
		    (r->msg && r->msg != msg_no))
			continue;
		if (arg == NULL || strcmp(r->arg, "*") == 0 || strstr(arg, r->arg) != NULL)
			return r;
	}
	return NULL;
}

static bool
flag(const char *kind)
{
	return find(kind, NULL) != NULL;
}

/* The first rule of this kind for exactly this event ("data" is not
 * "dataend"), or NULL. */
static const struct rule *
find_event(const char *kind, const char *ev)
{
	for (int i = 0; i < nrules; i++) {
		const struct rule *r = &rules[i];
		if (strcmp(r->kind, kind) == 0 && strcmp(r->arg, ev) == 0 &&
		    (!r->conn || r->conn == conn_no) && (!r->msg || r->msg == msg_no))
			return r;
	}
	return NULL;
}

/* While corked, reply bytes collect here and go out in one write. */
static FILE *cork;
static char *cork_buf;
static size_t cork_len;

/* Every reply byte goes through here: into the cork while corked, TLS
 * once it is active. */
static int
write_all(int fd, const char *buf, size_t n)
{
	if (cork != NULL)
		return fwrite(buf, 1, n, cork) == n ? 0 : -1;
	if (tls != NULL)
		return SSL_write(tls, buf, (int)n) == (int)n ? 0 : -1;
	return write(fd, buf, n) == (ssize_t)n ? 0 : -1;
}

static void
cork_begin(void)
{
	if ((cork = open_memstream(&cork_buf, &cork_len)) == NULL)
		die("open_memstream");
}

static int
cork_end(int fd)
{
	FILE *m = cork;
	cork = NULL;
	if (fclose(m) != 0)
		die("open_memstream");
	int rc = write_all(fd, cork_buf, cork_len);
	free(cork_buf);
	cork_buf = NULL;
	return rc;
}

static int
send_line(int fd, const char *line)
{
	char buf[600];
	int n = snprintf(buf, sizeof buf, "%s\r\n", line);
	fprintf(xlog, "S: %s\n", line);
	xflush();
	return write_all(fd, buf, (size_t)n);
}

static int
reply(int fd, int code, const char *text, bool multi)
{
	char line[600];
	if (multi && code / 100 == 2) {
		snprintf(line, sizeof line, "%d-%s", code, "faultd says");
		if (send_line(fd, line) == -1)
			return -1;
	}
	snprintf(line, sizeof line, "%d %s", code, text);
	return send_line(fd, line);
}

/* "CODE-TEXT", then the same reply going on under CODE+1. */
static int
bad_code_change(int fd, int code, const char *text)
{
	char line[600];
	snprintf(line, sizeof line, "%d-%s", code, text);
	if (send_line(fd, line) == -1)
		return -1;
	snprintf(line, sizeof line, "%d code changed within the reply", code + 1);
	return send_line(fd, line);
}

/* One line more than SMTP_REPLY_MAX_LINES. */
static int
bad_many_lines(int fd, int code, const char *text)
{
	char line[600];
	snprintf(line, sizeof line, "%d-%s", code, text);
	int rc = send_line(fd, line);
	for (int i = 2; i <= 100 && rc == 0; i++) {
		snprintf(line, sizeof line, "%d-line %d of 101", code, i);
		rc = send_line(fd, line);
	}
	snprintf(line, sizeof line, "%d line 101 of 101", code);
	return rc == 0 ? send_line(fd, line) : -1;
}

/* "CODE TEXT xxx...": 5,000 bytes, then CRLF. */
static int
bad_long_line(int fd, int code, const char *text)
{
	char line[5000 + 2];
	int n = snprintf(line, sizeof line, "%d %s ", code, text);
	memset(line + n, 'x', sizeof line - 2 - (size_t)n);
	memcpy(line + sizeof line - 2, "\r\n", 2);
	fprintf(xlog, "S: %.*s... (5000 bytes)\n", n + 8, line);
	xflush();
	return write_all(fd, line, sizeof line);
}

/* The reply to ev (code, text) as the "malformed ev KIND" rule in force
 * says, in one write; or the normal reply. */
static int
reply_to(int fd, const char *ev, int code, const char *text, bool multi)
{
	const struct rule *bad = find_event("malformed", ev);
	if (bad == NULL)
		return reply(fd, code, text, multi);
	int rc;
	cork_begin();
	if (strcmp(bad->text, "code-change") == 0)
		rc = bad_code_change(fd, code, text);
	else if (strcmp(bad->text, "many-lines") == 0)
		rc = bad_many_lines(fd, code, text);
	else if (strcmp(bad->text, "long-line") == 0)
		rc = bad_long_line(fd, code, text);
	else
		rc = reply(fd, code, text, multi) | send_line(fd, UNSOLICITED);
	return cork_end(fd) | rc;
}

/* A dataend reply the client cannot take as an answer. */
static bool
spoilt(const char *ev)
{
	const struct rule *bad = find_event("malformed", ev);
	return bad != NULL && strcmp(bad->text, "trailing-data") != 0;
}

/* 0 go on, -1 close now (drop, or stall until the peer gives up). */
static int
event(int fd, FILE *in, const char *name)
{
	const struct rule *drop = find("drop-after", name);
	const struct rule *stall = find("stall-after", name);
	if (drop != NULL && strcmp(drop->arg, name) == 0)
		return -1;
	if (stall != NULL && strcmp(stall->arg, name) == 0) {
		char buf[4096];
		while (fread(buf, 1, sizeof buf, in) > 0)
			;
		return -1;
	}
	(void)fd;
	return 0;
}

static int
capabilities(int fd)
{
	const struct rule *size = find("size", NULL);
	char sz[64], line[300];
	if (send_line(fd, "250-fault.test") == -1 ||
	    (!flag("no-pipelining") && send_line(fd, "250-PIPELINING") == -1))
		return -1;
	if (size != NULL) {
		snprintf(sz, sizeof sz, "250-SIZE %d", size->code);
		if (send_line(fd, sz) == -1)
			return -1;
	}
	const struct rule *auth = find("auth", NULL);
	if (auth != NULL && (tls != NULL || !flag("auth-tls-only"))) {
		snprintf(line, sizeof line, "250-AUTH %s", auth->text);
		if (send_line(fd, line) == -1)
			return -1;
	}
	if (tls_ctx != NULL && tls == NULL && flag("starttls") &&
	    send_line(fd, "250-STARTTLS") == -1)
		return -1;
	if (flag("smtputf8") && send_line(fd, "250-SMTPUTF8") == -1)
		return -1;
	return send_line(fd, "250-8BITMIME") | send_line(fd, "250-DSN") |
	    send_line(fd, "250 ENHANCEDSTATUSCODES");
}

/* The capability list goes out in one write, as from a real server's
 * stream buffer (and trailing data with it). */
static int
ehlo(int fd)
{
	const struct rule *r = find("ehlo", NULL);
	if (r != NULL)
		return reply_to(fd, "ehlo", r->code, r->text, false);
	if (spoilt("ehlo"))
		return reply_to(fd, "ehlo", 250, "fault.test", false);
	cork_begin();
	int rc = capabilities(fd);
	if (find_event("malformed", "ehlo") != NULL)
		rc |= send_line(fd, UNSOLICITED);
	return cork_end(fd) | rc;
}

struct txn {
	char sender[512];
	char rcpts[64][512];
	int nrcpt;
};

static bool
read_line(FILE *in, char **line, size_t *cap)
{
	ssize_t n = getline(line, cap, in);
	if (n <= 0)
		return false;
	while (n > 0 && ((*line)[n - 1] == '\n' || (*line)[n - 1] == '\r'))
		(*line)[--n] = '\0';
	if (redact_next)
		fprintf(xlog, "C: ***\n");
	else if (strncasecmp(*line, "AUTH ", 5) == 0)
		fprintf(xlog, "C: AUTH %.*s ***\n", (int)strcspn(*line + 5, " "), *line + 5);
	else
		fprintf(xlog, "C: %s\n", *line);
	redact_next = false;
	xflush();
	return true;
}

/* Has the client sent more than we have read (glibc's FILE keeps its
 * read buffer in public fields)?  Before we reply, only a client that
 * pipelines has. */
static bool
input_waiting(int fd, FILE *in)
{
	int n = 0;
	if (in->_IO_read_ptr < in->_IO_read_end)
		return true;
	if (tls != NULL)
		return SSL_pending(tls) > 0;
	return ioctl(fd, FIONREAD, &n) == 0 && n > 0;
}

/* Reads DATA into a temp file; 0 at ".", -1 on EOF or a drop. */
static int
read_data(int fd, FILE *in, FILE *tmp)
{
	char *line = NULL;
	size_t cap = 0;
	bool first = true;
	for (;;) {
		ssize_t n = getline(&line, &cap, in);
		if (n <= 0)
			break;
		if (strcmp(line, ".\r\n") == 0 || strcmp(line, ".\n") == 0) {
			fprintf(xlog, "C: .\n");
			if (flag("note-pipelining") && input_waiting(fd, in))
				fprintf(xlog, "--- pipelined\n");
			free(line);
			return 0;
		}
		fwrite(line[0] == '.' ? line + 1 : line, 1, (size_t)n - (line[0] == '.'), tmp);
		if (first && event(fd, in, "mid-data") == -1)
			break;
		first = false;
	}
	free(line);
	return -1;
}

static void
store(const struct txn *t, FILE *tmp)
{
	char path[4096], buf[65536];
	snprintf(path, sizeof path, "%s/msg.%d", outdir, ++stored_no);
	FILE *out = fopen(path, "w");
	if (out == NULL)
		die(path);
	fprintf(out, "MAIL FROM:<%s>\n", t->sender);
	for (int i = 0; i < t->nrcpt; i++)
		fprintf(out, "RCPT TO:<%s>\n", t->rcpts[i]);
	fputc('\n', out);
	rewind(tmp);
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, tmp)) > 0)
		fwrite(buf, 1, n, out);
	fclose(out);
}

static int
cmd_data(int fd, FILE *in, struct txn *t)
{
	const struct rule *r = find("data", NULL);
	if (r != NULL)
		return reply_to(fd, "data", r->code, r->text, false);
	if (event(fd, in, "data") == -1 ||
	    reply_to(fd, "data", 354, "End data with <CR><LF>.<CR><LF>", false) == -1)
		return -1;
	FILE *tmp = discard ? nowhere : tmpfile();
	if (tmp == NULL)
		die("tmpfile");
	int rc = read_data(fd, in, tmp);
	if (rc == 0)
		rc = event(fd, in, "dataend");
	if (rc == 0) {
		r = find("dataend", NULL);
		int code = r != NULL ? r->code : 250;
		if (code / 100 == 2 && t->nrcpt > 0 && !spoilt("dataend") && !discard)
			store(t, tmp);
		rc = reply_to(fd, "dataend", code, r != NULL ? r->text : "2.0.0 Ok: queued",
		    flag("multiline"));
	}
	if (tmp != nowhere)
		fclose(tmp);
	t->nrcpt = 0;
	return rc;
}

static int
cmd_mail(int fd, FILE *in, struct txn *t, const char *arg)
{
	msg_no++;
	t->nrcpt = 0;
	const char *lt = strchr(arg, '<'), *gt = lt ? strchr(lt, '>') : NULL;
	snprintf(t->sender, sizeof t->sender, "%.*s", lt && gt ? (int)(gt - lt - 1) : 0,
	    lt ? lt + 1 : "");
	const struct rule *r = find("mail", NULL);
	if (event(fd, in, "mail") == -1)
		return -1;
	return reply_to(fd, "mail", r ? r->code : 250, r ? r->text : "2.1.0 Ok",
	    flag("multiline"));
}

static int
cmd_rcpt(int fd, FILE *in, struct txn *t, const char *arg)
{
	const char *lt = strchr(arg, '<'), *gt = lt ? strchr(lt, '>') : NULL;
	char addr[512];
	snprintf(addr, sizeof addr, "%.*s", lt && gt ? (int)(gt - lt - 1) : 0, lt ? lt + 1 : "");
	const struct rule *r = find("rcpt", addr);
	int code = r ? r->code : 250;
	if (code / 100 == 2 && t->nrcpt < 64)
		snprintf(t->rcpts[t->nrcpt++], sizeof t->rcpts[0], "%s", addr);
	if (event(fd, in, "rcpt") == -1)
		return -1;
	return reply_to(fd, "rcpt", code, r ? r->text : "2.1.5 Ok", flag("multiline"));
}

/* 1: start TLS now (the 220 and any injected bytes went out together). */
static int
cmd_starttls(int fd)
{
	if (tls_ctx == NULL || tls != NULL || !flag("starttls"))
		return reply(fd, 502, "5.5.1 STARTTLS not offered", false);
	const struct rule *r = find("starttls-reply", NULL);
	if (r != NULL)
		return reply(fd, r->code, r->text, false);
	const struct rule *inj = find("starttls-inject", NULL);
	char buf[700];
	int n = snprintf(buf, sizeof buf, "220 2.0.0 Ready to start TLS\r\n%s%s",
	    inj != NULL ? inj->text : "", inj != NULL ? "\r\n" : "");
	fprintf(xlog, "S: 220 2.0.0 Ready to start TLS\n");
	if (inj != NULL)
		fprintf(xlog, "S: %s (injected)\n", inj->text);
	xflush();
	return write_all(fd, buf, (size_t)n) == -1 ? -1 : 1;
}

/* PLAIN's response (RFC 4616): authzid NUL authcid NUL passwd, base64. */
static bool
plain_login_ok(const struct rule *user, const char *b64)
{
	unsigned char raw[768];
	size_t len = strlen(b64);
	if (len == 0 || len % 4 != 0 || len / 4 * 3 > sizeof raw - 1)
		return false;
	int n = EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)len);
	if (n < 0)
		return false;
	n -= (len >= 1 && b64[len - 1] == '=') + (len >= 2 && b64[len - 2] == '=');
	raw[n] = '\0';
	const char *authcid = memchr(raw, '\0', (size_t)n);
	if (authcid == NULL)
		return false;
	authcid++;
	const char *pass = memchr(authcid, '\0', (size_t)n - (size_t)(authcid - (char *)raw));
	if (pass == NULL)
		return false;
	pass++;
	size_t plen = (size_t)n - (size_t)(pass - (char *)raw);
	return strcmp(authcid, user->arg) == 0 && plen == strlen(user->text) &&
	    memcmp(pass, user->text, plen) == 0;
}

/* The bearer response's user ("user=" or the GS2 "a=") and token
 * ("auth=Bearer "), from the decoded raw response. */
static void
bearer_fields(const char *raw, char *user, size_t usize, char *token, size_t tsize)
{
	const char *u = strncmp(raw, "user=", 5) == 0 ? raw + 5 :
	    strncmp(raw, "n,a=", 4) == 0 ? raw + 4 : "";
	static const char auth[] = "\001auth=Bearer ";
	const char *t = strstr(raw, auth);
	snprintf(user, usize, "%.*s", (int)strcspn(u, ",\001"), u);
	t = t != NULL ? t + sizeof auth - 1 : "";
	snprintf(token, tsize, "%.*s", (int)strcspn(t, "\001"), t);
}

static int
bearer_verdict(int fd, FILE *in, const struct rule *want, const char *mech, size_t mlen,
    const char *b64)
{
	static const char challenge[] = "{\"status\":\"invalid_token\","
	    "\"scope\":\"https://mail.fault.test/\"}";
	unsigned char raw[8192], chal[256];
	char user[512], token[4096], line[600];
	size_t len = strlen(b64);
	bool x = mlen == 7 && strncasecmp(mech, "XOAUTH2", 7) == 0;
	if (!x && !(mlen == 11 && strncasecmp(mech, "OAUTHBEARER", 11) == 0))
		return reply(fd, 504, "5.5.4 Unrecognized authentication type", false);
	int n = len % 4 == 0 && len / 4 * 3 < sizeof raw ?
	    EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)len) : -1;
	raw[n > 0 ? n : 0] = '\0';
	bearer_fields((const char *)raw, user, sizeof user, token, sizeof token);
	fprintf(xlog, "--- bearer %.*s user %s\n", (int)mlen, mech, user);
	if (strcmp(token, want->arg) == 0)
		return reply(fd, 235, "2.7.0 Authentication successful", false);
	EVP_EncodeBlock(chal, (const unsigned char *)challenge, (int)strlen(challenge));
	snprintf(line, sizeof line, "334 %s", (const char *)chal);
	char *resp = NULL;
	size_t cap = 0;
	if (send_line(fd, line) == -1 || !read_line(in, &resp, &cap)) {
		free(resp);
		return -1;
	}
	fprintf(xlog, "--- dummy answer %s\n", resp[0] != '\0' ? resp : "empty");
	free(resp);
	return reply(fd, 535, "5.7.8 Username and Password not accepted", false);
}

/* The reply to a finished AUTH exchange whose response was resp. */
static int
auth_verdict(int fd, FILE *in, const char *mech, size_t mlen, const char *resp)
{
	const struct rule *r = find("authreply", NULL);
	const struct rule *user = find("auth-user", NULL);
	const struct rule *bearer = find("auth-bearer", NULL);
	if (r != NULL)
		return reply(fd, r->code, r->text, false);
	if (bearer != NULL)
		return bearer_verdict(fd, in, bearer, mech, mlen, resp);
	if (user != NULL && (mlen != 5 || strncasecmp(mech, "PLAIN", 5) != 0))
		return reply(fd, 504, "5.5.4 Unrecognized authentication type", false);
	if (user != NULL && !plain_login_ok(user, resp))
		return reply(fd, 535, "5.7.8 Error: authentication failed", false);
	return reply(fd, 235, "2.7.0 Authentication successful", false);
}

static int
cmd_auth(int fd, FILE *in, const char *line)
{
	const char *mech = line + 5;
	size_t mlen = strcspn(mech, " ");
	if (mech[mlen] == ' ')		/* an initial response */
		return auth_verdict(fd, in, mech, mlen, mech + mlen + 1);
	char *resp = NULL;
	size_t cap = 0;
	if (send_line(fd, "334 ") == -1)
		return -1;
	redact_next = true;
	if (!read_line(in, &resp, &cap)) {
		free(resp);
		return -1;
	}
	int rc = strcmp(resp, "*") == 0 ?
	    reply(fd, 501, "5.7.0 Authentication aborted", false) :
	    auth_verdict(fd, in, mech, mlen, resp);
	free(resp);
	return rc;
}

static int
command(int fd, FILE *in, struct txn *t, const char *line)
{
	if (strncasecmp(line, "STARTTLS", 8) == 0)
		return cmd_starttls(fd);
	if (strncasecmp(line, "AUTH ", 5) == 0)
		return cmd_auth(fd, in, line);
	if (strncasecmp(line, "EHLO", 4) == 0)
		return ehlo(fd) == -1 ? -1 : event(fd, in, "ehlo");
	if (strncasecmp(line, "HELO", 4) == 0)
		return reply(fd, 250, "fault.test", false);
	if (strncasecmp(line, "MAIL", 4) == 0)
		return cmd_mail(fd, in, t, line);
	if (strncasecmp(line, "RCPT", 4) == 0)
		return cmd_rcpt(fd, in, t, line);
	if (strncasecmp(line, "DATA", 4) == 0)
		return cmd_data(fd, in, t);
	if (strncasecmp(line, "RSET", 4) == 0) {
		t->nrcpt = 0;
		return reply(fd, 250, "2.0.0 Ok", false);
	}
	if (strncasecmp(line, "NOOP", 4) == 0)
		return reply(fd, 250, "2.0.0 Ok", false);
	if (strncasecmp(line, "QUIT", 4) == 0) {
		reply(fd, 221, "2.0.0 Bye", false);
		return -1;
	}
	return reply(fd, 502, "5.5.2 Error: command not recognized", false);
}

/* The client's bytes, through TLS once it is active (a stdio stream, so
 * the line reader works the same either way). */
static ssize_t
peer_read(void *cookie, char *buf, size_t n)
{
	int fd = *(int *)cookie;
	if (tls != NULL) {
		int r = SSL_read(tls, buf, n > 65536 ? 65536 : (int)n);
		return r > 0 ? r : 0;
	}
	ssize_t r = read(fd, buf, n);
	return r < 0 ? -1 : r;
}

static int
peer_close(void *cookie)
{
	(void)cookie;
	return 0;
}

static FILE *
peer_stream(int *fd)
{
	cookie_io_functions_t io = { .read = peer_read, .close = peer_close };
	FILE *in = fopencookie(fd, "r", io);
	if (in == NULL)
		die("fopencookie");
	return in;
}

static int
tls_accept(int fd)
{
	if ((tls = SSL_new(tls_ctx)) == NULL || SSL_set_fd(tls, fd) != 1 ||
	    SSL_accept(tls) != 1) {
		unsigned long e = ERR_get_error();
		fprintf(xlog, "--- tls handshake failed: %s\n",
		    e != 0 ? ERR_reason_error_string(e) : "connection closed");
		xflush();
		ERR_clear_error();
		SSL_free(tls);
		tls = NULL;
		return -1;
	}
	fprintf(xlog, "--- tls %s %s\n", SSL_get_version(tls), SSL_get_cipher_name(tls));
	xflush();
	return 0;
}

static void
session(int *fd)
{
	FILE *in = peer_stream(fd);
	struct txn t = { 0 };
	char *line = NULL;
	size_t cap = 0;
	int rc = 0;
	const struct rule *g = find("greeting", NULL);
	if (g != NULL) {
		reply(*fd, g->code, g->text, false);
	} else if (reply_to(*fd, "greeting", 220, "fault.test ESMTP faultd", false) == 0 &&
	    event(*fd, in, "greeting") == 0) {
		while (rc >= 0 && read_line(in, &line, &cap)) {
			rc = command(*fd, in, &t, line);
			if (rc == 1) {
				/* Whatever the client sent before the handshake
				 * is dropped with the plaintext stream. */
				fclose(in);
				in = peer_stream(fd);
				t.nrcpt = 0;
				rc = tls_accept(*fd);
			}
		}
	}
	free(line);
	fclose(in);
}

static void
serve(int fd, const char *peer)
{
	fprintf(xlog, "--- connection %d from %s\n", ++conn_no, peer);
	if (!implicit_tls || tls_accept(fd) == 0)
		session(&fd);
	if (tls != NULL) {
		SSL_shutdown(tls);
		SSL_free(tls);
		tls = NULL;
	}
	close(fd);
}

static void
load_cert(const char *cert, const char *key)
{
	tls_ctx = SSL_CTX_new(TLS_server_method());
	if (tls_ctx == NULL || SSL_CTX_set_min_proto_version(tls_ctx, TLS1_2_VERSION) != 1 ||
	    SSL_CTX_use_certificate_chain_file(tls_ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(tls_ctx, key, SSL_FILETYPE_PEM) != 1) {
		fprintf(stderr, "faultd: cannot load %s / %s\n", cert, key);
		exit(1);
	}
}

/* addr: "127.0.0.1" or "::1", never anything but loopback. */
static socklen_t
loopback(const char *addr, int port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	memset(ss, 0, sizeof *ss);
	if (strcmp(addr, "127.0.0.1") == 0) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		return sizeof *s4;
	}
	if (strcmp(addr, "::1") == 0) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		s6->sin6_addr = in6addr_loopback;
		return sizeof *s6;
	}
	fprintf(stderr, "faultd: -l %s: only 127.0.0.1 or ::1\n", addr);
	exit(64);
}

/* blackhole: backlog 0 holds one connection; ours fills it. */
static int
listen_on(const char *addr, int port, bool blackhole)
{
	struct sockaddr_storage ss;
	socklen_t len = loopback(addr, port, &ss);
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
	if (fd == -1 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == -1 ||
	    bind(fd, (struct sockaddr *)&ss, len) == -1 || listen(fd, blackhole ? 0 : 16) == -1)
		die("listen");
	int filler = blackhole ? socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0) : 0;
	if (filler == -1 || (blackhole && connect(filler, (struct sockaddr *)&ss, len) == -1))
		die("filling the accept queue");
	return fd;
}

/* The peer's address as text, for the transcript. */
static void
peer_text(const struct sockaddr_storage *ss, char *out, size_t size)
{
	const void *a = ss->ss_family == AF_INET6 ?
	    (const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr :
	    (const void *)&((const struct sockaddr_in *)ss)->sin_addr;
	if (inet_ntop(ss->ss_family, a, out, (socklen_t)size) == NULL)
		snprintf(out, size, "?");
}

int
main(int argc, char **argv)
{
	int ch, port = 0;
	bool blackhole = false;
	const char *script = NULL, *cert = NULL, *key = NULL, *addr = "127.0.0.1";
	while ((ch = getopt(argc, argv, "BDc:k:l:p:o:s:S")) != -1) {
		if (ch == 'B')
			blackhole = true;
		else if (ch == 'D')
			discard = true;
		else if (ch == 'l')
			addr = optarg;
		else if (ch == 'c')
			cert = optarg;
		else if (ch == 'k')
			key = optarg;
		else if (ch == 'S')
			implicit_tls = true;
		else if (ch == 'p')
			port = atoi(optarg);
		else if (ch == 'o')
			outdir = optarg;
		else if (ch == 's')
			script = optarg;
	}
	if (port <= 0 || outdir == NULL) {
		fputs("usage: faultd -p PORT -o OUTDIR [-l ADDR] [-B] [-D] [-s SCRIPT] "
		    "[-c CERT -k KEY [-S]]\n", stderr);
		return 64;
	}
	if (cert != NULL && key != NULL)
		load_cert(cert, key);
	if (implicit_tls && tls_ctx == NULL) {
		fputs("faultd: -S needs -c and -k\n", stderr);
		return 64;
	}
	if (script != NULL)
		load_script(script);
	signal(SIGPIPE, SIG_IGN);
	char path[4096];
	snprintf(path, sizeof path, "%s/transcript.log", outdir);
	if (discard) {
		if ((xlog = nowhere = fopen("/dev/null", "w")) == NULL)
			die("/dev/null");
		setvbuf(nowhere, NULL, _IOFBF, 1 << 20);
	} else if ((xlog = fopen(path, "a")) == NULL)
		die(path);
	int lfd = listen_on(addr, port, blackhole);
	snprintf(path, sizeof path, "%s/faultd.pid", outdir);
	FILE *pf = fopen(path, "w");
	if (pf == NULL)
		die(path);
	fprintf(pf, "%ld\n", (long)getpid());
	fclose(pf);
	int one = 1;
	while (blackhole)
		pause();
	for (;;) {
		struct sockaddr_storage ss;
		socklen_t sslen = sizeof ss;
		char peer[INET6_ADDRSTRLEN];
		int fd = accept(lfd, (struct sockaddr *)&ss, &sslen);
		if (fd == -1 && errno != EINTR)
			die("accept");
		if (fd >= 0) {
			/* Replies go out one write each: without NODELAY, Nagle
			 * holds the 2nd pipelined reply for the client's
			 * delayed ACK (40 ms per message). */
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
			peer_text(&ss, peer, sizeof peer);
			serve(fd, peer);
		}
	}
}
