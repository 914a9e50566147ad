/* test_spool: drop files and state files round-trip, truncation is caught,
 * pickup moves good files and quarantines bad ones, locks exclude. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "queue.h"
#include "spool.h"

static char spool[64];

static int
setup(void **state)
{
	char err[256];
	snprintf(spool, sizeof spool, "/tmp/relayq-spool-XXXXXX");
	assert_non_null(mkdtemp(spool));
	struct queue_owner owner = { getuid(), getgid(), getgid() };
	assert_int_equal(queue_create(spool, &owner, err, sizeof err), 0);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", spool);
	return system(cmd);
}

static void
make_env(struct envelope *e)
{
	envelope_init(e);
	e->arrival = 1700000000;
	e->uid = getuid();	/* pickup quarantines a drop that names another */
	assert_int_equal(envelope_set(&e->sender, "alice@example.org"), 0);
	assert_int_equal(envelope_set(&e->msgid, "<x@y>"), 0);
	assert_int_equal(envelope_set(&e->notify, "FAILURE"), 0);
	assert_int_equal(envelope_add_rcpt(e, "bob@example.net"), 0);
	assert_int_equal(envelope_add_rcpt(e, "carol@example.net"), 0);
}

static void
submit(const char *content, char qid[QID_SIZE])
{
	struct envelope e;
	struct drop d;
	char err[256];
	make_env(&e);
	assert_int_equal(drop_begin(&d, spool, NULL, &e, err, sizeof err), 0);
	fputs(content, d.fp);
	assert_int_equal(drop_commit(&d, false, err, sizeof err), 0);
	memcpy(qid, d.qid, QID_SIZE);
	envelope_free(&e);
}

static int
open_in(const char *sub, const char *name)
{
	char p[256];
	snprintf(p, sizeof p, "%s/%s/%s", spool, sub, name);
	return open(p, O_RDONLY);
}

static void
test_drop_roundtrip(void **state)
{
	char qid[QID_SIZE], err[256], buf[64];
	submit("Subject: x\n\nhello\n", qid);
	assert_true(qid_valid(qid));
	int fd = open_in("maildrop", qid);
	assert_true(fd >= 0);
	struct stat st;
	assert_int_equal(fstat(fd, &st), 0);
	/* The spool is ours here: 0640 (the lister, group relayq, reads it);
	 * a submitter's drop is DROP_MODE. */
	assert_int_equal(st.st_mode & 0777, 0640);
	struct envelope e;
	envelope_init(&e);
	assert_int_equal(drop_parse(fd, &e, err, sizeof err), 0);
	assert_string_equal(e.sender, "alice@example.org");
	assert_int_equal(e.nrcpt, 2);
	assert_string_equal(e.rcpts[1].addr, "carol@example.net");
	assert_int_equal(e.content_len, 18);
	assert_int_equal(pread(fd, buf, 18, e.content_off), 18);
	assert_memory_equal(buf, "Subject: x\n\nhello\n", 18);
	envelope_free(&e);
	close(fd);
}

static void
test_truncated_drop_refused(void **state)
{
	char qid[QID_SIZE], err[256], p[256];
	submit("Subject: x\n\nhello\n", qid);
	snprintf(p, sizeof p, "%s/maildrop/%s", spool, qid);
	struct stat st;
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(truncate(p, st.st_size - 3), 0);
	int fd = open(p, O_RDONLY);
	struct envelope e;
	envelope_init(&e);
	assert_int_equal(drop_parse(fd, &e, err, sizeof err), -1);
	assert_non_null(strstr(err, "trailer"));
	envelope_free(&e);
	close(fd);
}

static void
test_pickup_and_quarantine(void **state)
{
	char qid[QID_SIZE], err[256], p[256];
	submit("Subject: ok\n\nbody\n", qid);
	snprintf(p, sizeof p, "%s/maildrop/ABCDEFGHIJKLMN", spool);
	FILE *fp = fopen(p, "w");
	fputs("garbage\n", fp);
	fclose(fp);
	struct queue q;
	assert_int_equal(queue_open(&q, spool, err, sizeof err), 0);
	assert_int_equal(queue_pickup(&q, err, sizeof err), 1);
	int fd = open_in("quarantine", "ABCDEFGHIJKLMN");
	assert_true(fd >= 0);
	close(fd);
	char (*ids)[QID_SIZE];
	size_t n;
	assert_int_equal(queue_ids(&q, &ids, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(ids[0], qid);
	struct envelope e;
	envelope_init(&e);
	assert_int_equal(qf_read(q.queuefd, qid, &e, err, sizeof err), 0);
	assert_int_equal(e.nrcpt, 2);
	assert_int_equal(e.rcpts[0].state, RCPT_PENDING);
	envelope_free(&e);
	queue_ids_free(ids);
	queue_close(&q);
}

static void
test_qf_state_roundtrip(void **state)
{
	char qid[QID_SIZE], err[256];
	submit("x\n", qid);
	struct queue q;
	assert_int_equal(queue_open(&q, spool, err, sizeof err), 0);
	assert_int_equal(queue_pickup(&q, err, sizeof err), 1);
	struct envelope e;
	envelope_init(&e);
	assert_int_equal(qf_read(q.queuefd, qid, &e, err, sizeof err), 0);
	e.rcpts[0].state = RCPT_DELIVERED;
	assert_int_equal(envelope_set(&e.rcpts[0].reply, "250 2.0.0 Ok"), 0);
	e.rcpts[1].state = RCPT_TEMPFAIL;
	assert_int_equal(envelope_set(&e.rcpts[1].reply, "451 4.3.0 later"), 0);
	e.attempts = 3;
	e.next_try = 1800000000;
	e.held = 1700000000;
	assert_int_equal(envelope_set(&e.reason, "451 4.3.0 later"), 0);
	assert_int_equal(qf_write(q.queuefd, &e, err, sizeof err), 0);
	envelope_free(&e);
	envelope_init(&e);
	assert_int_equal(qf_read(q.queuefd, qid, &e, err, sizeof err), 0);
	assert_int_equal(e.rcpts[0].state, RCPT_DELIVERED);
	assert_int_equal(e.rcpts[1].state, RCPT_TEMPFAIL);
	assert_string_equal(e.rcpts[1].reply, "451 4.3.0 later");
	assert_int_equal(e.attempts, 3);
	assert_int_equal(e.next_try, 1800000000);
	assert_int_equal(e.held, 1700000000);
	assert_string_equal(e.reason, "451 4.3.0 later");
	/* A newline in a value would forge records: refused. */
	assert_int_equal(envelope_set(&e.reason, "a\nA0"), 0);
	assert_int_equal(qf_write(q.queuefd, &e, err, sizeof err), -1);
	envelope_free(&e);
	queue_close(&q);
}

static void
test_lock_excludes(void **state)
{
	char qid[QID_SIZE], err[256];
	submit("x\n", qid);
	struct queue q;
	assert_int_equal(queue_open(&q, spool, err, sizeof err), 0);
	assert_int_equal(queue_pickup(&q, err, sizeof err), 1);
	int fd1, fd2;
	assert_int_equal(queue_lock(&q, qid, &fd1), QUEUE_LOCKED);
	assert_int_equal(queue_lock(&q, qid, &fd2), QUEUE_BUSY);
	assert_true(queue_is_locked(&q, qid));
	assert_int_equal(queue_remove(&q, qid, err, sizeof err), 0);
	queue_unlock(fd1);
	assert_int_equal(queue_lock(&q, qid, &fd2), QUEUE_GONE);
	queue_close(&q);
}

/* Pickup links maildrop/QID as queue/QID.df, syncs queue/, then removes
 * the maildrop name (I3); no .qf until the first attempt.  A crash between
 * link and unlink leaves two links: the message is busy to runners until
 * the next pickup finishes the move. */
static void
test_interrupted_pickup(void **state)
{
	char qid[QID_SIZE], err[256], drop[256], df[256], qf[256];
	submit("x\n", qid);
	snprintf(drop, sizeof drop, "%s/maildrop/%s", spool, qid);
	snprintf(df, sizeof df, "%s/queue/%s.df", spool, qid);
	snprintf(qf, sizeof qf, "%s/queue/%s.qf", spool, qid);
	assert_int_equal(link(drop, df), 0);	/* crash after pickup's link */
	struct queue q;
	int fd;
	struct stat st;
	assert_int_equal(queue_open(&q, spool, err, sizeof err), 0);
	assert_int_equal(queue_lock(&q, qid, &fd), QUEUE_BUSY);
	assert_int_equal(queue_pickup(&q, err, sizeof err), 1);
	assert_int_equal(stat(drop, &st), -1);
	assert_int_equal(stat(df, &st), 0);
	assert_int_equal(st.st_nlink, 1);
	assert_int_equal(stat(qf, &st), -1);	/* the .df is the whole state */
	assert_int_equal(queue_lock(&q, qid, &fd), QUEUE_LOCKED);
	struct envelope e;
	envelope_init(&e);
	assert_int_equal(qf_read(q.queuefd, qid, &e, err, sizeof err), 0);
	assert_string_equal(e.qid, qid);
	assert_int_equal(e.uid, getuid());
	assert_int_equal(e.nrcpt, 2);
	assert_int_equal(e.rcpts[1].state, RCPT_PENDING);
	envelope_free(&e);
	queue_unlock(fd);
	assert_int_equal(unlink(drop), -1);
	queue_close(&q);
}

/* A run's bounded walk: the oldest ids after a given one, a window at a
 * time, each window sorted, all of them once. */
static void
test_ids_in_windows(void **state)
{
	char qid[5][QID_SIZE], err[256], (*all)[QID_SIZE], win[2][QID_SIZE], after[QID_SIZE] = "";
	size_t n, total;
	for (int i = 0; i < 5; i++)
		submit("x\n", qid[i]);
	struct queue q;
	assert_int_equal(queue_open(&q, spool, err, sizeof err), 0);
	assert_int_equal(queue_pickup(&q, err, sizeof err), 5);
	assert_int_equal(queue_ids(&q, &all, &total), 0);
	assert_int_equal(total, 5);
	for (size_t seen = 0; seen < 6; seen += 2) {
		assert_int_equal(queue_ids_after(&q, after, win, 2, &n), 0);
		assert_int_equal(n, seen < 4 ? 2 : 1);
		for (size_t k = 0; k < n; k++)
			assert_string_equal(win[k], all[seen + k]);
		memcpy(after, win[n - 1], QID_SIZE);
	}
	assert_int_equal(queue_ids_after(&q, after, win, 2, &n), 0);
	assert_int_equal(n, 0);
	queue_ids_free(all);
	queue_close(&q);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_drop_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_drop_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pickup_and_quarantine, setup, teardown),
		cmocka_unit_test_setup_teardown(test_qf_state_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock_excludes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interrupted_pickup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ids_in_windows, setup, teardown),
	};
	return cmocka_run_group_tests_name("spool", tests, NULL, NULL);
}
