/* envelope: a message's envelope in memory — sender, recipients with their
 * delivery states (I6), DSN parameters, and, from the .qf, the delivery
 * state.  Ownership: every string member is malloc'd and the struct's;
 * envelope_free releases them and leaves an empty envelope. */
#ifndef RELAYQ_ENVELOPE_H
#define RELAYQ_ENVELOPE_H

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include "qid.h"

enum rcpt_state {
	RCPT_PENDING = 'P',
	RCPT_TEMPFAIL = 'T',	/* pending, with the last deferral reason */
	RCPT_DELIVERED = 'D',
	RCPT_FAILED = 'F',
	RCPT_RETURNED = 'R'	/* failed, and the DSN saying so is queued */
};

struct env_rcpt {
	char *addr;
	enum rcpt_state state;
	char *reply;		/* last server reply / reason, or NULL */
};

struct envelope {
	char qid[QID_SIZE];
	time_t arrival;
	uid_t uid;		/* submitting user */
	char *sender;		/* "" = null sender */
	char *msgid;		/* for log lines, may be NULL */
	char *notify;		/* DSN NOTIFY, RET, ENVID, BODY or NULL */
	char *ret;
	char *envid;
	char *body;
	bool smtputf8;		/* needs SMTPUTF8 as a whole (record 'Y'; the
				   rule is in submit/eai.h); a non-ASCII
				   recipient needs it for its own RCPT only */
	struct env_rcpt *rcpts;
	size_t nrcpt;
	/* delivery state (qf only) */
	int attempts;
	time_t next_try;	/* 0 = as soon as possible */
	time_t last_try;
	char *reason;		/* message-level reason for mailq, or NULL */
	time_t warned;		/* when the delay DSN was queued, 0 = not yet */
	time_t held;		/* put on hold then (relayq-queue hold): no
				   queue run sends it; 0 = not held */
	/* content location in the .df */
	off_t content_off;
	off_t content_len;
	bool eightbit;
};

void envelope_init(struct envelope *e);
void envelope_free(struct envelope *e);	/* NULL-safe on members */
int  envelope_add_rcpt(struct envelope *e, const char *addr);
/* Sets a string member (strdup, replacing the old value; NULL clears). */
int  envelope_set(char **field, const char *value);

#endif
