/* submit: one message from a stream to a committed maildrop file, with a
 * named outcome (status.h); plus -bv and newaliases.  The message itself is
 * processed by message.c; this file owns the spool side and the errors. */
#include "submit.h"
#include "aliases.h"
#include "buf.h"
#include "caller.h"
#include "log.h"
#include "message.h"
#include "prepare.h"
#include "linewrap.h"
#include "mime.h"
#include "relayq.h"
#include "spool.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

/* Why the spool (or relayqd over the socket) refused us, in words a
 * user can act on. */
static enum submit_status
spool_error(int errnum, char *err, size_t errlen)
{
	char what[RELAYQ_ERRLEN];
	strlcpy_rq(what, err, sizeof what);
	switch (errnum) {
	case EFBIG:
		snprintf_rq(err, errlen, "%s; message NOT queued", what);
		return SUBMIT_TOO_BIG;
	case EBADMSG:
		snprintf_rq(err, errlen, "%s; message NOT queued", what);
		return SUBMIT_BAD_DATA;
	case ENOSPC:
	case EDQUOT:
		snprintf_rq(err, errlen, "%s; message NOT queued, try again later", what);
		return SUBMIT_NO_SPACE;
	case EIO: case EINTR: case EAGAIN: case ECONNRESET: case ETIMEDOUT: case EPROTO:
		snprintf_rq(err, errlen, "%s; message NOT queued, try again later", what);
		return SUBMIT_TEMP;
	}
	snprintf_rq(err, errlen, "%s; message NOT queued", what);
	return SUBMIT_CANT_CREATE;
}

/* Why maildrop/ said no, for the one line of a submission that found no
 * way in: the setgid bit is ignored, or was never set. */
static const char *
maildrop_denied_why(void)
{
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1)
		return "this process runs with NoNewPrivileges, so the setgid bit of "
		    "sendmail is ignored";
	if (getegid() == getgid())
		return "sendmail does not run setgid " RELAYQ_DROP_GROUP;
	return "maildrop is not writable for group " RELAYQ_DROP_GROUP;
}

/* Neither maildrop/ nor relayqd's socket took the message: EX_TEMPFAIL,
 * and which of the three to fix. */
static enum submit_status
no_way_in(const struct conf *c, int sockerr, const char *sockwhy, char *err, size_t errlen)
{
	const char *fix = sockerr == ENOENT || sockerr == ECONNREFUSED ?
	    "start relayqd, or enable relayq-submit.socket" :
	    "check the socket's permissions (0666) and submit_socket";
	if (c->submit_socket[0] == '\0')
		snprintf_rq(err, errlen, "cannot queue: %s/maildrop is not writable (%s), and "
		    "submit_socket is none; message NOT queued, try again later", c->spool,
		    maildrop_denied_why());
	else
		snprintf_rq(err, errlen, "cannot queue: %s/maildrop is not writable (%s), and "
		    "relayqd is not reachable (%s): %s; message NOT queued, try again later",
		    c->spool, maildrop_denied_why(), sockwhy, fix);
	return SUBMIT_TEMP;
}

/* maildrop/ for those who may create files there (the setgid bit works),
 * else relayqd's submission socket, which writes the drop on our behalf
 * and attributes it to our uid (SO_PEERCRED). */
static enum submit_status
open_drop(struct drop *d, const struct conf *c, const char *qid, const struct envelope *e,
    char *err, size_t errlen)
{
	char why[RELAYQ_ERRLEN];
	if (drop_begin(d, c->spool, qid, e, err, errlen) == 0)
		return SUBMIT_OK;
	int errnum = errno;
	drop_abort(d);
	if (errnum != EACCES && errnum != EPERM && errnum != EROFS)
		return spool_error(errnum, err, errlen);
	if (c->submit_socket[0] == '\0')
		return no_way_in(c, 0, "", err, errlen);
	if (drop_begin_socket(d, c->submit_socket, qid, e, why, sizeof why) == 0)
		return SUBMIT_OK;
	errnum = errno;
	if (errnum == ENOENT || errnum == ECONNREFUSED || errnum == EACCES || errnum == ENOTSOCK ||
	    errnum == EPROTO)
		return no_way_in(c, errnum, why, err, errlen);
	strlcpy_rq(err, why, errlen);
	return spool_error(errnum, err, errlen);
}

static const char *
login_name(void)
{
	return caller_self()->login;
}

static int
fill_envelope(struct envelope *e, const struct submit_req *r, const struct msg_result *m)
{
	e->arrival = time(NULL);
	e->uid = getuid();
	e->smtputf8 = m->smtputf8;
	if (envelope_set(&e->sender, m->sender) == -1 || envelope_set(&e->msgid, m->msgid) == -1 ||
	    envelope_set(&e->notify, r->cli->notify) == -1 || envelope_set(&e->ret, r->cli->ret) == -1 ||
	    envelope_set(&e->envid, r->cli->envid) == -1 || envelope_set(&e->body, r->cli->body_type) == -1)
		return -1;
	for (size_t i = 0; i < m->nrcpts; i++)
		if (envelope_add_rcpt(e, m->rcpts[i]) == -1)
			return -1;
	return 0;
}

static enum submit_status
check_space(const struct conf *c, char *err, size_t errlen)
{
	return spool_check_space(c->spool, getuid(), c->queue_minfree, c->max_message_size,
	    err, errlen) == 0 ? SUBMIT_OK : SUBMIT_NO_SPACE;
}

/* The header, then the body streamed from in.  A body line over
 * LINEWRAP_MAX is broken unless the message can be re-encoded instead
 * (mime_qp_eligible); *body_off is where the body starts in the content. */
static enum submit_status
write_content(struct drop *d, FILE *in, struct message *msg, struct msg_stats *st,
    long long *body_off, char *err, size_t errlen)
{
	msg->wrap_body = !mime_qp_eligible(msg);
	if (message_write_header(msg, d->fp) == -1 || (*body_off = drop_tell(d)) == -1)
		return SUBMIT_WRITE_FAILED;
	return message_copy_body(msg, in, d->fp, st, err, errlen);
}

/* The header with Content-Transfer-Encoding: quoted-printable, in memory
 * (*hdr, the caller frees it). */
static int
qp_header(struct message *msg, char **hdr, size_t *hlen)
{
	*hdr = NULL;
	FILE *mem = open_memstream(hdr, hlen);
	if (mem == NULL)
		return -1;
	int rc = mime_set_qp(msg) == 0 && message_write_header(msg, mem) == 0 ? 0 : -1;
	if (fclose(mem) == EOF)
		rc = -1;
	return rc;
}

/* A single text part had lines over LINEWRAP_MAX: the drop is written
 * again with the body quoted-printable (drop_reencode_qp). */
static enum submit_status
reencode_drop(struct drop *d, const struct envelope *e, const char *spool,
    struct message *msg, struct msg_stats *st, long long body_off, char *err, size_t errlen)
{
	char *hdr;
	size_t hlen;
	long long len;
	if (qp_header(msg, &hdr, &hlen) == -1) {
		free(hdr);
		snprintf_rq(err, errlen, "out of memory");
		return SUBMIT_NO_MEMORY;
	}
	int rc = drop_reencode_qp(d, spool, e, hdr, hlen, body_off, &len, err, errlen);
	free(hdr);
	if (rc == -1)
		return spool_error(errno, err, errlen);
	st->size = (off_t)len;	/* 0 through the socket: relayqd checks */
	st->eightbit = msg->header_8bit;
	if (msg->max_size > 0 && st->size > msg->max_size) {
		snprintf_rq(err, errlen, "message is larger than max_message_size (%lld octets) "
		    "once its long lines are encoded", (long long)msg->max_size);
		return SUBMIT_TOO_BIG;
	}
	return SUBMIT_OK;
}

/* The content, re-encoded if need be, into d; SUBMIT_WRITE_FAILED becomes
 * a status a user can act on. */
static enum submit_status
write_body(struct drop *d, FILE *in, const struct submit_req *r, struct message *msg,
    const struct envelope *e, struct msg_stats *st, char *err, size_t errlen)
{
	long long body_off = 0;
	enum submit_status rc = write_content(d, in, msg, st, &body_off, err, errlen);
	if (rc == SUBMIT_WRITE_FAILED)
		return spool_error(drop_write_error(d, err, errlen), err, errlen);
	if (rc == SUBMIT_OK && !msg->wrap_body && st->longest > LINEWRAP_MAX)
		rc = reencode_drop(d, e, r->conf->spool, msg, st, body_off, err, errlen);
	return rc;
}

static void
log_queued(const struct drop *d, const struct envelope *e, const char *qid, off_t size)
{
	if (!d->via_socket)
		drop_log_received(e, qid, (long long)size, login_name());
	else	/* relayqd logs the from= line, with the size it stored */
		log_info("%s: handed to relayqd at %s (maildrop not writable: %s)", qid,
		    d->sockpath, maildrop_denied_why());
}

/* Writes envelope + header + streamed body and commits the drop. */
static enum submit_status
write_drop(struct drop *d, FILE *in, const struct submit_req *r, struct message *msg,
    const struct msg_result *m, char *qid, char *err, size_t errlen)
{
	struct envelope e;
	struct msg_stats st = { 0 };
	envelope_init(&e);
	enum submit_status rc = SUBMIT_NO_MEMORY;
	if (fill_envelope(&e, r, m) == -1) {
		snprintf_rq(err, errlen, "out of memory");
		goto out;
	}
	rc = open_drop(d, r->conf, qid, &e, err, errlen);
	if (rc == SUBMIT_OK)
		rc = write_body(d, in, r, msg, &e, &st, err, errlen);
	if (rc == SUBMIT_OK && drop_commit(d, st.eightbit, err, errlen) == -1)
		rc = spool_error(errno, err, errlen);
	if (rc == SUBMIT_OK) {
		strlcpy_rq(qid, d->qid, QID_SIZE);
		log_queued(d, &e, qid, st.size);
	}
out:
	envelope_free(&e);
	return rc;
}

/* Reads the rest of a refused message (too big, a bad address, a full
 * spool), so that a caller still writing it (PHP's mail(), a cron job)
 * gets our exit code, not a SIGPIPE. */
static void
drain(FILE *in)
{
	char sink[8192];
	while (fread(sink, 1, sizeof sink, in) == sizeof sink)
		;
}

enum submit_status
submit_stream(FILE *in, const struct submit_req *r, char qid[QID_SIZE],
    char *err, size_t errlen)
{
	struct message msg;
	struct msg_result res;
	struct drop d = { .dirfd = -1, .fd = -1, .sock = -1 };
	memset(&res, 0, sizeof res);
	qid[0] = '\0';
	qid_new(qid);
	struct msg_opts o = {
		.extract = r->extract, .ignore_dots = r->ignore_dots,
		.from = r->sender,
		.fullname = r->cli->fullname != NULL ? r->cli->fullname : caller_self()->gecos,
		.login = login_name(), .domain = r->conf->domain, .hostname = r->conf->hostname,
		.local_names = r->conf->local_names,
		.qid = qid, .now = time(NULL), .aliases_path = r->conf->aliases,
		.sender_map_path = r->conf->sender_map, .masquerade = r->conf->masquerade,
		.smtputf8 = r->cli->smtputf8 || r->smtputf8,
	};
	message_init(&msg);
	msg.max_size = r->conf->max_message_size;
	drop_guard_signals(submit_status_exit(SUBMIT_TEMP));
	enum submit_status rc = check_space(r->conf, err, errlen);
	if (rc == SUBMIT_OK)
		rc = message_read_header(&msg, in, &o, err, errlen);
	if (rc == SUBMIT_OK)
		rc = prepare_message(&msg, &o, r->rcpts, r->nrcpts, &res, err, errlen);
	if (rc == SUBMIT_OK && res.nrcpts == 0)
		qid[0] = '\0';	/* -t and nobody to send to: nothing queued */
	else if (rc == SUBMIT_OK)
		rc = write_drop(&d, in, r, &msg, &res, qid, err, errlen);
	if (rc != SUBMIT_OK && rc != SUBMIT_READ_ERROR)
		drain(in);
	drop_abort(&d);
	message_result_free(&res);
	message_free(&msg);
	return rc;
}

static void
say(const struct cli *c, const char *text)
{
	if (c->error_mode != 'q')
		fprintf(stderr, "sendmail: %s\n", text);
}

enum submit_status
submit_from_stdin(const struct cli *c, const struct conf *conf)
{
	char qid[QID_SIZE], err[RELAYQ_ERRLEN];
	if (!c->extract && c->nrcpts == 0) {
		say(c, "Recipient names must be specified");
		return SUBMIT_USAGE;
	}
	struct submit_req r = {
		.cli = c, .conf = conf, .sender = c->from, .rcpts = c->rcpts,
		.nrcpts = c->nrcpts, .extract = c->extract, .ignore_dots = c->ignore_dots,
	};
	enum submit_status rc = submit_stream(stdin, &r, qid, err, sizeof err);
	if (rc != SUBMIT_OK) {
		/* Never exit 0 (-oee) for a message that was not queued. */
		say(c, err);
		return rc;
	}
	if (qid[0] == '\0') {
		say(c, "No recipient addresses found in header");
		return SUBMIT_OK;
	}
	if (!c->queue_only)
		spool_wake(conf->spool);
	return SUBMIT_OK;
}

/* -bv: what would happen to each recipient, without queueing anything. */
enum submit_status
submit_verify(const struct cli *c, const struct conf *conf)
{
	struct message msg;
	struct msg_result res;
	char err[RELAYQ_ERRLEN], qid[QID_SIZE];
	if (c->nrcpts == 0) {
		say(c, "Recipient names must be specified");
		return SUBMIT_USAGE;
	}
	qid_new(qid);
	struct msg_opts o = {
		.from = c->from, .fullname = "", .login = login_name(),
		.domain = conf->domain, .hostname = conf->hostname, .qid = qid,
		.local_names = conf->local_names,
		.now = time(NULL), .aliases_path = conf->aliases,
		.sender_map_path = conf->sender_map, .masquerade = conf->masquerade,
		.smtputf8 = c->smtputf8,
	};
	memset(&res, 0, sizeof res);
	message_init(&msg);
	enum submit_status rc = prepare_message(&msg, &o, c->rcpts, c->nrcpts, &res, err,
	    sizeof err);
	if (rc != SUBMIT_OK)
		say(c, err);
	for (size_t i = 0; rc == SUBMIT_OK && i < res.nrcpts; i++)
		printf("%s... deliverable: mailer relay, host %s, user %s\n", res.rcpts[i],
		    conf->smarthost[0] != '\0' ? conf->smarthost : "(no smarthost set)",
		    res.rcpts[i]);
	message_result_free(&res);
	message_free(&msg);
	return rc;
}

static enum submit_status
check_aliases(const char *path, size_t *count, char *err, size_t errlen)
{
	struct aliases *a;
	if (aliases_load(&a, path, err, errlen) == -1)
		return SUBMIT_CONFIG;
	*count = aliases_count(a);
	aliases_free(a);
	return SUBMIT_OK;
}

/* newaliases: nothing to rebuild (the file is read directly), but check it
 * and report like sendmail does. */
enum submit_status
submit_check_aliases(const struct conf *conf)
{
	char err[RELAYQ_ERRLEN];
	size_t n = 0;
	enum submit_status rc = check_aliases(conf->aliases, &n, err, sizeof err);
	if (rc != SUBMIT_OK) {
		fprintf(stderr, "newaliases: %s\n", err);
		return rc;
	}
	printf("%s: %zu aliases\n", conf->aliases, n);
	return SUBMIT_OK;
}
