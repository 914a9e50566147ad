/* qshow: "Field: value" lines, then one line per recipient with its state
 * and, indented below, the server's last reply. */
#include "qshow.h"
#include "buf.h"
#include "relayq.h"

#include <pwd.h>
#include <string.h>

static void
fmt_time(char *out, size_t size, time_t t)
{
	struct tm tm;
	if (localtime_r(&t, &tm) == NULL || strftime(out, size, "%Y-%m-%d %H:%M:%S %z", &tm) == 0)
		strlcpy_rq(out, "?", size);
}

/* "2d 03:04:05" / "00:00:05". */
static void
fmt_age(char *out, size_t size, long secs)
{
	if (secs < 0)
		secs = 0;
	long d = secs / 86400, h = secs % 86400 / 3600, m = secs % 3600 / 60, s = secs % 60;
	if (d > 0)
		snprintf_rq(out, size, "%ldd %02ld:%02ld:%02ld", d, h, m, s);
	else
		snprintf_rq(out, size, "%02ld:%02ld:%02ld", h, m, s);
}

static void
field(FILE *out, const char *name, const char *value)
{
	fprintf(out, "%-14s%s\n", name, value != NULL ? value : "-");
}

/* A time, or `none` when it is 0. */
static void
field_time(FILE *out, const char *name, time_t t, const char *none)
{
	char buf[64];
	fmt_time(buf, sizeof buf, t);
	field(out, name, t != 0 ? buf : none);
}

static void
field_dsn(FILE *out, const struct envelope *e)
{
	if (e->notify == NULL && e->ret == NULL && e->envid == NULL && e->body == NULL &&
	    !e->smtputf8)
		return;
	fprintf(out, "%-14s", "DSN:");
	if (e->notify != NULL)
		fprintf(out, " NOTIFY=%s", e->notify);
	if (e->ret != NULL)
		fprintf(out, " RET=%s", e->ret);
	if (e->envid != NULL)
		fprintf(out, " ENVID=%s", e->envid);
	if (e->body != NULL)
		fprintf(out, " BODY=%s", e->body);
	if (e->smtputf8)	/* a MAIL parameter too (RFC 6531) */
		fputs(" SMTPUTF8", out);
	fputc('\n', out);
}

static void
recipients(FILE *out, const struct envelope *e)
{
	fprintf(out, "Recipients:   %zu\n", e->nrcpt);
	for (size_t i = 0; i < e->nrcpt; i++) {
		const struct env_rcpt *r = &e->rcpts[i];
		fprintf(out, "  %-10s %s\n", mailq_rcpt_word(r->state), r->addr);
		if (r->reply != NULL)
			fprintf(out, "             %s\n", r->reply);
	}
}

/* The submitter: the uid pickup took from the drop file, and its name. */
static void
owner(FILE *out, uid_t uid)
{
	struct passwd *pw = getpwuid(uid);
	fprintf(out, "%-14suid %lu", "Owner:", (unsigned long)uid);
	if (pw != NULL)
		fprintf(out, " (%s)", pw->pw_name);
	fputc('\n', out);
}

static const char *
next_attempt(const struct mailq_item *it)
{
	if (it->incoming)
		return "after pickup by relayqd";
	if (it->e.held != 0)
		return "none while on hold";
	return "as soon as relayqd runs";
}

void
qshow_text(FILE *out, const struct mailq_item *it, time_t now)
{
	const struct envelope *e = &it->e;
	char buf[128], age[32];
	field(out, "Queue ID:", e->qid);
	field(out, "Status:", mailq_status(it));
	fmt_time(buf, sizeof buf, e->arrival);
	fmt_age(age, sizeof age, (long)(now - e->arrival));
	fprintf(out, "%-14s%s (age %s)\n", "Arrival:", buf, age);
	owner(out, e->uid);
	fprintf(out, "%-14s<%s>\n", "Sender:", e->sender != NULL ? e->sender : "");
	fprintf(out, "%-14s%lld\n", "Size:", (long long)e->content_len);
	field(out, "Message-ID:", e->msgid);
	field_dsn(out, e);
	if (e->held != 0)
		field_time(out, "On hold since:", e->held, "");
	fprintf(out, "%-14s%d\n", "Attempts:", e->attempts);
	field_time(out, "Last attempt:", e->last_try, "never");
	field_time(out, "Next attempt:", e->held != 0 ? 0 : e->next_try, next_attempt(it));
	if (e->warned != 0)
		field_time(out, "Delay notice:", e->warned, "");
	field(out, "Last error:", e->reason);
	recipients(out, e);
}
