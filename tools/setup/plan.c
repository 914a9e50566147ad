/* plan: rendering, comparing and writing relayq-setup's files (see
 * plan.h). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "map.h"
#include "mapsrc.h"
#include "plan.h"
#include "redact.h"
#include "relayq.h"
#include "safefile.h"
#include "sender.h"

#define DIFF_PATH "/usr/bin/diff"	/* diffutils: Essential in Debian */

/* The relayq.conf keys relayq-setup owns.  For the smarthost each is set
 * to what was verified, or removed (an old tls_fingerprint or tls_ca
 * would pin or trust the previous relay; an old "auth none" would skip
 * the login), and sender_relay is kept.  For --add-sender only
 * sender_relay and authinfo are added when missing; the rest is kept. */
enum { K_SMARTHOST, K_TLS, K_TLS_CA, K_TLS_FINGERPRINT, K_AUTHINFO, K_AUTH,
	K_SENDER_RELAY, K_COUNT };
static const char *const key_names[K_COUNT] = { "smarthost", "tls", "tls_ca",
	"tls_fingerprint", "authinfo", "auth", "sender_relay" };

enum key_mode {
	KM_REMOVE,	/* every line of the key goes */
	KM_SET,		/* the first line gets the value, later ones go */
	KM_KEEP,	/* lines kept as they are */
	KM_ADD		/* kept as they are; the value appended if none */
};

static int
read_whole(const char *path, struct buf *b, bool *exists, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "r");
	char chunk[4096];
	size_t n;
	*exists = fp != NULL;
	if (fp == NULL) {
		if (errno == ENOENT)
			return 0;
		snprintf_rq(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
		if (buf_append(b, chunk, n) == -1)
			break;
	int bad = ferror(fp) || n > 0;
	explicit_bzero(chunk, sizeof chunk);
	fclose(fp);
	if (bad) {
		snprintf_rq(err, errlen, "%s: cannot read it", path);
		return -1;
	}
	if (b->len > 0 && b->data[b->len - 1] != '\n' && buf_putc(b, '\n') == -1)
		return -1;
	return 0;
}

/* The first word of a line (key) and its length; 0 for blank/comment. */
static size_t
line_key(const char *line, size_t len)
{
	if (len == 0 || line[0] == '#' || isspace((unsigned char)line[0]))
		return 0;
	size_t k = 0;
	while (k < len && !isspace((unsigned char)line[k]))
		k++;
	return k;
}

/* Calls fn for each line (without its LF) of b. */
typedef int (*line_fn)(void *arg, const char *line, size_t len);

static int
each_line(const struct buf *b, line_fn fn, void *arg)
{
	size_t pos = 0;
	while (pos < b->len) {
		const char *nl = memchr(b->data + pos, '\n', b->len - pos);
		size_t len = nl != NULL ? (size_t)(nl - (b->data + pos)) : b->len - pos;
		if (fn(arg, b->data + pos, len) == -1)
			return -1;
		pos += len + 1;
	}
	return 0;
}

/* ---- relayq.conf ---- */

struct conf_render {
	enum key_mode mode[K_COUNT];
	const char *value[K_COUNT];	/* for KM_SET and KM_ADD */
	bool done[K_COUNT];		/* set, or (KM_ADD) present */
	struct buf *out;
};

static int
put_key(struct buf *out, int k, const char *value)
{
	return buf_printf(out, "%-15s %s\n", key_names[k], value);
}

static int
put_line(struct buf *out, const char *line, size_t len)
{
	return buf_append(out, line, len) == -1 || buf_putc(out, '\n') == -1 ? -1 : 0;
}

static int
conf_line(void *arg, const char *line, size_t len)
{
	struct conf_render *r = arg;
	size_t klen = line_key(line, len);
	for (int k = 0; k < K_COUNT && klen > 0; k++) {
		if (strlen(key_names[k]) != klen || strncmp(line, key_names[k], klen) != 0)
			continue;
		if (r->mode[k] == KM_KEEP || r->mode[k] == KM_ADD) {
			r->done[k] = true;
			return put_line(r->out, line, len);
		}
		if (r->mode[k] == KM_REMOVE || r->done[k])
			return 0;
		r->done[k] = true;
		return put_key(r->out, k, r->value[k]);
	}
	return put_line(r->out, line, len);
}

/* The value of a key in an existing relayq.conf (its first line), ""
 * if none. */
struct conf_find {
	const char *key;
	char value[PATH_MAX + 16];
};

static int
find_value(void *arg, const char *line, size_t len)
{
	struct conf_find *f = arg;
	char *out = f->value;
	size_t klen = line_key(line, len);
	if (f->value[0] != '\0' || klen != strlen(f->key) ||
	    strncmp(line, f->key, klen) != 0)
		return 0;
	size_t v = klen;
	while (v < len && isspace((unsigned char)line[v]))
		v++;
	size_t vlen = len - v;
	while (vlen > 0 && isspace((unsigned char)line[v + vlen - 1]))
		vlen--;
	if (vlen < sizeof f->value) {
		memcpy(out, line + v, vlen);
		out[vlen] = '\0';
	}
	return 0;
}

static void
today(char *out, size_t size)
{
	time_t now = time(NULL);
	struct tm tm;
	if (localtime_r(&now, &tm) == NULL || strftime(out, size, "%Y-%m-%d", &tm) == 0)
		strlcpy_rq(out, "today", size);
}

/* What each key becomes: for the smarthost or for --add-sender. */
static void
conf_modes(const struct plan *p, const struct plan_input *in, struct conf_render *r,
    char *hostport, size_t size)
{
	for (int k = 0; k < K_COUNT; k++)
		r->mode[k] = KM_KEEP;
	if (p->with_routes) {
		r->mode[K_SENDER_RELAY] = KM_ADD;
		r->value[K_SENDER_RELAY] = p->route_spec;
		r->mode[K_AUTHINFO] = p->with_authinfo ? KM_ADD : KM_KEEP;
		r->value[K_AUTHINFO] = p->map_spec;
		return;
	}
	snprintf_rq(hostport, size, "%s:%d", in->c->host, in->c->port);
	r->mode[K_SMARTHOST] = r->mode[K_TLS] = KM_SET;
	r->value[K_SMARTHOST] = hostport;
	r->value[K_TLS] = in->c->socket == AC_SOCK_SSL ? "smtps" : "starttls";
	r->mode[K_TLS_CA] = in->tls_ca[0] != '\0' ? KM_SET : KM_REMOVE;
	r->value[K_TLS_CA] = in->tls_ca;
	r->mode[K_TLS_FINGERPRINT] = r->mode[K_AUTH] = KM_REMOVE;
	r->mode[K_AUTHINFO] = p->with_authinfo ? KM_SET : KM_REMOVE;
	r->value[K_AUTHINFO] = p->map_spec;
}

/* The keys to set or add that no line had, after a comment naming
 * relayq-setup in a file that existed. */
static int
conf_append(struct plan *p, const struct plan_input *in, const struct conf_render *r,
    const char *date)
{
	bool header = false;
	for (int k = 0; k < K_COUNT; k++) {
		if ((r->mode[k] != KM_SET && r->mode[k] != KM_ADD) || r->done[k])
			continue;
		if (p->conf.exists && !header && buf_printf(&p->conf.new,
		    "# relayq-setup, %s: %s\n", date, in->email) == -1)
			return -1;
		header = true;
		if (put_key(&p->conf.new, k, r->value[k]) == -1)
			return -1;
	}
	return 0;
}

static int
render_conf(struct plan *p, const struct plan_input *in)
{
	char hostport[300], date[32];
	struct conf_render r = { .out = &p->conf.new };
	conf_modes(p, in, &r, hostport, sizeof hostport);
	today(date, sizeof date);
	if (!p->conf.exists && buf_printf(&p->conf.new, "# relayq.conf(5), written "
	    "by relayq-setup on %s for %s%s%s.\n# Found: %s.\n", date, in->email,
	    in->provider[0] != '\0' ? " at " : "", in->provider, in->c->source) == -1)
		return -1;
	if (each_line(&p->conf.old, conf_line, &r) == -1 ||
	    conf_append(p, in, &r, date) == -1)
		return -1;
	return buf_append(&p->conf.new_shown, p->conf.new.data, p->conf.new.len) == -1 ||
	    buf_append(&p->conf.old_shown, p->conf.old.data, p->conf.old.len) == -1 ? -1 : 0;
}

/* ---- the authinfo source ---- */

/* each_line callback: the line as shown, secrets replaced (redact.h). */
static int
redact_line(void *arg, const char *line, size_t len)
{
	return redact_authinfo_line(arg, line, len);
}

/* A map source with the entries of some keys replaced by one new entry,
 * at the place of the first, or appended; every other line kept. */
struct entry_render {
	char keys[SENDER_KEYS_MAX][SENDER_KEY_MAX];	/* keys[0]: the new one's */
	size_t nkeys;
	bool in_entry;		/* dropping an old entry's continuation lines */
	bool done;
	const struct buf *entry;	/* the new line, with its LF */
	struct buf *out;
	char *old_value;	/* NULL, or gets the value of keys[0]'s entry */
	size_t old_size;
};

static bool
entry_key(const struct entry_render *r, const char *line, size_t klen)
{
	for (size_t i = 0; i < r->nkeys; i++)
		if (klen == strlen(r->keys[i]) && strncasecmp(line, r->keys[i], klen) == 0)
			return true;
	return false;
}

/* The value of an entry line (after the key and its blanks). */
static void
keep_value(struct entry_render *r, const char *line, size_t len, size_t klen)
{
	size_t v = klen;
	while (v < len && isspace((unsigned char)line[v]))
		v++;
	if (r->old_value != NULL && r->old_value[0] == '\0' && len - v < r->old_size &&
	    klen == strlen(r->keys[0]) && strncasecmp(line, r->keys[0], klen) == 0) {
		memcpy(r->old_value, line + v, len - v);
		r->old_value[len - v] = '\0';
	}
}

static int
entry_line(void *arg, const char *line, size_t len)
{
	struct entry_render *r = arg;
	if (r->in_entry && len > 0 && (line[0] == ' ' || line[0] == '\t'))
		return 0;
	r->in_entry = false;
	size_t klen = line_key(line, len);
	if (klen == 0 || !entry_key(r, line, klen))
		return put_line(r->out, line, len);
	r->in_entry = true;
	keep_value(r, line, len, klen);
	if (r->done)
		return 0;
	r->done = true;
	return buf_append(r->out, r->entry->data, r->entry->len);
}

/* r's entry put into old as the new contents out. */
static int
render_entries(struct entry_render *r, const struct buf *old, struct buf *out)
{
	r->out = out;
	if (each_line(old, entry_line, r) == -1)
		return -1;
	return r->done ? 0 : buf_append(out, r->entry->data, r->entry->len);
}

/* The keys the login replaces: "AuthInfo:<host>", or with --add-sender
 * the sender's own (see sender_authinfo_keys). */
static void
authinfo_keys(const struct plan_input *in, const char *old_route, struct entry_render *r)
{
	if (in->sender == NULL) {
		snprintf_rq(r->keys[0], sizeof r->keys[0], "AuthInfo:%s", in->c->host);
		r->nkeys = 1;
		return;
	}
	r->nkeys = sender_authinfo_keys(in->c->host, in->sender, old_route, r->keys,
	    SENDER_KEYS_MAX);
}

static int
render_authinfo(struct plan *p, const struct plan_input *in, const char *old_route)
{
	struct buf entry, value;
	struct entry_render r = { .entry = &entry };
	int rc = -1;
	buf_init(&entry);
	buf_init(&value);
	authinfo_keys(in, old_route, &r);
	if (login_value(in->login, false, &value) == 0 &&
	    buf_printf(&entry, "%s %s\n", r.keys[0], buf_str(&value)) == 0 &&
	    render_entries(&r, &p->authinfo.old, &p->authinfo.new) == 0 &&
	    each_line(&p->authinfo.old, redact_line, &p->authinfo.old_shown) == 0 &&
	    each_line(&p->authinfo.new, redact_line, &p->authinfo.new_shown) == 0)
		rc = 0;
	buf_free_secret(&entry);
	buf_free_secret(&value);
	return rc;
}

/* ---- the sender_relay source (--add-sender) ---- */

/* The sender's line replaced or appended; its old value into old_route
 * (for the AuthInfo keys of the relays it had). */
static int
render_routes(struct plan *p, const struct plan_input *in, char *old_route,
    size_t size)
{
	char value[400];
	struct buf entry;
	struct entry_render r = { .entry = &entry, .nkeys = 1, .old_value = old_route,
		.old_size = size };
	int rc = -1;
	buf_init(&entry);
	old_route[0] = '\0';
	strlcpy_rq(r.keys[0], in->sender, sizeof r.keys[0]);
	sender_route_value(in->c, value, sizeof value);
	if ((p->routes.exists || buf_printf(&p->routes.new, "# sender_relay of "
	    "relayq.conf(5), by relayq-setup: envelope sender, relays\n") == 0) &&
	    buf_printf(&entry, "%s %s\n", in->sender, value) == 0 &&
	    render_entries(&r, &p->routes.old, &p->routes.new) == 0 &&
	    buf_append(&p->routes.new_shown, p->routes.new.data, p->routes.new.len) == 0 &&
	    buf_append(&p->routes.old_shown, p->routes.old.data, p->routes.old.len) == 0)
		rc = 0;
	buf_free(&entry);
	return rc;
}

/* Which map a relayq.conf key names, and its text source. */
struct map_choice {
	const char *key;	/* "authinfo", "sender_relay" */
	const char *given;	/* the option, or NULL */
	char *spec;		/* out: "hash:/etc/relayq/authinfo" */
	size_t specsize;
	struct plan_file *source;	/* out: its path */
};

/* The option with --add-sender must name the map relayq.conf names, if
 * it names one: the first account's entries are there. */
static int
choice_conflict(const struct map_choice *mc, const char *old, bool adding,
    char *err, size_t errlen)
{
	if (!adding || mc->given == NULL || old[0] == '\0' || strcmp(mc->given, old) == 0)
		return 0;
	snprintf_rq(err, errlen, "relayq.conf names %s %s; --add-sender adds to that "
	    "map, not to --%s %s", mc->key, old, strcmp(mc->key, "authinfo") == 0 ?
	    "authinfo" : "sender-relay", mc->given);
	return -1;
}

/* The map spec: the option, the old relayq.conf's, or "hash:" + the
 * key's name next to relayq.conf; the source is its path without .db. */
static int
choose_map(const struct plan *p, const struct plan_input *in, const struct map_choice *mc,
    char *err, size_t errlen)
{
	struct conf_find old = { .key = mc->key };
	char dir[PATH_MAX];
	(void)each_line(&p->conf.old, find_value, &old);
	if (choice_conflict(mc, old.value, in->sender != NULL, err, errlen) == -1)
		return -1;
	if (mc->given != NULL)
		strlcpy_rq(mc->spec, mc->given, mc->specsize);
	else if (old.value[0] != '\0')
		strlcpy_rq(mc->spec, old.value, mc->specsize);
	else {
		strlcpy_rq(dir, in->conf_path, sizeof dir);
		snprintf_rq(mc->spec, mc->specsize, "hash:%s/%s", dirname(dir), mc->key);
	}
	const char *colon = strchr(mc->spec, ':');
	const char *path = colon != NULL && memchr(mc->spec, '/',
	    (size_t)(colon - mc->spec)) == NULL ? colon + 1 : mc->spec;
	size_t len = strlen(path);
	char *out = mc->source->path;
	if (path[0] != '/' || len >= sizeof mc->source->path) {
		snprintf_rq(err, errlen, "%s %s: an absolute path is needed", mc->key,
		    mc->spec);
		return -1;
	}
	strlcpy_rq(out, path, sizeof mc->source->path);
	if (len > 3 && strcmp(out + len - 3, ".db") == 0)
		out[len - 3] = '\0';
	return 0;
}

/* Does an existing file at path let others than root read it? */
static void
check_exposed(const char *path, struct plan_exposed *e)
{
	struct stat st;
	memset(e, 0, sizeof *e);
	if (stat(path, &st) == -1 || safefile_mode_private(st.st_mode, st.st_gid))
		return;
	e->yes = true;
	e->mode = st.st_mode & 07777;
	e->gid = st.st_gid;
}

/* The map file of the spec and, for hash and btree, its exposure. */
static int
check_map(struct plan *p, char *err, size_t errlen)
{
	enum map_type type;
	if (map_parse_spec(p->map_spec, &type, p->map_file, sizeof p->map_file,
	    err, errlen) == -1)
		return -1;
	if (type != MAP_TEXT)
		check_exposed(p->map_file, &p->map_exposed);
	return 0;
}

static void
file_init(struct plan_file *f, mode_t mode)
{
	buf_init(&f->old);
	buf_init(&f->new);
	buf_init(&f->old_shown);
	buf_init(&f->new_shown);
	f->mode = mode;
}

/* With --add-sender: the sender_relay source rendered. */
static int
plan_routes(struct plan *p, const struct plan_input *in, char *old_route, size_t size,
    char *err, size_t errlen)
{
	struct map_choice mc = { "sender_relay", in->route_spec, p->route_spec,
		sizeof p->route_spec, &p->routes };
	enum map_type type;
	char file[PATH_MAX];
	old_route[0] = '\0';
	if (!p->with_routes)
		return 0;
	return choose_map(p, in, &mc, err, errlen) == -1 ||
	    map_parse_spec(p->route_spec, &type, file, sizeof file, err, errlen) == -1 ||
	    read_whole(p->routes.path, &p->routes.old, &p->routes.exists, err,
	    errlen) == -1 || render_routes(p, in, old_route, size) == -1 ? -1 : 0;
}

/* With a password: the authinfo source rendered. */
static int
plan_authinfo(struct plan *p, const struct plan_input *in, const char *old_route,
    char *err, size_t errlen)
{
	struct map_choice mc = { "authinfo", in->authinfo_spec, p->map_spec,
		sizeof p->map_spec, &p->authinfo };
	if (!p->with_authinfo)
		return 0;
	return choose_map(p, in, &mc, err, errlen) == -1 || check_map(p, err, errlen) == -1 ||
	    read_whole(p->authinfo.path, &p->authinfo.old, &p->authinfo.exists, err,
	    errlen) == -1 || render_authinfo(p, in, old_route) == -1 ? -1 : 0;
}

int
plan_make(struct plan *p, const struct plan_input *in, char *err, size_t errlen)
{
	char old_route[MAPSRC_LINE];
	memset(p, 0, sizeof *p);
	file_init(&p->conf, 0644);
	file_init(&p->authinfo, 0600);
	file_init(&p->routes, 0644);
	p->authinfo.secret = true;
	p->with_authinfo = login_given(in->login);
	p->oauth2 = in->login->oauth2_file[0] != '\0';
	p->with_routes = in->sender != NULL;
	strlcpy_rq(p->conf.path, in->conf_path, sizeof p->conf.path);
	if (read_whole(p->conf.path, &p->conf.old, &p->conf.exists, err, errlen) == -1)
		return -1;
	if (plan_routes(p, in, old_route, sizeof old_route, err, errlen) == -1 ||
	    plan_authinfo(p, in, old_route, err, errlen) == -1 ||
	    render_conf(p, in) == -1) {
		if (err[0] == '\0')
			snprintf_rq(err, errlen, "out of memory");
		return -1;
	}
	if (p->with_authinfo)
		check_exposed(p->authinfo.path, &p->authinfo.exposed);
	return 0;
}

static void
file_free(struct plan_file *f)
{
	buf_free_secret(&f->old);
	buf_free_secret(&f->new);
	buf_free(&f->old_shown);
	buf_free(&f->new_shown);
}

void
plan_free(struct plan *p)
{
	file_free(&p->conf);
	file_free(&p->authinfo);
	file_free(&p->routes);
}

static bool
changes(const struct plan_file *f)
{
	return f->old.len != f->new.len || memcmp(f->old.data, f->new.data, f->old.len) != 0;
}

bool
plan_changes_existing(const struct plan *p)
{
	return (p->conf.exists && changes(&p->conf)) ||
	    (p->with_authinfo && p->authinfo.exists && changes(&p->authinfo)) ||
	    (p->with_routes && p->routes.exists && changes(&p->routes));
}

static void
print_exposed(const char *path, const struct plan_exposed *e)
{
	char name[64];
	struct group *g = getgrgid(e->gid);
	if (!e->yes)
		return;
	if (g != NULL)
		strlcpy_rq(name, g->gr_name, sizeof name);
	else
		snprintf_rq(name, sizeof name, "%lu", (unsigned long)e->gid);
	printf("Note: %s has mode %04o and group %s, so others than root can "
	    "read it; it gets mode 0600 before the new password goes in.\n",
	    path, (unsigned)e->mode, name);
}

/* Notes for the files that hold the password and are not private. */
static void
print_exposures(const struct plan *p)
{
	if (!p->with_authinfo)
		return;
	print_exposed(p->authinfo.path, &p->authinfo.exposed);
	print_exposed(p->map_file, &p->map_exposed);
}

static void
print_authinfo(const struct plan *p)
{
	printf("--- %s%s, %s, then built into %s\n%s",
	    p->authinfo.path, p->authinfo.exists ? " (replaces the existing "
	    "file)" : " (new, mode 0600)", p->oauth2 ? "the tokens are in the O: "
	    "file" : "password shown as ***", p->map_spec,
	    buf_str(&p->authinfo.new_shown));
}

static void
print_routes(const struct plan *p)
{
	printf("--- %s%s, then built into %s\n%s", p->routes.path, p->routes.exists ?
	    " (replaces the existing file)" : " (new)", p->route_spec,
	    buf_str(&p->routes.new_shown));
}

void
plan_print(const struct plan *p)
{
	printf("--- %s%s\n%s", p->conf.path, p->conf.exists ? " (replaces the "
	    "existing file)" : " (new)", buf_str(&p->conf.new_shown));
	if (p->with_authinfo)
		print_authinfo(p);
	if (p->with_routes)
		print_routes(p);
	print_exposures(p);
	fflush(stdout);
}

/* Writes b to a new private temporary file in dir; its path into out. */
static int
temp_copy(const char *dir, const char *name, const struct buf *b, char *out,
    size_t size)
{
	snprintf_rq(out, size, "%s/%s", dir, name);
	int fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd == -1)
		return -1;
	ssize_t n = write(fd, b->data, b->len);
	return close(fd) == 0 && n == (ssize_t)b->len ? 0 : -1;
}

/* Runs diff(1) -u on the files a and b, by its absolute path and with a
 * fixed environment: relayq-setup runs as root and must not run whatever
 * "diff" the caller's $PATH finds.  0, or -1 when it could not run. */
static int
run_diff(const char *path, char *a, char *b)
{
	static char *const env[] = { "PATH=/usr/bin:/bin", "LC_ALL=C", NULL };
	char la[PATH_MAX + 16], lb[PATH_MAX + 16];
	snprintf_rq(la, sizeof la, "%s (now)", path);
	snprintf_rq(lb, sizeof lb, "%s (new)", path);
	char *argv[] = { DIFF_PATH, "-u", "--label", la, "--label", lb, a, b, NULL };
	pid_t pid;
	int status;
	fflush(stdout);
	if (posix_spawn(&pid, DIFF_PATH, NULL, NULL, argv, env) != 0)
		return -1;
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return -1;
	/* diff: 0 same, 1 different, 2 trouble */
	return WIFEXITED(status) && WEXITSTATUS(status) <= 1 ? 0 : -1;
}

/* diff -u of the redacted old and new contents of f; the new contents
 * when diff cannot run. */
static void
print_diff(const struct plan_file *f)
{
	char dir[] = "/tmp/relayq-setup.XXXXXX", a[PATH_MAX] = "", b[PATH_MAX] = "";
	bool shown = false;
	if (mkdtemp(dir) != NULL) {
		shown = temp_copy(dir, "old", &f->old_shown, a, sizeof a) == 0 &&
		    temp_copy(dir, "new", &f->new_shown, b, sizeof b) == 0 &&
		    run_diff(f->path, a, b) == 0;
		if (a[0] != '\0')
			(void)unlink(a);	/* best effort: a private 0700 directory */
		if (b[0] != '\0')
			(void)unlink(b);
		(void)rmdir(dir);
	}
	if (!shown)
		printf("--- %s (%s could not compare; the new contents)\n%s", f->path,
		    DIFF_PATH, buf_str(&f->new_shown));
	if (f->old_shown.len == f->new_shown.len && memcmp(f->old_shown.data,
	    f->new_shown.data, f->new_shown.len) == 0)
		printf("(%s: only the password changes)\n", f->path);
}

void
plan_print_diff(const struct plan *p)
{
	if (p->conf.exists && changes(&p->conf))
		print_diff(&p->conf);
	if (p->with_authinfo && p->authinfo.exists && changes(&p->authinfo))
		print_diff(&p->authinfo);
	if (p->with_routes && p->routes.exists && changes(&p->routes))
		print_diff(&p->routes);
	if (p->with_authinfo && !p->authinfo.exists)
		print_authinfo(p);
	if (p->with_routes && !p->routes.exists)
		print_routes(p);
	print_exposures(p);
	fflush(stdout);
}

/* Temporary file next to path, fsync, rename, fsync of the directory.
 * An existing file keeps its owner, group and mode, except that a secret
 * one others than root could read gets mode 0600: the temporary file
 * has that mode before the secret is written into it. */
static int
write_atomic(const struct plan_file *f, char *err, size_t errlen)
{
	char tmp[PATH_MAX + 16], dir[PATH_MAX];
	struct stat st;
	mode_t mode = f->mode;
	uid_t uid = (uid_t)-1;
	gid_t gid = (gid_t)-1;
	if (stat(f->path, &st) == 0) {
		mode = st.st_mode & 07777;
		uid = st.st_uid;
		gid = st.st_gid;
		if (f->secret && !safefile_mode_private(mode, gid))
			mode = 0600;
	}
	snprintf_rq(tmp, sizeof tmp, "%s.XXXXXX", f->path);
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd == -1) {
		snprintf_rq(err, errlen, "%s: %s", f->path, strerror(errno));
		return -1;
	}
	bool ok = fchmod(fd, mode) == 0 && (uid == (uid_t)-1 || fchown(fd, uid, gid) == 0) &&
	    write(fd, f->new.data, f->new.len) == (ssize_t)f->new.len && fsync(fd) == 0;
	int saved = errno;
	if (close(fd) != 0 && ok) {
		ok = false;
		saved = errno;
	}
	if (!ok || rename(tmp, f->path) != 0) {
		if (ok)
			saved = errno;
		unlink(tmp);
		snprintf_rq(err, errlen, "%s: %s", f->path, strerror(saved));
		return -1;
	}
	strlcpy_rq(dir, f->path, sizeof dir);
	int dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd != -1) {
		(void)fsync(dfd);
		close(dfd);
	}
	return 0;
}

/* The map spec from its source f just written: the same reader and
 * writer as relayq-makemap (mapsrc, map_writer); a secret one private. */
static int
build_map(const char *spec, const struct plan_file *f, char *err, size_t errlen)
{
	enum map_type type;
	char file[PATH_MAX], msg[RELAYQ_ERRLEN];
	struct map_writer *w;
	struct map_wopts wo = { f->secret ? MAP_W_PRIVATE : 0, 0, (uid_t)-1,
	    geteuid() == 0 ? (uid_t)-1 : geteuid() };
	if (map_parse_spec(spec, &type, file, sizeof file, err, errlen) == -1)
		return -1;
	if (type == MAP_TEXT)
		return 0;
	FILE *fp = fopen(f->path, "r");
	if (fp == NULL) {
		snprintf_rq(err, errlen, "%s: %s", f->path, strerror(errno));
		return -1;
	}
	if (map_writer_open(&w, type, file, &wo, err, errlen) == -1) {
		fclose(fp);
		return -1;
	}
	struct mapsrc src;
	struct mapsrc_rec r;
	int rc;
	mapsrc_init(&src, fp);
	src.fold = true;
	src.secret = f->secret;
	while ((rc = mapsrc_next(&src, &r, msg, sizeof msg)) != 0) {
		int put = rc == 1 ? map_writer_put(w, r.key, r.klen, r.val, r.vlen,
		    msg, sizeof msg) : -1;
		if (put == 0)
			continue;
		snprintf_rq(err, errlen, "%s:%u: %s", f->path, src.lineno,
		    put == 1 ? "duplicate key (key not shown)" : msg);
		break;
	}
	explicit_bzero(src.line, sizeof src.line);
	fclose(fp);
	if (rc != 0) {
		map_writer_abort(w);
		return -1;
	}
	return map_writer_commit(w, err, errlen);
}

int
plan_write(const struct plan *p, char *err, size_t errlen)
{
	if (p->with_authinfo && (write_atomic(&p->authinfo, err, errlen) == -1 ||
	    build_map(p->map_spec, &p->authinfo, err, errlen) == -1))
		return -1;
	if (p->with_routes && (write_atomic(&p->routes, err, errlen) == -1 ||
	    build_map(p->route_spec, &p->routes, err, errlen) == -1))
		return -1;
	return write_atomic(&p->conf, err, errlen);
}
