/* test_bounce: DSN policy (NOTIFY, null sender), status codes, the exact
 * generated report, header injection, folding, RET, and streaming. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bounce.h"
#include "buf.h"

#define ARRIVAL ((time_t)1795376039)	/* Sun, 22 Nov 2026 19:33:59 +0000 */
#define NOW (ARRIVAL + 361)		/* 19:40:00 */
#define LIFETIME (5L * 86400)
#define NONCE 0x4711c0ffee42ULL
#define QID "AbCdEfGh012345"
#define JUNK "records before the content\n"	/* content_off is not 0 */

static const char msg[] =
    "From: Alice <alice@example.org>\n"
    "To: nobody@example.net, bob@example.net, carol@example.net\n"
    "Subject: lunch\n"
    "Message-ID: <x1@example.org>\n"
    "\n"
    "See you at noon.\n";

/* Everything one test needs; freed by fx_free. */
struct fx {
	struct envelope e;
	FILE *df;
	struct bounce_req r;
	char *out;
	size_t outlen;
	bool eightbit;
	char err[256];
};

static void
fx_content(struct fx *f, const char *data, size_t len)
{
	if (f->df != NULL)
		fclose(f->df);
	f->df = tmpfile();
	assert_non_null(f->df);
	assert_int_equal(fwrite(JUNK, 1, strlen(JUNK), f->df), strlen(JUNK));
	assert_int_equal(fwrite(data, 1, len, f->df), len);
	assert_int_equal(fflush(f->df), 0);
	f->e.content_off = (off_t)strlen(JUNK);
	f->e.content_len = (off_t)len;
	f->r.content_fd = fileno(f->df);
}

static void
fx_rcpt(struct fx *f, const char *addr, enum rcpt_state st, const char *reply)
{
	assert_int_equal(envelope_add_rcpt(&f->e, addr), 0);
	f->e.rcpts[f->e.nrcpt - 1].state = st;
	assert_int_equal(envelope_set(&f->e.rcpts[f->e.nrcpt - 1].reply, reply), 0);
}

/* The three recipients of the brief: two failures and one delivery. */
static void
fx_init(struct fx *f)
{
	memset(f, 0, sizeof *f);
	envelope_init(&f->e);
	strlcpy_rq(f->e.qid, QID, sizeof f->e.qid);
	f->e.arrival = ARRIVAL;
	f->e.last_try = NOW;
	assert_int_equal(envelope_set(&f->e.sender, "alice@example.org"), 0);
	fx_rcpt(f, "nobody@example.net", RCPT_FAILED, "550 5.1.1 <nobody@example.net>: "
	    "Recipient address rejected: User unknown");
	fx_rcpt(f, "bob@example.net", RCPT_FAILED, "554 go away");
	fx_rcpt(f, "carol@example.net", RCPT_DELIVERED, "250 2.0.0 Ok: queued as 4711");
	fx_content(f, msg, strlen(msg));
	f->r.env = &f->e;
	f->r.kind = BOUNCE_FAILED;
	f->r.hostname = "host.example.org";
	f->r.relay = "smtp.isp.example";
	f->r.postmaster = "postmaster@example.org";
	f->r.now = NOW;
	f->r.queue_lifetime = LIFETIME;
	f->r.nonce = NONCE;
}

static void
fx_free(struct fx *f)
{
	envelope_free(&f->e);
	if (f->df != NULL)
		fclose(f->df);
	free(f->out);
}

static int
fx_run(struct fx *f)
{
	FILE *m;
	free(f->out);
	f->out = NULL;
	m = open_memstream(&f->out, &f->outlen);
	assert_non_null(m);
	int rc = bounce_write(m, &f->r, &f->eightbit, f->err, sizeof f->err);
	assert_int_equal(fclose(m), 0);
	return rc;
}

/* The text between "\n\n" after the n-th boundary line and the next one. */
static char *
part(const struct fx *f, int n)
{
	char delim[128];
	const char *b = strstr(f->out, "boundary=\"");
	assert_non_null(b);
	b += 10;
	snprintf(delim, sizeof delim, "\n--%.*s", (int)strcspn(b, "\""), b);
	const char *p = f->out;
	for (int i = 0; i < n; i++) {
		p = strstr(p + 1, delim);
		assert_non_null(p);
	}
	p = strstr(p, "\n\n");
	assert_non_null(p);
	p += 2;
	const char *end = strstr(p, delim);
	assert_non_null(end);
	return strndup(p, (size_t)(end - p));
}

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

static void
test_failed_headers(void **state)
{
	struct fx f;
	fx_init(&f);
	assert_int_equal(fx_run(&f), 0);
	const char *want =
	    "From: Mail Delivery Subsystem <MAILER-DAEMON@host.example.org>\n"
	    "To: <alice@example.org>\n"
	    "Subject: Returned mail: see transcript for details\n"
	    "Date: Sun, 22 Nov 2026 19:40:00 +0000\n"
	    "Message-ID: <20261122194000." QID ".00004711c0ffee42@host.example.org>\n"
	    "Auto-Submitted: auto-replied\n"
	    "MIME-Version: 1.0\n"
	    "Content-Type: multipart/report; report-type=delivery-status;\n"
	    " boundary=\"=_relayq_" QID "_00004711c0ffee42\"\n"
	    "\n";
	assert_memory_equal(f.out, want, strlen(want));
	assert_false(f.eightbit);
	fx_free(&f);
}

static void
test_structure(void **state)
{
	struct fx f;
	fx_init(&f);
	assert_int_equal(fx_run(&f), 0);
	const char *b = "\n--=_relayq_" QID "_00004711c0ffee42";
	assert_int_equal(count(f.out, b), 4);	/* three parts + close */
	assert_int_equal(count(f.out, "--=_relayq_" QID "_00004711c0ffee42--"), 1);
	const char *tail = "\n--=_relayq_" QID "_00004711c0ffee42--\n";
	assert_string_equal(f.out + f.outlen - strlen(tail), tail);
	assert_non_null(strstr(f.out, "\nContent-Type: text/plain; charset=us-ascii\n"));
	assert_non_null(strstr(f.out, "\nContent-Type: message/delivery-status\n"));
	assert_non_null(strstr(f.out, "\nContent-Type: text/rfc822-headers\n"));
	fx_free(&f);
}

static void
test_status_fields(void **state)
{
	struct fx f;
	fx_init(&f);
	assert_int_equal(envelope_set(&f.e.envid, "ENV+2B42"), 0);
	assert_int_equal(fx_run(&f), 0);
	char *p = part(&f, 2);
	assert_string_equal(p,
	    "Reporting-MTA: dns; host.example.org\n"
	    "Original-Envelope-Id: ENV+2B42\n"
	    "Arrival-Date: Sun, 22 Nov 2026 19:33:59 +0000\n"
	    "\n"
	    "Final-Recipient: rfc822; nobody@example.net\n"
	    "Action: failed\n"
	    "Status: 5.1.1\n"
	    "Remote-MTA: dns; smtp.isp.example\n"
	    "Diagnostic-Code: smtp; 550 5.1.1 <nobody@example.net>: Recipient address\n"
	    " rejected: User unknown\n"
	    "Last-Attempt-Date: Sun, 22 Nov 2026 19:40:00 +0000\n"
	    "\n"
	    "Final-Recipient: rfc822; bob@example.net\n"
	    "Action: failed\n"
	    "Status: 5.0.0\n"
	    "Remote-MTA: dns; smtp.isp.example\n"
	    "Diagnostic-Code: smtp; 554 go away\n"
	    "Last-Attempt-Date: Sun, 22 Nov 2026 19:40:00 +0000\n");
	free(p);
	p = part(&f, 1);
	assert_non_null(strstr(p, "\n<nobody@example.net>\n    Rejected permanently; "
	    "the server said:\n    550 5.1.1 <nobody@example.net>: Recipient address "
	    "rejected: User unknown\n"));
	assert_null(strstr(p, "carol"));
	free(p);
	fx_free(&f);
}

static void
test_ret(void **state)
{
	struct fx f;
	fx_init(&f);
	assert_int_equal(envelope_set(&f.e.ret, "HDRS"), 0);
	assert_int_equal(fx_run(&f), 0);
	char *p = part(&f, 3);
	assert_string_equal(p, "From: Alice <alice@example.org>\n"
	    "To: nobody@example.net, bob@example.net, carol@example.net\n"
	    "Subject: lunch\nMessage-ID: <x1@example.org>\n");
	free(p);
	assert_int_equal(envelope_set(&f.e.ret, "full"), 0);
	assert_int_equal(fx_run(&f), 0);
	assert_non_null(strstr(f.out, "\nContent-Type: message/rfc822\n"));
	assert_null(strstr(f.out, "text/rfc822-headers"));
	p = part(&f, 3);
	assert_string_equal(p, msg);
	free(p);
	/* No header/body separator, no final LF: all header, LF added. */
	fx_content(&f, "Subject: x", 10);
	assert_int_equal(envelope_set(&f.e.ret, NULL), 0);
	assert_int_equal(fx_run(&f), 0);
	p = part(&f, 3);
	assert_string_equal(p, "Subject: x\n");
	free(p);
	fx_free(&f);
}

static void
test_injection(void **state)
{
	struct fx f;
	fx_init(&f);
	assert_int_equal(envelope_set(&f.e.rcpts[1].reply, "554 5.7.1 no\r\nBcc: x@evil\n\x01."), 0);
	assert_int_equal(envelope_set(&f.e.rcpts[0].addr, "a@b\r\nBcc: y@evil"), 0);
	assert_int_equal(envelope_set(&f.e.sender, "s@x>\nBcc: z@evil"), 0);
	f.r.hostname = "h\nBcc: w@evil";
	assert_int_equal(fx_run(&f), 0);
	assert_null(strstr(f.out, "\nBcc:"));
	assert_non_null(strstr(f.out, "Diagnostic-Code: smtp; 554 5.7.1 no  Bcc: x@evil ?.\n"));
	assert_non_null(strstr(f.out, "Final-Recipient: rfc822; a@b??Bcc:?y@evil\n"));
	assert_non_null(strstr(f.out, "\nTo: <s@x??Bcc:?z@evil>\n"));
	assert_non_null(strstr(f.out, "\nReporting-MTA: dns; h?Bcc:?w@evil\n"));
	fx_free(&f);
}

static void
test_folding(void **state)
{
	struct fx f;
	char longrep[3000];
	fx_init(&f);
	size_t n = (size_t)snprintf(longrep, sizeof longrep, "550 5.7.1");
	for (int i = 0; i < 40; i++)
		n += (size_t)snprintf(longrep + n, sizeof longrep - n, " word%02d", i);
	longrep[n++] = ' ';
	memset(longrep + n, 'z', 1500);
	longrep[n + 1500] = '\0';
	assert_int_equal(envelope_set(&f.e.rcpts[1].reply, longrep), 0);
	assert_int_equal(fx_run(&f), 0);
	size_t maxline = 0, len = 0;
	for (size_t i = 0; i < f.outlen; i++, len++) {
		if (f.out[i] == '\n') {
			maxline = len > maxline ? len : maxline;
			len = (size_t)-1;
		}
	}
	assert_true(maxline <= 998);
	/* The spaced words fold at <= 78 and unfold to the original text. */
	const char *d = strstr(f.out, "Diagnostic-Code: smtp; 550 5.7.1 word00");
	assert_non_null(d);
	const char *nl = strchr(d, '\n');
	assert_true(nl - d <= 78);
	assert_memory_equal(nl, "\n word", 6);
	/* cut at CLEAN_MAX and marked */
	assert_non_null(strstr(d, "zzz...\n"));
	/* one 1500-octet word, also as addresses: split or cut, never > 998 */
	memcpy(longrep, "550 ", 4);
	memset(longrep + 4, 'z', 1500);
	longrep[1504] = '\0';
	assert_int_equal(envelope_set(&f.e.rcpts[1].reply, longrep), 0);
	assert_int_equal(envelope_set(&f.e.rcpts[1].addr, longrep + 4), 0);
	assert_int_equal(envelope_set(&f.e.sender, longrep + 4), 0);
	assert_int_equal(fx_run(&f), 0);
	maxline = 0;
	len = 0;
	for (size_t i = 0; i < f.outlen; i++, len++) {
		if (f.out[i] == '\n') {
			maxline = len > maxline ? len : maxline;
			len = (size_t)-1;
		}
	}
	assert_int_equal(maxline, 998);
	fx_free(&f);
}

static void
test_policy(void **state)
{
	struct fx f;
	const char *pm = "postmaster@example.org";
	fx_init(&f);
	assert_true(bounce_wanted(&f.e, BOUNCE_FAILED));
	assert_true(bounce_wanted(&f.e, BOUNCE_DELAYED));
	assert_false(bounce_wanted(&f.e, BOUNCE_RELAYED));
	assert_string_equal(bounce_recipient(&f.e, BOUNCE_FAILED, pm), "alice@example.org");
	assert_int_equal(envelope_set(&f.e.notify, "NEVER"), 0);
	assert_false(bounce_wanted(&f.e, BOUNCE_FAILED));
	assert_false(bounce_wanted(&f.e, BOUNCE_DELAYED));
	assert_null(bounce_recipient(&f.e, BOUNCE_FAILED, pm));
	assert_int_equal(envelope_set(&f.e.notify, "SUCCESS,DELAY"), 0);
	assert_false(bounce_wanted(&f.e, BOUNCE_FAILED));
	assert_true(bounce_wanted(&f.e, BOUNCE_DELAYED));
	assert_true(bounce_wanted(&f.e, BOUNCE_RELAYED));
	assert_int_equal(envelope_set(&f.e.notify, "failure"), 0);
	assert_true(bounce_wanted(&f.e, BOUNCE_FAILED));
	assert_false(bounce_wanted(&f.e, BOUNCE_DELAYED));
	/* null sender: never to <>; failures go to the postmaster */
	assert_int_equal(envelope_set(&f.e.notify, NULL), 0);
	assert_int_equal(envelope_set(&f.e.sender, ""), 0);
	assert_false(bounce_wanted(&f.e, BOUNCE_FAILED));
	assert_string_equal(bounce_recipient(&f.e, BOUNCE_FAILED, pm), pm);
	assert_null(bounce_recipient(&f.e, BOUNCE_DELAYED, pm));
	assert_null(bounce_recipient(&f.e, BOUNCE_RELAYED, pm));
	/* our own notice to the postmaster failing: nobody (no loop) */
	for (size_t i = 0; i < f.e.nrcpt; i++)
		assert_int_equal(envelope_set(&f.e.rcpts[i].addr, "Postmaster@example.org"), 0);
	assert_null(bounce_recipient(&f.e, BOUNCE_FAILED, pm));
	assert_int_equal(envelope_set(&f.e.rcpts[0].addr, "postmaster"), 0);
	assert_null(bounce_recipient(&f.e, BOUNCE_FAILED, pm));
	/* the DSN for a null sender is addressed to r->to */
	f.r.to = pm;
	assert_int_equal(fx_run(&f), 0);
	assert_non_null(strstr(f.out, "\nTo: <postmaster@example.org>\n"));
	fx_free(&f);
}

static void
test_status_codes(void **state)
{
	struct { enum rcpt_state st; const char *reply; enum bounce_kind k; const char *want; } t[] = {
		{ RCPT_FAILED, "550 5.1.1 <x>: no", BOUNCE_FAILED, "5.1.1" },
		{ RCPT_FAILED, "554 go away", BOUNCE_FAILED, "5.0.0" },
		{ RCPT_FAILED, "550 4.1.1 inconsistent", BOUNCE_FAILED, "5.0.0" },
		{ RCPT_FAILED, "550 5.1234.1 bad enh", BOUNCE_FAILED, "5.0.0" },
		{ RCPT_FAILED, "550", BOUNCE_FAILED, "5.0.0" },
		{ RCPT_FAILED, "message too big for the relay", BOUNCE_FAILED, "5.0.0" },
		{ RCPT_TEMPFAIL, "451 4.3.0 later", BOUNCE_FAILED, "5.4.7" },
		{ RCPT_PENDING, NULL, BOUNCE_FAILED, "5.4.7" },
		{ RCPT_TEMPFAIL, "451 4.2.2 full", BOUNCE_DELAYED, "4.2.2" },
		{ RCPT_TEMPFAIL, "452 try later", BOUNCE_DELAYED, "4.0.0" },
		{ RCPT_TEMPFAIL, "552 5.5.3 too many", BOUNCE_DELAYED, "4.0.0" },
		{ RCPT_TEMPFAIL, "connection refused", BOUNCE_DELAYED, "4.4.1" },
		{ RCPT_PENDING, NULL, BOUNCE_DELAYED, "4.4.7" },
		{ RCPT_DELIVERED, "250 2.0.0 ok", BOUNCE_RELAYED, "2.0.0" },
		{ RCPT_DELIVERED, "250 2.1.5 ok", BOUNCE_RELAYED, "2.1.5" },
		{ RCPT_DELIVERED, "2500 nope", BOUNCE_RELAYED, "2.0.0" },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct env_rcpt rc = { .addr = "x", .state = t[i].st, .reply = (char *)t[i].reply };
		char out[16];
		bounce_status(&rc, t[i].k, out, sizeof out);
		assert_string_equal(out, t[i].want);
	}
}

static void
test_delayed(void **state)
{
	struct fx f;
	fx_init(&f);
	f.e.rcpts[0].state = RCPT_TEMPFAIL;
	assert_int_equal(envelope_set(&f.e.rcpts[0].reply, "451 4.7.1 greylisted"), 0);
	f.e.rcpts[1].state = RCPT_PENDING;
	assert_int_equal(envelope_set(&f.e.rcpts[1].reply, NULL), 0);
	f.r.kind = BOUNCE_DELAYED;
	f.r.now = ARRIVAL + 4 * 3600 + 10;
	assert_int_equal(fx_run(&f), 0);
	assert_non_null(strstr(f.out, "\nSubject: Warning: could not send message for past 4 hours\n"));
	char *p = part(&f, 2);
	assert_int_equal(count(p, "Action: delayed\n"), 2);
	assert_int_equal(count(p, "Will-Retry-Until: Fri, 27 Nov 2026 19:33:59 +0000\n"), 2);
	assert_non_null(strstr(p, "Status: 4.7.1\nRemote-MTA: dns; smtp.isp.example\n"
	    "Diagnostic-Code: smtp; 451 4.7.1 greylisted\n"));
	assert_non_null(strstr(p, "Final-Recipient: rfc822; bob@example.net\nAction: delayed\n"
	    "Status: 4.4.7\nLast-Attempt-Date:"));
	assert_null(strstr(p, "carol"));
	free(p);
	p = part(&f, 1);
	assert_non_null(strstr(p, "retried until\nFri, 27 Nov 2026 19:33:59 +0000; the message"));
	free(p);
	/* RET=FULL is for failures only: a warning carries headers */
	assert_int_equal(envelope_set(&f.e.ret, "FULL"), 0);
	assert_int_equal(fx_run(&f), 0);
	assert_non_null(strstr(f.out, "\nContent-Type: text/rfc822-headers\n"));
	fx_free(&f);
}

static void
test_expired(void **state)
{
	struct fx f;
	fx_init(&f);
	f.e.rcpts[0].state = RCPT_TEMPFAIL;
	assert_int_equal(envelope_set(&f.e.rcpts[0].reply, "451 4.3.0 later"), 0);
	f.e.rcpts[1].state = RCPT_TEMPFAIL;
	assert_int_equal(envelope_set(&f.e.rcpts[1].reply, "connect to smtp.isp.example: refused"), 0);
	/* before the lifetime: nothing to report as failed */
	assert_int_equal(fx_run(&f), -1);
	assert_string_equal(f.err, "bounce: no recipient to report");
	f.r.now = ARRIVAL + LIFETIME;
	assert_int_equal(fx_run(&f), 0);
	char *p = part(&f, 2);
	assert_non_null(strstr(p, "Final-Recipient: rfc822; nobody@example.net\nAction: failed\n"
	    "Status: 5.4.7\nRemote-MTA: dns; smtp.isp.example\n"
	    "Diagnostic-Code: smtp; 451 4.3.0 later\n"));
	assert_non_null(strstr(p, "Final-Recipient: rfc822; bob@example.net\nAction: failed\n"
	    "Status: 5.4.7\nLast-Attempt-Date:"));
	free(p);
	p = part(&f, 1);
	assert_non_null(strstr(p, "<bob@example.net>\n    Delivery time expired: gave up "
	    "after 5 days. The last error was:\n    connect to smtp.isp.example: refused\n"));
	free(p);
	fx_free(&f);
}

static void
test_relayed(void **state)
{
	struct fx f;
	fx_init(&f);
	f.r.kind = BOUNCE_RELAYED;
	assert_int_equal(fx_run(&f), 0);
	char *p = part(&f, 2);
	assert_non_null(strstr(p, "\nFinal-Recipient: rfc822; carol@example.net\n"
	    "Action: relayed\nStatus: 2.0.0\n"));
	assert_int_equal(count(p, "Final-Recipient:"), 1);
	free(p);
	fx_free(&f);
}

static void
test_select(void **state)
{
	struct fx f;
	bool sel[3] = { false, true, false };
	fx_init(&f);
	f.r.select = sel;
	assert_int_equal(fx_run(&f), 0);
	char *p = part(&f, 2);
	assert_int_equal(count(p, "Final-Recipient:"), 1);
	assert_non_null(strstr(p, "bob@example.net"));
	free(p);
	sel[1] = false;
	assert_int_equal(fx_run(&f), -1);
	fx_free(&f);
}

/* 2 MB RET=FULL: streamed byte for byte; the first boundary candidate is
 * planted across the 64 KiB read edge so it must be redrawn. */
static void
test_big_full(void **state)
{
	struct fx f;
	const size_t big = 2u << 20;
	const char *first = "=_relayq_" QID "_00004711c0ffee42";
	char *m = malloc(big);
	assert_non_null(m);
	fx_init(&f);
	size_t hl = strlen(msg);
	memcpy(m, msg, hl);
	for (size_t i = hl; i < big; i++)
		m[i] = (i % 73 == 72) ? '\n' : (char)('a' + i % 26);
	size_t at = 65536 - 10;		/* reads are 64 KiB from content_off */
	memcpy(m + at, first, strlen(first));
	fx_content(&f, m, big);
	assert_int_equal(envelope_set(&f.e.ret, "FULL"), 0);
	assert_int_equal(fx_run(&f), 0);
	assert_null(strstr(f.out, "boundary=\"=_relayq_" QID "_00004711c0ffee42\""));
	const char *b = strstr(f.out, "boundary=\"") + 10;
	size_t blen = strcspn(b, "\"");
	const char *body = strstr(f.out, "\nContent-Type: message/rfc822\n");
	assert_non_null(body);
	body = strstr(body, "\n\n") + 2;
	size_t headlen = (size_t)(body - f.out);
	/* plus the LF added when the original does not end in one */
	size_t lf = m[big - 1] == '\n' ? 0 : 1;
	assert_int_equal(f.outlen, headlen + big + lf + 3 + blen + 3);
	assert_memory_equal(body, m, big);
	assert_memory_equal(f.out + f.outlen - blen - 3, b, blen);
	assert_false(f.eightbit);
	free(m);
	fx_free(&f);
}

static void
test_eightbit(void **state)
{
	struct fx f;
	const char *m8 = "Subject: caf\xc3\xa9\n\nna\xc3\xafve\n";
	const char *b8 = "Subject: plain\n\nna\xc3\xafve\n";
	fx_init(&f);
	fx_content(&f, b8, strlen(b8));
	assert_int_equal(fx_run(&f), 0);
	assert_false(f.eightbit);	/* 8 bits only in the body, headers sent */
	assert_null(strstr(f.out, "8bit"));
	assert_int_equal(envelope_set(&f.e.ret, "FULL"), 0);
	assert_int_equal(fx_run(&f), 0);
	assert_true(f.eightbit);
	assert_int_equal(count(f.out, "\nContent-Transfer-Encoding: 8bit\n"), 2);
	assert_int_equal(envelope_set(&f.e.ret, NULL), 0);
	fx_content(&f, m8, strlen(m8));
	assert_int_equal(fx_run(&f), 0);
	assert_true(f.eightbit);
	fx_free(&f);
}

static void
test_read_error(void **state)
{
	struct fx f;
	fx_init(&f);
	f.e.content_len += 100;	/* the .df is shorter than recorded */
	assert_int_equal(envelope_set(&f.e.ret, "FULL"), 0);
	assert_int_equal(fx_run(&f), -1);
	assert_non_null(strstr(f.err, "reading the queued message"));
	fx_free(&f);
}

/* Compares with tests/unit/data/bounce-NAME.txt, or writes it when
 * BOUNCE_WRITE_GOLDEN is set (then review the file by eye). */
static void
golden(const struct fx *f, const char *name)
{
	char path[256];
	const char *dir = getenv("BOUNCE_DATA_DIR");
	snprintf(path, sizeof path, "%s/bounce-%s.txt", dir ? dir : "tests/unit/data", name);
	if (getenv("BOUNCE_WRITE_GOLDEN") != NULL) {
		FILE *w = fopen(path, "w");
		assert_non_null(w);
		assert_int_equal(fwrite(f->out, 1, f->outlen, w), f->outlen);
		assert_int_equal(fclose(w), 0);
	}
	FILE *g = fopen(path, "r");
	if (g == NULL)
		fail_msg("cannot open %s (run from the top of the tree)", path);
	char *want = calloc(1, f->outlen + 2);
	assert_non_null(want);
	size_t n = fread(want, 1, f->outlen + 1, g);
	fclose(g);
	assert_int_equal(n, f->outlen);
	assert_memory_equal(want, f->out, n);
	free(want);
}

static void
test_golden(void **state)
{
	struct fx f;
	fx_init(&f);
	assert_int_equal(envelope_set(&f.e.envid, "ENV4711"), 0);
	assert_int_equal(fx_run(&f), 0);
	golden(&f, "failed");
	f.e.rcpts[0].state = RCPT_TEMPFAIL;
	assert_int_equal(envelope_set(&f.e.rcpts[0].reply, "451 4.7.1 <nobody@example.net>: "
	    "Recipient address rejected: Greylisted, try again in 300 seconds"), 0);
	f.e.rcpts[1].state = RCPT_TEMPFAIL;
	assert_int_equal(envelope_set(&f.e.rcpts[1].reply,
	    "connect to smtp.isp.example[192.0.2.25]:587: Connection timed out"), 0);
	f.r.kind = BOUNCE_DELAYED;
	f.r.now = ARRIVAL + 4 * 3600;
	f.e.last_try = f.r.now - 60;
	assert_int_equal(fx_run(&f), 0);
	golden(&f, "delayed");
	fx_free(&f);
}

/* A message queued before lines were limited: its DSN still has none
 * over 998 octets (RFC 5321 §4.5.3.1.6). */
static void
test_no_line_over_998(void **state)
{
	struct fx f;
	char content[4200];
	fx_init(&f);
	int n = snprintf(content, sizeof content, "Subject: long\n\n");
	memset(content + n, 'z', 4000);
	snprintf(content + n + 4000, sizeof content - (size_t)n - 4000, "\nend\n");
	fx_content(&f, content, strlen(content));
	assert_int_equal(envelope_set(&f.e.ret, "FULL"), 0);
	assert_int_equal(fx_run(&f), 0);
	size_t longest = 0, z = 0;
	for (const char *p = f.out; *p != '\0';) {
		size_t len = strcspn(p, "\n");
		longest = len > longest ? len : longest;
		for (size_t i = 0; i < len; i++)
			z += p[i] == 'z';
		p += len + (p[len] == '\n');
	}
	assert_true(longest <= 998);
	assert_int_equal(z, 4000);		/* broken, nothing lost */
	fx_free(&f);
}

int
main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_failed_headers),
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_status_fields),
		cmocka_unit_test(test_ret),
		cmocka_unit_test(test_injection),
		cmocka_unit_test(test_folding),
		cmocka_unit_test(test_policy),
		cmocka_unit_test(test_status_codes),
		cmocka_unit_test(test_delayed),
		cmocka_unit_test(test_expired),
		cmocka_unit_test(test_relayed),
		cmocka_unit_test(test_select),
		cmocka_unit_test(test_big_full),
		cmocka_unit_test(test_eightbit),
		cmocka_unit_test(test_read_error),
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_no_line_over_998),
	};
	return cmocka_run_group_tests_name("bounce", tests, NULL, NULL);
}
