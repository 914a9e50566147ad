/* mailq: collect the queued messages a caller may see, and print them like
 * sendmail's print_single_queue(): id, status char, size, time, sender,
 * (reason), recipients. */
#include "mailq.h"
#include "buf.h"
#include "dirscan.h"
#include "relayq.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

static void
fmt_time(char *out, size_t size, time_t t)
{
	struct tm tm;
	if (localtime_r(&t, &tm) == NULL || strftime(out, size, "%a %b %d %H:%M", &tm) == 0)
		strlcpy_rq(out, "?", size);
}

static bool
any_pending(const struct envelope *e)
{
	for (size_t i = 0; i < e->nrcpt; i++)
		if (e->rcpts[i].state == RCPT_PENDING || e->rcpts[i].state == RCPT_TEMPFAIL)
			return true;
	return false;
}

static const char *
status_word(const struct envelope *e)
{
	return any_pending(e) ? "Deferred" : "Failed, kept in queue";
}

static bool
is_deferred(const struct envelope *e)
{
	return e->attempts > 0 && any_pending(e);
}

const char *
mailq_status(const struct mailq_item *it)
{
	if (it->incoming)
		return "incoming";
	if (it->locked)
		return "active";
	if (it->e.held != 0)
		return "held";
	if (!any_pending(&it->e))
		return "failed";
	return it->e.attempts > 0 ? "deferred" : "queued";
}

const char *
mailq_rcpt_word(enum rcpt_state s)
{
	switch (s) {
	case RCPT_PENDING: return "pending";
	case RCPT_TEMPFAIL: return "deferred";
	case RCPT_DELIVERED: return "delivered";
	case RCPT_FAILED: return "failed";
	case RCPT_RETURNED: return "returned";
	}
	return "unknown";
}

size_t
mailq_older(const struct mailq_list *l, time_t now, long age)
{
	size_t n = 0;
	for (size_t i = 0; i < l->n; i++)
		n += now - l->v[i].e.arrival > age;
	return n;
}

static void
print_reason(FILE *out, const struct envelope *e)
{
	char next[32];
	fmt_time(next, sizeof next, e->next_try);
	fprintf(out, "    %10.10s   (%s%s%s", e->eightbit ? "8BITMIME" : "",
	    e->attempts > 0 ? status_word(e) : "", e->attempts > 0 ? ": " : "",
	    e->reason != NULL ? e->reason : "no reason recorded");
	if (is_deferred(e) && e->held == 0)
		fprintf(out, "; attempts %d, next %s", e->attempts, next);
	fputs(")\n", out);
}

static void
print_entry(FILE *out, const struct mailq_item *it)
{
	char when[32];
	const struct envelope *e = &it->e;
	fmt_time(when, sizeof when, e->arrival);
	fprintf(out, "%13s%c%8lld %.16s %s\n", e->qid,
	    it->locked ? '*' : e->held != 0 ? '!' : ' ', (long long)e->content_len, when,
	    e->sender != NULL && e->sender[0] != '\0' ? e->sender : "<>");
	if (e->held != 0) {
		fmt_time(when, sizeof when, e->held);
		fprintf(out, "    %10s   (on hold since %s)\n", "", when);
	}
	if (e->reason != NULL || e->attempts > 0)
		print_reason(out, e);
	for (size_t i = 0; i < e->nrcpt; i++) {
		const struct env_rcpt *r = &e->rcpts[i];
		if (r->state == RCPT_DELIVERED || r->state == RCPT_RETURNED)
			continue;	/* done: delivered, or its bounce is queued */
		fprintf(out, "\t\t\t\t\t %s%s\n", r->addr,
		    r->state == RCPT_FAILED ? " (failed)" : "");
	}
}

/* One pass of collecting: the filter, the queue, the list being filled. */
struct collecting {
	struct queue *q;
	const struct mailq_filter *f;
	struct mailq_list *l;
};

/* A fresh item at the end of l->v (not yet counted), or NULL. */
static struct mailq_item *
next_slot(struct mailq_list *l)
{
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 16;
		struct mailq_item *v = realloc(l->v, nc * sizeof *v);
		if (v == NULL)
			return NULL;
		l->v = v;
		l->cap = nc;
	}
	memset(&l->v[l->n], 0, sizeof l->v[l->n]);
	envelope_init(&l->v[l->n].e);
	return &l->v[l->n];
}

/* Counts the slot's item in when it is one to show. */
static void
keep_if_shown(struct collecting *c, struct mailq_item *it, bool readable)
{
	const struct mailq_filter *f = c->f;
	if (readable && (f->all_users || it->e.uid == f->uid) &&
	    (f->sel == NULL || qsel_match(f->sel, &it->e)))
		c->l->n++;
	else
		envelope_free(&it->e);
}

static bool
wanted_id(const struct mailq_filter *f, const char *qid)
{
	return f->qid == NULL || strcmp(f->qid, qid) == 0;
}

/* A message still in maildrop/ (no relayqd has picked it up yet). */
static int
drop_entry(void *arg, const char *name)
{
	struct collecting *c = arg;
	char err[RELAYQ_ERRLEN];
	struct mailq_item *it;
	if (!qid_valid(name) || !wanted_id(c->f, name) || (it = next_slot(c->l)) == NULL)
		return 0;
	int fd = openat(c->q->dropfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	bool ok = fd != -1 && drop_parse(fd, &it->e, err, sizeof err) == 0;
	if (ok) {
		strlcpy_rq(it->e.qid, name, sizeof it->e.qid);
		it->incoming = true;
		ok = envelope_set(&it->e.reason, "waiting for pickup by relayqd") == 0;
	}
	keep_if_shown(c, it, ok);
	if (fd != -1)
		close(fd);
	return 0;
}

static void
collect_one(struct collecting *c, const char *qid)
{
	char err[RELAYQ_ERRLEN];
	struct mailq_item *it = next_slot(c->l);
	if (it == NULL)
		return;
	it->locked = queue_is_locked(c->q, qid);
	keep_if_shown(c, it, qf_read(c->q->queuefd, qid, &it->e, err, sizeof err) == 0);
}

int
mailq_collect(struct queue *q, const struct mailq_filter *f, struct mailq_list *l)
{
	char (*ids)[QID_SIZE];
	size_t n;
	struct collecting c = { q, f, l };
	memset(l, 0, sizeof *l);
	if (queue_ids(q, &ids, &n) == -1)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (wanted_id(f, ids[i]))
			collect_one(&c, ids[i]);
	queue_ids_free(ids);
	if (q->dropfd != -1)
		(void)dirscan(q->dropfd, drop_entry, &c);	/* root only */
	return 0;
}

void
mailq_list_free(struct mailq_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		envelope_free(&l->v[i].e);
	free(l->v);
	memset(l, 0, sizeof *l);
}

void
mailq_print_list(FILE *out, const char *spool, const struct mailq_list *l)
{
	if (l->n == 0)
		fprintf(out, "%s/queue is empty\n", spool);
	else
		fprintf(out, "\t\t%s/queue (%zu request%s)\n"
		    "-----Q-ID----- --Size-- -----Q-Time----- "
		    "------------Sender/Recipient-----------\n", spool, l->n, l->n == 1 ? "" : "s");
	for (size_t i = 0; i < l->n; i++)
		print_entry(out, &l->v[i]);
	fprintf(out, "\t\tTotal requests: %zu\n", l->n);
}
