/* dirscan: readdir over a duplicate of the caller's directory fd. */
#include "dirscan.h"

#include <dirent.h>
#include <errno.h>
#include <unistd.h>

int
dirscan(int dirfd, dirscan_fn fn, void *arg)
{
	int dfd = dup(dirfd);
	DIR *d = dfd == -1 ? NULL : fdopendir(dfd);
	if (d == NULL) {
		int saved = errno;
		if (dfd != -1)
			close(dfd);
		errno = saved;
		return -1;
	}
	rewinddir(d);	/* a dup shares its offset with earlier walks */
	int rc = 0;
	struct dirent *de;
	while (rc == 0 && (de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			rc = fn(arg, de->d_name);
	closedir(d);
	return rc;
}
