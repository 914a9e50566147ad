/* deliver: the queue run.  Reads each due message under its lock, sends it
 * over one shared SMTP session, applies per-recipient results, and writes
 * the new state before the lock is released (spool.h, invariants I4-I6). */
#include "deliver.h"
#include "dsn_queue.h"
#include "buf.h"
#include "log.h"
#include "schedule.h"
#include "smtp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct run {
	const struct conf *c;
	struct trust *trust;
	struct queue *q;
	struct smtp_session *s;
	bool used;		/* s carried a transaction: RSET before the next */
	bool host_down;		/* connecting failed: defer the rest */
	char down_reason[RELAYQ_ERRLEN];
	time_t now;
	int dsns;		/* notices queued in maildrop/ this run */
};

static bool
is_pending(const struct env_rcpt *r)
{
	return r->state == RCPT_PENDING || r->state == RCPT_TEMPFAIL;
}

static size_t
count_pending(const struct envelope *e)
{
	size_t n = 0;
	for (size_t i = 0; i < e->nrcpt; i++)
		n += is_pending(&e->rcpts[i]);
	return n;
}

static void
smtp_opts_from_conf(struct smtp_opts *o, const struct conf *c, struct trust *trust)
{
	memset(o, 0, sizeof *o);
	trust_smtp_opts(trust, o);
	o->host = c->smarthost;
	o->port = c->port;
	o->helo_name = c->hostname;
	o->to = (struct smtp_timeouts){
		(int)c->to.connect, (int)c->to.greeting, (int)c->to.helo,
		(int)c->to.mail, (int)c->to.rcpt, (int)c->to.data_init,
		(int)c->to.data_block, (int)c->to.data_done, (int)c->to.quit };
}

/* An open session, or NULL with run->down_reason set. */
static struct smtp_session *
session(struct run *run)
{
	if (run->s != NULL && !smtp_alive(run->s)) {
		smtp_close(run->s);
		run->s = NULL;
	}
	if (run->s != NULL && run->used && !smtp_reset(run->s)) {
		smtp_close(run->s);
		run->s = NULL;
	}
	if (run->s == NULL && !run->host_down) {
		struct smtp_opts o;
		smtp_opts_from_conf(&o, run->c, run->trust);
		run->used = false;
		if (smtp_open(&run->s, &o, run->down_reason, sizeof run->down_reason) != OUT_OK) {
			run->host_down = true;
			log_warn("connection to %s failed: %s; deferring this run's mail",
			    run->c->smarthost, run->down_reason);
		}
	}
	return run->host_down ? NULL : run->s;
}

static void
reply_dsn(const struct smtp_reply *r, enum outcome out, char *dsn, size_t size)
{
	if (r->enh[0] != '\0')
		strlcpy_rq(dsn, r->enh, size);
	else
		snprintf_rq(dsn, size, "%c.0.0", out == OUT_OK ? '2' : out == OUT_TEMP ? '4' : '5');
}

static void
log_rcpt(struct run *run, const struct envelope *e, const char *addr,
    enum outcome out, const struct smtp_reply *r, time_t started)
{
	char delay[32], xdelay[32], dsn[16];
	schedule_fmt_delay(delay, sizeof delay, (long)(time(NULL) - e->arrival));
	schedule_fmt_delay(xdelay, sizeof xdelay, (long)(time(NULL) - started));
	reply_dsn(r, out, dsn, sizeof dsn);
	const char *stat = out == OUT_OK ? "Sent" : out == OUT_TEMP ? "Deferred" : "Failed";
	const char *relay = run->s != NULL ? smtp_relay_name(run->s) : run->c->smarthost;
	log_info("%s: to=<%s>, delay=%s, xdelay=%s, mailer=relay, relay=%s, dsn=%s, stat=%s (%s)",
	    e->qid, addr, delay, xdelay, relay, dsn, stat, r->text);
}

static int
set_reply(struct env_rcpt *r, enum outcome out, const char *text)
{
	r->state = out == OUT_OK ? RCPT_DELIVERED : out == OUT_PERM ? RCPT_FAILED : RCPT_TEMPFAIL;
	return env_set(&r->reply, text);
}

/* Everything pending gets the same temporary reason (no connection). */
static void
defer_all(struct run *run, struct envelope *e, const char *why)
{
	struct smtp_reply r = { .code = 0 };
	snprintf_rq(r.text, sizeof r.text, "%s", why);
	for (size_t i = 0; i < e->nrcpt; i++) {
		if (!is_pending(&e->rcpts[i]))
			continue;
		set_reply(&e->rcpts[i], OUT_TEMP, why);
		log_rcpt(run, e, e->rcpts[i].addr, OUT_TEMP, &r, run->now);
	}
}

static int
build_txn(struct smtp_txn *t, const struct envelope *e, int fd, size_t **map)
{
	memset(t, 0, sizeof *t);
	t->sender = e->sender != NULL ? e->sender : "";
	t->ret = e->ret;
	t->envid = e->envid;
	t->eightbit = e->eightbit || (e->body != NULL && strcmp(e->body, "8BITMIME") == 0);
	t->content_fd = fd;
	t->content_off = e->content_off;
	t->content_len = e->content_len;
	t->rcpts = calloc(e->nrcpt, sizeof *t->rcpts);
	*map = calloc(e->nrcpt, sizeof **map);
	if (t->rcpts == NULL || *map == NULL)
		return -1;
	for (size_t i = 0; i < e->nrcpt; i++) {
		if (!is_pending(&e->rcpts[i]))
			continue;
		(*map)[t->nrcpt] = i;
		t->rcpts[t->nrcpt].addr = e->rcpts[i].addr;
		t->rcpts[t->nrcpt].notify = e->notify;
		t->nrcpt++;
	}
	return 0;
}

/* Sends e (locked, content on fd) and records every recipient's result. */
static void
send_message(struct run *run, struct envelope *e, int fd)
{
	struct smtp_session *s = session(run);
	if (s == NULL) {
		defer_all(run, e, run->down_reason);
		return;
	}
	struct smtp_txn t;
	size_t *map = NULL;
	time_t started = time(NULL);
	if (build_txn(&t, e, fd, &map) == -1) {
		defer_all(run, e, "out of memory");
		free(t.rcpts);
		free(map);
		return;
	}
	smtp_send(s, &t);
	run->used = true;
	for (size_t k = 0; k < t.nrcpt; k++) {
		struct env_rcpt *r = &e->rcpts[map[k]];
		if (set_reply(r, t.rcpts[k].result, t.rcpts[k].reply.text) == -1)
			r->state = RCPT_TEMPFAIL;
		log_rcpt(run, e, r->addr, t.rcpts[k].result, &t.rcpts[k].reply, started);
	}
	free(t.rcpts);
	free(map);
}

static const char *
first_reason(const struct envelope *e)
{
	for (size_t i = 0; i < e->nrcpt; i++)
		if (e->rcpts[i].state == RCPT_TEMPFAIL && e->rcpts[i].reply != NULL)
			return e->rcpts[i].reply;
	for (size_t i = 0; i < e->nrcpt; i++)
		if (e->rcpts[i].state == RCPT_FAILED && e->rcpts[i].reply != NULL)
			return e->rcpts[i].reply;
	return NULL;
}

static bool
lifetime_over(const struct run *run, const struct envelope *e)
{
	return run->c->queue_lifetime > 0 && run->now >= e->arrival + run->c->queue_lifetime;
}

static bool
warning_due(const struct run *run, const struct envelope *e)
{
	return run->c->queue_warn > 0 && e->warned == 0 && count_pending(e) > 0 &&
	    run->now >= e->arrival + run->c->queue_warn && !lifetime_over(run, e);
}

/* Queues the DSN of kind for e: 1 queued, 0 none due, -1 failed (logged;
 * the message keeps its state and the next run tries again). */
static int
report(struct run *run, struct envelope *e, int fd, enum bounce_kind kind)
{
	char qid[QID_SIZE], to[512], err[RELAYQ_ERRLEN];
	struct dsn_job j = { e, fd, kind, run->now, run->c->smarthost };
	const char *what = kind == BOUNCE_FAILED ? "failure" : "delay";
	int rc = dsn_queue(run->c, &j, qid, to, sizeof to, err, sizeof err);
	if (rc == -1)
		log_err("%s: cannot queue the %s notice: %s; message kept", e->qid, what, err);
	else if (rc == 1) {
		log_info("%s: %s: DSN: %s notice to <%s>", e->qid, qid, what, to);
		run->dsns++;
	}
	return rc;
}

/* Failed recipients (and, past queue_lifetime, pending ones) are returned
 * to the sender; only once the DSN is safely queued do they become R.
 * Returns the reason to show in mailq when the message must stay. */
static const char *
return_failed(struct run *run, struct envelope *e, int fd)
{
	bool expired = lifetime_over(run, e);
	int rc = report(run, e, fd, BOUNCE_FAILED);
	if (rc == -1)
		return "failed, and the failure notice could not be queued yet";
	if (rc == 0 && e->sender != NULL && e->sender[0] == '\0') {
		/* A bounce that bounced, with no postmaster left to tell. */
		log_err("%s: undeliverable notice, nobody to return it to; kept in the queue",
		    e->qid);
		return "undeliverable notice, nobody to return it to; kept for the postmaster";
	}
	for (size_t i = 0; i < e->nrcpt; i++) {
		struct env_rcpt *r = &e->rcpts[i];
		if (r->state == RCPT_FAILED || (expired && is_pending(r)))
			r->state = RCPT_RETURNED;
	}
	return NULL;
}

static bool
any_failed(const struct envelope *e)
{
	for (size_t i = 0; i < e->nrcpt; i++)
		if (e->rcpts[i].state == RCPT_FAILED)
			return true;
	return false;
}

/* Writes the outcome: return failures, warn of delays, then retire the
 * message or reschedule it. */
static void
record(struct run *run, struct envelope *e, int fd)
{
	char err[RELAYQ_ERRLEN];
	const char *kept = NULL;
	e->attempts++;
	e->last_try = run->now;
	if (count_pending(e) > 0)
		e->next_try = run->now + schedule_delay(e->attempts, run->c->retry_min,
		    run->c->retry_max, (unsigned)random());
	if (any_failed(e) || (count_pending(e) > 0 && lifetime_over(run, e)))
		kept = return_failed(run, e, fd);
	else if (warning_due(run, e) && report(run, e, fd, BOUNCE_DELAYED) != -1)
		e->warned = run->now;
	if (count_pending(e) == 0 && !any_failed(e)) {
		/* Delivered or returned: retiring needs no rewrite (I5). */
		if (queue_remove(run->q, e->qid, err, sizeof err) == -1)
			log_err("%s: %s", e->qid, err);
		return;
	}
	if (env_set(&e->reason, kept != NULL ? kept : first_reason(e)) == -1 ||
	    qf_write(run->q->queuefd, e, true, err, sizeof err) == -1) {
		log_err("%s: cannot record delivery state: %s", e->qid, err);
		return;
	}
}

static bool
wanted(const struct run *run, const struct envelope *e, const struct run_opts *ro)
{
	if (count_pending(e) == 0)
		return false;
	if (!ro->force && e->next_try > run->now)
		return false;
	return ro->sel == NULL || qsel_match(ro->sel, e);
}

/* Nothing left to send, but a failure notice could not be queued last
 * time (a kept double bounce has a null sender and is left alone). */
static bool
notice_owed(const struct envelope *e)
{
	return count_pending(e) == 0 && any_failed(e) && e->sender != NULL &&
	    e->sender[0] != '\0';
}

static void
record_notice(struct run *run, struct envelope *e, int fd)
{
	char err[RELAYQ_ERRLEN];
	if (return_failed(run, e, fd) != NULL)
		return;
	if (queue_remove(run->q, e->qid, err, sizeof err) == -1)
		log_err("%s: %s", e->qid, err);
}

/* 1 if attempted, 0 if skipped. */
static int
process(struct run *run, const char *qid, const struct run_opts *ro)
{
	char err[RELAYQ_ERRLEN];
	int fd;
	if (queue_lock(run->q, qid, &fd) != 0)
		return 0;	/* another runner has it, or it is gone */
	struct envelope e;
	envelope_init(&e);
	int done = 0;
	if (qf_read(run->q->queuefd, qid, &e, err, sizeof err) == -1) {
		log_err("%s: %s", qid, err);
	} else if (wanted(run, &e, ro)) {
		send_message(run, &e, fd);
		record(run, &e, fd);
		done = 1;
	} else if (notice_owed(&e)) {
		record_notice(run, &e, fd);
	}
	envelope_free(&e);
	queue_unlock(fd);
	return done;
}

int
deliver_run(struct queue *q, const struct conf *c, struct trust *trust,
    const struct run_opts *ro)
{
	char (*ids)[QID_SIZE];
	size_t n;
	if (queue_ids(q, &ids, &n, true) == -1) {
		log_err("cannot list queue: %s", strerror(errno));
		return -1;
	}
	struct run run = { .c = c, .trust = trust, .q = q, .now = time(NULL) };
	if (trust->error[0] != '\0') {
		run.host_down = true;
		strlcpy_rq(run.down_reason, trust->error, sizeof run.down_reason);
	}
	int attempted = 0;
	for (size_t i = 0; i < n && (ro->stop == NULL || *ro->stop == 0); i++)
		attempted += process(&run, ids[i], ro);
	smtp_close(run.s);
	queue_ids_free(ids);
	if (ro->dsns != NULL)
		*ro->dsns = run.dsns;
	return attempted;
}

/* Returns every pending recipient of qid to its sender now (an
 * administrator's "bounce"), or deletes the message without a notice. */
int
deliver_admin(struct queue *q, const struct conf *c, struct trust *trust,
    const char *qid, enum admin_op op, char *err, size_t errlen)
{
	int fd, rc = -1;
	struct envelope e;
	if (queue_lock(q, qid, &fd) != 0) {
		snprintf_rq(err, errlen, "%s: not in the queue, or being delivered now", qid);
		return -1;
	}
	envelope_init(&e);
	struct run run = { .c = c, .trust = trust, .q = q, .now = time(NULL) };
	if (qf_read(q->queuefd, qid, &e, err, errlen) == -1)
		goto out;
	if (op == ADMIN_DELETE) {
		rc = queue_remove(q, qid, err, errlen);
		if (rc == 0)
			log_notice("%s: deleted by the administrator (uid %ld)", qid, (long)getuid());
		goto out;
	}
	for (size_t i = 0; i < e.nrcpt; i++) {
		if (is_pending(&e.rcpts[i])) {
			e.rcpts[i].state = RCPT_FAILED;
			if (env_set(&e.rcpts[i].reply, "returned by the administrator") == -1)
				goto out;
		}
	}
	log_notice("%s: returned to the sender by the administrator (uid %ld)", qid,
	    (long)getuid());
	record_notice(&run, &e, fd);
	rc = 0;
out:
	envelope_free(&e);
	queue_unlock(fd);
	return rc;
}
