/* map_write: builds a map in a temporary file beside the target, then
 * fsync + rename + directory fsync, so a reader sees the old or new map. */
#include "map.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "map_db.h"
#include "mapsrc.h"
#include "safefile.h"

#define NEW_MAP_MODE 0640	/* makemap's DBMMODE */

struct map_writer {
	enum map_type type;
	int flags;
	struct mapdb *db;
	struct stat old;	/* valid when have_old */
	bool have_old;
	char file[PATH_MAX];	/* final name (symlink resolved with -s) */
	char tmp[PATH_MAX];
	char dir[PATH_MAX];
};

static int
fail(char *err, size_t errlen, const char *file, const char *why)
{
	snprintf_rq(err, errlen, "%s: %s", file, why);
	return -1;
}

/* Existing target: symlinks only with -s (then the link's target is
 * replaced, as makemap writes through it); regular files only. */
static int
examine_target(struct map_writer *w, const char *file, char *err,
    size_t errlen)
{
	struct stat st;

	strlcpy_rq(w->file, file, sizeof w->file);
	if (lstat(file, &st) < 0)
		return errno == ENOENT ? 0 : fail(err, errlen, file,
		    strerror(errno));
	if (S_ISLNK(st.st_mode)) {
		if (!(w->flags & MAP_W_UNSAFE))
			return fail(err, errlen, file,
			    "Symbolic links not allowed");
		if (realpath(file, w->file) == NULL)
			return fail(err, errlen, file, strerror(errno));
		if (stat(w->file, &st) < 0)
			return errno == ENOENT ? 0 : fail(err, errlen, file,
			    strerror(errno));
	}
	if (!S_ISREG(st.st_mode))
		return fail(err, errlen, file, "not a regular file");
	w->old = st;
	w->have_old = true;
	return 0;
}

static int
copy_fd(int from, int to)
{
	char b[65536];
	ssize_t n;

	while ((n = read(from, b, sizeof b)) > 0) {
		for (ssize_t off = 0; off < n;) {
			ssize_t k = write(to, b + off, (size_t)(n - off));
			if (k < 0)
				return -1;
			off += k;
		}
	}
	return n < 0 ? -1 : 0;
}

/* -o: start from a byte copy of the old map. */
static int
copy_old(struct map_writer *w, int tfd, char *err, size_t errlen)
{
	int fd = open(w->file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return fail(err, errlen, w->file, strerror(errno));
	int r = copy_fd(fd, tfd);
	close(fd);
	return r < 0 ? fail(err, errlen, w->tmp, strerror(errno)) : 0;
}

/* The mode of the new map: the old one's, else 0640; with MAP_W_PRIVATE
 * 0600 when that would let others than root's group read it. */
static mode_t
new_mode(const struct map_writer *w)
{
	mode_t mode = w->have_old ? (w->old.st_mode & 07777) : NEW_MAP_MODE;
	gid_t gid = w->have_old ? w->old.st_gid : getegid();

	if ((w->flags & MAP_W_PRIVATE) && !safefile_mode_private(mode, gid))
		return 0600;
	return mode;
}

/* Old map's owner, group and mode, else 0640 and the requested owner. */
static int
set_perms(struct map_writer *w, int tfd, const struct map_wopts *o,
    char *err, size_t errlen)
{
	mode_t mode = new_mode(w);
	uid_t uid = w->have_old ? w->old.st_uid : o->new_owner;
	gid_t gid = w->have_old ? w->old.st_gid : (gid_t)-1;

	bool change = (uid != (uid_t)-1 && uid != geteuid()) ||
	    (gid != (gid_t)-1 && gid != getegid());

	if (change && fchown(tfd, uid, gid) < 0)
		return fail(err, errlen, w->tmp, strerror(errno));
	if (fchmod(tfd, mode) < 0)
		return fail(err, errlen, w->tmp, strerror(errno));
	return 0;
}

static int
make_temp(struct map_writer *w, const struct map_wopts *o, char *err,
    size_t errlen)
{
	char copy[PATH_MAX];

	strlcpy_rq(copy, w->file, sizeof copy);
	strlcpy_rq(w->dir, dirname(copy), sizeof w->dir);
	strlcpy_rq(copy, w->file, sizeof copy);
	snprintf_rq(w->tmp, sizeof w->tmp, "%s/.%s.XXXXXX", w->dir,
	    basename(copy));
	int tfd = mkostemp(w->tmp, O_CLOEXEC);
	if (tfd < 0) {
		w->tmp[0] = '\0';
		return fail(err, errlen, w->file, strerror(errno));
	}
	int r = 0;
	if ((w->flags & MAP_W_APPEND) && w->have_old)
		r = copy_old(w, tfd, err, errlen);
	if (r == 0)
		r = set_perms(w, tfd, o, err, errlen);
	close(tfd);
	return r;
}

int
map_writer_open(struct map_writer **wp, enum map_type type,
    const char *file, const struct map_wopts *o, char *err, size_t errlen)
{
	struct map_writer *w = calloc(1, sizeof *w);

	*wp = NULL;
	if (w == NULL)
		return fail(err, errlen, file, "out of memory");
	w->type = type;
	w->flags = o->flags;
	if (type == MAP_TEXT) {
		free(w);
		return fail(err, errlen, file,
		    "text maps are read-only (build hash or btree)");
	}
	if (examine_target(w, file, err, errlen) < 0 ||
	    (!(w->flags & MAP_W_UNSAFE) &&
	    safefile_check_dirs(w->file, o->trusted_uid, err, errlen) < 0) ||
	    make_temp(w, o, err, errlen) < 0 ||
	    mapdb_open_write(&w->db, type, w->tmp, (w->flags & MAP_W_DUP) != 0,
	    o->cachesize, err, errlen) < 0) {
		map_writer_abort(w);
		return -1;
	}
	*wp = w;
	return 0;
}

int
map_writer_put(struct map_writer *w, const char *key, size_t klen,
    const char *val, size_t vlen, char *err, size_t errlen)
{
	char k[MAPSRC_LINE + 1];
	struct buf v;
	bool nul = (w->flags & MAP_W_NUL) != 0;

	if (klen + 1 > sizeof k)
		return fail(err, errlen, w->file, "key too long");
	for (size_t i = 0; i < klen; i++)
		k[i] = (w->flags & MAP_W_NOFOLD) ? key[i] :
		    (char)tolower((unsigned char)key[i]);
	k[klen] = '\0';
	buf_init(&v);
	if (buf_append(&v, val, vlen) < 0)
		return fail(err, errlen, w->file, "out of memory");
	/* buf keeps a NUL after the data: -N stores it with the value. */
	int r = mapdb_put(w->db, k, klen + nul, v.data ? v.data : "",
	    vlen + nul, (w->flags & MAP_W_REPLACE) != 0, err, errlen);
	buf_free_secret(&v);
	return r;
}

static int
sync_path(const char *path, int oflags)
{
	int fd = open(path, oflags | O_CLOEXEC);

	if (fd < 0)
		return -1;
	int r = fsync(fd);
	close(fd);
	return r;
}

int
map_writer_commit(struct map_writer *w, char *err, size_t errlen)
{
	struct mapdb *db = w->db;
	int r;

	w->db = NULL;
	r = mapdb_close(db, err, errlen);
	if (r == 0 && sync_path(w->tmp, O_RDONLY) < 0)
		r = fail(err, errlen, w->tmp, strerror(errno));
	if (r == 0 && rename(w->tmp, w->file) < 0)
		r = fail(err, errlen, w->file, strerror(errno));
	if (r == 0) {
		w->tmp[0] = '\0';
		/* The rename is only durable once the directory is. */
		if (sync_path(w->dir, O_RDONLY | O_DIRECTORY) < 0)
			r = fail(err, errlen, w->dir, strerror(errno));
	}
	map_writer_abort(w);
	return r;
}

void
map_writer_abort(struct map_writer *w)
{
	char ignore[8];

	if (w == NULL)
		return;
	if (w->db != NULL)
		(void)mapdb_close(w->db, ignore, sizeof ignore);
	if (w->tmp[0] != '\0')
		(void)unlink(w->tmp);
	free(w);
}
