/* smtp_int: the session struct the SMTP client's files share and nobody
 * else sees.  smtp.c runs sessions and transactions, smtp_secure.c TLS and
 * AUTH, smtp_io.c the line primitives both use (no file calls back up). */
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
	bool in_txn;		/* MAIL accepted, no reply to "." yet: the
				   next transaction needs RSET first */
	bool authed;		/* AUTH succeeded: MAIL carries AUTH=<> */
	char mech[64];		/* the mechanism that succeeded */
	bool redact;		/* -v shows received 334 lines as "334 ***" */
	struct smtp_txn *pending;	/* its "." is sent, its reply not read
					   (smtp_send_finish) */
};

#endif
