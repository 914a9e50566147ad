/* qid: sendmail-style queue ids, made from the clock and the pid. */
#include "qid.h"

#include <stdint.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

static const char b62[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static void
put_b62(char *out, uint64_t v, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		out[i] = b62[v % 62];
		v /= 62;
	}
}

void
qid_new(char qid[QID_SIZE])
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	put_b62(qid, (uint64_t)tv.tv_sec, 6);
	put_b62(qid + 6, (uint64_t)tv.tv_usec, 4);
	put_b62(qid + 10, (uint64_t)getpid(), 4);
	qid[QID_LEN] = '\0';
}

bool
qid_valid(const char *s)
{
	if (strlen(s) != QID_LEN)
		return false;
	for (; *s != '\0'; s++)
		if (strchr(b62, *s) == NULL)
			return false;
	return true;
}
