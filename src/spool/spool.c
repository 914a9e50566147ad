/* spool: waking the delivery side after a commit.  The spool's files are
 * envelope, qid, record, drop and qf; its invariants are in spool.h. */
#include "spool.h"
#include "buf.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

void
spool_wake(const char *spool)
{
	struct buf p;
	buf_init(&p);
	if (buf_printf(&p, "%s/trigger", spool) == 0) {
		/* O_NONBLOCK: ENXIO at once when no daemon has it open. */
		int fd = open(buf_str(&p), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd != -1) {
			/* EAGAIN means a full FIFO: relayqd is awake already.
			 * Any other failure leaves the mail to the next run. */
			ssize_t n = write(fd, "w", 1);
			(void)n;
			close(fd);
		}
	}
	buf_free(&p);
}

int
spool_check_space(const char *spool, uid_t uid, long long minfree,
    long long max_size, char *err, size_t errlen)
{
	struct statvfs sv;
	if (uid == 0 || statvfs(spool, &sv) == -1)
		return 0;
	unsigned long long avail = (unsigned long long)sv.f_bavail * sv.f_frsize;
	unsigned long long need = (unsigned long long)minfree;
	unsigned long long room = (unsigned long long)max_size * 3 / 2;
	if (room > need)
		need = room;
	if (avail >= need)
		return 0;
	snprintf_rq(err, errlen, "the spool %s has %llu KiB free, below the %llu KiB kept "
	    "in reserve; message NOT queued, try again later", spool, avail / 1024,
	    need / 1024);
	errno = ENOSPC;
	return -1;
}
