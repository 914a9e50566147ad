/* durable: tmp -> write -> fsync -> rename -> directory fsync. */
#include "durable.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
durable_sync_dir(int dirfd)
{
	if (fsync(dirfd) == -1 && errno != EINVAL && errno != EROFS)
		return -1;
	return 0;
}

int
durable_write(int dirfd, const char *tmp, const char *name, const void *data,
    size_t len, mode_t mode, bool dirsync)
{
	int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd == -1)
		return -1;
	int rc = fchmod(fd, mode) == 0 && write_all(fd, data, len) == 0 &&
	    fsync(fd) == 0 ? 0 : -1;
	if (close(fd) == -1)
		rc = -1;
	if (rc == 0 && renameat(dirfd, tmp, dirfd, name) == -1)
		rc = -1;
	if (rc == 0 && dirsync && durable_sync_dir(dirfd) == -1)
		rc = -1;
	if (rc == -1) {
		int saved = errno;
		unlinkat(dirfd, tmp, 0);
		errno = saved;
	}
	return rc;
}
