/* submit: the submitter's jobs — one message from a stream into the
 * maildrop (the -bm default and each -bs transaction), -bv and newaliases.
 * Each returns a submit_status (status.h); only main() exits, through
 * submit_status_exit(). */
#ifndef RELAYQ_SUBMIT_H
#define RELAYQ_SUBMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "cli.h"
#include "conf.h"
#include "spool.h"
#include "status.h"

struct submit_req {
	const struct cli *cli;		/* -F, -N, -R, -V, -B, -oe? */
	const struct conf *conf;
	const char *sender;		/* -f / MAIL FROM; NULL = the caller */
	char *const *rcpts;		/* command line / RCPT TO */
	size_t nrcpts;
	bool extract;			/* -t */
	bool ignore_dots;		/* -i (always for -bs: data is unstuffed) */
	bool smtputf8;			/* -bs: MAIL FROM:<...> SMTPUTF8 */
};

/* Reads one message from in and commits it to the maildrop (spool.h, I1).
 * On SUBMIT_OK qid holds the queue id.  err gets a one-line reason otherwise.
 * SUBMIT_OK with qid[0] == '\0' means "nothing to send" (-t, no recipients).
 * A caller other than root is refused (SUBMIT_NO_SPACE) while the spool
 * is below its reserve; content over max_message_size is SUBMIT_TOO_BIG. */
enum submit_status submit_stream(FILE *in, const struct submit_req *r,
    char qid[QID_SIZE], char *err, size_t errlen);

enum submit_status submit_from_stdin(const struct cli *c, const struct conf *conf);
enum submit_status submit_verify(const struct cli *c, const struct conf *conf);
enum submit_status submit_check_aliases(const struct conf *conf);

#endif
