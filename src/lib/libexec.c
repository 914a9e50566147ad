/* libexec: the path of a helper program — next to this one (a build
 * tree, the tests), else in the compiled-in libexec directory. */
#include "libexec.h"
#include "buf.h"
#include "relayq.h"

#include <libgen.h>
#include <limits.h>
#include <unistd.h>

void
libexec_path(const char *name, char *out, size_t size)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n > 0) {
		self[n] = '\0';
		snprintf_rq(out, size, "%s/%s", dirname(self), name);
		if (access(out, X_OK) == 0)
			return;
	}
	snprintf_rq(out, size, "%s/%s", RELAYQ_LIBEXEC, name);
}
