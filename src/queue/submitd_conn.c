/* submitd_conn: one submission over the socket, in its own process — the
 * dialogue of dropwire.h, with the drop path's limits (free-space reserve,
 * max_message_size) and the peer's uid in the envelope. */
#include "submitd.h"
#include "buf.h"
#include "dropwire.h"
#include "log.h"
#include "qadmin.h"
#include "queue.h"
#include "relayq.h"
#include "spool.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define IDLE_TIMEOUT_SECS 300	/* a client that stops sending mid-message */
#define COPY_CHUNK (64 * 1024)

struct conn {
	int fd;
	FILE *in;
	uid_t uid;
	pid_t pid;
	const struct conf *c;
	struct envelope e;
	struct drop d;
	long long size;		/* content octets stored */
	bool reencoded;
	char why[RELAYQ_ERRLEN];	/* the refusal's text */
};

static void
reply(struct conn *k, enum dropwire_reply r, const char *text)
{
	char line[DROPWIRE_LINE_MAX * 4];
	size_t n = dropwire_format_reply(r, text, line, sizeof line);
	if (send(k->fd, line, n, MSG_NOSIGNAL) != (ssize_t)n)
		log_notice("submission from uid %lu: reply not sent: %s",
		    (unsigned long)k->uid, strerror(errno));
}

/* A command line; -1 at EOF, on a timeout or on a malformed line. */
static int
read_cmd(struct conn *k, struct dropwire_cmd *cmd)
{
	char line[DROPWIRE_LINE_MAX + 1];
	if (fgets(line, sizeof line, k->in) == NULL)
		return -1;
	if (dropwire_parse_cmd(line, strlen(line), cmd) == -1) {
		snprintf_rq(k->why, sizeof k->why, "malformed command");
		return -1;
	}
	return 0;
}

/* len octets into a malloc'd buffer (the caller frees it). */
static char *
read_payload(struct conn *k, long long len)
{
	char *p = malloc(len > 0 ? (size_t)len : 1);
	if (p != NULL && fread(p, 1, (size_t)len, k->in) != (size_t)len) {
		free(p);
		return NULL;
	}
	return p;
}

/* The envelope records the client sent, with our uid and clock. */
static int
take_envelope(struct conn *k, const struct dropwire_cmd *cmd)
{
	char *raw = read_payload(k, cmd->len);
	FILE *fp = raw != NULL ? fmemopen(raw, (size_t)cmd->len, "r") : NULL;
	int rc = -1;
	if (fp != NULL) {
		char why[RELAYQ_ERRLEN];
		rc = drop_parse_envelope(fp, &k->e, why, sizeof why);
		if (rc == -1)
			snprintf_rq(k->why, sizeof k->why, "envelope: %s", why);
		fclose(fp);
	}
	free(raw);
	k->e.uid = k->uid;	/* SO_PEERCRED, whatever the U record said */
	k->e.arrival = time(NULL);
	return rc;
}

static bool
too_big(struct conn *k)
{
	long long max = k->c->max_message_size;
	if (max <= 0 || k->size <= max)
		return false;
	snprintf_rq(k->why, sizeof k->why, "message is larger than max_message_size "
	    "(%lld octets)", max);
	return true;
}

/* "data": len octets from the client into the drop. */
static enum dropwire_reply
take_data(struct conn *k, long long len)
{
	char buf[COPY_CHUNK];
	k->size += len;
	if (too_big(k))
		return DWR_TOO_BIG;
	while (len > 0) {
		size_t want = len < (long long)sizeof buf ? (size_t)len : sizeof buf;
		if (fread(buf, 1, want, k->in) != want)
			return DWR_TEMPFAIL;	/* the client went away */
		if (fwrite(buf, 1, want, k->d.fp) != want) {
			snprintf_rq(k->why, sizeof k->why, "cannot write queue file: %s",
			    strerror(errno));
			return errno == ENOSPC || errno == EDQUOT ? DWR_NO_SPACE : DWR_TEMPFAIL;
		}
		len -= (long long)want;
	}
	return DWR_OK;
}

static enum dropwire_reply
take_qp(struct conn *k, const struct dropwire_cmd *cmd)
{
	if (k->reencoded || cmd->body_off > k->size) {
		snprintf_rq(k->why, sizeof k->why, "qp: out of place");
		return DWR_BAD_DATA;
	}
	char *hdr = read_payload(k, cmd->len);
	if (hdr == NULL)
		return DWR_TEMPFAIL;
	int rc = drop_reencode_qp(&k->d, k->c->spool, &k->e, hdr, (size_t)cmd->len,
	    cmd->body_off, &k->size, k->why, sizeof k->why);
	free(hdr);
	k->reencoded = true;
	if (rc == -1)
		return DWR_TEMPFAIL;
	return too_big(k) ? DWR_TOO_BIG : DWR_OK;
}

static const char *
login_of(uid_t uid, char *buf, size_t size)
{
	struct passwd *pw = getpwuid(uid);
	if (pw != NULL)
		return pw->pw_name;
	snprintf_rq(buf, size, "uid%lu", (unsigned long)uid);
	return buf;
}

static enum dropwire_reply
commit(struct conn *k, bool eightbit)
{
	char login[64];
	if (drop_commit(&k->d, eightbit, k->why, sizeof k->why) == -1)
		return errno == ENOSPC || errno == EDQUOT ? DWR_NO_SPACE : DWR_TEMPFAIL;
	drop_log_received(&k->e, k->d.qid, k->size, login_of(k->uid, login, sizeof login));
	reply(k, DWR_OK, k->d.qid);
	spool_wake(k->c->spool);
	return DWR_OK;
}

/* After the envelope: data, an optional qp, then commit. */
static enum dropwire_reply
take_content(struct conn *k)
{
	struct dropwire_cmd cmd;
	enum dropwire_reply r = DWR_OK;
	while (r == DWR_OK) {
		if (read_cmd(k, &cmd) == -1)
			return k->why[0] != '\0' ? DWR_BAD_DATA : DWR_TEMPFAIL;
		switch (cmd.verb) {
		case DW_DATA: r = take_data(k, cmd.len); break;
		case DW_QP: r = take_qp(k, &cmd); break;
		case DW_COMMIT: return commit(k, cmd.eightbit);
		case DW_ENVELOPE:
		case DW_QUEUE:
			snprintf_rq(k->why, sizeof k->why, "%s inside a message",
			    cmd.verb == DW_QUEUE ? "a queue request" : "a second envelope");
			return DWR_BAD_DATA;
		}
	}
	return r;
}

/* "queue OP QID": the owner's hold, release, retry or requeue (root's:
 * any message).  Another uid's message is "gone", as mailq hides it. */
static enum dropwire_reply
queue_request(struct conn *k, const struct dropwire_cmd *cmd)
{
	struct queue q;
	enum qadmin_op op;
	char err[RELAYQ_ERRLEN];
	if (qadmin_op_parse(cmd->op, &op) == -1 ||
	    queue_open(&q, k->c->spool, err, sizeof err) == -1) {
		snprintf_rq(k->why, sizeof k->why, "cannot open the queue");
		return DWR_TEMPFAIL;
	}
	/* A message just sent with -odq may still be in maildrop/. */
	if (queue_pickup(&q, err, sizeof err) == -1)
		log_err("pickup: %s", err);
	enum qadmin_result r = qadmin_one(&q, cmd->qid, op, k->uid == 0 ? (uid_t)-1 : k->uid,
	    time(NULL), err, sizeof err);
	queue_close(&q);
	if (r == QADMIN_DONE || r == QADMIN_UNCHANGED) {
		if (r == QADMIN_DONE)
			log_notice("%s: %s by its owner (uid %lu)", cmd->qid,
			    qadmin_done_word(op, true), (unsigned long)k->uid);
		if (r == QADMIN_DONE && op != QADMIN_HOLD)
			spool_wake(k->c->spool);
		reply(k, DWR_OK, qadmin_done_word(op, r == QADMIN_DONE));
		return DWR_OK;
	}
	snprintf_rq(k->why, sizeof k->why, "%s", r == QADMIN_BUSY ?
	    "being delivered right now; try again" : r == QADMIN_FAILED ? err :
	    "no such message of yours in the queue");
	return r == QADMIN_BUSY || r == QADMIN_FAILED ? DWR_TEMPFAIL : DWR_GONE;
}

static enum dropwire_reply
dialogue(struct conn *k)
{
	struct dropwire_cmd cmd;
	if (spool_check_space(k->c->spool, k->uid, k->c->queue_minfree,
	    k->c->max_message_size, k->why, sizeof k->why) == -1)
		return DWR_NO_SPACE;
	if (send(k->fd, DROPWIRE_GREETING, strlen(DROPWIRE_GREETING), MSG_NOSIGNAL) == -1)
		return DWR_TEMPFAIL;
	int got = read_cmd(k, &cmd);
	if (got == 0 && cmd.verb == DW_QUEUE)
		return queue_request(k, &cmd);
	if (got == -1 || cmd.verb != DW_ENVELOPE) {
		if (k->why[0] == '\0')
			snprintf_rq(k->why, sizeof k->why, "expected an envelope");
		return DWR_BAD_DATA;
	}
	if (take_envelope(k, &cmd) == -1)
		return DWR_BAD_DATA;
	if (drop_begin(&k->d, k->c->spool, cmd.qid, &k->e, k->why, sizeof k->why) == -1)
		return errno == ENOSPC || errno == EDQUOT ? DWR_NO_SPACE : DWR_TEMPFAIL;
	return take_content(k);
}

static void
set_timeouts(int fd)
{
	struct timeval tv = { .tv_sec = IDLE_TIMEOUT_SECS };
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) == -1)
		log_warn("submission socket: setsockopt: %s", strerror(errno));
}

void
submitd_serve(int fd, uid_t uid, pid_t pid, const struct conf *c)
{
	struct conn k = { .fd = fd, .uid = uid, .pid = pid, .c = c };
	envelope_init(&k.e);
	k.d = (struct drop){ .dirfd = -1, .fd = -1, .sock = -1 };
	set_timeouts(fd);
	int dupfd = dup(fd);
	k.in = dupfd == -1 ? NULL : fdopen(dupfd, "r");
	enum dropwire_reply r = k.in != NULL ? dialogue(&k) : DWR_TEMPFAIL;
	if (r != DWR_OK && k.why[0] != '\0') {
		log_notice("submission from uid %lu pid %ld refused: %s", (unsigned long)uid,
		    (long)pid, k.why);
		reply(&k, r, k.why);
	} else if (r != DWR_OK) {
		log_notice("submission from uid %lu pid %ld abandoned before commit; nothing "
		    "queued", (unsigned long)uid, (long)pid);
	}
	drop_abort(&k.d);
	envelope_free(&k.e);
	if (k.in != NULL)
		fclose(k.in);
	else if (dupfd != -1)
		close(dupfd);
}
