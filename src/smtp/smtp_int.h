/* smtp_int: what the SMTP client's files share and nobody else sees —
 * the session and its command/reply primitives.  smtp.c runs sessions and
 * transactions, smtp_secure.c STARTTLS and AUTH. */
#ifndef RELAYQ_SMTP_INT_H
#define RELAYQ_SMTP_INT_H

#include "log.h"
#include "smtp.h"

struct conn;
struct tls;

struct smtp_session {
	struct conn *c;
	struct smtp_opts o;
	struct smtp_ext ext;
	struct tls *tls;	/* NULL until TLS is up */
	bool alive;		/* false: send nothing more, not even QUIT */
	bool authed;		/* AUTH succeeded: MAIL carries AUTH=<> */
	char mech[64];		/* the mechanism that succeeded */
	bool redact;		/* -v shows received 334 lines as "334 ***" */
};

/* Queues one command line (CRLF added); the -v transcript shows it
 * redacted as asked (AUTH payloads never appear). */
int smtp_cmd(struct smtp_session *s, enum xscript_redact redact, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Sends what is queued; on failure the session dies and r holds a 451. */
int smtp_flush(struct smtp_session *s, int timeout, struct smtp_reply *r);
/* Reads one complete reply (after: the command, for error texts). */
int smtp_read_reply(struct smtp_session *s, int timeout, struct smtp_reply *r,
    const char *after);
/* EHLO (HELO fallback only when allow_helo): OUT_OK or why not in err. */
enum outcome smtp_hello(struct smtp_session *s, bool allow_helo, char *err, size_t errlen);

/* smtp_secure.c: implicit TLS right after connecting, STARTTLS after
 * the first EHLO, AUTH after that.  Each returns OUT_OK to go on, or
 * OUT_TEMP with err and the session marked dead. */
enum outcome smtp_tls_wrap(struct smtp_session *s, char *err, size_t errlen);
enum outcome smtp_starttls(struct smtp_session *s, char *err, size_t errlen);
enum outcome smtp_auth(struct smtp_session *s, char *err, size_t errlen);
void smtp_tls_end(struct smtp_session *s);

#endif
