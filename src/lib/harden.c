/* harden: a set-ID program's first steps, and no core dumps or ptrace for
 * a process that holds secrets. */
#include "harden.h"
#include "buf.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

void
harden_no_core_dumps(void)
{
	struct rlimit none = { 0, 0 };
	if (setrlimit(RLIMIT_CORE, &none) == -1 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		log_warn("cannot disable core dumps: %s", strerror(errno));
}

int
harden_setid_process(void)
{
	umask(077);
	for (int fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) == -1 && open("/dev/null", O_RDWR) != fd)
			return -1;
	}
	closefrom(3);
	char tz[64] = "";
	const char *t = getenv("TZ");
	if (t != NULL && strlen(t) < sizeof tz && strchr(t, '/') == NULL)
		strlcpy_rq(tz, t, sizeof tz);
	if (clearenv() != 0 || setenv("PATH", "/usr/bin:/bin", 1) != 0 ||
	    (tz[0] != '\0' && setenv("TZ", tz, 1) != 0))
		return -1;
	struct rlimit no_core = { 0, 0 };
	if (setrlimit(RLIMIT_CORE, &no_core) == -1)
		return -1;
	signal(SIGPIPE, SIG_IGN);
	return 0;
}
