/* relayq-makemap: sendmail makemap(8) work-alike (same options, input
 * rules, messages, exit codes) that replaces maps atomically; -A checks. */
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "authinfo.h"
#include "buf.h"
#include "map.h"
#include "map_db.h"
#include "mapsrc.h"
#include "relayq.h"
#include "version.h"

#define PROG "relayq-makemap"

struct opts {
	int wflags;		/* MAP_W_* */
	size_t cachesize;
	char comment, sep;
	bool allow_empty, dump, verbose;
	bool secret;		/* an authinfo map: quote no key at all */
	const char *cf, *check_host, *check_addr;
	const char *type_name, *mapname;
	enum map_type type;
};

static void
print_usage(FILE *fp)
{
	fprintf(fp, "Usage: %s [-N] [-c cachesize] [-d] [-D commentchar] "
	    "[-e] [-f] [-l] [-o] [-r] [-s] [-t delimiter] [-u] [-v] "
	    "[-C cffile] type mapname\n"
	    "       %s -A relay-host [-a address] [-f] [-s] type mapname\n"
	    "       %s --version | --help\n",
	    PROG, PROG, PROG);
}

static void
usage(void)
{
	print_usage(stderr);
	exit(EX_USAGE);
}

/* --help and --version (makemap has neither; getopt knows no long
 * options), before any other option. */
static void
long_options(int argc, char **argv)
{
	struct version_info v = { .prog = PROG,
	    .tls = "none (relayq-makemap links no TLS library)",
	    .db = mapdb_version() };
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--help") == 0)
			print_usage(stdout);
		else if (strcmp(argv[i], "--version") == 0)
			(void)version_print(stdout, &v);
		else
			continue;
		exit(fflush(stdout) == 0 && !ferror(stdout) ? EX_OK : EX_IOERR);
	}
}

static void
list_types(bool backend)
{
	printf(backend ? "hash:db\nbtree:db\n" : "hash\nbtree\n");
	exit(EX_OK);
}

/* -C: sendmail.cf's "O TrustedUser=name" owns new maps when run as root. */
static uid_t
cf_trusted_user(const char *cf)
{
	char line[1024];
	uid_t uid = (uid_t)-1;
	FILE *fp = fopen(cf, "r");

	if (fp == NULL) {
		fprintf(stderr, "%s: %s: %s\n", PROG, cf, strerror(errno));
		exit(EX_NOINPUT);
	}
	while (fgets(line, sizeof line, fp) != NULL) {
		if (strncmp(line, "O TrustedUser=", 14) != 0)
			continue;
		line[strcspn(line, "\r\n")] = '\0';
		struct passwd *pw = getpwnam(line + 14);
		char *end;
		unsigned long n = strtoul(line + 14, &end, 10);
		if (pw != NULL)
			uid = pw->pw_uid;
		else if (*end == '\0' && end != line + 14)
			uid = (uid_t)n;
	}
	fclose(fp);
	return uid;
}

static int
opt_char(const char *arg)
{
	return arg[0] != '\0' ? arg[0] : -1;
}

static void
parse_flag(struct opts *o, int c, const char *arg)
{
	switch (c) {
	case 'A': o->check_host = arg; break;
	case 'a': o->check_addr = arg; break;
	case 'C': o->cf = arg; break;
	case 'c': o->cachesize = strtoul(arg, NULL, 0); break;
	case 'D': o->comment = (char)opt_char(arg); break;
	case 'd': o->wflags |= MAP_W_DUP; break;
	case 'e': o->allow_empty = true; break;
	case 'f': o->wflags |= MAP_W_NOFOLD; break;
	case 'i': break;	/* fallback for type cf, which we lack */
	case 'L': case 'l': list_types(false); break;
	case 'x': list_types(true); break;
	case 'N': o->wflags |= MAP_W_NUL; break;
	case 'o': o->wflags |= MAP_W_APPEND; break;
	case 'r': o->wflags |= MAP_W_REPLACE; break;
	case 's': o->wflags |= MAP_W_UNSAFE; break;
	case 't': o->sep = (char)opt_char(arg); break;
	case 'u': o->dump = true; break;
	case 'v': o->verbose = true; break;
	default: usage();
	}
}

static void
parse_args(struct opts *o, int argc, char **argv)
{
	int c;

	memset(o, 0, sizeof *o);
	o->comment = '#';
	long_options(argc, argv);
	while ((c = getopt(argc, argv, "A:a:C:D:Nc:defi:Llorst:uvx")) != -1)
		parse_flag(o, c, optarg);
	if (argc - optind != 2)
		usage();
	o->type_name = argv[optind];
	o->mapname = argv[optind + 1];
	o->secret = strcasestr(o->mapname, "authinfo") != NULL;
	if (strcmp(o->type_name, "implicit") == 0)
		o->type_name = "hash";
	if (map_type_from_name(o->type_name, &o->type) < 0) {
		fprintf(stderr, "%s: error opening type %s map %s: "
		    "unsupported map type\n", PROG, o->type_name, o->mapname);
		exit(EX_CANTCREAT);
	}
}

/* -u: one "key<TAB>value" line per record; like makemap's "%.*s" a NUL
 * ends the text, so -N maps dump like the others. */
static int
dump_rec(void *arg, const char *key, size_t klen, const char *val,
    size_t vlen)
{
	const struct opts *o = arg;

	fwrite(key, 1, strnlen(key, klen), stdout);
	putchar(o->sep ? o->sep : '\t');
	fwrite(val, 1, strnlen(val, vlen), stdout);
	putchar('\n');
	return ferror(stdout) ? -1 : 0;
}

static int
open_for_read(const struct opts *o, int flags, uid_t trusted,
    struct map **mp)
{
	char file[PATH_MAX], err[RELAYQ_ERRLEN];

	if (map_file_name(o->type, o->mapname, file, sizeof file) < 0 ||
	    map_open_type(mp, o->type, file, flags, trusted, err,
	    sizeof err) < 0) {
		fprintf(stderr, "%s: error opening type %s map %s: %s\n", PROG,
		    o->type_name, o->mapname, err);
		return -1;
	}
	return 0;
}

static int
do_dump(const struct opts *o)
{
	struct map *m;
	char err[RELAYQ_ERRLEN] = "";
	int flags = (o->wflags & MAP_W_NOFOLD) ? MAP_F_NOFOLD : 0;

	if (open_for_read(o, flags, (uid_t)-1, &m) < 0)
		return EX_CANTCREAT;
	int r = map_iterate(m, dump_rec, (void *)o, err, sizeof err);
	map_close(m);
	if (r != 0 || fflush(stdout) != 0) {
		fprintf(stderr, "%s: %s: %s\n", PROG, o->mapname,
		    *err ? err : "write error");
		return EX_SOFTWARE;
	}
	return EX_OK;
}

static uid_t
relayq_uid(void)
{
	struct passwd *pw = getpwnam(RELAYQ_USER);

	return pw != NULL ? pw->pw_uid : (uid_t)-1;
}

static void
show_order(const struct opts *o)
{
	char k[300];

	printf("lookup order:");
	if (authinfo_name_key(o->check_host, k, sizeof k) == 0)
		printf(" %s", k);
	if (o->check_addr != NULL && authinfo_addr_key(o->check_addr, k,
	    sizeof k) == 0)
		printf(" %s", k);
	printf(" authinfo:\n");
}

/* Everything but the password, which shows only its length. */
static void
show_entry(const struct authinfo *ai)
{
	printf("U:%s (authorization id%s)\n", ai->authzid,
	    ai->authzid_given ? "" : ", copied from I:");
	printf("I:%s (authentication id%s)\n", ai->authid,
	    ai->authid_given ? "" : ", copied from U:");
	if (ai->token_file != NULL)
		printf("O:%s (OAuth2 token file)\n", ai->token_file);
	else
		printf("P:<redacted, %zu bytes>\n", strlen(ai->password));
	printf("R:%s\n", ai->realm ? ai->realm : " (not set: default realm)");
	printf("M:%s\n", ai->mechs ? ai->mechs : " (not set)");
	printf("mechanisms to try: %s%s\n", authinfo_mechs(ai),
	    ai->mechs ? "" : " (default list)");
	bool empty_authzid = !ai->authzid_given ||
	    strcmp(ai->authzid, ai->authid) == 0;
	printf("authzid sent: %s\n", empty_authzid ?
	    "empty (U: absent or equal to I:)" : ai->authzid);
}

/* -A: which entry relayqd would use for this smarthost, and is it sane. */
static int
do_check(const struct opts *o)
{
	struct map *m;
	struct authinfo ai;
	bool found;
	char matched[300], err[RELAYQ_ERRLEN] = "";
	int flags = (o->wflags & MAP_W_UNSAFE) ? 0 : MAP_F_SECRET;

	if (o->wflags & MAP_W_NOFOLD)
		flags |= MAP_F_NOFOLD;
	if (open_for_read(o, flags, relayq_uid(), &m) < 0)
		return EX_CANTCREAT;
	printf("map: %s:%s\n", o->type_name, map_file(m));
	show_order(o);
	int r = authinfo_lookup(m, o->check_host, o->check_addr, &ai, &found,
	    matched, sizeof matched, err, sizeof err);
	map_close(m);
	if (r < 0 && !found) {
		printf("error: %s\n", err);
		return EX_DATAERR;
	}
	if (!found) {
		printf("no entry matches: no AUTH for this relay\n");
		return 1;
	}
	printf("matched: %s\n", matched);
	if (r < 0) {
		printf("error: malformed AuthInfo entry (%s)\n", err);
		return EX_DATAERR;
	}
	show_entry(&ai);
	authinfo_free(&ai);
	return EX_OK;
}

/* Stored anyway, as makemap does, but a bad entry is worth a warning. */
static void
check_authinfo(const struct opts *o, const struct mapsrc_rec *r)
{
	struct authinfo ai;
	char err[RELAYQ_ERRLEN];

	if (r->klen < 9 || strncasecmp(r->key, "authinfo:", 9) != 0)
		return;
	if (authinfo_parse(r->val, r->vlen, NULL, &ai, err, sizeof err) == 0)
		authinfo_free(&ai);
	else
		fprintf(stderr, "%s: %s: warning: line %u: malformed AuthInfo "
		    "entry (%s)\n", PROG, o->mapname, r->lineno, err);
}

/* The key as an error message may quote it: makemap's text for plain
 * keys, a stand-in for one that may hold a credential. */
static const char *
shown_key(const struct opts *o, const struct mapsrc_rec *r)
{
	return !o->secret && mapsrc_key_showable(r->key, r->klen) ? r->key :
	    "(not shown)";
}

/* -v: makemap's listing, without AuthInfo values or a key a typo may
 * have run a value into. */
static void
show_verbose(const struct opts *o, const struct mapsrc_rec *r)
{
	bool key_ok = mapsrc_key_plain(r->key, r->klen);
	bool val_ok = key_ok && !o->secret &&
	    !mapsrc_key_authinfo(r->key, r->klen);

	printf("key=`%s', val=`%s'\n", key_ok ? r->key : "(not shown)",
	    val_ok ? r->val : "(not shown)");
}

/* Stores one record; returns the exit status it earns. */
static int
store(const struct opts *o, struct map_writer *w, const struct mapsrc_rec *r)
{
	char err[RELAYQ_ERRLEN];

	if (o->verbose)
		show_verbose(o, r);
	check_authinfo(o, r);
	int rc = map_writer_put(w, r->key, r->klen, r->val, r->vlen, err,
	    sizeof err);
	if (rc == 1) {
		fprintf(stderr, "%s: %s: line %u: key %s: duplicate key\n",
		    PROG, o->mapname, r->lineno, shown_key(o, r));
		return EX_DATAERR;
	}
	if (rc < 0) {
		fprintf(stderr, "%s: %s: line %u: key %s: %s\n", PROG,
		    o->mapname, r->lineno, shown_key(o, r), err);
		return EX_IOERR;
	}
	return EX_OK;
}

static int
worse(int a, int b)
{
	return b > a ? b : a;
}

static int
read_input(const struct opts *o, struct map_writer *w)
{
	struct mapsrc src;
	struct mapsrc_rec r;
	char msg[RELAYQ_ERRLEN];
	int rc, status = EX_OK;

	mapsrc_init(&src, stdin);
	src.sep = o->sep;
	src.comment = o->comment;
	src.allow_empty = o->allow_empty;
	src.fold = !(o->wflags & MAP_W_NOFOLD);
	src.secret = o->secret;
	while ((rc = mapsrc_next(&src, &r, msg, sizeof msg)) != 0) {
		if (rc == 1) {
			status = worse(status, store(o, w, &r));
			continue;
		}
		fprintf(stderr, "%s: %s: line %u: %s\n", PROG, o->mapname,
		    src.lineno, msg);
		status = worse(status, rc == -2 ? EX_IOERR : EX_DATAERR);
		if (rc == -2)
			break;
	}
	explicit_bzero(src.line, sizeof src.line);
	return status;
}

static int
do_build(const struct opts *o)
{
	struct map_writer *w;
	struct map_wopts wo = { o->wflags, o->cachesize, (uid_t)-1, getuid() };
	char file[PATH_MAX], err[RELAYQ_ERRLEN];

	if (getuid() == 0)
		wo.trusted_uid = (uid_t)-1;
	if (o->cf != NULL) {
		wo.new_owner = cf_trusted_user(o->cf);
		if (wo.new_owner != (uid_t)-1)
			wo.trusted_uid = wo.new_owner;
	}
	if (map_file_name(o->type, o->mapname, file, sizeof file) < 0 ||
	    map_writer_open(&w, o->type, file, &wo, err, sizeof err) < 0) {
		fprintf(stderr, "%s: error opening type %s map %s: %s\n", PROG,
		    o->type_name, o->mapname, err);
		return EX_CANTCREAT;
	}
	int status = read_input(o, w);
	if (status == EX_IOERR) {
		map_writer_abort(w);
		return status;
	}
	if (map_writer_commit(w, err, sizeof err) < 0) {
		fprintf(stderr, "%s: %s: %s\n", PROG, o->mapname, err);
		return EX_IOERR;
	}
	return status;
}

int
main(int argc, char **argv)
{
	struct opts o;

	parse_args(&o, argc, argv);
	if (o.check_host != NULL)
		return do_check(&o);
	if (o.dump)
		return do_dump(&o);
	return do_build(&o);
}
