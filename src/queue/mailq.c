/* mailq: print queued messages like sendmail's print_single_queue():
 * id, status char, size, time, sender, (reason), recipients. */
#include "mailq.h"
#include "buf.h"
#include "queue.h"
#include "relayq.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
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

static bool
is_deferred(const struct envelope *e)
{
	return e->attempts > 0 && strcmp(status_word(e), "Deferred") == 0;
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
		fprintf(out, "    %10.10s   (%s%s%s", e->eightbit ? "8BITMIME" : "",
		    e->attempts > 0 ? status_word(e) : "", e->attempts > 0 ? ": " : "",
		    e->reason != NULL ? e->reason : "no reason recorded");
		if (is_deferred(e))
			fprintf(out, "; attempts %d, next %s", e->attempts, next);
		fputs(")\n", out);
	}
	for (size_t i = 0; i < e->nrcpt; i++) {
		const struct env_rcpt *r = &e->rcpts[i];
		if (r->state == RCPT_DELIVERED || r->state == RCPT_RETURNED)
			continue;	/* done: delivered, or its bounce is queued */
		fprintf(out, "\t\t\t\t\t %s%s\n", r->addr,
		    r->state == RCPT_FAILED ? " (failed)" : "");
	}
}

/* Messages still in maildrop/ (no daemon has picked them up yet). */
static void
collect_drops(struct queue *q, bool all, uid_t uid, const struct qsel *sel,
    struct envelope **list, size_t *count, size_t *cap)
{
	char err[RELAYQ_ERRLEN];
	int dfd = dup(q->dropfd);
	DIR *d = dfd == -1 ? NULL : fdopendir(dfd);
	if (d == NULL) {
		if (dfd != -1)
			close(dfd);
		return;
	}
	rewinddir(d);	/* the dup shares its offset with earlier readers */
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (!qid_valid(de->d_name) || *count == *cap)
			continue;
		int fd = openat(q->dropfd, de->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		struct envelope *e = &(*list)[*count];
		envelope_init(e);
		if (fd == -1 || drop_parse(fd, e, err, sizeof err) == -1 ||
		    (!all && e->uid != uid) || !qsel_match(sel, e)) {
			envelope_free(e);
		} else {
			strlcpy_rq(e->qid, de->d_name, sizeof e->qid);
			env_set(&e->reason, "waiting for pickup by relayqd");
			(*count)++;
		}
		if (fd != -1)
			close(fd);
	}
	closedir(d);
}

static size_t
count_drops(struct queue *q)
{
	size_t n = 0;
	int dfd = dup(q->dropfd);
	DIR *d = dfd == -1 ? NULL : fdopendir(dfd);
	if (d == NULL) {
		if (dfd != -1)
			close(dfd);
		return 0;
	}
	rewinddir(d);
	struct dirent *de;
	while ((de = readdir(d)) != NULL)
		n += qid_valid(de->d_name);
	closedir(d);
	return n;
}

static int
collect(struct queue *q, bool all, uid_t uid, const struct qsel *sel,
    struct envelope **list, size_t *count)
{
	char (*ids)[QID_SIZE];
	char err[RELAYQ_ERRLEN];
	size_t n;
	if (queue_ids(q, &ids, &n, false) == -1)
		return -1;
	size_t cap = n + count_drops(q);
	*list = calloc(cap ? cap : 1, sizeof **list);
	*count = 0;
	if (*list == NULL) {
		queue_ids_free(ids);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		struct envelope *e = &(*list)[*count];
		envelope_init(e);
		if (qf_read(q->queuefd, ids[i], e, err, sizeof err) == -1 ||
		    (!all && e->uid != uid) || !qsel_match(sel, e)) {
			envelope_free(e);
			continue;
		}
		(*count)++;
	}
	queue_ids_free(ids);
	collect_drops(q, all, uid, sel, list, count, &cap);
	return 0;
}

int
mailq_print(FILE *out, const char *spool, bool all_users, uid_t only_uid,
    const struct qsel *sel, char *err, size_t errlen)
{
	struct queue q;
	struct envelope *list;
	size_t n;
	if (queue_open_readonly(&q, spool, err, errlen) == -1)
		return -1;
	if (collect(&q, all_users, only_uid, sel, &list, &n) == -1) {
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
