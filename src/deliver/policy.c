/* policy: retire / return / warn / reschedule, from state and time. */
#include "policy.h"
#include "schedule.h"

bool
policy_is_pending(const struct env_rcpt *r)
{
	return r->state == RCPT_PENDING || r->state == RCPT_TEMPFAIL;
}

size_t
policy_pending(const struct envelope *e)
{
	size_t n = 0;
	for (size_t i = 0; i < e->nrcpt; i++)
		n += policy_is_pending(&e->rcpts[i]);
	return n;
}

bool
policy_any_failed(const struct envelope *e)
{
	for (size_t i = 0; i < e->nrcpt; i++)
		if (e->rcpts[i].state == RCPT_FAILED)
			return true;
	return false;
}

bool
policy_due(const struct envelope *e, time_t now, bool force)
{
	/* On hold (I7): not even a forced run (sendmail -q) takes it. */
	return e->held == 0 && policy_pending(e) > 0 && (force || e->next_try <= now);
}

bool
policy_notice_owed(const struct envelope *e)
{
	return e->held == 0 && policy_pending(e) == 0 && policy_any_failed(e) &&
	    e->sender != NULL && e->sender[0] != '\0';
}

static bool
lifetime_over(const struct envelope *e, const struct policy_params *p, time_t now)
{
	return p->queue_lifetime > 0 && now >= e->arrival + p->queue_lifetime;
}

void
policy_after_attempt(const struct envelope *e, const struct policy_params *p,
    time_t now, unsigned rnd, struct policy_decision *d)
{
	size_t pending = policy_pending(e);
	bool failed = policy_any_failed(e);
	d->expired = pending > 0 && lifetime_over(e, p, now);
	d->return_failed = failed || d->expired;
	d->warn = !d->return_failed && pending > 0 && p->queue_warn > 0 &&
	    e->warned == 0 && now >= e->arrival + p->queue_warn;
	d->retire = pending == 0 && !failed;
	d->next_try = pending > 0 ?
	    now + schedule_delay(e->attempts, p->retry_min, p->retry_max, rnd) : 0;
}
