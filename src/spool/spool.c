/* spool: waking the delivery side after a commit.  The spool's files are
 * envelope, qid, record, drop and qf; its invariants are in spool.h. */
#include "spool.h"
#include "buf.h"

#include <fcntl.h>
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
