/* log: syslog (facility mail) plus the -v transcript on stderr.
 * One line per event in sendmail's style.  Callers never pass secrets; the
 * SMTP transcript helper redacts AUTH payloads by itself. */
#ifndef RELAYQ_LOG_H
#define RELAYQ_LOG_H

#include <stdbool.h>
#include <stdio.h>

enum log_dest {
	LOG_TO_SYSLOG = 1,	/* syslog, facility mail */
	LOG_TO_STDERR = 2,	/* "ident: message" on stderr */
	LOG_PROBLEMS_TO_STDERR = 4,	/* only errors and warnings on stderr */
	LOG_SYSLOG_LAZY = 8	/* with LOG_TO_SYSLOG: connect at the first
				   line, not in log_open (a process that may
				   log nothing, or once, on a host that may
				   have no /dev/log: the submitter) */
};

void log_open(const char *ident, int dest);
void log_set_verbose(bool on);	/* -v: also copy events and transcript to stderr */
bool log_verbose_on(void);
void log_close(void);
/* Also append every event to path (for hosts without syslog), each line
 * as syslog writes it: "Mon dd hh:mm:ss host ident[pid]: text".  0 / -1. */
int  log_set_file(const char *path);
/* Is stderr systemd's journal stream (so a copy there would be a duplicate)? */
bool log_stderr_is_journal(void);

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* One log_err, or one "prefix: line" on fp, per '\n'-separated line of
 * text (conf_load's list of errors). */
void log_err_lines(const char *text);
void log_print_lines(FILE *fp, const char *prefix, const char *text);

/* -v transcript: prints ">>> line" (sent) or "<<< line" (received) to
 * stderr when verbose.  `redact` replaces everything after the first word
 * ("334 ***"), after the first two ("AUTH PLAIN ***") or the whole line
 * with "***". */
enum xscript_redact { XS_CLEAR, XS_AFTER_ONE_WORD, XS_AFTER_TWO_WORDS, XS_ALL };
void log_transcript(bool sent, const char *line, enum xscript_redact redact);

#endif
