/* fstrace: an LD_PRELOAD shim that records the file-system steps a program
 * takes under one directory, for the power-cut test (t_powercut.sh,
 * replay.c).  Record-and-replay, as CrashMonkey and ALICE do it: the shim
 * only records; replay.c decides what a power cut at each step leaves.
 *
 * Environment, read once at load (sendmail clears its environment):
 *   FSTRACE_ROOT  absolute, canonical directory; only names under it count
 *   FSTRACE_LOG   the trace, opened O_APPEND; FSTRACE_LOG.blobs/ must exist
 *   FSTRACE_SLOW  optional: microseconds to sleep after each recorded step,
 *                 which widens this process's windows for other processes'
 *                 steps to land in (a race the test wants to see)
 *
 * One line a step, "PID COMM OP ARGS", written with one write(2) while the
 * process holds an flock on its own descriptor of the trace.  The lock is
 * taken before the step and released after its line is written, so the
 * order of the lines is the order in which the steps happened, across
 * processes: an fsync of a directory is logged before or after another
 * process's rename, never half-way.  Names are %XX-escaped.
 *   create DIR NAME DEV:INO MODE UID GID    open(at)/creat made a new file
 *   mkdir  DIR NAME DEV:INO MODE UID GID
 *   link   ODIR ONAME NDIR NNAME DEV:INO
 *   rename ODIR ONAME NDIR NNAME DEV:INO    (renameat2 flags are not kept)
 *   unlink DIR NAME DEV:INO                 (rmdir for AT_REMOVEDIR)
 *   fsyncdir DIR                            fsync/fdatasync of a directory
 *   fsync  DEV:INO BLOB MODE UID GID        ... of a regular file: BLOB is
 *                                           FSTRACE_LOG.blobs/BLOB, a copy of
 *                                           its bytes right after the fsync
 *   data   DEV:INO BLOB MODE UID GID        one per readable file under the
 *   syncfs                                  root, then the syncfs itself
 * DEV:INO comes from fstatat (before an unlink or rename, after a create).
 *
 * Not interposed, on purpose: write, pwrite, ftruncate, fchmod and close.
 * A file's durable bytes are what its last fsync (or a syncfs) saw, so the
 * writes in between need no record — and stdio writes through glibc's
 * internal __write, which no preload can see anyway.  Opens without O_CREAT
 * change no name and are not recorded.  A syncfs by a process that cannot
 * read some file under the root leaves that file's bytes as of its last
 * fsync: the replay is then more pessimistic than the disk, never less.
 * A step the shim cannot record ends the process (abort): a trace with a
 * hole would make the test pass for nothing. */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOG_FD_MIN 900
#define LINE_MAX_LEN (4 * PATH_MAX + 256)

/* The prototypes the shim defines beyond <fcntl.h>'s (fortified opens). */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);

static char root[PATH_MAX], logpath[PATH_MAX], blobdir[PATH_MAX];
static size_t rootlen;
static int logfd = -1;
static pid_t logpid;
static dev_t logdev;
static ino_t logino;
static unsigned blobseq;
static long slow_us;

__attribute__((constructor)) static void
fstrace_init(void)
{
	const char *r = getenv("FSTRACE_ROOT"), *l = getenv("FSTRACE_LOG");
	const char *slow = getenv("FSTRACE_SLOW");
	slow_us = slow != NULL ? atol(slow) : 0;
	if (r == NULL || l == NULL || r[0] != '/' || strlen(r) >= sizeof root ||
	    strlen(l) + 7 >= sizeof logpath)
		return;		/* nothing traced */
	snprintf(root, sizeof root, "%s", r);
	rootlen = strlen(root);
	while (rootlen > 1 && root[rootlen - 1] == '/')
		root[--rootlen] = '\0';
	snprintf(logpath, sizeof logpath, "%s", l);
	snprintf(blobdir, sizeof blobdir, "%s.blobs", l);
}

/* The next definition of a libc function, looked up once. */
#define REAL(type, name) \
	static __typeof__(type) real; \
	if (real == NULL) { \
		void *sym = dlsym(RTLD_NEXT, name); \
		memcpy(&real, &sym, sizeof real); \
	}

static int
real_open(const char *path, int flags, mode_t mode)
{
	REAL(int (*)(const char *, int, ...), "open");
	return real(path, flags, mode);
}

static int
real_openat(int dirfd, const char *path, int flags, mode_t mode)
{
	REAL(int (*)(int, const char *, int, ...), "openat");
	return real(dirfd, path, flags, mode);
}

static void
fatal(const char *what)
{
	char msg[PATH_MAX + 128];
	snprintf(msg, sizeof msg, "fstrace: %s: %s\n", what, strerror(errno));
	ssize_t ignored = write(2, msg, strlen(msg));
	(void)ignored;
	abort();
}

static bool
traced(void)
{
	return rootlen > 0;
}

static bool
under_root(const char *path)
{
	return strncmp(path, root, rootlen) == 0 &&
	    (path[rootlen] == '\0' || path[rootlen] == '/');
}

/* Our own descriptor of the trace: one per process (a child has its own,
 * so that the flock excludes its parent), reopened when the program closed
 * it (closefrom) or the number now names another file. */
static void
log_open(void)
{
	struct stat st;
	if (logfd >= 0 && logpid == getpid() && fstat(logfd, &st) == 0 &&
	    st.st_dev == logdev && st.st_ino == logino)
		return;
	if (logfd >= 0 && fstat(logfd, &st) == 0 && st.st_dev == logdev && st.st_ino == logino)
		close(logfd);	/* the parent's, inherited */
	int fd = real_open(logpath, O_WRONLY | O_APPEND | O_CLOEXEC, 0);
	if (fd == -1)
		fatal(logpath);
	logfd = fcntl(fd, F_DUPFD_CLOEXEC, LOG_FD_MIN);
	close(fd);
	if (logfd == -1 || fstat(logfd, &st) == -1)
		fatal("trace descriptor");
	logpid = getpid();
	logdev = st.st_dev;
	logino = st.st_ino;
}

static void
lock(void)
{
	log_open();
	while (flock(logfd, LOCK_EX) == -1)
		if (errno != EINTR)
			fatal("flock");
}

static void
unlock(void)
{
	flock(logfd, LOCK_UN);
	if (slow_us > 0)
		usleep((useconds_t)slow_us);
}

struct line {
	char s[LINE_MAX_LEN];
	size_t n;
	bool full;
};

static void
put(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
put(struct line *l, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(l->s + l->n, sizeof l->s - l->n, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof l->s - l->n)
		l->full = true;
	else
		l->n += (size_t)n;
}

/* " NAME", escaped: no space, control byte, '%' or non-ASCII stays raw. */
static void
put_name(struct line *l, const char *name)
{
	put(l, " ");
	for (const unsigned char *p = (const unsigned char *)name; *p != '\0'; p++) {
		if (*p <= ' ' || *p == '%' || *p >= 0x7f)
			put(l, "%%%02X", *p);
		else
			put(l, "%c", *p);
	}
}

static void
line_begin(struct line *l, const char *op)
{
	char comm[32] = "?";
	int fd = real_open("/proc/self/comm", O_RDONLY | O_CLOEXEC, 0);
	if (fd >= 0) {
		ssize_t n = read(fd, comm, sizeof comm - 1);
		comm[n > 0 ? n : 0] = '\0';
		comm[strcspn(comm, "\n ")] = '\0';
		close(fd);
	}
	l->n = 0;
	l->full = false;
	put(l, "%ld %s %s", (long)getpid(), comm[0] != '\0' ? comm : "?", op);
}

static void
line_end(struct line *l)
{
	put(l, "\n");
	if (l->full) {
		errno = ENAMETOOLONG;
		fatal("trace line");
	}
	if (write(logfd, l->s, l->n) != (ssize_t)l->n)
		fatal("trace write");
}

/* " DEV:INO", and with attrs " MODE UID GID". */
static void
put_stat(struct line *l, const struct stat *st, bool attrs)
{
	put(l, " %llu:%llu", (unsigned long long)st->st_dev, (unsigned long long)st->st_ino);
	if (attrs)
		put(l, " %o %lu %lu", (unsigned)(st->st_mode & 07777),
		    (unsigned long)st->st_uid, (unsigned long)st->st_gid);
}

/* "OP DEV:INO BLOB MODE UID GID" */
static void
log_blob(const char *op, const struct stat *st, const char *blob)
{
	struct line l;
	line_begin(&l, op);
	put_stat(&l, st, false);
	put(&l, " %s %o %lu %lu", blob, (unsigned)(st->st_mode & 07777),
	    (unsigned long)st->st_uid, (unsigned long)st->st_gid);
	line_end(&l);
}

/* The canonical directory a (dirfd, path) names its last component in,
 * and that component.  false when it is not under the root. */
static bool
split(int dirfd, const char *path, char dir[PATH_MAX], char name[NAME_MAX + 1])
{
	char base[PATH_MAX], joined[2 * PATH_MAX + 2];
	const char *slash = strrchr(path, '/');
	const char *last = slash != NULL ? slash + 1 : path;
	if (!traced() || strlen(last) > NAME_MAX || last[0] == '\0')
		return false;
	snprintf(name, NAME_MAX + 1, "%s", last);
	if (path[0] == '/') {
		base[0] = '\0';
	} else if (dirfd == AT_FDCWD) {
		if (getcwd(base, sizeof base) == NULL)
			return false;
	} else {
		char link[64];
		snprintf(link, sizeof link, "/proc/self/fd/%d", dirfd);
		ssize_t n = readlink(link, base, sizeof base - 1);
		if (n <= 0)
			return false;
		base[n] = '\0';
	}
	int dirlen = slash != NULL ? (int)(slash - path) : 0;
	snprintf(joined, sizeof joined, "%s/%.*s", base, dirlen, path);
	if (realpath(joined, dir) == NULL)
		return false;
	return under_root(dir);
}

/* The path a descriptor was opened under, if it is under the root. */
static bool
fd_path(int fd, char path[PATH_MAX])
{
	char link[64];
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	ssize_t n = traced() ? readlink(link, path, PATH_MAX - 1) : -1;
	if (n <= 0)
		return false;
	path[n] = '\0';
	return under_root(path);
}

/* Copies an open file's bytes to a new blob; its name into blob. */
static void
copy_blob(int from, char blob[64])
{
	char path[PATH_MAX + 80], buf[65536];
	int to = -1;
	for (int tries = 0; to == -1 && tries < 1000; tries++) {
		snprintf(blob, 64, "%ld.%u", (long)getpid(), blobseq++);
		snprintf(path, sizeof path, "%s/%s", blobdir, blob);
		to = real_open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (to == -1 && errno != EEXIST)
			fatal(path);
	}
	if (to == -1)
		fatal(path);
	off_t off = 0;
	for (;;) {
		ssize_t n = pread(from, buf, sizeof buf, off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			fatal("blob read");
		if (n == 0)
			break;
		if (write(to, buf, (size_t)n) != n)
			fatal("blob write");
		off += n;
	}
	close(to);
}

/* A readable descriptor on what fd refers to (fd may be write-only). */
static int
reopen_ro(int fd)
{
	char link[64];
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	return real_open(link, O_RDONLY | O_CLOEXEC | O_NONBLOCK, 0);
}

static void
log_created(const char *op, int dirfd, const char *path, const char *dir, const char *name)
{
	struct stat st;
	struct line l;
	if (fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW) == -1)
		fatal("fstatat after create");
	line_begin(&l, op);
	put_name(&l, dir);
	put_name(&l, name);
	put_stat(&l, &st, true);
	line_end(&l);
}

static int
traced_openat(int dirfd, const char *path, int flags, mode_t mode)
{
	char dir[PATH_MAX], name[NAME_MAX + 1];
	struct stat st;
	if (!(flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE || !split(dirfd, path, dir, name))
		return real_openat(dirfd, path, flags, mode);
	lock();
	bool existed = fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW) == 0;
	int fd = real_openat(dirfd, path, flags, mode);
	int saved = errno;
	if (fd >= 0 && !existed)
		log_created("create", dirfd, path, dir, name);
	unlock();
	errno = saved;
	return fd;
}

static mode_t
mode_arg(int flags, va_list ap)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? (mode_t)va_arg(ap, int) : 0;
}

int
open(const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	mode_t mode = mode_arg(flags, ap);
	va_end(ap);
	return traced_openat(AT_FDCWD, path, flags, mode);
}

int
openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	mode_t mode = mode_arg(flags, ap);
	va_end(ap);
	return traced_openat(dirfd, path, flags, mode);
}

/* _FORTIFY_SOURCE's checked opens never create (no mode argument). */
int __open_2(const char *path, int flags) { return traced_openat(AT_FDCWD, path, flags, 0); }
int __openat_2(int dirfd, const char *path, int flags) { return traced_openat(dirfd, path, flags, 0); }

int
creat(const char *path, mode_t mode)
{
	return traced_openat(AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC, mode);
}

/* The 64-bit names are the same calls on x86_64 (and any 64-bit glibc). */
int open64(const char *path, int flags, ...) __attribute__((alias("open")));
int openat64(int dirfd, const char *path, int flags, ...) __attribute__((alias("openat")));
int __open64_2(const char *path, int flags) __attribute__((alias("__open_2")));
int __openat64_2(int dirfd, const char *path, int flags) __attribute__((alias("__openat_2")));
int creat64(const char *path, mode_t mode) __attribute__((alias("creat")));

int
mkdirat(int dirfd, const char *path, mode_t mode)
{
	REAL(int (*)(int, const char *, mode_t), "mkdirat");
	char dir[PATH_MAX], name[NAME_MAX + 1];
	if (!split(dirfd, path, dir, name))
		return real(dirfd, path, mode);
	lock();
	int rc = real(dirfd, path, mode), saved = errno;
	if (rc == 0)
		log_created("mkdir", dirfd, path, dir, name);
	unlock();
	errno = saved;
	return rc;
}

int
mkdir(const char *path, mode_t mode)
{
	return mkdirat(AT_FDCWD, path, mode);
}

/* link and rename: "OP ODIR ONAME NDIR NNAME DEV:INO" when either side is
 * under the root; the inode is the old name's, taken before the step. */
static void
log_move(const char *op, const char *odir, const char *oname, const char *ndir,
    const char *nname, const struct stat *st)
{
	struct line l;
	line_begin(&l, op);
	put_name(&l, odir);
	put_name(&l, oname);
	put_name(&l, ndir);
	put_name(&l, nname);
	put_stat(&l, st, false);
	line_end(&l);
}

int
linkat(int ofd, const char *opath, int nfd, const char *npath, int flags)
{
	REAL(int (*)(int, const char *, int, const char *, int), "linkat");
	char odir[PATH_MAX], oname[NAME_MAX + 1], ndir[PATH_MAX], nname[NAME_MAX + 1];
	struct stat st;
	bool o = split(ofd, opath, odir, oname), n = split(nfd, npath, ndir, nname);
	if (!o && !n)
		return real(ofd, opath, nfd, npath, flags);
	lock();
	bool have = fstatat(ofd, opath, &st, (flags & AT_SYMLINK_FOLLOW) ? 0 : AT_SYMLINK_NOFOLLOW) == 0;
	int rc = real(ofd, opath, nfd, npath, flags), saved = errno;
	if (rc == 0 && !have)
		fatal("link of a file fstatat cannot see");
	if (rc == 0)
		log_move("link", odir, oname, ndir, nname, &st);
	unlock();
	errno = saved;
	return rc;
}

int
link(const char *opath, const char *npath)
{
	return linkat(AT_FDCWD, opath, AT_FDCWD, npath, 0);
}

int
renameat2(int ofd, const char *opath, int nfd, const char *npath, unsigned int flags)
{
	REAL(int (*)(int, const char *, int, const char *, unsigned int), "renameat2");
	char odir[PATH_MAX], oname[NAME_MAX + 1], ndir[PATH_MAX], nname[NAME_MAX + 1];
	struct stat st;
	bool o = split(ofd, opath, odir, oname), n = split(nfd, npath, ndir, nname);
	if (!o && !n)
		return real(ofd, opath, nfd, npath, flags);
	if (flags & RENAME_EXCHANGE) {
		errno = ENOSYS;
		fatal("renameat2 RENAME_EXCHANGE is not modelled");
	}
	lock();
	bool have = fstatat(ofd, opath, &st, AT_SYMLINK_NOFOLLOW) == 0;
	int rc = real(ofd, opath, nfd, npath, flags), saved = errno;
	if (rc == 0 && !have)
		fatal("rename of a file fstatat cannot see");
	if (rc == 0)
		log_move("rename", odir, oname, ndir, nname, &st);
	unlock();
	errno = saved;
	return rc;
}

int
renameat(int ofd, const char *opath, int nfd, const char *npath)
{
	return renameat2(ofd, opath, nfd, npath, 0);
}

int
rename(const char *opath, const char *npath)
{
	return renameat2(AT_FDCWD, opath, AT_FDCWD, npath, 0);
}

int
unlinkat(int dirfd, const char *path, int flags)
{
	REAL(int (*)(int, const char *, int), "unlinkat");
	char dir[PATH_MAX], name[NAME_MAX + 1];
	struct stat st;
	struct line l;
	if (!split(dirfd, path, dir, name))
		return real(dirfd, path, flags);
	lock();
	bool have = fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW) == 0;
	int rc = real(dirfd, path, flags), saved = errno;
	if (rc == 0 && !have)
		fatal("unlink of a file fstatat cannot see");
	if (rc == 0) {
		line_begin(&l, (flags & AT_REMOVEDIR) ? "rmdir" : "unlink");
		put_name(&l, dir);
		put_name(&l, name);
		put_stat(&l, &st, false);
		line_end(&l);
	}
	unlock();
	errno = saved;
	return rc;
}

int
unlink(const char *path)
{
	return unlinkat(AT_FDCWD, path, 0);
}

int
rmdir(const char *path)
{
	return unlinkat(AT_FDCWD, path, AT_REMOVEDIR);
}

/* fsync and fdatasync alike: a directory's pending names, or a file's
 * bytes as of now. */
static int
traced_sync(int fd, int (*real)(int))
{
	char path[PATH_MAX], blob[64];
	struct stat st;
	struct line l;
	if (!fd_path(fd, path) || fstat(fd, &st) == -1 ||
	    (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)))
		return real(fd);
	lock();
	int rc = real(fd), saved = errno;
	if (rc == 0 && S_ISDIR(st.st_mode)) {
		line_begin(&l, "fsyncdir");
		put_name(&l, path);
		line_end(&l);
	} else if (rc == 0) {
		int ro = reopen_ro(fd);
		if (ro == -1)
			fatal("reopening a file to copy it");
		copy_blob(ro, blob);
		close(ro);
		log_blob("fsync", &st, blob);
	}
	unlock();
	errno = saved;
	return rc;
}

int
fsync(int fd)
{
	REAL(int (*)(int), "fsync");
	return traced_sync(fd, real);
}

int
fdatasync(int fd)
{
	REAL(int (*)(int), "fdatasync");
	return traced_sync(fd, real);
}

/* "data" lines for every regular file below dirfd we can read. */
static void
snapshot_tree(int dirfd, int depth)
{
	DIR *d = depth < 8 ? fdopendir(dirfd) : NULL;
	struct dirent *de;
	if (d == NULL) {
		close(dirfd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		char blob[64];
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
		    fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1)
			continue;
		if (S_ISDIR(st.st_mode)) {
			int sub = real_openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
			if (sub >= 0)
				snapshot_tree(sub, depth + 1);
			continue;
		}
		int fd = S_ISREG(st.st_mode) ? real_openat(dirfd, de->d_name,
		    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0) : -1;
		if (fd == -1)
			continue;
		copy_blob(fd, blob);
		close(fd);
		log_blob("data", &st, blob);
	}
	closedir(d);
}

int
syncfs(int fd)
{
	REAL(int (*)(int), "syncfs");
	struct stat st, rst;
	struct line l;
	if (!traced() || fstat(fd, &st) == -1 || stat(root, &rst) == -1 || st.st_dev != rst.st_dev)
		return real(fd);
	lock();
	int rc = real(fd), saved = errno;
	if (rc == 0) {
		int rfd = real_open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
		if (rfd >= 0)
			snapshot_tree(rfd, 0);
		line_begin(&l, "syncfs");
		line_end(&l);
	}
	unlock();
	errno = saved;
	return rc;
}
