/* mailq: print queued messages like sendmail's print_single_queue():
 * id, status char, size, time, sender, (reason), recipients. */
#include "mailq.h"
#include "buf.h"
#include "queue.h"
#include "relayq.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static void
fmt_time(char *out, size_t size, time_t t)
{
	struct tm tm;
	if (localtime_r(&t, &tm) == NULL || strftime(out, size, "%a %b %d %H:%M", &tm) == 0)
		strlcpy_rq(out, "?", size);
}

static const char *
status_word(const struct envelope *e)
{
	for (size_t i = 0; i < e->nrcpt; i++)
		if (e->rcpts[i].state == RCPT_PENDING || e->rcpts[i].state == RCPT_TEMPFAIL)
			return "Deferred";
	return "Failed, kept in queue";
}

static void
print_entry(FILE *out, struct queue *q, const struct envelope *e)
{
	char when[32], next[32];
	fmt_time(when, sizeof when, e->arrival);
	bool locked = queue_is_locked(q, e->qid);
	fprintf(out, "%13s%c%8lld %.16s %s\n", e->qid, locked ? '*' : ' ',
	    (long long)e->content_len, when,
	    e->sender != NULL && e->sender[0] != '\0' ? e->sender : "<>");
	if (e->reason != NULL || e->attempts > 0) {
		fmt_time(next, sizeof next, e->next_try);
		fprintf(out, "    %10.10s   (%s: %s", e->eightbit ? "8BITMIME" : "",
		    status_word(e), e->reason != NULL ? e->reason : "no reason recorded");
		if (strcmp(status_word(e), "Deferred") == 0)
			fprintf(out, "; attempts %d, next %s", e->attempts, next);
		fputs(")\n", out);
	}
	for (size_t i = 0; i < e->nrcpt; i++) {
		const struct env_rcpt *r = &e->rcpts[i];
		if (r->state == RCPT_DELIVERED)
			continue;
		fprintf(out, "\t\t\t\t\t %s%s\n", r->addr,
		    r->state == RCPT_FAILED ? " (failed)" : "");
	}
}

static int
collect(struct queue *q, bool all, uid_t uid, const struct cli_selector *sel,
    size_t nsel, struct envelope **list, size_t *count)
{
	char (*ids)[QID_SIZE];
	char err[RELAYQ_ERRLEN];
	size_t n;
	if (queue_ids(q, &ids, &n, false) == -1)
		return -1;
	*list = calloc(n ? n : 1, sizeof **list);
	*count = 0;
	if (*list == NULL) {
		queue_ids_free(ids);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		struct envelope *e = &(*list)[*count];
		envelope_init(e);
		if (qf_read(q->queuefd, ids[i], e, err, sizeof err) == -1 ||
		    (!all && e->uid != uid) || !queue_selected(e, sel, nsel)) {
			envelope_free(e);
			continue;
		}
		(*count)++;
	}
	queue_ids_free(ids);
	return 0;
}

int
mailq_print(FILE *out, const char *spool, bool all_users, uid_t only_uid,
    const struct cli_selector *sel, size_t nsel, char *err, size_t errlen)
{
	struct queue q;
	struct envelope *list;
	size_t n;
	if (queue_open(&q, spool, err, errlen) == -1)
		return -1;
	if (collect(&q, all_users, only_uid, sel, nsel, &list, &n) == -1) {
		snprintf_rq(err, errlen, "cannot read the queue in %s", spool);
		queue_close(&q);
		return -1;
	}
	if (n == 0)
		fprintf(out, "%s/queue is empty\n", spool);
	else
		fprintf(out, "\t\t%s/queue (%zu request%s)\n"
		    "-----Q-ID----- --Size-- -----Q-Time----- "
		    "------------Sender/Recipient-----------\n", spool, n, n == 1 ? "" : "s");
	for (size_t i = 0; i < n; i++) {
		print_entry(out, &q, &list[i]);
		envelope_free(&list[i]);
	}
	fprintf(out, "\t\tTotal requests: %zu\n", n);
	free(list);
	queue_close(&q);
	return 0;
}
