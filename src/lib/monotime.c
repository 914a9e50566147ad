/* monotime: CLOCK_MONOTONIC in milliseconds (it cannot fail on Linux for
 * a valid clock id and pointer, so there is no error return). */
#include "monotime.h"

#include <time.h>

long long
monotime_ms(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		return 0;
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
