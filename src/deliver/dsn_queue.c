/* dsn_queue: compose a DSN (bounce.c) straight into a maildrop file. */
#include "dsn_queue.h"
#include "aliases.h"
#include "buf.h"
#include "relayq.h"
#include "utf8.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The postmaster through the aliases file (postmaster: admin@...), else
 * postmaster@domain. */
static void
postmaster_address(const struct conf *c, char *out, size_t size)
{
	struct aliases *a = NULL;
	struct strlist l = { 0 };
	char err[RELAYQ_ERRLEN], note[256];
	snprintf_rq(out, size, "postmaster@%s", c->domain);
	if (c->aliases[0] != '\0' && aliases_load(&a, c->aliases, err, sizeof err) == 0 &&
	    aliases_expand(a, "postmaster", c->domain, c->local_names, &l, note, sizeof note) == 0 && l.n > 0)
		strlcpy_rq(out, l.v[0], size);
	strlist_free(&l);
	aliases_free(a);
}

static int
compose(struct drop *d, const struct conf *c, const struct dsn_job *j, const char *to,
    const char *postmaster, bool *eightbit, char *err, size_t errlen)
{
	struct bounce_req r = {
		.env = j->env, .kind = j->kind, .to = to, .hostname = c->hostname,
		.relay = j->relay, .postmaster = postmaster, .now = j->now,
		.queue_lifetime = c->queue_lifetime, .content_fd = j->content_fd,
		.nonce = ((unsigned long long)random() << 31) ^ (unsigned long long)random(),
	};
	return bounce_write(d->fp, &r, eightbit, err, errlen);
}

enum dsn_result
dsn_queue(const struct conf *c, const struct dsn_job *j, char qid[QID_SIZE],
    char *to, size_t tolen, char *err, size_t errlen)
{
	char postmaster[512];
	postmaster_address(c, postmaster, sizeof postmaster);
	const char *rcpt = bounce_recipient(j->env, j->kind, postmaster);
	if (rcpt == NULL)
		return DSN_NOT_DUE;
	strlcpy_rq(to, rcpt, tolen);
	struct envelope e;
	struct drop d = { .dirfd = -1, .fd = -1 };
	bool eightbit = false;
	enum dsn_result rc = DSN_FAILED;
	envelope_init(&e);
	e.arrival = j->now;
	e.uid = geteuid();
	e.smtputf8 = utf8_classify(to, NULL) == UTF8_NON_ASCII;	/* To: <to> in its header */
	if (envelope_set(&e.sender, "") == -1 || envelope_add_rcpt(&e, to) == -1) {
		snprintf_rq(err, errlen, "out of memory");
		goto out;
	}
	if (drop_begin(&d, c->spool, NULL, &e, err, errlen) == -1 ||
	    compose(&d, c, j, to, postmaster, &eightbit, err, errlen) == -1 ||
	    drop_commit(&d, eightbit, err, errlen) == -1) {
		drop_abort(&d);
		goto out;
	}
	strlcpy_rq(qid, d.qid, QID_SIZE);
	rc = DSN_QUEUED;
out:
	envelope_free(&e);
	return rc;
}
