/* test_map: text/hash/btree maps through the library's writer and reader,
 * sendmail key conventions, atomic replace, and the safefile refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "map.h"
#include "mapsrc.h"
#include "safefile.h"

static char dir[64];

static int
setup(void **state)
{
	snprintf(dir, sizeof dir, "/tmp/t_map.XXXXXX");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
path(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", dir, name);
}

static void
write_file(const char *p, const char *content, mode_t mode)
{
	FILE *fp = fopen(p, "w");
	assert_non_null(fp);
	fputs(content, fp);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(chmod(p, mode), 0);
}

static void
build(enum map_type t, const char *file, int flags)
{
	struct map_writer *w;
	struct map_wopts o = { flags, 0, (uid_t)-1, (uid_t)-1 };
	char err[256];

	assert_int_equal(map_writer_open(&w, t, file, &o, err, sizeof err), 0);
	assert_int_equal(map_writer_put(w, "AuthInfo:Host.Example", 21,
	    "\"U:u\" \"P:p\"", 11, err, sizeof err), 0);
	assert_int_equal(map_writer_put(w, "k2", 2, "v2", 2, err, sizeof err),
	    0);
	/* A repeat keeps the first value unless -r/-d. */
	assert_int_equal(map_writer_put(w, "K2", 2, "other", 5, err,
	    sizeof err),
	    (flags & (MAP_W_REPLACE | MAP_W_DUP | MAP_W_NOFOLD)) ? 0 : 1);
	assert_int_equal(map_writer_commit(w, err, sizeof err), 0);
}

static void
expect(struct map *m, const char *key, const char *want)
{
	struct buf v;
	bool found;
	char err[256];

	buf_init(&v);
	assert_int_equal(map_lookup(m, key, &v, &found, err, sizeof err), 0);
	if (want == NULL) {
		assert_false(found);
	} else {
		assert_true(found);
		assert_string_equal(buf_str(&v), want);
		assert_int_equal(v.len, strlen(want));
	}
	buf_free_secret(&v);
}

static void
roundtrip(enum map_type t, const char *name, int wflags, int rflags)
{
	char spec[128], file[128], err[256];
	struct map *m;

	snprintf(spec, sizeof spec, "%s:%s/%s", map_type_name(t), dir, name);
	assert_int_equal(map_parse_spec(spec, &t, file, sizeof file, err,
	    sizeof err), 0);
	build(t, file, wflags);
	struct stat st;
	assert_int_equal(stat(file, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(map_open(&m, spec, rflags, (uid_t)-1, err, sizeof err),
	    0);
	expect(m, "authinfo:host.example", "\"U:u\" \"P:p\"");
	expect(m, "AUTHINFO:HOST.example", "\"U:u\" \"P:p\"");
	expect(m, "k2", (wflags & MAP_W_REPLACE) ? "other" : "v2");
	expect(m, "nope", NULL);
	map_close(m);
}

static void
test_hash(void **state)
{
	roundtrip(MAP_HASH, "h", 0, MAP_F_SECRET);
	roundtrip(MAP_HASH, "hr", MAP_W_REPLACE, 0);
}

static void
test_btree(void **state)
{
	roundtrip(MAP_BTREE, "b", 0, MAP_F_SECRET);
	roundtrip(MAP_BTREE, "bd", MAP_W_DUP, 0);
}

/* -N maps: found by default (second try), and with MAP_F_NUL, not -O. */
static void
test_nul_convention(void **state)
{
	char file[128], err[256];
	struct map *m;

	path(file, sizeof file, "n.db");
	build(MAP_HASH, file, MAP_W_NUL);
	assert_int_equal(map_open_type(&m, MAP_HASH, file, 0, (uid_t)-1, err,
	    sizeof err), 0);
	expect(m, "k2", "v2");	/* value's NUL stripped */
	map_close(m);
	assert_int_equal(map_open_type(&m, MAP_HASH, file, MAP_F_NUL, (uid_t)-1,
	    err, sizeof err), 0);
	expect(m, "k2", "v2");
	map_close(m);
	assert_int_equal(map_open_type(&m, MAP_HASH, file, MAP_F_NONUL,
	    (uid_t)-1, err, sizeof err), 0);
	expect(m, "k2", NULL);
	map_close(m);
}

static void
test_nofold(void **state)
{
	char file[128], err[256];
	struct map *m;

	path(file, sizeof file, "f.db");
	build(MAP_BTREE, file, MAP_W_NOFOLD);
	assert_int_equal(map_open_type(&m, MAP_BTREE, file, MAP_F_NOFOLD,
	    (uid_t)-1, err, sizeof err), 0);
	expect(m, "AuthInfo:Host.Example", "\"U:u\" \"P:p\"");
	expect(m, "authinfo:host.example", NULL);
	expect(m, "K2", "other");	/* stored as a second key */
	map_close(m);
}

static void
test_text_map(void **state)
{
	char file[128], err[256];
	struct map *m;

	path(file, sizeof file, "authinfo");
	write_file(file, "# comment\nAuthInfo:A \"U:a\" \"P:b\"  \n"
	    "key  value # not a comment\nkey second\n", 0600);
	assert_int_equal(map_open_type(&m, MAP_TEXT, file, MAP_F_SECRET,
	    (uid_t)-1, err, sizeof err), 0);
	expect(m, "authinfo:a", "\"U:a\" \"P:b\"  ");
	expect(m, "KEY", "value # not a comment");
	map_close(m);
	write_file(file, "ok v\n  lead\n", 0600);
	assert_int_equal(map_open_type(&m, MAP_TEXT, file, 0, (uid_t)-1, err,
	    sizeof err), -1);
	assert_non_null(strstr(err, ":2: syntax error (leading space)"));
	write_file(file, "norhs\n", 0600);
	assert_int_equal(map_open_type(&m, MAP_TEXT, file, 0, (uid_t)-1, err,
	    sizeof err), -1);
	assert_non_null(strstr(err, ":1: no RHS for LHS"));
}

/* The password of the malformed credential lines below, as written, as
 * makemap folds it into a key, and base64-encoded. */
#define PW "Zq9Secret"
#define PW_B64 "WnE5U2VjcmV0"

static bool
has_secret(const char *msg)
{
	return strcasestr(msg, PW) != NULL || strstr(msg, PW_B64) != NULL ||
	    strcasestr(msg, "alice") != NULL;
}

/* Credential lines gone wrong: each is line 3 of its file. */
static const char *const bad_cred_lines[] = {
	"AuthInfo:host\"U:alice\"\"P:" PW "\"",	/* the typo: no blank */
	"AuthInfo:host\"P=" PW_B64 "\"",
	"AuthInfo:smtp.isp.example:alice:" PW,	/* no quotes, no blank */
	"  AuthInfo:host \"U:alice\" \"P:" PW "\"",
	"AuthInfo:host\t",
};

/* Feeds text through mapsrc as makemap does; every message it gives is
 * checked: a line number, never a byte of a credential. */
static int
mapsrc_messages(const char *text, bool secret, unsigned want_line)
{
	FILE *fp = fmemopen((void *)text, strlen(text), "r");
	struct mapsrc src;
	struct mapsrc_rec r;
	char msg[256];
	int rc, bad = 0;

	assert_non_null(fp);
	mapsrc_init(&src, fp);
	src.secret = secret;
	while ((rc = mapsrc_next(&src, &r, msg, sizeof msg)) != 0) {
		assert_int_not_equal(rc, -2);
		if (rc == 1)
			continue;
		if (bad++ == 0)
			assert_int_equal(src.lineno, want_line);
		if (has_secret(msg))
			fail_msg("secret in \"%s\"", msg);
	}
	fclose(fp);
	return bad;
}

static void
test_mapsrc_no_content_in_errors(void **state)
{
	char text[2048], longline[1200];

	for (size_t i = 0; i < sizeof bad_cred_lines / sizeof bad_cred_lines[0];
	    i++) {
		snprintf(text, sizeof text, "# creds\nAuthInfo:ok \"U:a\" "
		    "\"P:b\"\n%s\n", bad_cred_lines[i]);
		assert_int_equal(mapsrc_messages(text, false, 3), 1);
		assert_int_equal(mapsrc_messages(text, true, 3), 1);
	}
	/* Over 1024 bytes: makemap reads the rest as a line of its own,
	 * here a key that is nothing but the password. */
	memset(longline, 'x', sizeof longline);
	snprintf(longline + 1030, sizeof longline - 1030, "\"P:%s\"", PW);
	snprintf(text, sizeof text, "a b\nc d\nAuthInfo:h %s\n", longline);
	assert_int_equal(mapsrc_messages(text, false, 3), 2);
}

/* Ordinary keys are still quoted as makemap does. */
static void
test_mapsrc_plain_key_shown(void **state)
{
	const char *text = "ok v\nnorhs\n";
	FILE *fp = fmemopen((void *)text, strlen(text), "r");
	struct mapsrc src;
	struct mapsrc_rec r;
	char msg[256];

	assert_non_null(fp);
	mapsrc_init(&src, fp);
	assert_int_equal(mapsrc_next(&src, &r, msg, sizeof msg), 1);
	assert_int_equal(mapsrc_next(&src, &r, msg, sizeof msg), -1);
	assert_string_equal(msg, "no RHS for LHS norhs");
	assert_int_equal(src.lineno, 2);
	assert_int_equal(mapsrc_next(&src, &r, msg, sizeof msg), 0);
	fclose(fp);
	assert_true(mapsrc_key_showable("mailer-daemon", 13));
	assert_false(mapsrc_key_showable("AuthInfo:host", 13));
	assert_false(mapsrc_key_showable("host\"p:x\"", 9));
	assert_false(mapsrc_key_showable("a\\b", 3));
}

/* A text: map is a credential file: FILE:LINE: and no content. */
static void
test_text_map_errors_redacted(void **state)
{
	char file[128], want[160], text[512];
	struct map *m;
	char err[256];

	path(file, sizeof file, "authinfo");
	snprintf(want, sizeof want, "%s:3: ", file);
	for (size_t i = 0; i < sizeof bad_cred_lines / sizeof bad_cred_lines[0];
	    i++) {
		snprintf(text, sizeof text, "# creds\nAuthInfo:ok \"U:a\" "
		    "\"P:b\"\n%s\n", bad_cred_lines[i]);
		write_file(file, text, 0600);
		assert_int_equal(map_open_type(&m, MAP_TEXT, file, MAP_F_SECRET,
		    (uid_t)-1, err, sizeof err), -1);
		if (strstr(err, want) == NULL)
			fail_msg("no \"%s\" in \"%s\"", want, err);
		if (has_secret(err))
			fail_msg("secret in \"%s\"", err);
	}
}

static void
expect_refused_by(const char *file, int flags, uid_t trusted, const char *why)
{
	struct map *m;
	char err[256];

	assert_int_equal(map_open_type(&m, MAP_TEXT, file, flags, trusted,
	    err, sizeof err), -1);
	assert_null(m);
	if (strstr(err, why) == NULL)
		fail_msg("no \"%s\" in \"%s\"", why, err);
	assert_non_null(strstr(err, file));
}

static void
expect_refused(const char *file, int flags, const char *why)
{
	expect_refused_by(file, flags, (uid_t)-1, why);
}

static void
test_safefile_modes(void **state)
{
	char file[128], link[128];

	path(file, sizeof file, "secret");
	write_file(file, "k v\n", 0644);
	expect_refused(file, MAP_F_SECRET, "unsafe map file: readable by others");
	write_file(file, "k v\n", 0660);
	expect_refused(file, MAP_F_SECRET, "unsafe map file: group writable");
	write_file(file, "k v\n", 0602);
	expect_refused(file, MAP_F_SAFE, "unsafe map file: world writable");
	write_file(file, "k v\n", 0640);
	path(link, sizeof link, "link");
	assert_int_equal(symlink(file, link), 0);
	expect_refused(link, MAP_F_SECRET, "unsafe map file: symbolic link");
	if (geteuid() == 0) {
		assert_int_equal(chown(file, 4242, 0), 0);
		expect_refused(file, MAP_F_SECRET, "not owned by root");
		struct map *m;
		char err[256];
		assert_int_equal(map_open_type(&m, MAP_TEXT, file, MAP_F_SECRET,
		    4242, err, sizeof err), 0);	/* the trusted user */
		map_close(m);
	}
}

static void
expect_opens(const char *file, int flags, uid_t trusted)
{
	struct map *m;
	char err[256];

	if (map_open_type(&m, MAP_TEXT, file, flags, trusted, err,
	    sizeof err) != 0)
		fail_msg("%s refused: %s", file, err);
	map_close(m);
}

/* Group read is for root's group only: never relayq-drop (the submitter's
 * set-group-ID group) or any other.  Real files, chown and chmod. */
static void
test_safefile_group_read(void **state)
{
	char file[128], want[128];
	struct group *g = getgrnam("relayq-drop");
	gid_t other = g != NULL ? g->gr_gid : 4242;

	if (geteuid() != 0)
		skip();
	path(file, sizeof file, "grp");
	write_file(file, "k v\n", 0640);
	assert_int_equal(chown(file, 0, 0), 0);
	expect_opens(file, MAP_F_SECRET, (uid_t)-1);	/* 0640 root:root */
	assert_int_equal(chown(file, 0, other), 0);
	snprintf(want, sizeof want, "unsafe map file: readable by group, not "
	    "root's (group %s)", g != NULL ? "relayq-drop" : "4242");
	expect_refused(file, MAP_F_SECRET, want);
	assert_int_equal(chown(file, 0, 4243), 0);
	expect_refused(file, MAP_F_SECRET, "unsafe map file: readable by group");
	assert_int_equal(chown(file, 4242, 4242), 0);	/* trusted user's own */
	expect_refused_by(file, MAP_F_SECRET, 4242,
	    "unsafe map file: readable by group");
	assert_int_equal(chmod(file, 0600), 0);
	expect_opens(file, MAP_F_SECRET, 4242);		/* owner rule kept */
	assert_int_equal(chown(file, 0, other), 0);
	expect_opens(file, MAP_F_SECRET, (uid_t)-1);	/* 0600 any group */
	assert_int_equal(chmod(file, 0640), 0);
	expect_opens(file, MAP_F_SAFE, (uid_t)-1);	/* not a secret map */
	assert_int_equal(chown(file, 4242, 0), 0);
	expect_opens(file, MAP_F_SECRET, 4242);		/* 0640 trusted:root */
}

static void
test_safefile_dirs(void **state)
{
	char sub[128], file[160], err[256];
	struct map_writer *w;
	struct map_wopts o = { 0, 0, (uid_t)-1, (uid_t)-1 };

	path(sub, sizeof sub, "open");
	assert_int_equal(mkdir(sub, 0755), 0);
	snprintf(file, sizeof file, "%s/authinfo", sub);
	write_file(file, "k v\n", 0600);
	assert_int_equal(chmod(sub, 0777), 0);
	expect_refused(file, MAP_F_SECRET, "world writable directory");
	assert_int_equal(chmod(sub, 01777), 0);	/* sticky: still its own dir */
	expect_refused(file, MAP_F_SECRET, "world writable directory");
	assert_int_equal(chmod(sub, 0775), 0);
	expect_refused(file, MAP_F_SECRET, "group writable directory");
	snprintf(file, sizeof file, "%s/m.db", sub);
	assert_int_equal(map_writer_open(&w, MAP_HASH, file, &o, err,
	    sizeof err), -1);
	assert_non_null(strstr(err, "group writable directory"));
	o.flags = MAP_W_UNSAFE;	/* -s */
	assert_int_equal(map_writer_open(&w, MAP_HASH, file, &o, err,
	    sizeof err), 0);
	map_writer_abort(w);
	assert_int_equal(access(file, F_OK), -1);
	assert_int_equal(chmod(sub, 0755), 0);
}

static void
test_writer_symlink_and_mode(void **state)
{
	char file[128], link[128], err[256];
	struct map_writer *w;
	struct map_wopts o = { 0, 0, (uid_t)-1, (uid_t)-1 };
	struct stat st;

	path(file, sizeof file, "keep.db");
	build(MAP_HASH, file, 0);
	assert_int_equal(chmod(file, 0600), 0);
	build(MAP_HASH, file, 0);	/* replaced: mode kept */
	assert_int_equal(stat(file, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	path(link, sizeof link, "ln.db");
	assert_int_equal(symlink(file, link), 0);
	assert_int_equal(map_writer_open(&w, MAP_HASH, link, &o, err,
	    sizeof err), -1);
	assert_non_null(strstr(err, "Symbolic links not allowed"));
}

/* -o: the old records survive, new ones are added. */
static void
test_append(void **state)
{
	char file[128], err[256];
	struct map_writer *w;
	struct map_wopts o = { MAP_W_APPEND, 0, (uid_t)-1, (uid_t)-1 };
	struct map *m;

	path(file, sizeof file, "app.db");
	build(MAP_HASH, file, 0);
	assert_int_equal(map_writer_open(&w, MAP_HASH, file, &o, err,
	    sizeof err), 0);
	assert_int_equal(map_writer_put(w, "new", 3, "x", 1, err, sizeof err),
	    0);
	assert_int_equal(map_writer_put(w, "k2", 2, "y", 1, err, sizeof err), 1);
	assert_int_equal(map_writer_commit(w, err, sizeof err), 0);
	assert_int_equal(map_open_type(&m, MAP_HASH, file, 0, (uid_t)-1, err,
	    sizeof err), 0);
	expect(m, "new", "x");
	expect(m, "k2", "v2");
	map_close(m);
}

static void
test_spec(void **state)
{
	enum map_type t;
	char file[128], err[256];

	assert_int_equal(map_parse_spec("hash:/etc/mail/authinfo", &t, file,
	    sizeof file, err, sizeof err), 0);
	assert_int_equal(t, MAP_HASH);
	assert_string_equal(file, "/etc/mail/authinfo.db");
	assert_int_equal(map_parse_spec("btree:/x/y.db", &t, file, sizeof file,
	    err, sizeof err), 0);
	assert_string_equal(file, "/x/y.db");
	assert_int_equal(map_parse_spec("text:/etc/mail/authinfo", &t, file,
	    sizeof file, err, sizeof err), 0);
	assert_string_equal(file, "/etc/mail/authinfo");
	assert_int_equal(map_parse_spec("dbm:/x", &t, file, sizeof file, err,
	    sizeof err), -1);
	assert_non_null(strstr(err, "unknown map type"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec),
		cmocka_unit_test(test_hash),
		cmocka_unit_test(test_btree),
		cmocka_unit_test(test_nul_convention),
		cmocka_unit_test(test_nofold),
		cmocka_unit_test(test_text_map),
		cmocka_unit_test(test_mapsrc_no_content_in_errors),
		cmocka_unit_test(test_mapsrc_plain_key_shown),
		cmocka_unit_test(test_text_map_errors_redacted),
		cmocka_unit_test(test_safefile_modes),
		cmocka_unit_test(test_safefile_group_read),
		cmocka_unit_test(test_safefile_dirs),
		cmocka_unit_test(test_writer_symlink_and_mode),
		cmocka_unit_test(test_append),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
