/* mailq: print queued messages like sendmail's print_single_queue():
 * id, status char, size, time, sender, (reason), recipients. */
#include "mailq.h"
#include "buf.h"
#include "dirscan.h"
#include "queue.h"
#include "relayq.h"

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

/* The entries to show: the caller's (or everyone's), matching sel. */
struct listing {
	struct queue *q;
	bool all;
	uid_t uid;
	const struct qsel *sel;
	struct envelope *v;
	size_t n, cap;
};

/* A fresh envelope at the end of l->v (not yet counted), or NULL. */
static struct envelope *
next_slot(struct listing *l)
{
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 16;
		struct envelope *v = realloc(l->v, nc * sizeof *v);
		if (v == NULL)
			return NULL;
		l->v = v;
		l->cap = nc;
	}
	envelope_init(&l->v[l->n]);
	return &l->v[l->n];
}

/* Counts the slot's envelope in when it is one to show. */
static void
keep_if_shown(struct listing *l, struct envelope *e, bool readable)
{
	if (readable && (l->all || e->uid == l->uid) && qsel_match(l->sel, e))
		l->n++;
	else
		envelope_free(e);
}

/* A message still in maildrop/ (no relayqd has picked it up yet). */
static int
drop_entry(void *arg, const char *name)
{
	struct listing *l = arg;
	char err[RELAYQ_ERRLEN];
	struct envelope *e;
	if (!qid_valid(name) || (e = next_slot(l)) == NULL)
		return 0;
	int fd = openat(l->q->dropfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	bool ok = fd != -1 && drop_parse(fd, e, err, sizeof err) == 0;
	if (ok) {
		strlcpy_rq(e->qid, name, sizeof e->qid);
		ok = envelope_set(&e->reason, "waiting for pickup by relayqd") == 0;
	}
	keep_if_shown(l, e, ok);
	if (fd != -1)
		close(fd);
	return 0;
}

static int
collect(struct listing *l)
{
	char (*ids)[QID_SIZE];
	char err[RELAYQ_ERRLEN];
	size_t n;
	if (queue_ids(l->q, &ids, &n, false) == -1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct envelope *e = next_slot(l);
		if (e == NULL)
			break;
		keep_if_shown(l, e, qf_read(l->q->queuefd, ids[i], e, err, sizeof err) == 0);
	}
	queue_ids_free(ids);
	if (l->q->dropfd != -1)
		(void)dirscan(l->q->dropfd, drop_entry, l);	/* root only */
	return 0;
}

int
mailq_print(FILE *out, const char *spool, bool all_users, uid_t only_uid,
    const struct qsel *sel, char *err, size_t errlen)
{
	struct queue q;
	if (queue_open_readonly(&q, spool, err, errlen) == -1)
		return -1;
	struct listing l = { .q = &q, .all = all_users, .uid = only_uid, .sel = sel };
	if (collect(&l) == -1) {
		snprintf_rq(err, errlen, "cannot read the queue in %s", spool);
		queue_close(&q);
		return -1;
	}
	if (l.n == 0)
		fprintf(out, "%s/queue is empty\n", spool);
	else
		fprintf(out, "\t\t%s/queue (%zu request%s)\n"
		    "-----Q-ID----- --Size-- -----Q-Time----- "
		    "------------Sender/Recipient-----------\n", spool, l.n, l.n == 1 ? "" : "s");
	for (size_t i = 0; i < l.n; i++) {
		print_entry(out, &q, &l.v[i]);
		envelope_free(&l.v[i]);
	}
	fprintf(out, "\t\tTotal requests: %zu\n", l.n);
	free(l.v);
	queue_close(&q);
	return 0;
}
