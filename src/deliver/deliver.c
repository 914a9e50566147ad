/* deliver: the queue run.  One pass per route over the queue: each due
 * message is read under its lock and sent over its route's session, and
 * its per-recipient results are written before the lock is released
 * (spool.h, invariants I4-I6). */
#include "deliver.h"
#include "dsn_queue.h"
#include "buf.h"
#include "log.h"
#include "policy.h"
#include "relay.h"
#include "route.h"
#include "schedule.h"
#include "throttle.h"
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
	struct routing routing;	/* sender_relay, authinfo: read once per run */
	struct relay relay;	/* the session of the current route */
	struct route route;	/* of the message being sent */
	struct route pass;	/* the route this pass sends to, once set */
	bool pass_set;
	time_t now;
	int dsns;		/* notices queued in maildrop/ this run */
	struct flight *aloft;	/* sent, its end-of-data reply to come */
	struct flight *again;	/* landed with recipients left to send */
	struct flight *landed;	/* settled, to be recorded (land) */
};

/* A message being sent: locked, its content on fd, its recipients
 * settled transaction by transaction. */
struct flight {
	struct envelope e;
	int fd;
	bool *settled;		/* per envelope recipient: done this run */
	size_t *map;		/* transaction recipient k -> envelope index */
	struct smtp_txn t;	/* the current transaction */
	time_t started;
	struct route route;	/* resolved for its sender */
	struct flight *next;	/* in run->again */
};

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
	const char *relay = relay_name(&run->relay);
	log_info("%s: to=<%s>, delay=%s, xdelay=%s, mailer=relay, relay=%s, dsn=%s, stat=%s (%s)",
	    e->qid, addr, delay, xdelay, relay, dsn, stat, r->text);
}

static int
set_reply(struct env_rcpt *r, enum outcome out, const char *text)
{
	r->state = out == OUT_OK ? RCPT_DELIVERED : out == OUT_PERM ? RCPT_FAILED : RCPT_TEMPFAIL;
	return envelope_set(&r->reply, text);
}

/* Recipients per transaction: servers must take 100 (RFC 5321
 * §4.5.3.1.8), Postfix takes 1000 by default; a server that takes fewer
 * says "452 4.5.3" for the rest (see too_many). */
#define RCPT_BATCH 1000

/* Everything still pending and not settled this run gets the same
 * temporary reason (no connection). */
static void
defer_all(struct run *run, struct envelope *e, const bool *settled, const char *why)
{
	struct smtp_reply r = { .code = 0 };
	snprintf_rq(r.text, sizeof r.text, "%s", why);
	for (size_t i = 0; i < e->nrcpt; i++) {
		if (!policy_is_pending(&e->rcpts[i]) || (settled != NULL && settled[i]))
			continue;
		set_reply(&e->rcpts[i], OUT_TEMP, why);
		log_rcpt(run, e, e->rcpts[i].addr, OUT_TEMP, &r, run->now);
	}
}

/* Pending recipients not yet settled in this run. */
static size_t
unsettled(const struct envelope *e, const bool *settled)
{
	size_t n = 0;
	for (size_t i = 0; i < e->nrcpt; i++)
		n += policy_is_pending(&e->rcpts[i]) && !settled[i];
	return n;
}

/* The next transaction: up to RCPT_BATCH pending recipients not settled
 * in this run; map[k] is the envelope index of the k-th. */
static int
build_txn(struct smtp_txn *t, const struct envelope *e, int fd, const bool *settled,
    size_t *map)
{
	size_t want = unsettled(e, settled);
	memset(t, 0, sizeof *t);
	t->sender = e->sender != NULL ? e->sender : "";
	t->ret = e->ret;
	t->envid = e->envid;
	t->eightbit = e->eightbit || (e->body != NULL && strcmp(e->body, "8BITMIME") == 0);
	t->smtputf8 = e->smtputf8;
	t->content_fd = fd;
	t->content_off = e->content_off;
	t->content_len = e->content_len;
	t->rcpts = calloc(want < RCPT_BATCH ? want + 1 : RCPT_BATCH, sizeof *t->rcpts);
	if (t->rcpts == NULL)
		return -1;
	for (size_t i = 0; i < e->nrcpt && t->nrcpt < RCPT_BATCH; i++) {
		if (!policy_is_pending(&e->rcpts[i]) || settled[i])
			continue;
		map[t->nrcpt] = i;
		t->rcpts[t->nrcpt].addr = e->rcpts[i].addr;
		t->rcpts[t->nrcpt].notify = e->notify;
		t->nrcpt++;
	}
	return 0;
}

/* "452 4.5.3 Too many recipients" (RFC 5321 §4.5.3.1.10): not a failure,
 * the recipient goes in the next transaction. */
static bool
too_many(const struct smtp_rcpt *r)
{
	return r->result == OUT_TEMP && r->reply.code == 452 &&
	    (strcmp(r->reply.enh, "4.5.3") == 0 ||
	    strcasestr(r->reply.text, "too many recipients") != NULL);
}

static bool
any_accepted(const struct smtp_txn *t)
{
	for (size_t k = 0; k < t->nrcpt; k++)
		if (t->rcpts[k].result == OUT_OK)
			return true;
	return false;
}

/* Records one transaction's results; a recipient refused only for being
 * one too many, in a transaction that moved some mail, stays unsettled. */
static void
settle(struct run *run, struct envelope *e, const struct smtp_txn *t, const size_t *map,
    bool *settled, time_t started)
{
	bool progress = any_accepted(t);
	for (size_t k = 0; k < t->nrcpt; k++) {
		struct env_rcpt *r = &e->rcpts[map[k]];
		if (progress && too_many(&t->rcpts[k]))
			continue;
		settled[map[k]] = true;
		if (set_reply(r, t->rcpts[k].result, t->rcpts[k].reply.text) == -1)
			r->state = RCPT_TEMPFAIL;
		log_rcpt(run, e, r->addr, t->rcpts[k].result, &t->rcpts[k].reply, started);
	}
}

/* Every recipient deferred with a reply that asks us to slow down (a 421,
 * a 4.7.x about rates or limits): the route rests for retry_min, and its
 * other messages wait untouched instead of each being deferred. */
static void
check_pace(struct run *run, const struct smtp_txn *t)
{
	const struct smtp_reply *slow = NULL;
	for (size_t k = 0; k < t->nrcpt; k++) {
		if (t->rcpts[k].result != OUT_TEMP)
			return;
		if (throttle_slow_down(&t->rcpts[k].reply))
			slow = &t->rcpts[k].reply;
	}
	if (slow != NULL) {
		throttle_back_off(&run->route, time(NULL) + run->c->retry_min, slow->text);
		relay_close(&run->relay);
	}
}

static void land_aloft(struct run *run, bool wait);
static void record_landed(void *arg);

/* May this transaction's end-of-data reply be read later, while the next
 * message starts (smtp.h)?  Only when it holds all the recipients left
 * (a server that takes fewer says so, and the rest go again: catch_up),
 * and nothing may make the run wait in between (relay_rate_limit). */
static bool
may_leave_aloft(const struct run *run, const struct flight *f)
{
	return run->c->relay_rate_limit == 0 && unsettled(&f->e, f->settled) == f->t.nrcpt;
}

static void
drop_txn(struct flight *f)
{
	free(f->t.rcpts);
	f->t.rcpts = NULL;
}

/* The results of f's transaction, once they are all in. */
static void
settle_txn(struct run *run, struct flight *f)
{
	settle(run, &f->e, &f->t, f->map, f->settled, f->started);
	check_pace(run, &f->t);
	drop_txn(f);
}

/* One transaction; false when nothing is left to send this run, or when
 * it is aloft (its reply to come). */
static bool
send_batch(struct run *run, struct flight *f)
{
	f->started = time(NULL);
	if (build_txn(&f->t, &f->e, f->fd, f->settled, f->map) == -1) {
		drop_txn(f);
		defer_all(run, &f->e, f->settled, "out of memory");
		return false;
	}
	if (f->t.nrcpt == 0) {
		drop_txn(f);
		return false;
	}
	if (run->relay.s == NULL || !smtp_alive(run->relay.s))
		record_landed(run);	/* connecting may take long: nothing waits */
	struct smtp_session *s = relay_session(&run->relay, &run->route);
	if (s == NULL) {
		drop_txn(f);
		defer_all(run, &f->e, f->settled, run->relay.down_reason);
		return false;
	}
	f->t.pipeline_end = may_leave_aloft(run, f);
	f->t.meanwhile = record_landed;
	f->t.meanwhile_arg = run;
	bool behind = run->aloft != NULL;	/* its reply came first */
	smtp_send(s, &f->t);
	throttle_sent(&run->route);
	if (f->t.pending)
		return false;
	if (behind && f->t.unanswered) {
		/* The session died under the message before this one: this
		 * one was not tried, and goes again on a new session, as it
		 * would have without pipelining. */
		land_aloft(run, false);
		drop_txn(f);
		return true;
	}
	settle_txn(run, f);
	return !throttle_backed_off(&run->route, time(NULL), NULL, 0);
}

static void
flight_free(struct flight *f)
{
	if (f == NULL)
		return;
	drop_txn(f);
	free(f->settled);
	free(f->map);
	envelope_free(&f->e);
	queue_unlock(f->fd);
	free(f);
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

/* Queues the DSN of kind for e; DSN_FAILED is logged, and the message
 * keeps its state so the next run tries again. */
static enum dsn_result
report(struct run *run, struct envelope *e, int fd, enum bounce_kind kind)
{
	char qid[QID_SIZE], to[512], err[RELAYQ_ERRLEN];
	struct dsn_job j = { e, fd, kind, run->now, relay_host(&run->relay) };
	const char *what = kind == BOUNCE_FAILED ? "failure" : "delay";
	enum dsn_result rc = dsn_queue(run->c, &j, qid, to, sizeof to, err, sizeof err);
	if (rc == DSN_FAILED)
		log_err("%s: cannot queue the %s notice: %s; message kept", e->qid, what, err);
	else if (rc == DSN_QUEUED) {
		log_info("%s: %s: DSN: %s notice to <%s>", e->qid, qid, what, to);
		run->dsns++;
	}
	return rc;
}

/* Failed recipients (and, past queue_lifetime, pending ones) are returned
 * to the sender; only once the DSN is safely queued do they become R.
 * Returns the reason to show in mailq when the message must stay. */
static const char *
return_failed(struct run *run, struct envelope *e, int fd, bool expired)
{
	enum dsn_result rc = report(run, e, fd, BOUNCE_FAILED);
	if (rc == DSN_FAILED)
		return "failed, and the failure notice could not be queued yet";
	if (rc == DSN_NOT_DUE && e->sender != NULL && e->sender[0] == '\0') {
		/* A bounce that bounced, with no postmaster left to tell. */
		log_err("%s: undeliverable notice, nobody to return it to; kept in the queue",
		    e->qid);
		return "undeliverable notice, nobody to return it to; kept for the postmaster";
	}
	for (size_t i = 0; i < e->nrcpt; i++) {
		struct env_rcpt *r = &e->rcpts[i];
		if (r->state == RCPT_FAILED || (expired && policy_is_pending(r)))
			r->state = RCPT_RETURNED;
	}
	return NULL;
}

static void
policy_params(const struct conf *c, struct policy_params *p)
{
	*p = (struct policy_params){ c->retry_min, c->retry_max, c->queue_lifetime,
	    c->queue_warn };
}

/* Carries out the policy's decision: return failures or warn of delays,
 * then retire the message or write its new state. */
static void
record(struct run *run, struct envelope *e, int fd)
{
	char err[RELAYQ_ERRLEN];
	const char *kept = NULL;
	struct policy_params p;
	struct policy_decision d;
	e->attempts++;
	e->last_try = run->now;
	policy_params(run->c, &p);
	policy_after_attempt(e, &p, run->now, (unsigned)random() % 1000, &d);
	if (d.next_try != 0)
		e->next_try = d.next_try;
	if (d.return_failed)
		kept = return_failed(run, e, fd, d.expired);
	else if (d.warn && report(run, e, fd, BOUNCE_DELAYED) != DSN_FAILED)
		e->warned = run->now;
	if (policy_pending(e) == 0 && !policy_any_failed(e)) {
		/* Delivered or returned: retiring needs no rewrite, and its
		 * directory fsync is shared with the next ones (I5). */
		if (queue_retire(run->q, e->qid, err, sizeof err) == -1)
			log_err("%s: %s", e->qid, err);
		return;
	}
	if (envelope_set(&e->reason, kept != NULL ? kept : first_reason(e)) == -1 ||
	    qf_write(run->q->queuefd, e, err, sizeof err) == -1)
		log_err("%s: cannot record delivery state: %s", e->qid, err);
}

static bool
wanted(const struct run *run, const struct envelope *e, const struct run_opts *ro)
{
	return policy_due(e, run->now, ro->force) && (ro->sel == NULL || qsel_match(ro->sel, e));
}

static void
record_notice(struct run *run, struct envelope *e, int fd)
{
	char err[RELAYQ_ERRLEN];
	if (return_failed(run, e, fd, false) != NULL)
		return;
	if (queue_remove(run->q, e->qid, err, sizeof err) == -1)
		log_err("%s: %s", e->qid, err);
}

enum step { STEP_SKIPPED, STEP_ATTEMPTED, STEP_LATER };

/* Does e belong to this pass?  The first message of a pass sets its route:
 * a pass opens one session, and messages on other routes wait for theirs. */
static bool
in_pass(struct run *run)
{
	if (!run->pass_set) {
		run->pass = run->route;
		run->pass_set = true;
	}
	return route_equal(&run->pass, &run->route);
}

/* A flight whose transactions are all settled is recorded, and lets go
 * of its lock, while the server answers the next transaction's commands
 * (smtp_txn.meanwhile), or when the run waits for nothing (catch_up):
 * the disk work of one message overlaps the round trip of the next.  One
 * waits at most: a transaction that never reaches the wire (refused for
 * its size, say) has no meanwhile, and the locks and memory of a queue
 * of them must not pile up. */
static void
land(struct run *run, struct flight *f)
{
	record_landed(run);
	run->landed = f;
	/* With a rate limit the next send may sleep first: nothing waits. */
	if (run->c->relay_rate_limit != 0)
		record_landed(run);
}

static void
record_landed(void *arg)
{
	struct run *run = arg;
	struct flight *f = run->landed;
	if (f == NULL)
		return;
	run->landed = NULL;
	record(run, &f->e, f->fd);
	flight_free(f);
}

/* The message aloft lands once the session has read its reply: at the
 * next transaction's first flush, or when the session is closed.  If
 * the server took only some recipients ("452 4.5.3 too many"), the
 * message goes again (catch_up) before it is recorded. */
static void
land_aloft(struct run *run, bool wait)
{
	struct flight *f = run->aloft;
	if (f == NULL)
		return;
	if (wait && f->t.pending)
		smtp_send_finish(run->relay.s);
	if (f->t.pending)
		return;
	run->aloft = NULL;
	settle_txn(run, f);
	if (unsettled(&f->e, f->settled) > 0 &&
	    !throttle_backed_off(&run->route, time(NULL), NULL, 0)) {
		f->next = run->again;
		run->again = f;
		return;
	}
	land(run, f);
}

/* Sends f in as many transactions of one session as its recipients need.
 * Its last one may be left aloft: then f is run->aloft, recorded later. */
static void
send_message(struct run *run, struct flight *f)
{
	while (send_batch(run, f))
		;
	land_aloft(run, false);	/* the previous message's reply came first */
	if (f->t.pending)
		run->aloft = f;
	else
		land(run, f);
}

/* Lands the message aloft (waiting for its reply if wait) and sends
 * again those that still have recipients to go; with wait, nothing is
 * left aloft, and every landed message is recorded. */
static void
catch_up(struct run *run, bool wait)
{
	land_aloft(run, wait);
	while (run->again != NULL) {
		struct flight *f = run->again;
		run->again = f->next;
		send_message(run, f);
		land_aloft(run, wait);
	}
	if (wait)
		record_landed(run);
}

static struct flight *
flight_new(void)
{
	struct flight *f = calloc(1, sizeof *f);
	if (f == NULL)
		return NULL;
	envelope_init(&f->e);
	f->fd = -1;
	return f;
}

static bool
flight_alloc_rcpts(struct flight *f)
{
	f->settled = calloc(f->e.nrcpt ? f->e.nrcpt : 1, sizeof *f->settled);
	f->map = calloc(RCPT_BATCH, sizeof *f->map);
	return f->settled != NULL && f->map != NULL;
}

/* One message under its lock: sent, skipped (not due, busy, gone), or
 * left for the pass of its route. */
static enum step
process(struct run *run, const char *qid, const struct run_opts *ro)
{
	char err[RELAYQ_ERRLEN];
	struct flight *f = flight_new();
	if (f == NULL)
		return STEP_SKIPPED;
	if (queue_lock(run->q, qid, &f->fd) != QUEUE_LOCKED) {
		flight_free(f);
		return STEP_SKIPPED;	/* another runner has it, or it is gone */
	}
	enum step done = STEP_SKIPPED;
	if (qf_read_locked(run->q->queuefd, qid, f->fd, &f->e, err, sizeof err) == -1) {
		log_err("%s: %s", qid, err);
		goto out;
	}
	route_resolve(&run->routing, &f->e, &f->route);
	/* The message aloft lands on its own route before another one is
	 * current (its pacing and back-off are its route's). */
	if (!route_equal(&f->route, &run->route))
		catch_up(run, true);
	run->route = f->route;
	if (throttle_backed_off(&run->route, time(NULL), NULL, 0))
		goto out;	/* the relay asked us to slow down: untouched */
	if (!wanted(run, &f->e, ro)) {
		if (policy_notice_owed(&f->e))
			record_notice(run, &f->e, f->fd);
	} else if (!in_pass(run)) {
		done = STEP_LATER;
	} else if (throttle_pace(&run->route, run->c->relay_rate_limit, ro->stop)) {
		done = STEP_ATTEMPTED;
		if (!flight_alloc_rcpts(f))
			defer_all(run, &f->e, NULL, "out of memory");
		else {
			send_message(run, f);
			return done;	/* landed, or aloft */
		}
		record(run, &f->e, f->fd);
	}
out:
	flight_free(f);
	return done;
}

/* A run walks the queue in windows of this many ids, oldest first, so its
 * memory does not grow with the queue (a rescan per window: 13 for
 * 100,000 messages). */
#define RUN_WINDOW 8192

static bool
stopped(const struct run_opts *ro)
{
	return ro->stop != NULL && *ro->stop != 0;
}

/* One pass per route over ids, in queue order; a message on another
 * route is read once more in its own pass (with one route, never).
 * Returns the number of messages attempted. */
static int
run_window(struct run *run, char (*ids)[QID_SIZE], size_t n, const struct run_opts *ro)
{
	int attempted = 0;
	for (size_t left = n; left > 0 && !stopped(ro);) {
		size_t later = 0;
		run->pass_set = false;
		for (size_t i = 0; i < left && !stopped(ro); i++) {
			enum step st = process(run, ids[i], ro);
			attempted += st == STEP_ATTEMPTED;
			if (st == STEP_LATER)
				memcpy(ids[later++], ids[i], QID_SIZE);
			/* Only a message sent right behind it keeps the
			 * reply aloft: nothing waits behind skipped ones. */
			catch_up(run, st != STEP_ATTEMPTED);
		}
		catch_up(run, true);
		left = later;
	}
	return attempted;
}

int
deliver_run(struct queue *q, const struct conf *c, struct trust *trust,
    const struct run_opts *ro)
{
	char (*ids)[QID_SIZE] = calloc(RUN_WINDOW, sizeof *ids);
	char after[QID_SIZE] = "", err[RELAYQ_ERRLEN];
	size_t n = RUN_WINDOW;
	if (ids == NULL || queue_repair(q) == -1) {
		log_err("cannot list queue: %s", strerror(errno));
		free(ids);
		return -1;
	}
	struct run run = { .c = c, .trust = trust, .q = q, .now = time(NULL) };
	relay_init(&run.relay, c, trust, q->queuefd);
	routing_open(&run.routing, c, trust->authinfo);
	int attempted = 0;
	while (n == RUN_WINDOW && !stopped(ro)) {
		if (queue_ids_after(q, after, ids, RUN_WINDOW, &n) == -1) {
			log_err("cannot list queue: %s", strerror(errno));
			break;
		}
		if (n > 0)
			memcpy(after, ids[n - 1], QID_SIZE);
		attempted += run_window(&run, ids, n, ro);
	}
	catch_up(&run, true);
	if (queue_sync_retired(q, err, sizeof err) == -1)
		log_err("%s", err);
	relay_close(&run.relay);
	routing_close(&run.routing);
	free(ids);
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
	if (queue_lock(q, qid, &fd) != QUEUE_LOCKED) {
		snprintf_rq(err, errlen, "%s: not in the queue, or being delivered now", qid);
		return -1;
	}
	envelope_init(&e);
	struct run run = { .c = c, .trust = trust, .q = q, .now = time(NULL) };
	relay_init(&run.relay, c, trust, q->queuefd);
	routing_open(&run.routing, c, trust->authinfo);
	if (qf_read(q->queuefd, qid, &e, err, errlen) == -1)
		goto out;
	route_resolve(&run.routing, &e, &run.route);
	if (op == ADMIN_DELETE) {
		rc = queue_remove(q, qid, err, errlen);
		if (rc == 0)
			log_notice("%s: deleted by the administrator (uid %ld)", qid, (long)getuid());
		goto out;
	}
	for (size_t i = 0; i < e.nrcpt; i++) {
		if (policy_is_pending(&e.rcpts[i])) {
			e.rcpts[i].state = RCPT_FAILED;
			if (envelope_set(&e.rcpts[i].reply, "returned by the administrator") == -1)
				goto out;
		}
	}
	log_notice("%s: returned to the sender by the administrator (uid %ld)", qid,
	    (long)getuid());
	record_notice(&run, &e, fd);
	rc = 0;
out:
	routing_close(&run.routing);
	envelope_free(&e);
	queue_unlock(fd);
	return rc;
}
