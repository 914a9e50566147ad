/* runmany: runs commands one process each, the way sendmail is run
 * (fork + exec, stdin from a file), alternating between them so that a
 * busy machine's noise falls on all alike, and prints one "INDEX\tus"
 * line per run: INDEX is the command's place (0, 1, ...), us its wall
 * time from fork to exit.
 * usage: runmany N INPUT cmd0 args... [-- cmd1 args...]...  */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAXCMD 8

static long long
now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* One run of argv with stdin from input: its wall time, or -1. */
static long long
run_once(char **argv, const char *input)
{
	long long t0 = now_us();
	pid_t pid = fork();
	if (pid == -1)
		return -1;
	if (pid == 0) {
		int fd = open(input, O_RDONLY);
		if (fd == -1 || dup2(fd, 0) == -1)
			_exit(127);
		execv(argv[0], argv);
		_exit(127);
	}
	int status;
	if (waitpid(pid, &status, 0) == -1)
		return -1;
	long long t = now_us() - t0;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "runmany: %s exited with status %d\n", argv[0], status);
		return -1;
	}
	return t;
}

int
main(int argc, char **argv)
{
	char **cmd[MAXCMD];
	int ncmd = 0;
	if (argc < 4) {
		fputs("usage: runmany N INPUT cmd args... [-- cmd args...]...\n", stderr);
		return 64;
	}
	int n = atoi(argv[1]);
	cmd[ncmd++] = argv + 3;
	for (int i = 3; i < argc && ncmd < MAXCMD; i++) {
		if (strcmp(argv[i], "--") == 0) {
			argv[i] = NULL;
			cmd[ncmd++] = argv + i + 1;
		}
	}
	for (int i = 0; i < n; i++) {
		for (int k = 0; k < ncmd; k++) {
			long long t = run_once(cmd[k], argv[2]);
			if (t < 0)
				return 1;
			printf("%d\t%lld\n", k, t);
		}
	}
	return fflush(stdout) == 0 ? 0 : 1;
}
