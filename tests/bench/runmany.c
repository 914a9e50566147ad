/* runmany: runs commands one process each, the way sendmail is run
 * (fork + exec, stdin from a file), alternating between them so that a
 * busy machine's noise falls on all alike, and prints one "INDEX\tus"
 * line per run: INDEX is the command's place (0, 1, ...), us its wall
 * time from fork to exit.
 * usage: runmany N INPUT cmd0 args... [-- cmd1 args...]...  */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define MAXCMD 8

/* One run of argv with stdin from input: its wall time, or -1. */
static long long
run_once(char **argv, const char *input)
{
	long long t0 = bench_now_us();
	pid_t pid = bench_spawn(argv, input);
	if (pid == -1)
		return -1;
	int status;
	if (waitpid(pid, &status, 0) == -1)
		return -1;
	long long t = bench_now_us() - t0;
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
