/* map_db: Berkeley DB 5.3 hash/btree files as sendmail's libsmdb writes
 * them (h_nelem 4096, 1 MiB cache); the only file that includes <db.h>. */
#include "map_db.h"

#include <db.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "map_type.h"

#define HASH_NELEM 4096			/* makemap's DB_HASH_NELEM */
#define DEFAULT_CACHE (1024 * 1024)	/* makemap's default -c */

struct mapdb {
	DB *db;
};

/* Berkeley DB would print its own diagnostics on stderr (for instance
 * when it initialises our empty mkstemp file); we report the return code. */
static void
quiet(const DB_ENV *env, const char *pfx, const char *msg)
{
	(void)env;
	(void)pfx;
	(void)msg;
}

static int
create_quiet(DB **db)
{
	int rc = db_create(db, NULL, 0);

	if (rc == 0)
		(*db)->set_errcall(*db, quiet);
	return rc;
}

static DBTYPE
db_type(enum map_type t)
{
	return t == MAP_BTREE ? DB_BTREE : DB_HASH;
}

static void
db_err(char *err, size_t errlen, const char *what, const char *file, int rc)
{
	snprintf_rq(err, errlen, "%s: %s: %s", file, what, db_strerror(rc));
}

/* The inode Berkeley DB opened must be the one we checked. */
static int
same_file(DB *db, int fd, const char *file, char *err, size_t errlen)
{
	struct stat a, b;
	int dbfd;

	if (db->fd(db, &dbfd) != 0 || fstat(dbfd, &a) < 0 || fstat(fd, &b) < 0) {
		snprintf_rq(err, errlen, "%s: cannot stat open map", file);
		return -1;
	}
	if (a.st_dev != b.st_dev || a.st_ino != b.st_ino) {
		snprintf_rq(err, errlen, "%s: file changed while opening", file);
		return -1;
	}
	return 0;
}

static int
check_type(DB *db, enum map_type type, const char *file, char *err,
    size_t errlen)
{
	DBTYPE got;

	if (db->get_type(db, &got) != 0 || got != db_type(type)) {
		snprintf_rq(err, errlen, "%s: not a %s map", file,
		    map_type_name(type));
		return -1;
	}
	return 0;
}

const char *
mapdb_version(void)
{
	return db_version(NULL, NULL, NULL);
}

int
mapdb_open_read(struct mapdb **dp, enum map_type type, const char *file,
    int fd, char *err, size_t errlen)
{
	DB *db;
	int rc;

	*dp = NULL;
	if ((rc = create_quiet(&db)) != 0) {
		db_err(err, errlen, "db_create", file, rc);
		return -1;
	}
	/* No environment, DB_RDONLY: no Berkeley DB locks at all. */
	rc = db->open(db, NULL, file, NULL, DB_UNKNOWN, DB_RDONLY, 0);
	if (rc != 0) {
		db_err(err, errlen, "cannot open map", file, rc);
		db->close(db, 0);
		return -1;
	}
	if (check_type(db, type, file, err, errlen) < 0 ||
	    (fd >= 0 && same_file(db, fd, file, err, errlen) < 0) ||
	    (*dp = calloc(1, sizeof **dp)) == NULL) {
		if (*err == '\0')
			snprintf_rq(err, errlen, "%s: out of memory", file);
		db->close(db, 0);
		return -1;
	}
	(*dp)->db = db;
	return 0;
}

int
mapdb_get(struct mapdb *d, const void *key, size_t klen, const void **val,
    size_t *vlen, bool *found, char *err, size_t errlen)
{
	DBT k, v;
	int rc;

	memset(&k, 0, sizeof k);
	memset(&v, 0, sizeof v);
	k.data = (void *)key;
	k.size = (u_int32_t)klen;
	rc = d->db->get(d->db, NULL, &k, &v, 0);
	*found = rc == 0;
	if (rc == DB_NOTFOUND || rc == 0) {
		*val = v.data;
		*vlen = v.size;
		return 0;
	}
	snprintf_rq(err, errlen, "map lookup: %s", db_strerror(rc));
	return -1;
}

int
mapdb_iterate(struct mapdb *d, map_iter_fn fn, void *arg, char *err,
    size_t errlen)
{
	DBC *c;
	DBT k, v;
	int rc, r = 0;

	if ((rc = d->db->cursor(d->db, NULL, &c, 0)) != 0) {
		snprintf_rq(err, errlen, "cannot create cursor: %s",
		    db_strerror(rc));
		return -1;
	}
	memset(&k, 0, sizeof k);
	memset(&v, 0, sizeof v);
	while (r == 0 && (rc = c->get(c, &k, &v, DB_NEXT)) == 0)
		r = fn(arg, k.data, k.size, v.data, v.size);
	c->close(c);
	if (r == 0 && rc != DB_NOTFOUND) {
		snprintf_rq(err, errlen, "map read: %s", db_strerror(rc));
		return -1;
	}
	return r;
}

static int
set_params(DB *db, enum map_type type, bool dup, size_t cachesize)
{
	int rc = db->set_cachesize(db, 0,
	    (u_int32_t)(cachesize ? cachesize : DEFAULT_CACHE), 0);

	if (rc == 0 && type == MAP_HASH)
		rc = db->set_h_nelem(db, HASH_NELEM);
	if (rc == 0 && dup)
		rc = db->set_flags(db, DB_DUP);
	return rc;
}

int
mapdb_open_write(struct mapdb **dp, enum map_type type, const char *file,
    bool dup, size_t cachesize, char *err, size_t errlen)
{
	DB *db;
	int rc;

	*dp = NULL;
	if ((rc = create_quiet(&db)) != 0) {
		db_err(err, errlen, "db_create", file, rc);
		return -1;
	}
	rc = set_params(db, type, dup, cachesize);
	if (rc == 0)
		rc = db->open(db, NULL, file, NULL, db_type(type), DB_CREATE,
		    0600);
	if (rc != 0) {
		db_err(err, errlen, "cannot create map", file, rc);
		db->close(db, 0);
		return -1;
	}
	if ((*dp = calloc(1, sizeof **dp)) == NULL) {
		snprintf_rq(err, errlen, "%s: out of memory", file);
		db->close(db, 0);
		return -1;
	}
	(*dp)->db = db;
	return 0;
}

int
mapdb_put(struct mapdb *d, const void *key, size_t klen, const void *val,
    size_t vlen, bool replace, char *err, size_t errlen)
{
	DBT k, v;
	u_int32_t flags = 0;
	int rc;

	memset(&k, 0, sizeof k);
	memset(&v, 0, sizeof v);
	k.data = (void *)key;
	k.size = (u_int32_t)klen;
	v.data = (void *)val;
	v.size = (u_int32_t)vlen;
	if (!replace) {
		u_int32_t dbflags = 0;
		if (d->db->get_flags(d->db, &dbflags) == 0 &&
		    !(dbflags & DB_DUP))
			flags = DB_NOOVERWRITE;
	}
	rc = d->db->put(d->db, NULL, &k, &v, flags);
	if (rc == DB_KEYEXIST)
		return 1;
	if (rc != 0) {
		snprintf_rq(err, errlen, "put error: %s", db_strerror(rc));
		return -1;
	}
	return 0;
}

int
mapdb_close(struct mapdb *d, char *err, size_t errlen)
{
	int rc;

	if (d == NULL)
		return 0;
	rc = d->db->close(d->db, 0);
	free(d);
	if (rc != 0) {
		snprintf_rq(err, errlen, "close error: %s", db_strerror(rc));
		return -1;
	}
	return 0;
}
