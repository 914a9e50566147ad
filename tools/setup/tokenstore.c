/* tokenstore: the OAuth2 token state file (see tokenstore.h). */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "durable.h"
#include "relayq.h"
#include "tokenfile.h"
#include "tokenstore.h"

/* Could s go into an "O:" item literally (login.c's rule)? */
static bool
item_safe(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || s[0] == ' ' || s[n - 1] == ' ')
		return false;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f || *s == '"' ||
		    *s == '\\')
			return false;
	return true;
}

int
token_path(const char *dir, const char *user, char *out, size_t size, char *err,
    size_t errlen)
{
	if (user[0] == '\0' || user[0] == '.' || strchr(user, '/') != NULL) {
		snprintf_rq(err, errlen, "%s cannot name a token file", user);
		return -1;
	}
	if (dir[0] != '/') {
		snprintf_rq(err, errlen, "--oauth2-dir %s: an absolute path is needed", dir);
		return -1;
	}
	int n = snprintf(out, size, "%s/%s", dir, user);
	if (n < 0 || (size_t)n >= size || !item_safe(out)) {
		snprintf_rq(err, errlen, "%s/%s: too long, or it cannot go into an "
		    "authinfo entry (quotes, backslashes, control characters)", dir, user);
		return -1;
	}
	return 0;
}

/* relayq's uid and gid when we are root and it exists, else ours. */
static void
owner(uid_t *uid, gid_t *gid)
{
	struct passwd *pw = geteuid() == 0 ? getpwnam(TOKEN_OWNER) : NULL;
	*uid = pw != NULL ? pw->pw_uid : geteuid();
	*gid = pw != NULL ? pw->pw_gid : getegid();
}

/* The directory: made (parents 0755, itself 0700) when missing; a real
 * directory, not a symbolic link, owned by the owner, mode 0700. */
static int
make_dir(const char *dir, uid_t uid, gid_t gid, char *err, size_t errlen)
{
	char parent[PATH_MAX];
	struct stat st;
	if (lstat(dir, &st) == -1) {
		strlcpy_rq(parent, dir, sizeof parent);
		char *p = dirname(parent);
		if (errno != ENOENT || (strcmp(p, dir) != 0 && lstat(p, &st) == -1 &&
		    make_dir(p, (uid_t)-1, (gid_t)-1, err, errlen) == -1))
			goto fail;
		if (mkdir(dir, uid == (uid_t)-1 ? 0755 : 0700) == -1 && errno != EEXIST)
			goto fail;
		if (lstat(dir, &st) == -1)
			goto fail;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf_rq(err, errlen, "%s: not a directory", dir);
		return -1;
	}
	if (uid == (uid_t)-1)
		return 0;	/* a parent: left as it is */
	if (((st.st_uid != uid || st.st_gid != gid) && chown(dir, uid, gid) == -1) ||
	    ((st.st_mode & 07777) != 0700 && chmod(dir, 0700) == -1))
		goto fail;
	return 0;
fail:
	snprintf_rq(err, errlen, "%s: %s", dir, strerror(errno));
	return -1;
}

/* The file's text: a comment, then tokenfile's format (the one reader
 * and writer relayqd and relayq-oauth2-refresh use). */
static int
render(struct buf *b, const struct token_record *r)
{
	char date[32];
	time_t now = time(NULL);
	struct tm tm;
	if (localtime_r(&now, &tm) == NULL || strftime(date, sizeof date,
	    "%Y-%m-%d %H:%M:%S", &tm) == 0)
		strlcpy_rq(date, "today", sizeof date);
	struct tokenfile tf = { (char *)r->token_endpoint, (char *)r->client_id, NULL,
		(char *)r->scope, (char *)r->user,
		r->ca_file != NULL && r->ca_file[0] != '\0' ? (char *)r->ca_file : NULL,
		(char *)r->refresh_token, (char *)r->access_token, r->expires, { 0 } };
	buf_init(&tf.extra);
	return buf_printf(b, "# relayq OAuth2 token state for %s, by relayq-setup "
	    "--oauth2 on %s.\n# relayq-oauth2-refresh keeps it current; secret: "
	    "mode 0600, never copy it into logs.\n", r->user, date) == -1 ||
	    tokenfile_format(&tf, b) == -1 ? -1 : 0;
}

/* tmp in dirfd, private from the start, owned by uid:gid, renamed to
 * name, the directory synced. */
static int
write_file(int dirfd, const char *name, const struct buf *b, uid_t uid, gid_t gid)
{
	char tmp[NAME_MAX + 1];
	snprintf_rq(tmp, sizeof tmp, ".%.200s.%ld.tmp", name, (long)getpid());
	(void)unlinkat(dirfd, tmp, 0);
	int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (fd == -1)
		return -1;
	bool ok = fchmod(fd, 0600) == 0 && fchown(fd, uid, gid) == 0 &&
	    write(fd, b->data, b->len) == (ssize_t)b->len && fsync(fd) == 0;
	int saved = errno;
	if (close(fd) == -1 && ok) {
		ok = false;
		saved = errno;
	}
	if (ok && renameat(dirfd, tmp, dirfd, name) == -1) {
		ok = false;
		saved = errno;
	}
	if (!ok) {
		(void)unlinkat(dirfd, tmp, 0);
		errno = saved;
		return -1;
	}
	return durable_sync_dir(dirfd);
}

int
token_store(const char *path, const struct token_record *r, char *err, size_t errlen)
{
	char dir[PATH_MAX], base[PATH_MAX];
	uid_t uid;
	gid_t gid;
	struct buf b;
	strlcpy_rq(dir, path, sizeof dir);
	strlcpy_rq(base, path, sizeof base);
	owner(&uid, &gid);
	if (make_dir(dirname(dir), uid, gid, err, errlen) == -1)
		return -1;
	int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (dirfd == -1) {
		snprintf_rq(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	buf_init(&b);
	int rc = render(&b, r);
	if (rc == 0)
		rc = write_file(dirfd, basename(base), &b, uid, gid);
	if (rc == -1)
		snprintf_rq(err, errlen, "%s: %s", path, b.len == 0 ? "a value cannot be "
		    "stored (a control character in it), or out of memory" : strerror(errno));
	buf_free_secret(&b);
	close(dirfd);
	return rc;
}
