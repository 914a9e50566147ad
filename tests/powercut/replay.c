/* replay: the checker of the power-cut test (t_powercut.sh).  It reads a
 * trace written by fstrace.so and computes, for every cut point k (power
 * lost after the first k steps), what a STRICT POSIX file system still
 * holds:
 *   - a file's bytes are those of its last fsync/fdatasync, or of a syncfs
 *     that saw them; before that it is empty;
 *   - a directory entry operation (create, link, unlink, and each half of a
 *     rename separately: the removal in the old directory, the entry in the
 *     new one) is durable once its directory is fsync'd after it, or a
 *     syncfs runs.  Nothing else survives.
 * Inodes are followed by identity (DEV:INO, and a new identity at each
 * create, since inode numbers are reused), so a file left with two durable
 * names is materialized as two hard links of one file.
 *
 * usage: replay scan   TRACE ROOT
 *        replay plan   TRACE ROOT SEED
 *        replay state  TRACE ROOT K DEST
 *        replay verify TRACE ROOT K DEST SINK
 * ROOT is the traced spool, DEST a spool made by `relayqd -I`.  Blobs are in
 * TRACE.blobs/.  Lines "- - ACCEPTED QID" in the trace are the test's:
 * sendmail exited 0 for QID.  A notice relayqd drops itself is accepted
 * once its maildrop/ entry is synced by that process (drop_commit).
 *
 * scan: check (a), no accepted message is lost at any cut (present as
 * maildrop/QID or queue/QID.df with a whole drop file, or retired: the unlink
 * of queue/QID.df issued), and (c), the most duplicates at a cut (present
 * and retired).  Prints "SUMMARY key=value...", "LOST cut=K qid=Q" lines, and
 * "SELFCHECK ok" when the trace's final namespace is the real ROOT's (a
 * step the shim missed would show there).  Exit 1 on a loss.
 * plan: the cut points for the real recovery run, one a line: one cut
 * between every two consecutive steps of a process for each distinct kind
 * of pair ("relayqd rename maildrop/Q queue/Q.df" then "relayqd create
 * queue/Q.qtmp", ...), the first cut of each lost message, the worst
 * duplicates; then "# random" and all the other cuts in a random order.
 * state: materializes the durable state at cut K into DEST.
 * verify: after `relayqd -q` ran on DEST with SINK as smarthost, checks
 * that every message present at K arrived (a recipient still P or T in the
 * durable .qf, or any recipient without one; a DSN to the sender for F),
 * that no accepted message was quarantined and none is left queued. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_STEPS 1000000
#define MAX_ENTS  8192
#define MAX_MSGS  8192
#define MAX_STAGE 1024
#define MAX_RCPT  16
#define ADDR_LEN  256
#define QID_LEN   14
#define TRACE_MAX (256L << 20)
#define FILE_MAX  (64L << 20)

enum kind { CREATE, MKDIR, LINK, RENAME, UNLINK, RMDIR, FSYNCDIR, FSYNC, DATA, SYNCFS };
static const char *const kinds[] = { "create", "mkdir", "link", "rename", "unlink",
	"rmdir", "fsyncdir", "fsync", "data", "syncfs" };

struct step {
	long pid;
	const char *comm;
	enum kind kind;
	const char *dir, *name, *ndir, *nname;	/* as the kind has them */
	unsigned long long dev, ino;
	const char *blob;
	unsigned mode;
	unsigned long uid, gid;
};

struct obj {
	unsigned long long dev, ino;
	bool dir;
	const char *blob;	/* durable bytes; NULL: empty */
	unsigned mode;
	unsigned long uid, gid;
	int made;		/* state: the dur[] entry that created it, or -1 */
};

struct ent {
	const char *dir, *name;
	int obj;		/* pending: -1 for a removal */
};

struct msg {
	char qid[QID_LEN + 1];
	int acc, ret;		/* cut from which accepted / retired; -1 never */
	long creator;		/* pid that named it in maildrop/, until it syncs */
	bool marked;		/* by an ACCEPTED line */
	bool notice;		/* named by relayqd */
	int lost_at;		/* scan: the first cut it was lost at */
};

struct drop {			/* a parsed drop file or .qf */
	bool ok;
	char sender[ADDR_LEN];
	char rcpt[MAX_RCPT][ADDR_LEN];
	char state[MAX_RCPT];	/* .qf: P T D F R */
	int nrcpt;
};

/* Sized for the trace (the sanitizers' leak check at exit scans it all):
 * a step makes at most one inode and two pending entries. */
static char *text;		/* the trace; the steps' strings point into it */
static struct step *steps;
static int nsteps, maxsteps;
static struct obj *objs;
static int nobjs;
static struct ent vol[MAX_ENTS], dur[MAX_ENTS], *pend;
static int nvol, ndur, npend;
static struct step *stage[MAX_STAGE];
static int nstage;
static struct msg msgs[MAX_MSGS];
static int nmsgs;
static const char *root, *trace;
static size_t rootlen;

static void
die(const char *what, const char *arg)
{
	fprintf(stderr, "replay: %s%s%s\n", what, arg[0] != '\0' ? ": " : "", arg);
	exit(2);
}

/* ---- reading the trace ---------------------------------------------- */

static char *
slurp(const char *path, long max, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	if (fp == NULL)
		return NULL;
	char *buf = NULL;
	long size = fseek(fp, 0, SEEK_END) == 0 ? ftell(fp) : -1;
	if (size >= 0 && size <= max && fseek(fp, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)size + 1)) != NULL &&
	    fread(buf, 1, (size_t)size, fp) == (size_t)size) {
		buf[size] = '\0';
		*len = (size_t)size;
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(fp);
	return buf;
}

static int
hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 :
	    c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Undoes fstrace's %XX, in place. */
static char *
unescape(char *s)
{
	char *w = s;
	for (const char *r = s; *r != '\0'; r++) {
		if (r[0] == '%' && hexval(r[1]) >= 0 && hexval(r[2]) >= 0) {
			*w++ = (char)(hexval(r[1]) * 16 + hexval(r[2]));
			r += 2;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
	return s;
}

static struct msg *msg_get(const char *qid);

/* One trace line, split in place into at most 10 fields. */
static void
parse_line(char *line, int lineno)
{
	char *f[10];
	int n = 0;
	for (char *save = NULL, *t = strtok_r(line, " ", &save); t != NULL && n < 10;
	    t = strtok_r(NULL, " ", &save))
		f[n++] = unescape(t);
	if (n == 0)
		return;
	if (n == 4 && strcmp(f[2], "ACCEPTED") == 0) {
		struct msg *m = msg_get(f[3]);
		if (m->acc == -1 || m->acc > nsteps)
			m->acc = nsteps;
		m->marked = true;
		return;
	}
	if (nsteps == maxsteps)
		die("too many steps", "");
	struct step *s = &steps[nsteps];
	memset(s, 0, sizeof *s);
	int k = 0;
	while (k < (int)(sizeof kinds / sizeof kinds[0]) && (n < 3 || strcmp(f[2], kinds[k]) != 0))
		k++;
	static const int nf[] = { 9, 9, 8, 8, 6, 6, 4, 8, 8, 3 };
	if (k == (int)(sizeof kinds / sizeof kinds[0]) || n != nf[k]) {
		fprintf(stderr, "replay: trace line %d: cannot parse\n", lineno);
		exit(2);
	}
	s->pid = atol(f[0]);
	s->comm = f[1];
	s->kind = (enum kind)k;
	const char *devino = NULL;
	switch (s->kind) {
	case CREATE: case MKDIR:
		s->dir = f[3]; s->name = f[4]; devino = f[5];
		s->mode = (unsigned)strtoul(f[6], NULL, 8);
		s->uid = strtoul(f[7], NULL, 10);
		s->gid = strtoul(f[8], NULL, 10);
		break;
	case LINK: case RENAME:
		s->dir = f[3]; s->name = f[4]; s->ndir = f[5]; s->nname = f[6]; devino = f[7];
		break;
	case UNLINK: case RMDIR:
		s->dir = f[3]; s->name = f[4]; devino = f[5];
		break;
	case FSYNCDIR:
		s->dir = f[3];
		break;
	case FSYNC: case DATA:
		devino = f[3]; s->blob = f[4];
		s->mode = (unsigned)strtoul(f[5], NULL, 8);
		s->uid = strtoul(f[6], NULL, 10);
		s->gid = strtoul(f[7], NULL, 10);
		break;
	case SYNCFS:
		break;
	}
	if (devino != NULL && sscanf(devino, "%llu:%llu", &s->dev, &s->ino) != 2) {
		fprintf(stderr, "replay: trace line %d: bad DEV:INO\n", lineno);
		exit(2);
	}
	nsteps++;
}

static void
load(const char *path)
{
	size_t len;
	if ((text = slurp(path, TRACE_MAX, &len)) == NULL)
		die("cannot read", path);
	for (size_t i = 0; i < len; i++)
		maxsteps += text[i] == '\n';
	if (maxsteps > MAX_STEPS)
		die("too many steps in", path);
	steps = calloc((size_t)maxsteps + 1, sizeof *steps);
	objs = calloc((size_t)maxsteps + 1, sizeof *objs);
	pend = calloc(2 * (size_t)maxsteps + 1, sizeof *pend);
	if (steps == NULL || objs == NULL || pend == NULL)
		die("out of memory", "");
	int lineno = 0;
	for (char *save = NULL, *l = strtok_r(text, "\n", &save); l != NULL;
	    l = strtok_r(NULL, "\n", &save))
		parse_line(l, ++lineno);
}

/* ---- the spool's names ---------------------------------------------- */

/* "maildrop", "queue"... for a directory of the traced spool, else NULL. */
static const char *
sub(const char *dir)
{
	if (dir == NULL || strncmp(dir, root, rootlen) != 0)
		return NULL;
	return dir[rootlen] == '/' ? dir + rootlen + 1 : dir[rootlen] == '\0' ? "" : NULL;
}

static bool
is_qid(const char *s, size_t n)
{
	if (n != QID_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= 'a' && s[i] <= 'z')))
			return false;
	return true;
}

/* The message an entry holds: maildrop/QID or queue/QID.df; else NULL. */
static bool
msg_name(const char *dir, const char *name, char qid[QID_LEN + 1])
{
	const char *s = sub(dir);
	size_t n = strlen(name);
	if (s == NULL || !((strcmp(s, "maildrop") == 0 && is_qid(name, n)) ||
	    (strcmp(s, "queue") == 0 && n == QID_LEN + 3 && strcmp(name + QID_LEN, ".df") == 0 &&
	    is_qid(name, QID_LEN))))
		return false;
	snprintf(qid, QID_LEN + 1, "%.*s", QID_LEN, name);
	return true;
}

static struct msg *
msg_find(const char *qid)
{
	for (int i = 0; i < nmsgs; i++)
		if (strcmp(msgs[i].qid, qid) == 0)
			return &msgs[i];
	return NULL;
}

static struct msg *
msg_get(const char *qid)
{
	struct msg *m = msg_find(qid);
	if (m != NULL)
		return m;
	if (nmsgs == MAX_MSGS)
		die("too many messages", "MAX_MSGS");
	m = &msgs[nmsgs++];
	memset(m, 0, sizeof *m);
	snprintf(m->qid, sizeof m->qid, "%s", qid);
	m->acc = m->ret = m->lost_at = -1;
	return m;
}

/* Acceptance of relayqd's own notices and retirements, from the steps. */
static void
find_messages(void)
{
	char qid[QID_LEN + 1];
	for (int i = 0; i < nsteps; i++) {
		const struct step *s = &steps[i];
		const char *sd = sub(s->dir);
		if ((s->kind == RENAME || s->kind == LINK) && msg_name(s->ndir, s->nname, qid) &&
		    strcmp(sub(s->ndir), "maildrop") == 0) {
			struct msg *m = msg_get(qid);
			m->creator = s->pid;
			m->notice = strcmp(s->comm, "sendmail") != 0;
		} else if ((s->kind == FSYNCDIR && sd != NULL && strcmp(sd, "maildrop") == 0) ||
		    s->kind == SYNCFS) {
			for (int j = 0; j < nmsgs; j++) {
				if (msgs[j].creator != s->pid)
					continue;
				if (msgs[j].acc == -1 || msgs[j].acc > i + 1)
					msgs[j].acc = i + 1;
				msgs[j].creator = 0;
			}
		} else if (s->kind == UNLINK && msg_name(s->dir, s->name, qid) &&
		    strcmp(sd, "queue") == 0) {
			struct msg *m = msg_get(qid);
			if (m->ret == -1)
				m->ret = i + 1;
		}
	}
}

/* ---- applying steps ------------------------------------------------- */

static int
obj_new(const struct step *s, bool dir)
{
	if (nobjs > nsteps)
		die("more inodes than steps", "");
	struct obj *o = &objs[nobjs];
	*o = (struct obj){ s->dev, s->ino, dir, NULL, s->mode, s->uid, s->gid, -1 };
	return nobjs++;
}

/* The newest inode with that number (an older one was unlinked). */
static int
obj_cur(const struct step *s)
{
	for (int i = nobjs - 1; i >= 0; i--)
		if (objs[i].dev == s->dev && objs[i].ino == s->ino)
			return i;
	return obj_new(s, false);
}

static int
ent_find(const struct ent *l, int n, const char *dir, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(l[i].name, name) == 0 && strcmp(l[i].dir, dir) == 0)
			return i;
	return -1;
}

static void
ent_set(struct ent *l, int *n, const char *dir, const char *name, int obj)
{
	int i = ent_find(l, *n, dir, name);
	if (i == -1 && *n == MAX_ENTS)
		die("too many names", "MAX_ENTS");
	if (i == -1)
		i = (*n)++;
	l[i] = (struct ent){ dir, name, obj };
}

static void
ent_del(struct ent *l, int *n, const char *dir, const char *name)
{
	int i = ent_find(l, *n, dir, name);
	if (i >= 0)
		l[i] = l[--*n];
}

static void
pend_add(const char *dir, const char *name, int obj)
{
	if (npend >= 2 * nsteps)
		die("more pending names than steps", "");
	pend[npend++] = (struct ent){ dir, name, obj };
}

/* Makes the pending operations of dir (all with NULL) durable, in order. */
static void
flush(const char *dir)
{
	int keep = 0;
	for (int i = 0; i < npend; i++) {
		const struct ent *p = &pend[i];
		if (dir != NULL && strcmp(p->dir, dir) != 0)
			pend[keep++] = *p;
		else if (p->obj == -1)
			ent_del(dur, &ndur, p->dir, p->name);
		else
			ent_set(dur, &ndur, p->dir, p->name, p->obj);
	}
	npend = keep;
}

static void
set_data(const struct step *s)
{
	struct obj *o = &objs[obj_cur(s)];
	o->blob = s->blob;
	o->mode = s->mode;
	o->uid = s->uid;
	o->gid = s->gid;
}

static void
apply(struct step *s)
{
	int o;
	switch (s->kind) {
	case CREATE: case MKDIR:
		o = obj_new(s, s->kind == MKDIR);
		ent_set(vol, &nvol, s->dir, s->name, o);
		pend_add(s->dir, s->name, o);
		break;
	case LINK:
		o = obj_cur(s);
		ent_set(vol, &nvol, s->ndir, s->nname, o);
		pend_add(s->ndir, s->nname, o);
		break;
	case RENAME:
		if (strcmp(s->dir, s->ndir) == 0 && strcmp(s->name, s->nname) == 0)
			break;
		o = obj_cur(s);
		ent_del(vol, &nvol, s->dir, s->name);
		ent_set(vol, &nvol, s->ndir, s->nname, o);
		pend_add(s->dir, s->name, -1);		/* the old directory's half */
		pend_add(s->ndir, s->nname, o);		/* the new directory's half */
		break;
	case UNLINK: case RMDIR:
		ent_del(vol, &nvol, s->dir, s->name);
		pend_add(s->dir, s->name, -1);
		break;
	case FSYNCDIR:
		flush(s->dir);
		break;
	case FSYNC:
		set_data(s);
		break;
	case DATA:
		if (nstage == MAX_STAGE)
			die("too many files in a syncfs", "MAX_STAGE");
		stage[nstage++] = s;
		break;
	case SYNCFS: {
		int keep = 0;
		for (int i = 0; i < nstage; i++) {
			if (stage[i]->pid == s->pid)
				set_data(stage[i]);
			else
				stage[keep++] = stage[i];
		}
		nstage = keep;
		flush(NULL);
		break;
	}
	}
}

/* A cut point is a step boundary not inside a syncfs's data lines. */
static bool
is_cut(int k)
{
	return k == 0 || steps[k - 1].kind != DATA;
}

/* ---- reading drop files and state files ------------------------------ */

struct blobinfo {
	const char *blob;
	struct drop d;
};
static struct blobinfo **parsed;	/* each its own allocation: pointers stay */
static int nparsed, maxparsed;

/* The records of a drop file ("RELAYQ 1", then 'S' 'r'... up to "M", the
 * content, and the END trailer with its length) or a .qf ("RELAYQ-QF 1",
 * 'S', "r<state>addr"..., ".END"). */
static void
parse_records(const char *buf, size_t len, bool qf, struct drop *d)
{
	const char *magic = qf ? "RELAYQ-QF 1\n" : "RELAYQ 1\n";
	size_t off = strlen(magic);
	memset(d, 0, sizeof *d);
	if (len < off || memcmp(buf, magic, off) != 0)
		return;
	while (off < len) {
		const char *nl = memchr(buf + off, '\n', len - off);
		if (nl == NULL)
			return;
		size_t n = (size_t)(nl - (buf + off));
		const char *l = buf + off;
		off += n + 1;
		if (!qf && n == 1 && l[0] == 'M')
			break;
		if (qf && n == 4 && memcmp(l, ".END", 4) == 0) {
			d->ok = off == len;
			return;
		}
		if (n > 0 && l[0] == 'S')
			snprintf(d->sender, sizeof d->sender, "%.*s", (int)(n - 1), l + 1);
		else if (n > 1 && l[0] == 'r' && d->nrcpt < MAX_RCPT) {
			int skip = qf ? 2 : 1;
			if ((int)n < skip + 1)
				return;
			d->state[d->nrcpt] = qf ? l[1] : 'P';
			snprintf(d->rcpt[d->nrcpt++], ADDR_LEN, "%.*s", (int)n - skip, l + skip);
		}
	}
	if (qf)
		return;
	/* "\n.END %016x %c\n": the content's length, off to the trailer */
	char t[26];
	unsigned long long clen;
	char eb;
	if (len < off + 25)
		return;
	memcpy(t, buf + len - 25, 25);
	t[25] = '\0';
	if (sscanf(t, "\n.END %16llx %c", &clen, &eb) == 2 && t[24] == '\n' &&
	    (eb == '7' || eb == '8') && clen == len - 25 - off)
		d->ok = d->nrcpt > 0;
}

static const struct drop *
blob_parse(const char *blob, bool qf)
{
	static struct drop empty;
	if (blob == NULL)
		return &empty;
	for (int i = 0; i < nparsed; i++)
		if (parsed[i]->blob == blob)
			return &parsed[i]->d;
	if (nparsed == maxparsed) {
		int n = maxparsed ? 2 * maxparsed : 64;
		struct blobinfo **p = realloc(parsed, (size_t)n * sizeof *p);
		if (p == NULL)
			die("out of memory", "");
		parsed = p;
		maxparsed = n;
	}
	char path[PATH_MAX];
	size_t len = 0;
	snprintf(path, sizeof path, "%s.blobs/%s", trace, blob);
	char *buf = slurp(path, FILE_MAX, &len);
	if (buf == NULL)
		die("cannot read blob", path);
	struct blobinfo *b = parsed[nparsed++] = malloc(sizeof *b);
	if (b == NULL)
		die("out of memory", "");
	b->blob = blob;
	parse_records(buf, len, qf, &b->d);
	free(buf);
	return &b->d;
}

/* The durable drop file of qid, or NULL. */
static const struct drop *
present(const char *qid)
{
	for (int i = 0; i < ndur; i++) {
		char q[QID_LEN + 1];
		if (msg_name(dur[i].dir, dur[i].name, q) && strcmp(q, qid) == 0 &&
		    blob_parse(objs[dur[i].obj].blob, false)->ok)
			return blob_parse(objs[dur[i].obj].blob, false);
	}
	return NULL;
}

static const struct drop *
durable_qf(const char *qid)
{
	char name[QID_LEN + 4];
	snprintf(name, sizeof name, "%.*s.qf", QID_LEN, qid);
	for (int i = 0; i < ndur; i++) {
		const char *s = sub(dur[i].dir);
		if (s != NULL && strcmp(s, "queue") == 0 && strcmp(dur[i].name, name) == 0)
			return blob_parse(objs[dur[i].obj].blob, true);
	}
	return NULL;
}

static void
run_to(int k)
{
	for (int i = 0; i < k && i < nsteps; i++)
		apply(&steps[i]);
}

/* ---- scan: checks (a) and (c) at every cut ---------------------------- */

/* Does the final namespace of the trace match the real tree under dir? */
static int
selfcheck_dir(const char *dir, int depth)
{
	int bad = 0;
	DIR *d = depth < 4 ? opendir(dir) : NULL;
	struct dirent *de;
	while (d != NULL && (de = readdir(d)) != NULL) {
		char path[PATH_MAX];
		struct stat st;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if (lstat(path, &st) == -1)
			continue;
		if (S_ISDIR(st.st_mode)) {
			bad += selfcheck_dir(path, depth + 1);
			continue;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		int i = ent_find(vol, nvol, dir, de->d_name);
		if (i == -1 || objs[vol[i].obj].ino != (unsigned long long)st.st_ino) {
			printf("SELFCHECK %s: in the spool, not (or not so) in the trace\n", path);
			bad++;
		}
	}
	if (d != NULL)
		closedir(d);
	return bad;
}

static int
selfcheck(void)
{
	int bad = selfcheck_dir(root, 0);
	for (int i = 0; i < nvol; i++) {
		char path[PATH_MAX];
		struct stat st;
		snprintf(path, sizeof path, "%s/%s", vol[i].dir, vol[i].name);
		if (lstat(path, &st) == -1 || (unsigned long long)st.st_ino != objs[vol[i].obj].ino) {
			printf("SELFCHECK %s: in the trace, not (or not so) in the spool\n", path);
			bad++;
		}
	}
	return bad;
}

struct figures {
	int cuts, lost, lost_cuts, maxdup, maxdup_cut;
};

/* Every cut in order: the lost messages (m->lost_at) and the duplicates. */
static void
check_cuts(struct figures *f, bool print)
{
	memset(f, 0, sizeof *f);
	for (int k = 0; k <= nsteps; k++) {
		if (k > 0)
			apply(&steps[k - 1]);
		if (!is_cut(k))
			continue;
		f->cuts++;
		int dup = 0;
		bool lost = false;
		for (int i = 0; i < nmsgs; i++) {
			struct msg *m = &msgs[i];
			bool acc = m->acc != -1 && m->acc <= k, ret = m->ret != -1 && m->ret <= k;
			bool here = (acc || ret) && present(m->qid) != NULL;
			dup += here && ret;
			if (!acc || here || ret)
				continue;
			lost = true;
			if (m->lost_at != -1)
				continue;
			m->lost_at = k;
			f->lost++;
			if (print)
				printf("LOST cut=%d qid=%s%s\n", k, m->qid, m->notice ? " (a notice)" : "");
		}
		f->lost_cuts += lost;
		if (dup > f->maxdup) {
			f->maxdup = dup;
			f->maxdup_cut = k;
		}
	}
}

static int
scan(void)
{
	struct figures f;
	int accepted = 0, notices = 0, retired = 0;
	check_cuts(&f, true);
	for (int i = 0; i < nmsgs; i++) {
		accepted += msgs[i].acc != -1;
		notices += msgs[i].acc != -1 && msgs[i].notice;
		retired += msgs[i].ret != -1;
		if (msgs[i].marked && msgs[i].notice)
			printf("SELFCHECK %s: marked accepted but named by relayqd\n", msgs[i].qid);
	}
	int bad = selfcheck();
	if (bad == 0)
		printf("SELFCHECK ok\n");
	printf("SUMMARY steps=%d cuts=%d messages=%d accepted=%d notices=%d retired=%d "
	    "lost=%d lostcuts=%d maxdup=%d maxdupcut=%d\n", nsteps, f.cuts, nmsgs, accepted,
	    notices, retired, f.lost, f.lost_cuts, f.maxdup, f.maxdup_cut);
	return f.lost > 0 || bad > 0;
}

/* ---- plan: which cuts get a real recovery run ------------------------- */

/* " sub/shape": a name with its queue id replaced by Q (tmp.Q, Q.df...). */
static void
shape(const char *dir, const char *name, char *out, size_t size)
{
	char cls[NAME_MAX + 8];
	const char *s = sub(dir);
	size_t n = name != NULL ? strlen(name) : 0;
	if (name == NULL)
		cls[0] = '\0';
	else if (is_qid(name, n))
		snprintf(cls, sizeof cls, "/Q");
	else if (n > 4 && strncmp(name, "tmp.", 4) == 0 && is_qid(name + 4, n - 4))
		snprintf(cls, sizeof cls, "/tmp.Q");
	else if (n > QID_LEN && is_qid(name, QID_LEN))
		snprintf(cls, sizeof cls, "/Q%s", name + QID_LEN);
	else
		snprintf(cls, sizeof cls, "/%.*s", NAME_MAX, name);
	snprintf(out, size, " %s%s", s != NULL ? s : "?", cls);
}

static void
signature(const struct step *s, char *out, size_t size)
{
	char a[PATH_MAX], b[PATH_MAX];
	a[0] = b[0] = '\0';
	if (s->kind == FSYNC || s->kind == DATA) {
		/* the file's current name */
		int o = obj_cur(s);
		for (int i = 0; i < nvol; i++)
			if (vol[i].obj == o) {
				shape(vol[i].dir, vol[i].name, a, sizeof a);
				break;
			}
	} else if (s->kind == FSYNCDIR) {
		shape(s->dir, NULL, a, sizeof a);
	} else if (s->kind != SYNCFS) {
		shape(s->dir, s->name, a, sizeof a);
		if (s->ndir != NULL)
			shape(s->ndir, s->nname, b, sizeof b);
	}
	snprintf(out, size, "%s %s%s%s", s->comm, kinds[s->kind], a, b);
}

#define SIG_LEN 512
#define PAIR_LEN (2 * SIG_LEN + 8)
#define MAX_PAIRS 4096

struct plan {
	char (*pairs)[PAIR_LEN];
	int npairs;
	bool *chosen;		/* by cut point */
};

/* The first cut seen for a kind of pair of steps. */
static void
add_pair(struct plan *pl, const char *first, const char *second, int at)
{
	char p[PAIR_LEN];
	snprintf(p, sizeof p, "%s > %s", first, second);
	for (int i = 0; i < pl->npairs; i++)
		if (strcmp(pl->pairs[i], p) == 0)
			return;
	if (pl->npairs == MAX_PAIRS || !is_cut(at))
		return;
	snprintf(pl->pairs[pl->npairs++], PAIR_LEN, "%s", p);
	pl->chosen[at] = true;
}

/* Prints the cuts every kind of step pair needs, each first loss and the
 * worst duplicates, "# random", then every other cut in a random order
 * (an LCG: the same seed, the same order). */
static int
plan(unsigned seed)
{
	size_t n = (size_t)nsteps + 1;
	char (*sigs)[SIG_LEN] = malloc(n * SIG_LEN);
	int *prev = malloc(n * sizeof *prev), *next = malloc(n * sizeof *next);
	struct plan pl = { malloc(MAX_PAIRS * PAIR_LEN), 0, calloc(n, sizeof(bool)) };
	struct figures f;
	if (sigs == NULL || prev == NULL || next == NULL || pl.pairs == NULL || pl.chosen == NULL)
		die("out of memory", "");
	check_cuts(&f, false);
	nobjs = nvol = ndur = npend = nstage = 0;	/* again from the start */
	for (int k = 0; k < nsteps; k++) {
		signature(&steps[k], sigs[k], SIG_LEN);
		apply(&steps[k]);
		prev[k] = next[k] = -1;
		for (int j = k - 1; j >= 0 && prev[k] == -1; j--)
			if (steps[j].pid == steps[k].pid)
				prev[k] = j;
		if (prev[k] != -1)
			next[prev[k]] = k;
	}
	/* A cut right after the first step of each pair; a process's first
	 * step pairs with "start", its last with "end". */
	for (int k = 0; k < nsteps; k++) {
		if (steps[k].kind == DATA)
			continue;
		if (prev[k] == -1)
			add_pair(&pl, "start", sigs[k], k);
		else
			add_pair(&pl, sigs[prev[k]], sigs[k], prev[k] + 1);
		if (next[k] == -1)
			add_pair(&pl, sigs[k], "end", k + 1);
	}
	for (int i = 0; i < nmsgs; i++)
		if (msgs[i].lost_at != -1)
			pl.chosen[msgs[i].lost_at] = true;
	pl.chosen[f.maxdup_cut] = true;
	printf("# pairs=%d\n", pl.npairs);
	for (int i = 0; i < pl.npairs; i++)
		printf("# pair %s\n", pl.pairs[i]);
	int nrest = 0;
	for (int k = 0; k <= nsteps; k++) {
		if (pl.chosen[k])
			printf("%d\n", k);
		else if (is_cut(k))
			prev[nrest++] = k;	/* prev[] is free again */
	}
	printf("# random\n");
	for (int i = nrest - 1; i >= 0; i--) {
		seed = seed * 1103515245u + 12345u;
		int j = (int)((seed >> 8) % (unsigned)(i + 1)), k = prev[j];
		prev[j] = prev[i];
		printf("%d\n", k);
	}
	free(sigs);
	free(prev);
	free(next);
	free(pl.pairs);
	free(pl.chosen);
	return 0;
}

/* ---- state: materializing a cut --------------------------------------- */

static void
dest_path(const char *dest, const struct ent *e, char *out, size_t size)
{
	if (snprintf(out, size, "%s%s/%s", dest, e->dir + rootlen, e->name) >= (int)size)
		die("path too long under", dest);
}

static void
copy_file(const char *blob, int to)
{
	char path[PATH_MAX], buf[65536];
	snprintf(path, sizeof path, "%s.blobs/%s", trace, blob);
	int from = open(path, O_RDONLY | O_CLOEXEC);
	if (from == -1)
		die("cannot open blob", path);
	ssize_t n;
	while ((n = read(from, buf, sizeof buf)) > 0)
		if (write(to, buf, (size_t)n) != n)
			die("cannot write a file for", path);
	if (n == -1)
		die("cannot read blob", path);
	close(from);
}

static int
materialize(const char *dest)
{
	char path[PATH_MAX], first[PATH_MAX];
	/* Directories first, then files: a name never waits for its parent. */
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < ndur; i++) {
			struct obj *o = &objs[dur[i].obj];
			if (o->dir != (pass == 0) || sub(dur[i].dir) == NULL)
				continue;
			dest_path(dest, &dur[i], path, sizeof path);
			if (o->dir) {
				if (mkdir(path, o->mode) == -1 && errno != EEXIST)
					die("mkdir", path);
				continue;
			}
			if (o->made != -1) {
				dest_path(dest, &dur[o->made], first, sizeof first);
				if (link(first, path) == -1)
					die("link to", path);
				continue;
			}
			int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
			if (fd == -1)
				die("cannot create", path);
			if (o->blob != NULL)
				copy_file(o->blob, fd);
			if (fchown(fd, (uid_t)o->uid, (gid_t)o->gid) == -1 || fchmod(fd, o->mode) == -1 ||
			    close(fd) == -1)
				die("cannot set up", path);
			o->made = i;
		}
	}
	return 0;
}

/* ---- verify: after the recovery run ----------------------------------- */

struct addrs {
	char (*v)[ADDR_LEN];
	int n, cap;
};

static void
addrs_add(struct addrs *a, const char *addr)
{
	if (a->n == a->cap) {
		int cap = a->cap ? 2 * a->cap : 256;
		char (*v)[ADDR_LEN] = realloc(a->v, (size_t)cap * sizeof *v);
		if (v == NULL)
			die("out of memory", "");
		a->v = v;
		a->cap = cap;
	}
	snprintf(a->v[a->n++], ADDR_LEN, "%.*s", ADDR_LEN - 1, addr);
}

static bool
addrs_has(const struct addrs *a, const char *addr)
{
	for (int i = 0; i < a->n; i++)
		if (strcmp(a->v[i], addr) == 0)
			return true;
	return false;
}

/* Every "RCPT TO:<addr>" faultd stored in SINK/msg.*. */
static void
arrived(const char *sink, struct addrs *a)
{
	DIR *d = opendir(sink);
	struct dirent *de;
	if (d == NULL)
		die("cannot open", sink);
	while ((de = readdir(d)) != NULL) {
		char path[PATH_MAX], line[1024];
		if (strncmp(de->d_name, "msg.", 4) != 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", sink, de->d_name);
		FILE *fp = fopen(path, "r");
		while (fp != NULL && fgets(line, sizeof line, fp) != NULL && line[0] != '\r' &&
		    line[0] != '\n') {
			char *end = strchr(line, '>');
			if (strncmp(line, "RCPT TO:<", 9) == 0 && end != NULL) {
				*end = '\0';
				addrs_add(a, line + 9);
			}
		}
		if (fp != NULL)
			fclose(fp);
	}
	closedir(d);
}

/* Names in DEST/SUBDIR that are a message (QID, QID.df, QID.qf); with
 * quarantine, also QID.time; each accepted one (at k) is a failure. */
static int
leftovers(const char *dest, const char *subdir, int k, bool quarantine, int *count)
{
	char path[PATH_MAX];
	int bad = 0;
	snprintf(path, sizeof path, "%s/%s", dest, subdir);
	DIR *d = opendir(path);
	struct dirent *de;
	while (d != NULL && (de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);
		if (n < QID_LEN || !is_qid(de->d_name, QID_LEN) || (n > QID_LEN &&
		    de->d_name[QID_LEN] != '.') || (!quarantine && n > QID_LEN &&
		    strcmp(de->d_name + QID_LEN, ".df") != 0 && strcmp(de->d_name + QID_LEN, ".qf") != 0))
			continue;
		char qid[QID_LEN + 1];
		snprintf(qid, sizeof qid, "%.*s", QID_LEN, de->d_name);
		const struct msg *m = msg_find(qid);
		bool acc = m != NULL && m->acc != -1 && m->acc <= k;
		(*count)++;
		if (!quarantine || acc) {
			printf("FAIL cut=%d %s/%s: %s\n", k, subdir, de->d_name,
			    quarantine ? "an accepted message quarantined" : "still queued after the run");
			bad++;
		}
	}
	if (d != NULL)
		closedir(d);
	return bad;
}

static int
verify(int k, const char *dest, const char *sink)
{
	struct addrs got = { 0 };
	int bad = 0, npresent = 0, nexpect = 0, quarantined = 0, queued = 0, dup = 0;
	run_to(k);
	arrived(sink, &got);
	for (int i = 0; i < nmsgs; i++) {
		const struct drop *d = present(msgs[i].qid), *qf = durable_qf(msgs[i].qid);
		if (d == NULL)
			continue;
		npresent++;
		dup += msgs[i].ret != -1 && msgs[i].ret <= k;
		if (qf == NULL || !qf->ok)
			qf = d;		/* no state yet: every recipient pending */
		for (int r = 0; r < qf->nrcpt; r++) {
			const char *want = strchr("PT", qf->state[r]) != NULL ? qf->rcpt[r] :
			    qf->state[r] == 'F' && qf->sender[0] != '\0' ? qf->sender : NULL;
			if (want == NULL)
				continue;
			nexpect++;
			if (!addrs_has(&got, want)) {
				printf("FAIL cut=%d %s: nothing arrived for <%s>\n", k, msgs[i].qid, want);
				bad++;
			}
		}
	}
	bad += leftovers(dest, "quarantine", k, true, &quarantined);
	bad += leftovers(dest, "maildrop", k, false, &queued);
	bad += leftovers(dest, "queue", k, false, &queued);
	printf("VERIFY cut=%d present=%d expected=%d arrived=%d quarantined=%d dup=%d fails=%d\n",
	    k, npresent, nexpect, got.n, quarantined, dup, bad);
	free(got.v);
	return bad > 0;
}

int
main(int argc, char **argv)
{
	if (argc < 4)
		die("usage: replay scan|plan|state|verify TRACE ROOT ...", "");
	trace = argv[2];
	root = argv[3];
	rootlen = strlen(root);
	load(trace);
	find_messages();
	const char *cmd = argv[1];
	if (strcmp(cmd, "scan") == 0 && argc == 4)
		return scan();
	if (strcmp(cmd, "plan") == 0 && argc == 5)
		return plan((unsigned)strtoul(argv[4], NULL, 10));
	int k = argc >= 5 ? atoi(argv[4]) : -1;
	if (k < 0 || k > nsteps)
		die("no such cut", argc >= 5 ? argv[4] : "");
	if (strcmp(cmd, "state") == 0 && argc == 6) {
		run_to(k);
		return materialize(argv[5]);
	}
	if (strcmp(cmd, "verify") == 0 && argc == 7)
		return verify(k, argv[5], argv[6]);
	die("usage: replay scan|plan|state|verify TRACE ROOT ...", "");
	return 2;
}
