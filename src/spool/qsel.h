/* qsel: sendmail's -q argument — one queue run, a daemon interval, -qf, and
 * the -qI/-qR/-qS selectors — and matching a queued envelope against it.
 * Shared by the submitter (parses it, hands it on), the queue lister and
 * relayqd.  Pure: no I/O.  Selector strings point into the argument. */
#ifndef RELAYQ_QSEL_H
#define RELAYQ_QSEL_H

#include <stdbool.h>
#include <stddef.h>

#include "spool.h"

#define QSEL_MAX 8

struct qsel_one {
	char kind;		/* 'I' queue id, 'R' recipient, 'S' sender */
	bool negate;		/* -q!I... */
	const char *substr;
};

struct qsel {
	bool foreground;	/* -qf */
	long interval;		/* -q<time>, seconds; 0 = one run */
	struct qsel_one v[QSEL_MAX];
	size_t n;
};

/* Adds one -q argument ("", "f", "p", "30m", "Ixyz", "!Rbob"); with
 * `listing` (mailq) an interval is refused.  0, or -1 with why. */
int  qsel_parse(struct qsel *q, const char *arg, bool listing, char *why, size_t whylen);
/* Does e match every selector (substring; addresses case-insensitively)?
 * An envelope with no sender (a damaged file) matches no -qS. */
bool qsel_match(const struct qsel *q, const struct envelope *e);

#endif
