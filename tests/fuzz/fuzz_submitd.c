/* fuzz_submitd: relayqd's end of the submission socket (any local user,
 * any process, may write to it).  Each input is the whole byte stream a
 * client sends; the server runs its dialogue over a socketpair into a
 * spool of our own, and must never crash, leave a temporary file, or
 * commit a drop that pickup would refuse.  Also: every command line
 * dropwire_parse_cmd accepts formats back to the same line. */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dropwire.h"
#include "log.h"
#include "spool.h"
#include "submitd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char spool[64];
static struct conf conf;

static void
rm_all(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
}

static void
remove_spool(void)
{
	char p[96];
	snprintf(p, sizeof p, "%s/maildrop", spool);
	rm_all(p);
	rmdir(p);
	rmdir(spool);
}

static void
setup(void)
{
	char p[96];
	if (spool[0] != '\0')
		return;
	snprintf(spool, sizeof spool, "%s/fuzz_submitd.XXXXXX",
	    access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	snprintf(p, sizeof p, "%s/maildrop", mkdtemp(spool) != NULL ? spool : "/nonexistent");
	if (mkdir(p, 0700) == -1 || atexit(remove_spool) != 0)
		abort();
	conf_defaults(&conf);
	snprintf(conf.spool, sizeof conf.spool, "%s", spool);
	conf.max_message_size = 4096;
	log_open("fuzz_submitd", 0);
}

/* Every committed drop parses, and no temporary file is left. */
static void
check_maildrop(void)
{
	char p[96];
	snprintf(p, sizeof p, "%s/maildrop", spool);
	DIR *d = opendir(p);
	struct dirent *de;
	if (d == NULL)
		abort();
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (strncmp(de->d_name, "tmp.", 4) == 0)
			abort();
		struct envelope e;
		char err[256];
		envelope_init(&e);
		int fd = openat(dirfd(d), de->d_name, O_RDONLY);
		if (fd == -1 || drop_parse(fd, &e, err, sizeof err) == -1 || e.uid != 4242)
			abort();
		close(fd);
		envelope_free(&e);
		unlinkat(dirfd(d), de->d_name, 0);
	}
	closedir(d);
}

static void
check_cmd_round_trip(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	struct dropwire_cmd c, again;
	char line[DROPWIRE_LINE_MAX];
	if (nl == NULL || dropwire_parse_cmd((const char *)data, (size_t)(nl - data) + 1, &c) == -1)
		return;
	size_t n = dropwire_format_cmd(&c, line, sizeof line);
	if (n != (size_t)(nl - data) + 1 || memcmp(line, data, n) != 0 ||
	    dropwire_parse_cmd(line, n, &again) == -1)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int sv[2];
	setup();
	check_cmd_round_trip(data, size);
	if (size > 100000 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		return 0;
	/* The whole stream is buffered in the pair before the server reads. */
	int buf = 1 << 20;
	setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
	if (write(sv[1], data, size) != (ssize_t)size)
		abort();
	shutdown(sv[1], SHUT_WR);
	submitd_serve(sv[0], 4242, 1, &conf);
	close(sv[0]);
	close(sv[1]);
	check_maildrop();
	return 0;
}
