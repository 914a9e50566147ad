/* reload: stamps of the files only root may read, to notice changes. */
#include "reload.h"
#include "buf.h"
#include "map.h"
#include "relayq.h"

#include <string.h>
#include <sys/stat.h>

static void
stamp_one(struct reload_stamp *s, size_t i, const char *path)
{
	struct stat st;
	strlcpy_rq(s->f[i].path, path, sizeof s->f[i].path);
	s->f[i].exists = path[0] != '\0' && stat(path, &st) == 0;
	if (!s->f[i].exists)
		return;
	s->f[i].dev = st.st_dev;
	s->f[i].ino = st.st_ino;
	s->f[i].size = st.st_size;
	s->f[i].ctime = st.st_ctim;
	s->f[i].mtime = st.st_mtim;
}

void
reload_stamp_take(struct reload_stamp *s, const struct conf *c)
{
	char file[PATH_MAX] = "", err[RELAYQ_ERRLEN];
	enum map_type type;
	memset(s, 0, sizeof *s);
	if (c->authinfo[0] != '\0' &&
	    map_parse_spec(c->authinfo, &type, file, sizeof file, err, sizeof err) == -1)
		file[0] = '\0';
	stamp_one(s, 0, c->path);
	stamp_one(s, 1, file);
	stamp_one(s, 2, c->tls_ca);
	stamp_one(s, 3, c->tls_cert);
	stamp_one(s, 4, c->tls_key);
}

static bool
same_time(struct timespec a, struct timespec b)
{
	return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

const char *
reload_stamp_changed(const struct reload_stamp *s)
{
	struct reload_stamp now;
	for (size_t i = 0; i < RELOAD_FILES; i++) {
		if (s->f[i].path[0] == '\0')
			continue;
		stamp_one(&now, i, s->f[i].path);
		if (now.f[i].exists != s->f[i].exists || now.f[i].dev != s->f[i].dev ||
		    now.f[i].ino != s->f[i].ino || now.f[i].size != s->f[i].size ||
		    !same_time(now.f[i].ctime, s->f[i].ctime) ||
		    !same_time(now.f[i].mtime, s->f[i].mtime))
			return s->f[i].path;
	}
	return NULL;
}
