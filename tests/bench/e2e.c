/* e2e: end-to-end latency of one message at a time through mailers that
 * are already running, for `make bench`.  Each round, for each mailer in
 * turn (so that a busy machine's noise falls on all alike), it waits GAP
 * ms with nothing in flight, notes the time, runs the mailer's submit
 * command (fork + exec, stdin from INPUT) and waits until a file whose
 * name starts with "msg." is closed after writing in the mailer's sink
 * directory (faultd -o DIR writes msg.N whole, then sends its 250).  The
 * wait is inotify(7), so the arrival time is the close's, give or take a
 * wake-up.  One line a message, after W warm-up rounds that print nothing:
 *   INDEX<TAB>EXIT_US<TAB>ARRIVAL_US
 * INDEX is the mailer's place (0, 1, ...); EXIT_US runs from the start to
 * the command's exit, ARRIVAL_US from the start to the sink's close (a
 * mailer that sends before it exits has ARRIVAL_US < EXIT_US).
 * usage: e2e [-n N] [-w W] [-g GAP] [-t TIMEOUT] INPUT DIR0 cmd0 args...
 *            [-- DIR1 cmd1 args...]...
 * Defaults: N 20, W 1, GAP 50, TIMEOUT 30 s.  Exit 1 if a command fails or
 * a message has not arrived within TIMEOUT. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define MAXMAILER 8

struct mailer {
	const char *dir;
	char **argv;
	int wd;
};

/* Reads the pending inotify events; true if one is a "msg." file of
 * watch wd closed after writing.  Events of other watches are dropped:
 * one message is in flight at a time. */
static bool
arrived(int ifd, int wd)
{
	char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool hit = false;
	for (;;) {
		ssize_t n = read(ifd, buf, sizeof buf);
		if (n <= 0)
			return hit;
		for (ssize_t off = 0; off < n;) {
			const struct inotify_event *ev = (const void *)(buf + off);
			if (ev->wd == wd && ev->len > 0 && strncmp(ev->name, "msg.", 4) == 0)
				hit = true;
			off += (ssize_t)(sizeof *ev + ev->len);
		}
	}
}

/* One message through m: 0 and the two times, or -1. */
static int
one(int ifd, const struct mailer *m, const char *input, int timeout_ms,
    long long *exit_us, long long *arrive_us)
{
	arrived(ifd, -1);	/* drop anything left over */
	long long t0 = bench_now_us();
	pid_t pid = bench_spawn(m->argv, input);
	if (pid == -1)
		return -1;
	int pfd = pidfd_open(pid, 0);
	if (pfd == -1) {
		perror("e2e: pidfd_open");
		return -1;
	}
	*exit_us = *arrive_us = -1;
	int rc = 0;
	while (*exit_us < 0 || *arrive_us < 0) {
		struct pollfd p[2] = { { .fd = ifd, .events = POLLIN },
			{ .fd = *exit_us < 0 ? pfd : -1, .events = POLLIN } };
		int left = timeout_ms - (int)((bench_now_us() - t0) / 1000);
		if (left <= 0 || poll(p, 2, left) == 0) {
			fprintf(stderr, "e2e: %s: nothing arrived in %s within %d ms\n",
			    m->argv[0], m->dir, timeout_ms);
			rc = -1;
			break;
		}
		if ((p[0].revents & POLLIN) && *arrive_us < 0 && arrived(ifd, m->wd))
			*arrive_us = bench_now_us() - t0;
		if (p[1].revents & POLLIN) {
			*exit_us = bench_now_us() - t0;
			int status = 0;
			if (waitpid(pid, &status, 0) == -1 || !WIFEXITED(status) ||
			    WEXITSTATUS(status) != 0) {
				fprintf(stderr, "e2e: %s exited with status %d\n", m->argv[0], status);
				rc = -1;
				pid = -1;
				break;
			}
			pid = -1;
		}
	}
	if (pid != -1) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	close(pfd);
	return rc;
}

static int
num(const char *s, int min)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < min || v > INT_MAX / 1000) {
		fprintf(stderr, "e2e: bad number \"%s\"\n", s);
		exit(64);
	}
	return (int)v;
}

int
main(int argc, char **argv)
{
	int n = 20, warm = 1, gap_ms = 50, timeout_s = 30, c;
	while ((c = getopt(argc, argv, "+n:w:g:t:")) != -1) {
		switch (c) {
		case 'n': n = num(optarg, 1); break;
		case 'w': warm = num(optarg, 0); break;
		case 'g': gap_ms = num(optarg, 0); break;
		case 't': timeout_s = num(optarg, 1); break;
		default: goto usage;
		}
	}
	if (argc - optind < 3)
		goto usage;
	const char *input = argv[optind];
	struct mailer m[MAXMAILER];
	int nm = 0;
	for (int i = optind + 1; i < argc; i++) {
		if (nm == MAXMAILER) {
			fputs("e2e: too many mailers\n", stderr);
			return 64;
		}
		m[nm].dir = argv[i];
		m[nm].argv = argv + i + 1;
		while (i < argc && strcmp(argv[i], "--") != 0)
			i++;
		if (i < argc)
			argv[i] = NULL;
		if (m[nm].argv[0] == NULL)
			goto usage;
		nm++;
	}
	int ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (ifd == -1) {
		perror("e2e: inotify_init1");
		return 71;
	}
	for (int k = 0; k < nm; k++) {
		m[k].wd = inotify_add_watch(ifd, m[k].dir, IN_CLOSE_WRITE | IN_MOVED_TO);
		if (m[k].wd == -1) {
			fprintf(stderr, "e2e: %s: %s\n", m[k].dir, strerror(errno));
			return 71;
		}
	}
	for (int r = 0; r < warm + n; r++) {
		for (int k = 0; k < nm; k++) {
			long long ex, ar;
			if (gap_ms > 0)
				nanosleep(&(struct timespec){ gap_ms / 1000, (long)(gap_ms % 1000) * 1000000 }, NULL);
			if (one(ifd, &m[k], input, timeout_s * 1000, &ex, &ar) == -1)
				return 1;
			if (r >= warm)
				printf("%d\t%lld\t%lld\n", k, ex, ar);
		}
	}
	return fflush(stdout) == 0 ? 0 : 1;
usage:
	fputs("usage: e2e [-n N] [-w W] [-g GAP] [-t TIMEOUT] INPUT DIR0 cmd0 args... "
	      "[-- DIR1 cmd1 args...]...\n", stderr);
	return 64;
}
