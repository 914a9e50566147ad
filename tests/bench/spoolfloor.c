/* spoolfloor: the least the spool work of a queue flush can cost, for
 * `make bench` to set beside the network ceiling: what relayqd does to
 * the file system for each message, and nothing else (no parsing, no
 * network, no log).  Pickup as relayq's (spool.h, I3): open the drop,
 * read it, link it as queue/NAME.df, close; per batch of 256, fsync
 * queue/, unlink the maildrop names, fsync maildrop/.  Then delivery's
 * share: open NAME.df, read it, unlink it, close (the file's blocks are
 * freed here), and fsync queue/ once per 32 retirements.  Prints msgs/s.
 * usage: spoolfloor MAILDROP QUEUE   (filled by qfill) */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BATCH 256
#define RETIRE_BATCH 32

static char buf[65536];

static void
die(const char *what)
{
	perror(what);
	exit(1);
}

static void
sync_dir(int dfd)
{
	if (fsync(dfd) == -1)
		die("fsync");
}

/* Names of the maildrop, once (a run lists it once). */
static char (*list(int dfd, size_t *n))[32]
{
	DIR *d = fdopendir(dup(dfd));
	char (*names)[32] = NULL;
	size_t cap = 0;
	struct dirent *de;
	if (d == NULL)
		die("maildrop");
	*n = 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || strlen(de->d_name) >= 28)
			continue;
		if (*n == cap && (names = realloc(names, (cap = cap ? 2 * cap : 1024) * 32)) == NULL)
			die("realloc");
		snprintf(names[(*n)++], 32, "%s", de->d_name);
	}
	closedir(d);
	return names;
}

static void
pickup(int drop, int queue, char (*names)[32], size_t n)
{
	char df[40];
	for (size_t i = 0; i < n; i++) {
		int fd = openat(drop, names[i], O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		snprintf(df, sizeof df, "%s.df", names[i]);
		if (fd == -1 || pread(fd, buf, sizeof buf, 0) == -1 ||
		    linkat(drop, names[i], queue, df, 0) == -1 || close(fd) == -1)
			die(names[i]);
		if ((i + 1) % BATCH == 0 || i + 1 == n) {
			sync_dir(queue);
			for (size_t k = i - i % BATCH; k <= i; k++)
				if (unlinkat(drop, names[k], 0) == -1)
					die("unlink");
			sync_dir(drop);
		}
	}
}

static void
retire(int queue, char (*names)[32], size_t n)
{
	char df[40];
	for (size_t i = 0; i < n; i++) {
		snprintf(df, sizeof df, "%s.df", names[i]);
		int fd = openat(queue, df, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd == -1 || pread(fd, buf, sizeof buf, 0) == -1 ||
		    unlinkat(queue, df, 0) == -1 || close(fd) == -1)
			die(df);
		if ((i + 1) % RETIRE_BATCH == 0 || i + 1 == n)
			sync_dir(queue);
	}
}

int
main(int argc, char **argv)
{
	struct timespec t0, t1;
	size_t n;
	if (argc != 3) {
		fputs("usage: spoolfloor MAILDROP QUEUE\n", stderr);
		return 64;
	}
	int drop = open(argv[1], O_RDONLY | O_DIRECTORY), queue = open(argv[2], O_RDONLY | O_DIRECTORY);
	if (drop == -1 || queue == -1)
		die("spool");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	char (*names)[32] = list(drop, &n);
	pickup(drop, queue, names, n);
	retire(queue, names, n);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("%.0f\n", n > 0 && s > 0 ? (double)n / s : 0.0);
	free(names);
	return 0;
}
