/* faultd: our scriptable SMTP server for fault tests — correct ESMTP by
 * default, with per-command replies, drops and stalls from a rule file.
 *
 * usage: faultd -p PORT -o OUTDIR [-s SCRIPT]
 * Listens on 127.0.0.1:PORT, writes OUTDIR/faultd.pid when ready, serves
 * connections one at a time until SIGTERM.  Every accepted message is
 * stored as OUTDIR/msg.N: "MAIL FROM:<s>", one "RCPT TO:<r>" per accepted
 * recipient, an empty line, then the DATA bytes un-stuffed, CRLF kept.
 * OUTDIR/transcript.log gets "--- connection N" and every "C: "/"S: " line.
 *
 * SCRIPT, one rule per line ('#' comments):
 *   greeting CODE TEXT     reply instead of 220 (then close)
 *   ehlo CODE TEXT         reply to EHLO (e.g. 502 to force HELO)
 *   size N                 advertise SIZE N
 *   no-pipelining          do not advertise PIPELINING
 *   mail CODE TEXT         reply to MAIL
 *   rcpt ADDR CODE TEXT    reply to RCPT whose address contains ADDR (* = any)
 *   data CODE TEXT         reply to DATA instead of 354
 *   dataend CODE TEXT      reply after the final dot instead of 250
 *   drop-after EVENT       close right after EVENT
 *   stall-after EVENT      stop answering after EVENT (keep reading)
 *   multiline              multi-line 250 replies to MAIL, RCPT and dataend
 *   on-message N RULE      RULE only for the N-th transaction (MAIL count)
 *   on-connection N RULE   RULE only on the N-th connection
 * EVENT: greeting ehlo mail rcpt data mid-data dataend (before the reply). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_RULES 128

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

static void
die(const char *what)
{
	fprintf(stderr, "faultd: %s: %s\n", what, strerror(errno));
	exit(1);
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
	if (strcmp(tok, "rcpt") == 0 || strcmp(tok, "drop-after") == 0 ||
	    strcmp(tok, "stall-after") == 0) {
		char *a = strtok_r(NULL, " \t\n", &save);
		snprintf(r.arg, sizeof r.arg, "%s", a != NULL ? a : "");
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

static int
send_line(int fd, const char *line)
{
	char buf[600];
	int n = snprintf(buf, sizeof buf, "%s\r\n", line);
	fprintf(xlog, "S: %s\n", line);
	fflush(xlog);
	return write(fd, buf, (size_t)n) == n ? 0 : -1;
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
ehlo(int fd)
{
	const struct rule *r = find("ehlo", NULL);
	if (r != NULL)
		return reply(fd, r->code, r->text, false);
	const struct rule *size = find("size", NULL);
	char sz[64];
	if (send_line(fd, "250-fault.test") == -1 ||
	    (!flag("no-pipelining") && send_line(fd, "250-PIPELINING") == -1))
		return -1;
	if (size != NULL) {
		snprintf(sz, sizeof sz, "250-SIZE %d", size->code);
		if (send_line(fd, sz) == -1)
			return -1;
	}
	return send_line(fd, "250-8BITMIME") | send_line(fd, "250-DSN") |
	    send_line(fd, "250 ENHANCEDSTATUSCODES");
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
	fprintf(xlog, "C: %s\n", *line);
	fflush(xlog);
	return true;
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
		return reply(fd, r->code, r->text, false);
	if (event(fd, in, "data") == -1 || reply(fd, 354, "End data with <CR><LF>.<CR><LF>", false) == -1)
		return -1;
	FILE *tmp = tmpfile();
	if (tmp == NULL)
		die("tmpfile");
	int rc = read_data(fd, in, tmp);
	if (rc == 0)
		rc = event(fd, in, "dataend");
	if (rc == 0) {
		r = find("dataend", NULL);
		int code = r != NULL ? r->code : 250;
		if (code / 100 == 2 && t->nrcpt > 0)
			store(t, tmp);
		rc = reply(fd, code, r != NULL ? r->text : "2.0.0 Ok: queued", flag("multiline"));
	}
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
	return reply(fd, r ? r->code : 250, r ? r->text : "2.1.0 Ok", flag("multiline"));
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
	return reply(fd, code, r ? r->text : "2.1.5 Ok", flag("multiline"));
}

static int
command(int fd, FILE *in, struct txn *t, const char *line)
{
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

static void
serve(int fd)
{
	FILE *in = fdopen(dup(fd), "r");
	struct txn t = { 0 };
	char *line = NULL;
	size_t cap = 0;
	fprintf(xlog, "--- connection %d\n", ++conn_no);
	const struct rule *g = find("greeting", NULL);
	if (g != NULL) {
		reply(fd, g->code, g->text, false);
	} else if (reply(fd, 220, "fault.test ESMTP faultd", false) == 0 &&
	    event(fd, in, "greeting") == 0) {
		while (read_line(in, &line, &cap) && command(fd, in, &t, line) == 0)
			;
	}
	free(line);
	fclose(in);
	close(fd);
}

static int
listen_on(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd == -1 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == -1 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof sa) == -1 || listen(fd, 16) == -1)
		die("listen");
	return fd;
}

int
main(int argc, char **argv)
{
	int ch, port = 0;
	const char *script = NULL;
	while ((ch = getopt(argc, argv, "p:o:s:")) != -1) {
		if (ch == 'p')
			port = atoi(optarg);
		else if (ch == 'o')
			outdir = optarg;
		else if (ch == 's')
			script = optarg;
	}
	if (port <= 0 || outdir == NULL) {
		fputs("usage: faultd -p PORT -o OUTDIR [-s SCRIPT]\n", stderr);
		return 64;
	}
	if (script != NULL)
		load_script(script);
	signal(SIGPIPE, SIG_IGN);
	char path[4096];
	snprintf(path, sizeof path, "%s/transcript.log", outdir);
	if ((xlog = fopen(path, "a")) == NULL)
		die(path);
	int lfd = listen_on(port);
	snprintf(path, sizeof path, "%s/faultd.pid", outdir);
	FILE *pf = fopen(path, "w");
	if (pf == NULL)
		die(path);
	fprintf(pf, "%ld\n", (long)getpid());
	fclose(pf);
	int one = 1;
	for (;;) {
		int fd = accept(lfd, NULL, NULL);
		if (fd == -1 && errno != EINTR)
			die("accept");
		if (fd >= 0) {
			/* Replies go out one write each: without NODELAY, Nagle
			 * holds the 2nd pipelined reply for the client's
			 * delayed ACK (40 ms per message). */
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
			serve(fd);
		}
	}
}
