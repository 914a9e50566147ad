/* fuzz_drop: libFuzzer target for the spool's parsers of untrusted files:
 * drop files (written by the set-group-ID submitter, read by relayqd) and
 * .qf state files, whose read -> write -> read round trip must be exact. */
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "drop.h"
#include "qf.h"

#define FUZZ_QID "AbCdEfGh012345"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char qdir[64];		/* a queue/ of our own on tmpfs */
static int qfd = -1;

static void
remove_qdir(void)
{
	char name[64];
	snprintf(name, sizeof name, "%s.qf", FUZZ_QID);
	unlinkat(qfd, name, 0);
	snprintf(name, sizeof name, "%s.qtmp", FUZZ_QID);
	unlinkat(qfd, name, 0);
	close(qfd);
	rmdir(qdir);
}

static int
open_qdir(void)
{
	if (qfd != -1)
		return 0;
	snprintf(qdir, sizeof qdir, "%s/fuzz_drop.XXXXXX",
	    access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (mkdtemp(qdir) == NULL ||
	    (qfd = open(qdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	return atexit(remove_qdir);
}

static int
write_file(int fd, const uint8_t *data, size_t size)
{
	return write(fd, data, size) == (ssize_t)size ? 0 : -1;
}

static void
check_err(const char *err, size_t size)
{
	if (err[0] == '\0' || strnlen(err, size) == size)
		abort();
}

/* A parsed drop: recipients, and the content between envelope and END. */
static void
check_drop(const struct envelope *e, size_t size)
{
	if (e->nrcpt == 0 || e->content_off < 0 || e->content_len < 0 ||
	    (size_t)e->content_off + (size_t)e->content_len + 25 != size)
		abort();
	for (size_t i = 0; i < e->nrcpt; i++)
		if (e->rcpts[i].addr == NULL || e->rcpts[i].state != RCPT_PENDING)
			abort();
}

static void
fuzz_drop(const uint8_t *data, size_t size)
{
	struct envelope e;
	char err[256] = "";
	int fd = memfd_create("drop", MFD_CLOEXEC);
	if (fd == -1 || write_file(fd, data, size) == -1) {
		if (fd != -1)
			close(fd);
		return;
	}
	envelope_init(&e);
	if (drop_parse(fd, &e, err, sizeof err) == 0)
		check_drop(&e, size);
	else
		check_err(err, sizeof err);
	envelope_free(&e);
	close(fd);
}

static bool
same_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static bool
same_env(const struct envelope *a, const struct envelope *b)
{
	if (strcmp(a->qid, b->qid) != 0 || a->arrival != b->arrival || a->uid != b->uid ||
	    a->attempts != b->attempts || a->next_try != b->next_try ||
	    a->last_try != b->last_try || a->warned != b->warned ||
	    a->content_off != b->content_off || a->content_len != b->content_len ||
	    a->eightbit != b->eightbit || a->smtputf8 != b->smtputf8 ||
	    a->nrcpt != b->nrcpt)
		return false;
	if (!same_str(a->sender, b->sender) || !same_str(a->msgid, b->msgid) ||
	    !same_str(a->notify, b->notify) || !same_str(a->ret, b->ret) ||
	    !same_str(a->envid, b->envid) || !same_str(a->body, b->body) ||
	    !same_str(a->reason, b->reason))
		return false;
	for (size_t i = 0; i < a->nrcpt; i++)
		if (!same_str(a->rcpts[i].addr, b->rcpts[i].addr) ||
		    a->rcpts[i].state != b->rcpts[i].state ||
		    !same_str(a->rcpts[i].reply, b->rcpts[i].reply))
			return false;
	return true;
}

/* What qf_read accepts, qf_write writes back and qf_read reads the same. */
static void
round_trip(const struct envelope *e)
{
	struct envelope again;
	char err[256] = "";
	if (qf_write(qfd, e, err, sizeof err) == -1) {
		check_err(err, sizeof err);
		return;
	}
	envelope_init(&again);
	if (qf_read(qfd, FUZZ_QID, &again, err, sizeof err) == -1 || !same_env(e, &again))
		abort();
	envelope_free(&again);
}

static void
fuzz_qf(const uint8_t *data, size_t size)
{
	struct envelope e;
	char err[256] = "";
	if (open_qdir() == -1)
		return;
	int fd = openat(qfd, FUZZ_QID ".qf", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd == -1)
		return;
	int rc = write_file(fd, data, size);
	if (close(fd) == -1 || rc == -1)
		return;
	envelope_init(&e);
	if (qf_read(qfd, FUZZ_QID, &e, err, sizeof err) == 0) {
		if (e.nrcpt == 0 || strcmp(e.qid, FUZZ_QID) != 0)
			abort();
		round_trip(&e);
	} else {
		check_err(err, sizeof err);
	}
	envelope_free(&e);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_drop(data, size);
	fuzz_qf(data, size);
	return 0;
}
