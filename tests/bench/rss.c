/* rss: runs a command (stdin passed through) and prints its peak resident
 * set size in KiB from wait4(2), and its wall time in microseconds, so
 * `make bench` needs no GNU time. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long
now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		fputs("usage: rss command [args...]\n", stderr);
		return 64;
	}
	long long t0 = now_us();
	pid_t pid = fork();
	if (pid == -1)
		return 71;
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		_exit(127);
	}
	int status;
	struct rusage ru;
	if (wait4(pid, &status, 0, &ru) == -1)
		return 71;
	fprintf(stderr, "maxrss_kib=%ld\nwall_us=%lld\n", ru.ru_maxrss, now_us() - t0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 70;
}
