/* qsel: the -q argument and queue selection, as sendmail 8 reads them. */
#include "qsel.h"
#include "buf.h"
#include "conf.h"

#include <string.h>

int
qsel_parse(struct qsel *q, const char *a, bool listing, char *why, size_t whylen)
{
	if (*a == 'f' || *a == 'p') {
		q->foreground = *a == 'f';
		a++;
	}
	if (*a == '\0')
		return 0;
	bool neg = *a == '!';
	if (neg)
		a++;
	if (*a == 'I' || *a == 'R' || *a == 'S') {
		if (q->n == QSEL_MAX) {
			snprintf_rq(why, whylen, "too many -q selectors");
			return -1;
		}
		q->v[q->n++] = (struct qsel_one){ *a, neg, a + 1 };
		return 0;
	}
	if (*a == 'G' || *a == 'L' || *a == 'Q')
		return 0;
	long secs = conf_duration(a, 60);
	if (secs <= 0 || neg) {
		snprintf_rq(why, whylen, "Invalid -q value \"%s\"", a);
		return -1;
	}
	if (listing) {
		snprintf_rq(why, whylen, "mailq takes no queue interval");
		return -1;
	}
	q->interval = secs;
	return 0;
}

static bool
one_matches(const struct qsel_one *s, const struct envelope *e)
{
	if (s->kind == 'I')
		return strstr(e->qid, s->substr) != NULL;
	if (s->kind == 'S')
		return e->sender != NULL && strcasestr(e->sender, s->substr) != NULL;
	for (size_t r = 0; r < e->nrcpt; r++)
		if (e->rcpts[r].addr != NULL && strcasestr(e->rcpts[r].addr, s->substr) != NULL)
			return true;
	return false;
}

bool
qsel_match(const struct qsel *q, const struct envelope *e)
{
	for (size_t i = 0; i < q->n; i++)
		if (one_matches(&q->v[i], e) == q->v[i].negate)
			return false;
	return true;
}
