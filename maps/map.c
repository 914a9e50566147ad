/* map: "type:path" maps with sendmail's key conventions (case folding,
 * with/without trailing NUL) over the Berkeley DB and text backends. */
#include "map.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "buf.h"
#include "map_db.h"
#include "map_text.h"
#include "map_type.h"
#include "mapsrc.h"
#include "safefile.h"

struct map {
	enum map_type type;
	int flags;
	int fd;			/* the checked descriptor; holds LOCK_SH */
	struct mapdb *db;
	struct maptext *text;
	unsigned hit_line;	/* text maps: line of the last hit */
	char file[PATH_MAX];
};

int
map_file_name(enum map_type type, const char *mapname, char *file,
    size_t filelen)
{
	size_t n = strlen(mapname);
	bool has_db = n >= 3 && strcmp(mapname + n - 3, ".db") == 0;
	const char *ext = type != MAP_TEXT && !has_db ? ".db" : "";

	if (n == 0 || n + strlen(ext) + 1 > filelen) {
		errno = ENAMETOOLONG;
		return -1;
	}
	snprintf_rq(file, filelen, "%s%s", mapname, ext);
	return 0;
}

int
map_parse_spec(const char *spec, enum map_type *type, char *file,
    size_t filelen, char *err, size_t errlen)
{
	const char *colon = strchr(spec, ':');
	const char *path = spec;
	char tname[16];

	*type = MAP_HASH;
	if (colon != NULL && memchr(spec, '/', (size_t)(colon - spec)) == NULL) {
		size_t n = (size_t)(colon - spec);
		if (n >= sizeof tname)
			n = sizeof tname - 1;
		memcpy(tname, spec, n);
		tname[n] = '\0';
		if (map_type_from_name(tname, type) < 0) {
			snprintf_rq(err, errlen, "%s: unknown map type \"%s\"",
			    spec, tname);
			return -1;
		}
		path = colon + 1;
	}
	if (map_file_name(*type, path, file, filelen) < 0) {
		snprintf_rq(err, errlen, "%s: bad map name", spec);
		return -1;
	}
	return 0;
}

/* The checked descriptor: safefile rules when asked, else plain open. */
static int
open_checked(const char *file, int flags, uid_t trusted, char *err,
    size_t errlen)
{
	struct safefile_rules r = { trusted, (flags & MAP_F_SECRET) ==
	    MAP_F_SECRET, (flags & MAP_F_SAFE) != 0 };
	struct stat st;

	if (flags & MAP_F_SAFE)
		return safefile_open(file, &r, &st, err, errlen);
	int fd = open(file, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		snprintf_rq(err, errlen, "%s: %s", file, strerror(errno));
	return fd;
}

/* A shared lock like sendmail's readers: only an in-place writer (sendmail's
 * own makemap) waits for it; relayq-makemap renames and never does. */
static int
lock_shared(int fd, const char *file, char *err, size_t errlen)
{
	for (int i = 0; i < 50; i++) {
		if (flock(fd, LOCK_SH | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			break;
		usleep(100000);
	}
	snprintf_rq(err, errlen, "%s: cannot lock map: %s", file,
	    strerror(errno));
	return -1;
}

static int
open_backend(struct map *m, uid_t trusted, char *err, size_t errlen)
{
	m->fd = open_checked(m->file, m->flags, trusted, err, errlen);
	if (m->fd < 0 || lock_shared(m->fd, m->file, err, errlen) < 0)
		return -1;
	if (m->type != MAP_TEXT)
		return mapdb_open_read(&m->db, m->type, m->file, m->fd, err,
		    errlen);
	int fd2 = dup(m->fd);
	FILE *fp = fd2 < 0 ? NULL : fdopen(fd2, "r");
	if (fp == NULL) {
		snprintf_rq(err, errlen, "%s: %s", m->file, strerror(errno));
		if (fd2 >= 0)
			close(fd2);
		return -1;
	}
	int r = maptext_load(&m->text, fp, m->file,
	    (m->flags & MAP_F_NOFOLD) != 0, err, errlen);
	fclose(fp);
	return r;
}

int
map_open_type(struct map **mp, enum map_type type, const char *file,
    int flags, uid_t trusted_uid, char *err, size_t errlen)
{
	struct map *m = calloc(1, sizeof *m);

	*mp = NULL;
	if (m == NULL) {
		snprintf_rq(err, errlen, "%s: out of memory", file);
		return -1;
	}
	m->type = type;
	m->flags = flags;
	m->fd = -1;
	strlcpy_rq(m->file, file, sizeof m->file);
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (open_backend(m, trusted_uid, err, errlen) < 0) {
		map_close(m);
		return -1;
	}
	*mp = m;
	return 0;
}

int
map_open(struct map **mp, const char *spec, int flags, uid_t trusted_uid,
    char *err, size_t errlen)
{
	enum map_type type;
	char file[PATH_MAX];

	*mp = NULL;
	if (map_parse_spec(spec, &type, file, sizeof file, err, errlen) < 0)
		return -1;
	return map_open_type(mp, type, file, flags, trusted_uid, err, errlen);
}

/* One raw lookup in the backend. */
static int
raw_get(struct map *m, const char *key, size_t klen, const char **v,
    size_t *vl, bool *found, char *err, size_t errlen)
{
	const void *dv;

	if (m->type == MAP_TEXT) {
		maptext_get(m->text, key, klen, v, vl, &m->hit_line, found);
		return 0;
	}
	if (mapdb_get(m->db, key, klen, &dv, vl, found, err, errlen) < 0)
		return -1;
	*v = dv;
	return 0;
}

int
map_lookup(struct map *m, const char *key, struct buf *val, bool *found,
    char *err, size_t errlen)
{
	char k[MAPSRC_LINE + 1];
	size_t klen = strlen(key);
	const char *v = NULL;
	size_t vl = 0;
	int r = 0;

	*found = false;
	if (klen >= sizeof k) {
		snprintf_rq(err, errlen, "%s: key too long", m->file);
		return -1;
	}
	for (size_t i = 0; i <= klen; i++)	/* copies the NUL too */
		k[i] = (m->flags & MAP_F_NOFOLD) ? key[i] :
		    (char)tolower((unsigned char)key[i]);
	if (!(m->flags & MAP_F_NUL))
		r = raw_get(m, k, klen, &v, &vl, found, err, errlen);
	if (r == 0 && !*found && !(m->flags & MAP_F_NONUL) &&
	    m->type != MAP_TEXT)
		r = raw_get(m, k, klen + 1, &v, &vl, found, err, errlen);
	if (r < 0 || !*found)
		return r;
	if (vl > 0 && v[vl - 1] == '\0')
		vl--;
	buf_reset(val);
	if (buf_append(val, v, vl) < 0) {
		snprintf_rq(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

int
map_iterate(struct map *m, map_iter_fn fn, void *arg, char *err,
    size_t errlen)
{
	if (m->type == MAP_TEXT)
		return maptext_iterate(m->text, fn, arg);
	return mapdb_iterate(m->db, fn, arg, err, errlen);
}

const char *
map_file(const struct map *m)
{
	return m->file;
}

unsigned
map_hit_line(const struct map *m)
{
	return m->type == MAP_TEXT ? m->hit_line : 0;
}

void
map_close(struct map *m)
{
	char ignore[8];

	if (m == NULL)
		return;
	if (m->db != NULL)
		(void)mapdb_close(m->db, ignore, sizeof ignore);
	maptext_free(m->text);
	if (m->fd >= 0)
		close(m->fd);	/* drops the shared lock */
	free(m);
}
