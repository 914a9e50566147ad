/* bench.h: what the bench's helper programs share (header only: each is
 * one .c file, linked with nothing else). */
#ifndef BENCH_H
#define BENCH_H
#include <fcntl.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

/* Microseconds on the monotonic clock. */
static inline long long
bench_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* fork + exec of argv (argv[0] a path) with stdin from the file input, as
 * a mailer runs sendmail: the child's pid, or -1. */
static inline pid_t
bench_spawn(char **argv, const char *input)
{
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open(input, O_RDONLY);
		if (fd == -1 || dup2(fd, 0) == -1)
			_exit(127);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

#endif
