/* floor: the least a durable submission can cost, for `make bench` to
 * compare sendmail with: one process reads the message from stdin, writes
 * it to DIR/tmp.NAME, fsyncs it, renames it to DIR/NAME and fsyncs DIR.
 * usage: floor DIR < message */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static int
copy_in(int fd)
{
	char buf[65536];
	ssize_t n;
	while ((n = read(0, buf, sizeof buf)) > 0)
		if (write(fd, buf, (size_t)n) != n)
			return -1;
	return n == 0 ? 0 : -1;
}

int
main(int argc, char **argv)
{
	char tmp[80], name[64];
	struct timespec ts;
	if (argc != 2) {
		fputs("usage: floor DIR < message\n", stderr);
		return 64;
	}
	int dfd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd == -1 || clock_gettime(CLOCK_REALTIME, &ts) == -1)
		return 71;
	snprintf(name, sizeof name, "%ld.%ld.%ld", (long)ts.tv_sec, ts.tv_nsec, (long)getpid());
	snprintf(tmp, sizeof tmp, "tmp.%s", name);
	int fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd == -1 || copy_in(fd) == -1 || fsync(fd) == -1 || close(fd) == -1)
		return 74;
	if (renameat(dfd, tmp, dfd, name) == -1 || fsync(dfd) == -1)
		return 74;
	return 0;
}
