/* log: syslog + stderr event lines and the redacted -v SMTP transcript.
 * Global state here is the only mutable state besides the configuration. */
#include "log.h"
#include "buf.h"
#include "linewrap.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

static const char *log_ident = "relayq";
static int log_dest = LOG_TO_STDERR;
static bool log_verbose;
static FILE *log_file;
static char log_host[256] = "localhost";	/* as syslog writes it: short */

void
log_open(const char *ident, int dest)
{
	log_ident = ident;
	log_dest = dest;
	if (dest & LOG_TO_SYSLOG)
		openlog(ident, LOG_PID | (dest & LOG_SYSLOG_LAZY ? 0 : LOG_NDELAY), LOG_MAIL);
}

void
log_set_verbose(bool on)
{
	log_verbose = on;
}

bool
log_verbose_on(void)
{
	return log_verbose;
}

void
log_close(void)
{
	if (log_dest & LOG_TO_SYSLOG)
		closelog();
	if (log_file != NULL)
		fclose(log_file);
	log_file = NULL;
}

static void
log_file_line(const char *line)
{
	char when[32];
	time_t now = time(NULL);
	struct tm tm;
	if (localtime_r(&now, &tm) == NULL || strftime(when, sizeof when, "%b %e %H:%M:%S", &tm) == 0)
		when[0] = '\0';
	fprintf(log_file, "%s %s %s[%ld]: %s\n", when, log_host, log_ident, (long)getpid(),
	    line);
	fflush(log_file);
}

int
log_set_file(const char *path)
{
	FILE *fp = fopen(path, "ae");
	if (fp == NULL)
		return -1;
	if (log_file != NULL)
		fclose(log_file);
	log_file = fp;
	/* rsyslog's and journald's host field: the name up to its first dot. */
	char host[sizeof log_host];
	if (gethostname(host, sizeof host) == 0) {
		host[sizeof host - 1] = '\0';
		host[strcspn(host, ".")] = '\0';
		if (host[0] != '\0')
			strlcpy_rq(log_host, host, sizeof log_host);
	}
	return 0;
}

/* systemd's JOURNAL_STREAM is "dev:ino" of the stream it connected. */
bool
log_stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	struct stat st;
	unsigned long long dev, ino;
	if (js == NULL || sscanf(js, "%llu:%llu", &dev, &ino) != 2 || fstat(2, &st) == -1)
		return false;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

/* -v output is often mailed (cron captures it): no line passes
 * LINEWRAP_MAX; a long one goes on in indented continuation lines. */
static void
put_lines(FILE *fp, const char *lead, const char *text, size_t len)
{
	do {
		size_t room = LINEWRAP_MAX - strlen(lead);
		size_t n = len < room ? len : room;
		fprintf(fp, "%s%.*s\n", lead, (int)n, text);
		text += n;
		len -= n;
		lead = "    ";
	} while (len > 0);
}

/* Server bytes are hostile: control characters and 8-bit octets are shown
 * as '?' so that they cannot move the cursor or fake transcript lines. */
static void
put_escaped(FILE *fp, const char *lead, const char *text, size_t len, const char *tail)
{
	struct buf b;
	buf_init(&b);
	if (buf_append(&b, text, len) == 0 && buf_puts(&b, tail) == 0) {
		for (size_t i = 0; i < len; i++)
			if ((unsigned char)b.data[i] < 0x20 || (unsigned char)b.data[i] >= 0x7f)
				b.data[i] = '?';
		put_lines(fp, lead, b.data, b.len);
	}
	buf_free(&b);
}

static void log_emit(int prio, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static void
log_emit(int prio, const char *fmt, va_list ap)
{
	char line[2048];
	if (vsnprintf(line, sizeof line, fmt, ap) < 0)
		return;
	/* Never let a hostile string split a log record. */
	for (char *p = line; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	if (log_dest & LOG_TO_SYSLOG)
		syslog(prio, "%s", line);
	if ((log_dest & LOG_TO_STDERR) || log_verbose ||
	    ((log_dest & LOG_PROBLEMS_TO_STDERR) && prio <= LOG_WARNING)) {
		char lead[64];
		snprintf_rq(lead, sizeof lead, "%s: ", log_ident);
		put_lines(stderr, lead, line, strlen(line));
	}
	if (log_file != NULL)
		log_file_line(line);
}

#define LOG_FN(name, prio)					\
	void name(const char *fmt, ...)				\
	{							\
		va_list ap;					\
		va_start(ap, fmt);				\
		log_emit(prio, fmt, ap);			\
		va_end(ap);					\
	}
LOG_FN(log_info, LOG_INFO)
LOG_FN(log_notice, LOG_NOTICE)
LOG_FN(log_warn, LOG_WARNING)
LOG_FN(log_err, LOG_ERR)

void
log_err_lines(const char *text)
{
	while (*text != '\0') {
		int n = (int)strcspn(text, "\n");
		log_err("%.*s", n, text);
		text += n + (text[n] == '\n');
	}
}

void
log_print_lines(FILE *fp, const char *prefix, const char *text)
{
	while (*text != '\0') {
		int n = (int)strcspn(text, "\n");
		fprintf(fp, "%s: %.*s\n", prefix, n, text);
		text += n + (text[n] == '\n');
	}
}

void
log_transcript(bool sent, const char *line, enum xscript_redact redact)
{
	if (!log_verbose)
		return;
	const char *lead = sent ? ">>> " : "<<< ";
	size_t keep = strcspn(line, "\r\n");
	if (redact == XS_ALL) {
		fprintf(stderr, "%s***\n", lead);
		return;
	}
	if (redact == XS_AFTER_ONE_WORD || redact == XS_AFTER_TWO_WORDS) {
		/* "AUTH PLAIN dGVzd..." -> "AUTH PLAIN ***", "334 cj1..." -> "334 ***" */
		size_t end = strcspn(line, " \r\n");
		if (redact == XS_AFTER_TWO_WORDS && end < keep)
			end += 1 + strcspn(line + end + 1, " \r\n");
		put_escaped(stderr, lead, line, end < keep ? end : keep, " ***");
		return;
	}
	put_escaped(stderr, lead, line, keep, "");
}
