/* throttle: per-route pacing, session slots and back-off. */
#include "throttle.h"
#include "buf.h"
#include "log.h"

#include <fcntl.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <unistd.h>

#define ROUTES_KEPT 16
#define RATE_MAX 600		/* relay_rate_limit's upper bound */

struct pace {
	char key[600];
	time_t sent[RATE_MAX];	/* a ring of the last sends */
	size_t n, head;
	time_t backoff_until;
	char reason[RELAYQ_ERRLEN];
};

static struct pace paces[ROUTES_KEPT];
static size_t npaces;

static void
route_key(const struct route *r, char *key, size_t size)
{
	snprintf_rq(key, size, "%s:%s/%s", route_primary(r), r->nhosts > 0 ? r->host[0].port : "",
	    r->cred_sender);
}

/* The route's slot; a new one evicts the oldest. */
static struct pace *
pace_of(const struct route *r)
{
	char key[600];
	route_key(r, key, sizeof key);
	for (size_t i = 0; i < npaces; i++)
		if (strcmp(paces[i].key, key) == 0)
			return &paces[i];
	struct pace *p = &paces[npaces < ROUTES_KEPT ? npaces++ : 0];
	memset(p, 0, sizeof *p);
	strlcpy_rq(p->key, key, sizeof p->key);
	return p;
}

bool
throttle_backed_off(const struct route *r, time_t now, char *why, size_t whylen)
{
	struct pace *p = pace_of(r);
	if (p->backoff_until <= now)
		return false;
	if (why != NULL)
		snprintf_rq(why, whylen, "%s", p->reason);
	return true;
}

bool
throttle_slow_down(const struct smtp_reply *reply)
{
	static const char *const words[] = {
		"too many", "rate", "limit", "throttl", "slow down", "busy", "try again later",
	};
	if (reply->code == 421)
		return true;
	/* 4.7.x is policy (a user's own mailbox limits are 4.2.x): only
	 * those name the sender's pace. */
	if (reply->code < 400 || reply->code > 499 || strncmp(reply->enh, "4.7.", 4) != 0)
		return false;
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strcasestr(reply->text, words[i]) != NULL)
			return true;
	return false;
}

void
throttle_back_off(const struct route *r, time_t until, const char *reason)
{
	struct pace *p = pace_of(r);
	p->backoff_until = until;
	snprintf_rq(p->reason, sizeof p->reason, "relay asked to slow down: %s", reason);
	log_notice("relay %s asked to slow down (%s): its mail waits until the next run "
	    "after %ld s", route_primary(r), reason, (long)(until - time(NULL)));
}

bool
throttle_pace(const struct route *r, long per_minute, volatile const int *stop)
{
	if (per_minute <= 0)
		return true;
	if (per_minute > RATE_MAX)
		per_minute = RATE_MAX;
	struct pace *p = pace_of(r);
	while ((stop == NULL || *stop == 0) && p->n >= (size_t)per_minute) {
		/* The oldest of the last per_minute sends must be a minute old. */
		size_t oldest = (p->head + RATE_MAX - (size_t)per_minute) % RATE_MAX;
		time_t wait = p->sent[oldest] + 60 - time(NULL);
		if (wait <= 0)
			break;
		sleep(wait > 1 ? 1 : (unsigned)wait);
	}
	return stop == NULL || *stop == 0;
}

void
throttle_sent(const struct route *r)
{
	struct pace *p = pace_of(r);
	p->sent[p->head] = time(NULL);
	p->head = (p->head + 1) % RATE_MAX;
	if (p->n < RATE_MAX)
		p->n++;
}

int
throttle_session_slot(int dirfd, const struct route *r, long max)
{
	char key[600], name[64];
	if (max <= 0)
		return -2;
	route_key(r, key, sizeof key);
	unsigned long h = 5381;
	for (const char *s = key; *s != '\0'; s++)
		h = h * 33 + (unsigned char)*s;
	for (long i = 0; i < max; i++) {
		snprintf_rq(name, sizeof name, ".session-%08lx-%ld", h & 0xffffffffUL, i);
		int fd = openat(dirfd, name, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd == -1)
			continue;
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return fd;
		close(fd);
	}
	return -1;
}
