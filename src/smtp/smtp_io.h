/* smtp_io: command and reply primitives of the SMTP client (internal to
 * src/smtp).  On an I/O or protocol failure the session dies and the reply
 * holds a local 451 saying why (RFC 5321 §3.8). */
#ifndef RELAYQ_SMTP_IO_H
#define RELAYQ_SMTP_IO_H

#include <stdbool.h>
#include <stddef.h>

#include "log.h"
#include "smtp_int.h"

/* Queues one command line (CRLF added); the -v transcript shows it
 * redacted as asked (AUTH payloads never appear). */
int smtp_io_cmd(struct smtp_session *s, enum xscript_redact redact, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Sends what is queued.  0 / -1. */
int smtp_io_flush(struct smtp_session *s, int timeout, struct smtp_reply *r);
/* Reads one complete reply (after: the command, for error texts). */
int smtp_io_read_reply(struct smtp_session *s, int timeout, struct smtp_reply *r,
    const char *after);
/* A reply that must be the last one due: nothing may follow it. */
int smtp_io_read_last(struct smtp_session *s, int timeout, struct smtp_reply *r,
    const char *after);
/* -1 (session dead, r says why) when bytes wait although no reply is due. */
int smtp_io_in_step(struct smtp_session *s, struct smtp_reply *r, const char *after);
/* 2xx OK, 5xx PERM, anything else (a 3xx out of its place too) TEMP. */
enum outcome smtp_io_outcome(const struct smtp_reply *r);
/* EHLO with its keywords into s->ext (HELO fallback only when allow_helo):
 * OUT_OK or why not in err. */
enum outcome smtp_io_hello(struct smtp_session *s, bool allow_helo, char *err,
    size_t errlen);

#endif
