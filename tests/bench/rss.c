/* rss: runs a command (stdin passed through) and prints its peak resident
 * set size in KiB from wait4(2), so `make bench` needs no GNU time. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	if (argc < 2) {
		fputs("usage: rss command [args...]\n", stderr);
		return 64;
	}
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
	fprintf(stderr, "maxrss_kib=%ld\n", ru.ru_maxrss);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 70;
}
