/* safefile: open-then-fstat checks for secret maps and a walk over every
 * directory above them, like sendmail's safefile()/safedirpath(). */
#include "safefile.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"

static bool
owner_ok(uid_t uid, uid_t trusted)
{
	return uid == 0 || (trusted != (uid_t)-1 && uid == trusted);
}

#define GROUP_READ_REASON "readable by group, not root's"

bool
safefile_mode_private(mode_t mode, gid_t gid)
{
	if (mode & (S_IRWXO | S_IWGRP))
		return false;
	return !(mode & S_IRGRP) || gid == 0;
}

const char *
safefile_reason(const struct stat *st, const struct safefile_rules *r)
{
	if (!S_ISREG(st->st_mode))
		return "not a regular file";
	if (!r->check_file)
		return NULL;
	if (!owner_ok(st->st_uid, r->trusted_uid))
		return "not owned by root or the trusted user";
	if (st->st_mode & S_IWOTH)
		return "world writable";
	if (st->st_mode & S_IWGRP)
		return "group writable";
	if (r->secret && (st->st_mode & S_IROTH))
		return "readable by others";
	if (r->secret && !safefile_mode_private(st->st_mode, st->st_gid))
		return GROUP_READ_REASON;
	return NULL;
}

/* "REASON", or for group read "REASON (group NAME)". */
static void
explain(const struct stat *st, const char *why, char *out, size_t outlen)
{
	char name[64];
	struct group *g;

	if (strcmp(why, GROUP_READ_REASON) != 0) {
		strlcpy_rq(out, why, outlen);
		return;
	}
	g = getgrgid(st->st_gid);
	if (g != NULL)
		strlcpy_rq(name, g->gr_name, sizeof name);
	else
		snprintf_rq(name, sizeof name, "%lu", (unsigned long)st->st_gid);
	snprintf_rq(out, outlen, "%s (group %s)", why, name);
}

/* One directory: why it is unsafe, or NULL.  own_dir: the file's parent,
 * where even a sticky world-writable directory would let others plant
 * the name first. */
static const char *
dir_reason(const char *dir, uid_t trusted, bool own_dir)
{
	struct stat st;

	if (stat(dir, &st) < 0)
		return "cannot stat directory";
	if (!S_ISDIR(st.st_mode))
		return "not a directory";
	if (!owner_ok(st.st_uid, trusted))
		return "directory not owned by root or the trusted user";
	if (!(st.st_mode & (S_IWGRP | S_IWOTH)))
		return NULL;
	if (!own_dir && (st.st_mode & S_ISVTX) && st.st_uid == 0)
		return NULL;
	return st.st_mode & S_IWOTH ? "world writable directory" :
	    "group writable directory";
}

static int
check_one(const char *file, const char *dir, uid_t trusted, bool own_dir,
    char *err, size_t errlen)
{
	const char *why = dir_reason(dir, trusted, own_dir);

	if (why == NULL)
		return 0;
	snprintf_rq(err, errlen, "%s: unsafe map file: %s %s", file, why, dir);
	return -1;
}

/* Checks "/", "/a", "/a/b" ... of an absolute directory path. */
static int
walk_dirs(const char *file, const char *dir, uid_t trusted, char *err,
    size_t errlen)
{
	char cur[PATH_MAX];
	size_t n = strlen(dir);

	if (n >= sizeof cur || dir[0] != '/') {
		snprintf_rq(err, errlen, "%s: bad directory path", file);
		return -1;
	}
	if (check_one(file, "/", trusted, n == 1, err, errlen) < 0)
		return -1;
	for (size_t i = 2; i <= n; i++) {
		if (i < n && dir[i] != '/')
			continue;
		memcpy(cur, dir, i);
		cur[i] = '\0';
		if (check_one(file, cur, trusted, i == n, err, errlen) < 0)
			return -1;
	}
	return 0;
}

/* Absolute form of path's directory, as written (not resolved). */
static int
dir_of(const char *path, char *out, size_t outlen)
{
	char cwd[PATH_MAX];
	const char *slash = strrchr(path, '/');

	if (path[0] == '/') {
		size_t n = slash == path ? 1 : (size_t)(slash - path);
		if (n >= outlen)
			return -1;
		memcpy(out, path, n);
		out[n] = '\0';
		return 0;
	}
	if (getcwd(cwd, sizeof cwd) == NULL)
		return -1;
	if (slash == NULL) {
		snprintf_rq(out, outlen, "%s", cwd);
		return 0;
	}
	snprintf_rq(out, outlen, "%s/%.*s", strcmp(cwd, "/") ? cwd : "",
	    (int)(slash - path), path);
	return 0;
}

int
safefile_check_dirs(const char *path, uid_t trusted_uid, char *err,
    size_t errlen)
{
	char dir[PATH_MAX], real[PATH_MAX];

	if (dir_of(path, dir, sizeof dir) < 0) {
		snprintf_rq(err, errlen, "%s: cannot find its directory", path);
		return -1;
	}
	if (walk_dirs(path, dir, trusted_uid, err, errlen) < 0)
		return -1;
	if (realpath(dir, real) == NULL) {
		snprintf_rq(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (strcmp(real, dir) == 0)
		return 0;
	return walk_dirs(path, real, trusted_uid, err, errlen);
}

int
safefile_open(const char *path, const struct safefile_rules *r,
    struct stat *st, char *err, size_t errlen)
{
	const char *why;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0) {
		if (errno == ELOOP)
			snprintf_rq(err, errlen,
			    "%s: unsafe map file: symbolic link", path);
		else
			snprintf_rq(err, errlen, "%s: %s", path,
			    strerror(errno));
		return -1;
	}
	if (fstat(fd, st) < 0) {
		snprintf_rq(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if ((why = safefile_reason(st, r)) != NULL) {
		char text[128];
		explain(st, why, text, sizeof text);
		snprintf_rq(err, errlen, "%s: unsafe map file: %s", path, text);
		close(fd);
		return -1;
	}
	if (r->check_file &&
	    safefile_check_dirs(path, r->trusted_uid, err, errlen) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}
