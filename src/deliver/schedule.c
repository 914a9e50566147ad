/* schedule: exponential back-off with jitter, and sendmail's delay
 * formatting.  Pure functions. */
#include <stddef.h>

#include "schedule.h"
#include "buf.h"

long
schedule_delay(int attempts, long retry_min, long retry_max, unsigned rnd)
{
	long d = retry_min;
	for (int i = 1; i < attempts && d < retry_max; i++)
		d *= 2;
	if (d > retry_max)
		d = retry_max;
	long spread = d / 10;
	if (spread > 0)
		d += (long)(rnd % 1000) * 2 * spread / 1000 - spread;
	return d > 0 ? d : 1;
}

void
schedule_fmt_delay(char *out, size_t size, long secs)
{
	if (secs < 0)
		secs = 0;
	long days = secs / 86400;
	secs %= 86400;
	if (days > 0)
		snprintf_rq(out, size, "%ld+%02ld:%02ld:%02ld", days, secs / 3600,
		    secs / 60 % 60, secs % 60);
	else
		snprintf_rq(out, size, "%02ld:%02ld:%02ld", secs / 3600, secs / 60 % 60,
		    secs % 60);
}
