/* mailq: `sendmail -bp` / `mailq` — the queue in sendmail's layout, and
 * the listing that relayq-queue's show and --json print too.
 * Runs in relayq-showq (setgid relayq): reads state files only, repairs
 * nothing, and shows a caller other than root only their own messages. */
#ifndef RELAYQ_MAILQ_H
#define RELAYQ_MAILQ_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#include "qsel.h"
#include "queue.h"

/* Which messages to list: everyone's with all_users, else only uid's;
 * matching sel (NULL: all); only the one named qid (NULL: all). */
struct mailq_filter {
	bool all_users;
	uid_t uid;
	const struct qsel *sel;
	const char *qid;
};

struct mailq_item {
	struct envelope e;
	bool incoming;		/* still in maildrop/, not picked up */
	bool locked;		/* a queue run has it now */
};

/* The listing; v and the envelopes belong to it (mailq_list_free). */
struct mailq_list {
	struct mailq_item *v;
	size_t n, cap;
};

/* Reads the messages f selects, queue order (oldest id first), then those
 * in maildrop/ when it can be read (root).  0, or -1 (errno). */
int  mailq_collect(struct queue *q, const struct mailq_filter *f, struct mailq_list *l);
void mailq_list_free(struct mailq_list *l);

/* One word for the item: incoming, active, held, queued, deferred, failed. */
const char *mailq_status(const struct mailq_item *it);
/* A recipient's state: pending, deferred, delivered, failed, returned. */
const char *mailq_rcpt_word(enum rcpt_state s);
/* How many items arrived more than age seconds before now. */
size_t mailq_older(const struct mailq_list *l, time_t now, long age);

/* sendmail's mailq layout; '*' marks a message being sent, '!' a held one. */
void mailq_print_list(FILE *out, const char *spool, const struct mailq_list *l);

#endif
