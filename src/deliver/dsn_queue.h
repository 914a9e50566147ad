/* dsn_queue: puts a delivery status notification about a queued message
 * into the spool as a message of its own (MAIL FROM:<>), composed by
 * bounce.c and committed like a submission (maildrop/, spool.h I1), so a
 * crash can lose neither the DSN nor, before it is safe, the original. */
#ifndef RELAYQ_DSN_QUEUE_H
#define RELAYQ_DSN_QUEUE_H

#include <stddef.h>
#include <time.h>

#include "bounce.h"
#include "conf.h"
#include "spool.h"

struct dsn_job {
	const struct envelope *env;	/* the original, locked by the caller */
	int content_fd;			/* its .df */
	enum bounce_kind kind;
	time_t now;
	const char *relay;		/* smarthost for Remote-MTA, or NULL */
};

/* Queues the DSN that the rules of bounce.h ask for: DSN_QUEUED with the
 * new message's id in qid and its recipient in to, DSN_NOT_DUE (NOTIFY=NEVER,
 * a null sender's delay...), or DSN_FAILED with err. */
enum dsn_result { DSN_QUEUED, DSN_NOT_DUE, DSN_FAILED };
enum dsn_result dsn_queue(const struct conf *c, const struct dsn_job *j, char qid[QID_SIZE],
    char *to, size_t tolen, char *err, size_t errlen);

#endif
