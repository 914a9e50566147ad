/* test_setup: relayq-setup's pure parts — AuthInfo values from a login,
 * the --connect-to syntax, and the plan: relayq.conf and authinfo edited
 * in place (owned keys replaced or removed, everything else kept),
 * passwords redacted in what is shown, files written with safe modes and
 * the map readable through the authinfo look-up relayqd uses; and
 * --add-sender: the sender_relay line and the sender-qualified AuthInfo
 * entry added or replaced, the first account's lines never touched. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <grp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "authinfo.h"
#include "buf.h"
#include "login.h"
#include "map.h"
#include "net.h"
#include "plan.h"
#include "psl.h"
#include "redact.h"
#include "sender.h"

static char dir[64];

static struct candidate cand = { .host = "smtp.isp.example", .port = 465,
	.socket = AC_SOCK_SSL, .source = "autoconfig https://autoconfig.isp.example/x" };

static int
make_dir(void **state)
{
	snprintf(dir, sizeof dir, "/tmp/relayq-setup-XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int
remove_dir(void **state)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static void
write_file(const char *name, const char *text)
{
	char p[128];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	FILE *fp = fopen(p, "w");
	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

static void
test_login_value(void **state)
{
	struct login l = { .user = "alice", .password = strdup("s3cret") };
	struct buf b;
	buf_init(&b);
	assert_int_equal(login_value(&l, false, &b), 0);
	assert_string_equal(buf_str(&b), "\"U:alice\" \"I:alice\" \"P:s3cret\"");
	assert_int_equal(login_value(&l, true, &b), 0);
	assert_string_equal(buf_str(&b), "\"U:alice\" \"I:alice\" \"P:***\"");
	login_clear(&l);
	assert_null(l.password);

	/* A quote cannot go inside "P:...": base64 instead, and the
	 * parser relayqd uses gets the same password back. */
	struct login q = { .user = "bob", .password = strdup("a\"b") };
	struct authinfo ai;
	char err[256];
	assert_int_equal(login_value(&q, false, &b), 0);
	assert_string_equal(buf_str(&b), "\"U:bob\" \"I:bob\" \"P=YSJi\"");
	assert_int_equal(authinfo_parse(buf_str(&b), b.len, "k", &ai, err, sizeof err), 0);
	assert_string_equal(ai.password, "a\"b");
	authinfo_free(&ai);
	login_clear(&q);
	buf_free_secret(&b);
}

/* Passwords the quoting rules cannot carry literally (a backslash, a
 * quote, blanks at either end, control and 8-bit bytes) come back
 * exactly from the AuthInfo value, the text source and the built map. */
static const char *const odd_passwords[] = { "ends\\", "a\\b", "\\", "q\"q",
	" lead", "trail ", "tab\tin", "8bit\xc3\xa9", "in ner", "P:x\"", "plain" };

static void
test_login_value_roundtrip(void **state)
{
	struct buf b;
	struct authinfo ai;
	char err[256];
	buf_init(&b);
	for (size_t i = 0; i < sizeof odd_passwords / sizeof odd_passwords[0]; i++) {
		struct login l = { .user = "alice", .password = strdup(odd_passwords[i]) };
		assert_int_equal(login_value(&l, false, &b), 0);
		if (authinfo_parse(buf_str(&b), b.len, "k", &ai, err, sizeof err) != 0)
			fail_msg("password %zu: %s", i, err);
		assert_string_equal(ai.password, odd_passwords[i]);
		assert_string_equal(ai.authid, "alice");
		authinfo_free(&ai);
		login_clear(&l);
	}
	/* The user name follows the same rule. */
	struct login u = { .user = "dom\\user", .password = strdup("pw") };
	assert_int_equal(login_value(&u, false, &b), 0);
	assert_int_equal(authinfo_parse(buf_str(&b), b.len, "k", &ai, err, sizeof err), 0);
	assert_string_equal(ai.authid, "dom\\user");
	assert_string_equal(ai.authzid, "dom\\user");
	authinfo_free(&ai);
	login_clear(&u);
	buf_free_secret(&b);
}

/* What cannot be written is found before any server sees the password. */
static void
test_login_check(void **state)
{
	char err[256], big[800];
	struct login l = { .user = "alice", .password = strdup("") };
	assert_int_equal(login_check(&l, "smtp.isp.example", err, sizeof err), -1);
	assert_string_equal(err, "the password is empty");
	login_clear(&l);
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	l.password = strdup(big);	/* literal: 800 bytes fit */
	assert_int_equal(login_check(&l, "smtp.isp.example", err, sizeof err), 0);
	big[0] = ' ';			/* base64: 1068 bytes do not */
	login_clear(&l);
	l.password = strdup(big);
	assert_int_equal(login_check(&l, "smtp.isp.example", err, sizeof err), -1);
	assert_non_null(strstr(err, "more than the 1022"));
	assert_null(strstr(err, "xxx"));
	login_clear(&l);
}

/* The MX step's base domain: the registrable domain by the Public Suffix
 * List, never a two-label public suffix such as co.uk. */
static void
test_psl_base_domain(void **state)
{
	char out[256];
	if (!psl_available()) {
		/* Only the last two labels, which the user must confirm. */
		assert_int_equal(psl_base_domain("eu.hoster.co.uk", out, sizeof out),
		    PSL_GUESS);
		assert_string_equal(out, "co.uk");
		skip();
	}
	assert_int_equal(psl_base_domain("eu.hoster.co.uk", out, sizeof out), PSL_FOUND);
	assert_string_equal(out, "hoster.co.uk");
	assert_int_equal(psl_base_domain("hoster.co.uk", out, sizeof out), PSL_FOUND);
	assert_string_equal(out, "hoster.co.uk");
	assert_int_equal(psl_base_domain("co.uk", out, sizeof out), PSL_SUFFIX);
	assert_string_equal(out, "");
	assert_int_equal(psl_base_domain("mail.hoster.example", out, sizeof out), PSL_FOUND);
	assert_string_equal(out, "hoster.example");
	assert_int_equal(psl_base_domain("mail.protection.outlook.com", out, sizeof out),
	    PSL_FOUND);
	assert_string_equal(out, "outlook.com");
}

/* Through plan_write: the source, then the map relayqd opens. */
static void
check_written(const char *spec, const char *password)
{
	struct map *m;
	struct authinfo ai;
	bool found;
	char err[256], matched[128];
	assert_int_equal(map_open(&m, spec, MAP_F_SECRET, (uid_t)-1, err, sizeof err), 0);
	if (authinfo_lookup(m, "smtp.isp.example", NULL, &ai, &found, matched,
	    sizeof matched, err, sizeof err) != 0)
		fail_msg("%s: %s", spec, err);
	assert_true(found);
	assert_string_equal(ai.password, password);
	authinfo_free(&ai);
	map_close(m);
}

static void
test_odd_passwords_written(void **state)
{
	char spec[2][128], conf[128], err[256];
	snprintf(spec[0], sizeof spec[0], "hash:%s/authinfo", dir);
	snprintf(spec[1], sizeof spec[1], "text:%s/authinfo.txt", dir);
	snprintf(conf, sizeof conf, "%s/relayq.conf", dir);
	for (int t = 0; t < 2; t++)
		for (size_t i = 0; i < sizeof odd_passwords / sizeof odd_passwords[0]; i++) {
			struct login l = { .user = "alice", .password = strdup(odd_passwords[i]) };
			struct plan p;
			struct plan_input in = { conf, spec[t], &cand, &l, "",
			    "alice@isp.example", "", NULL, NULL };
			assert_int_equal(plan_make(&p, &in, err, sizeof err), 0);
			if (plan_write(&p, err, sizeof err) != 0)
				fail_msg("%s, password %zu: %s", spec[t], i, err);
			plan_free(&p);
			check_written(spec[t], odd_passwords[i]);
			login_clear(&l);
		}
}

static void
test_connect_to(void **state)
{
	struct net n;
	char err[256];
	net_init(&n);
	assert_int_equal(net_add_map(&n, "smtp.isp.example:465:127.0.0.1:2465", err, sizeof err), 0);
	const struct net_map *m = net_lookup(&n, "SMTP.isp.example", "465");
	assert_non_null(m);
	assert_string_equal(m->to_host, "127.0.0.1");
	assert_string_equal(m->to_port, "2465");
	assert_null(net_lookup(&n, "smtp.isp.example", "587"));
	assert_true(net_allowed(&n, "other.example", "443"));
	n.only_mapped = true;
	assert_false(net_allowed(&n, "other.example", "443"));
	assert_true(net_allowed(&n, "smtp.isp.example", "465"));
	assert_int_equal(net_add_map(&n, "host:port:addr", err, sizeof err), -1);
	assert_string_equal(err, "--connect-to host:port:addr: expected HOST:PORT:ADDR:PORT");
	assert_int_equal(net_add_map(&n, "h:1:a", err, sizeof err), -1);
}

static void
make_plan(struct plan *p, const struct login *l, const char *ca)
{
	char conf[128], err[256] = "";
	snprintf(conf, sizeof conf, "%s/relayq.conf", dir);
	struct plan_input in = { conf, NULL, &cand, l, ca, "alice@isp.example", "Test ISP",
	    NULL, NULL };
	assert_int_equal(plan_make(p, &in, err, sizeof err), 0);
}

static void
test_new_files(void **state)
{
	struct login l = { .user = "alice", .password = strdup("s3cret") };
	struct plan p;
	char path[128], err[256];
	make_plan(&p, &l, "");
	assert_false(plan_changes_existing(&p));
	assert_non_null(strstr(buf_str(&p.conf.new), "\nsmarthost       smtp.isp.example:465\n"
	    "tls             smtps\nauthinfo        hash:"));
	assert_null(strstr(buf_str(&p.conf.new), "tls_ca"));
	assert_non_null(strstr(buf_str(&p.authinfo.new_shown), "\"P:***\""));
	assert_null(strstr(buf_str(&p.authinfo.new_shown), "s3cret"));
	assert_int_equal(plan_write(&p, err, sizeof err), 0);
	plan_free(&p);

	struct stat st;
	snprintf(path, sizeof path, "%s/authinfo", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	snprintf(path, sizeof path, "%s/relayq.conf", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);

	/* relayqd's look-up finds the entry in the map just built. */
	struct map *m;
	struct authinfo ai;
	bool found;
	char spec[128], matched[128];
	snprintf(spec, sizeof spec, "hash:%s/authinfo", dir);
	assert_int_equal(map_open(&m, spec, MAP_F_SECRET, (uid_t)-1, err, sizeof err), 0);
	assert_int_equal(authinfo_lookup(m, "smtp.isp.example", NULL, &ai, &found,
	    matched, sizeof matched, err, sizeof err), 0);
	assert_true(found);
	assert_string_equal(ai.authid, "alice");
	assert_string_equal(ai.password, "s3cret");
	authinfo_free(&ai);
	map_close(m);
	login_clear(&l);
}

static void
test_existing_files_edited_in_place(void **state)
{
	struct login l = { .user = "alice", .password = strdup("n3w") };
	struct plan p;
	write_file("relayq.conf", "# mine\nhostname laptop.example\nsmarthost old.example:25\n"
	    "tls_fingerprint sha256:00\nauth none\nsmarthost again.example\n");
	write_file("authinfo", "# creds\nAuthInfo:other.example \"U:o\" \"P:keep\"\n"
	    "AuthInfo:SMTP.isp.example \"U:alice\" \"P:old\"\n");
	make_plan(&p, &l, "/etc/ca.pem");
	assert_true(plan_changes_existing(&p));
	const char *conf = buf_str(&p.conf.new);
	char tail[256];
	assert_memory_equal(conf, "# mine\nhostname laptop.example\n"
	    "smarthost       smtp.isp.example:465\n# relayq-setup, ", 84);
	snprintf(tail, sizeof tail, ": alice@isp.example\ntls             smtps\n"
	    "tls_ca          /etc/ca.pem\nauthinfo        hash:%s/authinfo\n", dir);
	assert_non_null(strstr(conf, tail));
	assert_null(strstr(conf, "fingerprint"));	/* would pin the old relay */
	assert_null(strstr(conf, "auth none"));		/* would skip the login */
	assert_null(strstr(conf, "again.example"));
	assert_string_equal(buf_str(&p.authinfo.new), "# creds\n"
	    "AuthInfo:other.example \"U:o\" \"P:keep\"\n"
	    "AuthInfo:smtp.isp.example \"U:alice\" \"I:alice\" \"P:n3w\"\n");
	assert_string_equal(buf_str(&p.authinfo.old_shown), "# creds\n"
	    "AuthInfo:other.example \"U:o\" \"P:***\"\n"
	    "AuthInfo:SMTP.isp.example \"U:alice\" \"P:***\"\n");
	assert_null(strstr(buf_str(&p.authinfo.new_shown), "n3w"));
	plan_free(&p);
	login_clear(&l);
}

static void
expect_redacted(const char *line, const char *want)
{
	struct buf b;
	buf_init(&b);
	assert_int_equal(redact_authinfo_line(&b, line, strlen(line)), 0);
	assert_string_equal(buf_str(&b), want);
	buf_free(&b);
}

static void
test_redact_line(void **state)
{
	expect_redacted("AuthInfo:x \"U:a\" \"I:b\" \"P:s\" \"R:r\" \"M:PLAIN LOGIN\"",
	    "AuthInfo:x \"U:a\" \"I:b\" \"P:***\" \"R:r\" \"M:PLAIN LOGIN\"\n");
	expect_redacted("AuthInfo:x\t\"u=YQ==\" \"p=cw==\"",
	    "AuthInfo:x\t\"u=YQ==\" \"P:***\"\n");
	expect_redacted("AuthInfo:x \"U:a\" \"P:ab\\\"cd\"",
	    "AuthInfo:x \"U:a\" \"P:***\"\n");
	expect_redacted("AuthInfo:x \"U:a\" \"P:ab\\\" \"M:PLAIN\"",
	    "AuthInfo:x \"U:a\" \"P:***\"***\"***\n");
	expect_redacted("AuthInfo:x \"U:a\" \"P:ends\\\"", "AuthInfo:x \"U:a\" \"***\n");
	expect_redacted("AuthInfo:x \"U:a\" \"X:s\" \"\" \"P\"",
	    "AuthInfo:x \"U:a\" \"***\" \"***\" \"P:***\"\n");
	expect_redacted("AuthInfo:x U:a P:s", "AuthInfo:x *** ***\n");
	expect_redacted("AuthInfo:x\"U:a\"\"P:s\"", "AuthInfo:x\"U:a\"\"P:***\"\n");
	expect_redacted("  \"P:cont\"", "  \"P:***\"\n");
	expect_redacted("# comment", "# comment\n");
	expect_redacted("", "\n");
}

/* What the diff shows of an existing authinfo source: whole values
 * redacted however they are quoted, the user names and keys kept. */
static void
test_redacted_old_source(void **state)
{
	static const char *const hidden[] = { "Tail9", "Ends9", "Hid9", "Typo9",
	    "Sp9", "Bare9", "SGlkZGVu", "Quote9" };
	struct login l = { .user = "alice", .password = strdup("n3w") };
	struct plan p;
	write_file("authinfo", "# creds\n"
	    "AuthInfo:a.example \"U:ua\" \"P:ab\\\"Tail9\"\n"
	    "AuthInfo:b.example \"U:ub\" \"P:Ends9\\\"\n"
	    "AuthInfo:c.example \"U:uc\\\" \"P:Hid9\" x\"\n"
	    "AuthInfo:d.example \"U:ud\" \"p=SGlkZGVu\"\n"
	    "AuthInfo:e.example \"U:ue\" \"Q:Typo9\"\n"
	    "AuthInfo:f.example \"U:uf\" \"P :Sp9\"\n"
	    "AuthInfo:g.example U:ug P:Bare9\n"
	    "AuthInfo:h.example\"U:uh\"\"P:Quote9\"\n");
	make_plan(&p, &l, "");
	const char *shown = buf_str(&p.authinfo.old_shown);
	for (size_t i = 0; i < sizeof hidden / sizeof hidden[0]; i++)
		if (strstr(shown, hidden[i]) != NULL)
			fail_msg("%s shown in:\n%s", hidden[i], shown);
	assert_non_null(strstr(shown, "# creds\nAuthInfo:a.example \"U:ua\" "
	    "\"P:***\"\n"));
	assert_non_null(strstr(shown, "AuthInfo:h.example\"U:uh\"\"P:***\"\n"));
	assert_null(strstr(buf_str(&p.authinfo.new_shown), "n3w"));
	plan_free(&p);
	login_clear(&l);
}

static mode_t
mode_of(const char *name, gid_t *gid)
{
	char path[128];
	struct stat st;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	assert_int_equal(stat(path, &st), 0);
	if (gid != NULL)
		*gid = st.st_gid;
	return st.st_mode & 07777;
}

static void
set_mode(const char *name, mode_t mode, gid_t gid)
{
	char path[128];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	assert_int_equal(chmod(path, mode), 0);
	assert_int_equal(chown(path, (uid_t)-1, gid), 0);
}

/* One run of the plan: make (the source and map found exposed or not,
 * as said) and write. */
static void
plan_run(const char *password, bool exposed)
{
	struct login l = { .user = "alice", .password = strdup(password) };
	struct plan p;
	char err[256] = "";
	make_plan(&p, &l, "");
	assert_int_equal(p.authinfo.exposed.yes, exposed);
	assert_int_equal(p.map_exposed.yes, exposed);
	assert_int_equal(plan_write(&p, err, sizeof err), 0);
	plan_free(&p);
	login_clear(&l);
}

/* A new password never goes into a source or map others can read: the
 * modes are made 0600 first.  A private mode is kept. */
static void
test_private_modes(void **state)
{
	struct group *g = getgrnam("relayq-drop");
	gid_t drop = g != NULL ? g->gr_gid : 4242, gid;

	plan_run("first", false);
	set_mode("authinfo", 0644, 0);
	set_mode("authinfo.db", 0644, 0);
	plan_run("second", true);
	assert_int_equal(mode_of("authinfo", NULL), 0600);
	assert_int_equal(mode_of("authinfo.db", NULL), 0600);
	if (geteuid() != 0)
		return;
	set_mode("authinfo", 0640, drop);
	set_mode("authinfo.db", 0640, drop);
	plan_run("third", true);
	assert_int_equal(mode_of("authinfo", &gid), 0600);
	assert_int_equal(gid, drop);
	assert_int_equal(mode_of("authinfo.db", NULL), 0600);
	set_mode("authinfo", 0400, 0);
	set_mode("authinfo.db", 0640, 0);	/* root's group: private */
	plan_run("fourth", false);
	assert_int_equal(mode_of("authinfo", NULL), 0400);
	assert_int_equal(mode_of("authinfo.db", NULL), 0640);
}

/* ---- --add-sender ---- */

static struct candidate work = { .host = "smtp.work.example", .port = 587,
	.socket = AC_SOCK_STARTTLS, .source = "autoconfig https://autoconfig.work.example/x" };

static void
read_text(const char *name, char *out, size_t size)
{
	char path[128];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *fp = fopen(path, "r");
	assert_non_null(fp);
	size_t n = fread(out, 1, size - 1, fp);
	out[n] = '\0';
	assert_int_equal(fclose(fp), 0);
}

/* plan_make for sender (NULL: the smarthost) at c, password pw; 0 / -1. */
static int
sender_plan(struct plan *p, const struct candidate *c, const char *sender,
    const char *pw, const char *authinfo_opt, char *err, size_t errlen)
{
	static struct login l;
	char conf[128];
	login_clear(&l);
	strlcpy_rq(l.user, sender != NULL ? "bob" : "alice", sizeof l.user);
	l.password = pw != NULL ? strdup(pw) : NULL;
	snprintf(conf, sizeof conf, "%s/relayq.conf", dir);
	struct plan_input in = { conf, authinfo_opt, c, &l, "", sender != NULL ? sender :
	    "alice@isp.example", "", sender, NULL };
	err[0] = '\0';
	return plan_make(p, &in, err, errlen);
}

/* Makes, writes and frees the plan; whether an existing file changed. */
static bool
sender_run(const struct candidate *c, const char *sender, const char *pw)
{
	struct plan p;
	char err[256];
	if (sender_plan(&p, c, sender, pw, NULL, err, sizeof err) != 0)
		fail_msg("plan: %s", err);
	bool changed = plan_changes_existing(&p);
	if (plan_write(&p, err, sizeof err) != 0)
		fail_msg("write: %s", err);
	plan_free(&p);
	return changed;
}

static const char first_conf[] = "# mine\nsmarthost smtp.isp.example:465\n"
    "tls smtps\nauthinfo hash:%s/authinfo\nhostname laptop.example\n";
static const char first_ai[] = "# creds\nAuthInfo:smtp.isp.example \"U:alice\" \"P:one\"\n";

static void
write_first_account(void)
{
	char conf[512];
	snprintf(conf, sizeof conf, first_conf, dir);
	write_file("relayq.conf", conf);
	write_file("authinfo", first_ai);
}

/* What relayqd will look up: the route by the sender, the login by
 * "<host>/<sender>", and the first account's login as before. */
static void
check_sender_maps(const char *route, const char *pw)
{
	struct map *m;
	struct buf v;
	bool found;
	char spec[128], err[256];
	buf_init(&v);
	snprintf(spec, sizeof spec, "hash:%s/sender_relay", dir);
	assert_int_equal(map_open(&m, spec, MAP_F_SAFE, (uid_t)-1, err, sizeof err), 0);
	assert_int_equal(map_lookup(m, "bob@work.example", &v, &found, err, sizeof err), 0);
	assert_true(found);
	assert_string_equal(buf_str(&v), route);
	map_close(m);
	snprintf(spec, sizeof spec, "hash:%s/authinfo", dir);
	assert_int_equal(map_open(&m, spec, MAP_F_SECRET, (uid_t)-1, err, sizeof err), 0);
	assert_int_equal(map_lookup(m, "authinfo:smtp.work.example/bob@work.example", &v,
	    &found, err, sizeof err), 0);
	assert_true(found);
	char want[128];
	snprintf(want, sizeof want, "\"U:bob\" \"I:bob\" \"P:%s\"", pw);
	assert_string_equal(buf_str(&v), want);
	assert_int_equal(map_lookup(m, "authinfo:smtp.isp.example", &v, &found, err,
	    sizeof err), 0);
	assert_true(found);
	assert_string_equal(buf_str(&v), "\"U:alice\" \"P:one\"");
	map_close(m);
	buf_free_secret(&v);
}

static void
test_add_sender(void **state)
{
	char conf[512], text[1024], want[1024], date_line[64];
	write_first_account();
	struct plan p;
	char err[256];
	assert_int_equal(sender_plan(&p, &work, "bob@work.example", "two", NULL, err,
	    sizeof err), 0);
	assert_true(plan_changes_existing(&p));
	/* relayq.conf: every line kept, sender_relay appended after a comment. */
	snprintf(conf, sizeof conf, first_conf, dir);
	const char *nc = buf_str(&p.conf.new);
	assert_memory_equal(nc, conf, strlen(conf));
	snprintf(want, sizeof want, ": bob@work.example\nsender_relay    hash:%s/sender_relay\n",
	    dir);
	assert_non_null(strstr(nc, want));
	snprintf(date_line, sizeof date_line, "# relayq-setup, ");
	assert_memory_equal(nc + strlen(conf), date_line, strlen(date_line));
	assert_null(strstr(buf_str(&p.authinfo.new_shown), "two"));
	assert_non_null(strstr(buf_str(&p.authinfo.new_shown),
	    "AuthInfo:smtp.work.example/bob@work.example \"U:bob\" \"I:bob\" \"P:***\"\n"));
	assert_string_equal(buf_str(&p.routes.new_shown), buf_str(&p.routes.new));
	assert_int_equal(plan_write(&p, err, sizeof err), 0);
	plan_free(&p);

	read_text("authinfo", text, sizeof text);
	assert_string_equal(text, "# creds\nAuthInfo:smtp.isp.example \"U:alice\" \"P:one\"\n"
	    "AuthInfo:smtp.work.example/bob@work.example \"U:bob\" \"I:bob\" \"P:two\"\n");
	read_text("sender_relay", text, sizeof text);
	assert_string_equal(text, "# sender_relay of relayq.conf(5), by relayq-setup: "
	    "envelope sender, relays\nbob@work.example smtp.work.example:587 tls=starttls\n");
	assert_int_equal(mode_of("authinfo", NULL), 0600);
	assert_int_equal(mode_of("sender_relay", NULL), 0644);
	assert_int_equal(mode_of("sender_relay.db", NULL), 0640);
	check_sender_maps("smtp.work.example:587 tls=starttls", "two");

	/* Twice: nothing changes. */
	read_text("relayq.conf", conf, sizeof conf);
	assert_false(sender_run(&work, "bob@work.example", "two"));
	read_text("relayq.conf", text, sizeof text);
	assert_string_equal(text, conf);

	/* The first account set up again: the sender's lines stay. */
	assert_true(sender_run(&cand, NULL, "one2"));
	read_text("relayq.conf", text, sizeof text);
	snprintf(want, sizeof want, "sender_relay    hash:%s/sender_relay\n", dir);
	assert_non_null(strstr(text, want));
	read_text("authinfo", text, sizeof text);
	assert_string_equal(text, "# creds\n"
	    "AuthInfo:smtp.isp.example \"U:alice\" \"I:alice\" \"P:one2\"\n"
	    "AuthInfo:smtp.work.example/bob@work.example \"U:bob\" \"I:bob\" \"P:two\"\n");
	read_text("sender_relay", text, sizeof text);
	assert_non_null(strstr(text, "\nbob@work.example smtp.work.example:587 tls=starttls\n"));
}

/* A sender moved to another provider: its line and the logins for the
 * relays it had are replaced in place; other senders' and sendmail's own
 * entries, and hand-written lines, stay. */
static void
test_add_sender_replaces_own(void **state)
{
	char text[2048];
	write_first_account();
	write_file("authinfo", "# creds\nAuthInfo:smtp.isp.example \"U:alice\" \"P:one\"\n"
	    "AuthInfo:old.example/bob@work.example \"U:bob\" \"P:old\"\n"
	    "AuthInfo:old.example/carol@work.example \"U:carol\" \"P:c\"\n"
	    "AuthInfo:[192.0.2.7]/bob@work.example \"U:bob\" \"P:old2\"\n"
	    "AuthInfo:old.example \"U:x\" \"P:x\"\n");
	write_file("sender_relay", "# routes\ncarol@work.example old.example\n"
	    "BOB@Work.Example old.example:2525 [192.0.2.7]:587 tls=starttls\n"
	    "@home.example smtp.home.example:465 tls=smtps\n");
	struct plan p;
	char err[256];
	assert_int_equal(sender_plan(&p, &work, "bob@work.example", "two", NULL, err,
	    sizeof err), 0);
	/* relayq.conf lacks sender_relay but the source is found next to it */
	assert_string_equal(buf_str(&p.routes.new), "# routes\ncarol@work.example "
	    "old.example\nbob@work.example smtp.work.example:587 tls=starttls\n"
	    "@home.example smtp.home.example:465 tls=smtps\n");
	assert_string_equal(buf_str(&p.authinfo.new), "# creds\n"
	    "AuthInfo:smtp.isp.example \"U:alice\" \"P:one\"\n"
	    "AuthInfo:smtp.work.example/bob@work.example \"U:bob\" \"I:bob\" \"P:two\"\n"
	    "AuthInfo:old.example/carol@work.example \"U:carol\" \"P:c\"\n"
	    "AuthInfo:old.example \"U:x\" \"P:x\"\n");
	assert_int_equal(plan_write(&p, err, sizeof err), 0);
	plan_free(&p);
	check_sender_maps("smtp.work.example:587 tls=starttls", "two");

	/* --no-password: only the route; the authinfo file and line kept. */
	write_file("authinfo", first_ai);
	write_file("sender_relay", "# routes\n");
	assert_true(sender_run(&work, "bob@work.example", NULL));
	read_text("authinfo", text, sizeof text);
	assert_string_equal(text, first_ai);
	read_text("sender_relay", text, sizeof text);
	assert_string_equal(text, "# routes\nbob@work.example smtp.work.example:587 "
	    "tls=starttls\n");
	read_text("relayq.conf", text, sizeof text);
	assert_non_null(strstr(text, "\nauthinfo hash:"));
}

/* A new relayq.conf for a second account alone: the maps, no smarthost;
 * an --authinfo other than the map relayq.conf names is refused. */
static void
test_add_sender_conf(void **state)
{
	struct plan p;
	char err[256], want[512];
	assert_int_equal(sender_plan(&p, &work, "bob@work.example", "two", NULL, err,
	    sizeof err), 0);
	snprintf(want, sizeof want, "\nauthinfo        hash:%s/authinfo\n"
	    "sender_relay    hash:%s/sender_relay\n", dir, dir);
	assert_non_null(strstr(buf_str(&p.conf.new), want));
	assert_null(strstr(buf_str(&p.conf.new), "smarthost"));
	assert_null(strstr(buf_str(&p.conf.new), "relayq-setup, "));
	plan_free(&p);

	write_first_account();
	assert_int_equal(sender_plan(&p, &work, "bob@work.example", "two",
	    "hash:/etc/other", err, sizeof err), -1);
	snprintf(want, sizeof want, "relayq.conf names authinfo hash:%s/authinfo; "
	    "--add-sender adds to that map, not to --authinfo hash:/etc/other", dir);
	assert_string_equal(err, want);
	plan_free(&p);
}

static void
test_sender_keys(void **state)
{
	char key[64], err[256], keys[SENDER_KEYS_MAX][SENDER_KEY_MAX], v[64];
	assert_int_equal(sender_key("Bob@Work.EXAMPLE", key, sizeof key, err, sizeof err), 0);
	assert_string_equal(key, "bob@work.example");
	assert_int_equal(sender_key("#x@work.example", key, sizeof key, err, sizeof err), -1);
	assert_non_null(strstr(err, "comment"));
	sender_route_value(&cand, v, sizeof v);
	assert_string_equal(v, "smtp.isp.example:465 tls=smtps");

	size_t n = sender_authinfo_keys("new.example", "bob@w.example",
	    "a.example:587 [192.0.2.1]:25 new.example tls=starttls", keys, SENDER_KEYS_MAX);
	assert_int_equal(n, 6);
	assert_string_equal(keys[0], "AuthInfo:new.example/bob@w.example");
	assert_string_equal(keys[1], "AuthInfo:a.example/bob@w.example");
	assert_string_equal(keys[2], "AuthInfo:[a.example]/bob@w.example");
	assert_string_equal(keys[3], "AuthInfo:192.0.2.1/bob@w.example");
	assert_string_equal(keys[4], "AuthInfo:[192.0.2.1]/bob@w.example");
	assert_string_equal(keys[5], "AuthInfo:[new.example]/bob@w.example");
	assert_int_equal(sender_authinfo_keys("n.example", "b@w.example", "", keys,
	    SENDER_KEYS_MAX), 1);
	assert_int_equal(sender_authinfo_keys("n.example", "b@w.example", "bad:port:x",
	    keys, SENDER_KEYS_MAX), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_login_value),
		cmocka_unit_test(test_connect_to),
		cmocka_unit_test(test_login_value_roundtrip),
		cmocka_unit_test(test_login_check),
		cmocka_unit_test(test_psl_base_domain),
		cmocka_unit_test_setup_teardown(test_odd_passwords_written,
		    make_dir, remove_dir),
		cmocka_unit_test(test_redact_line),
		cmocka_unit_test_setup_teardown(test_new_files, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_existing_files_edited_in_place,
		    make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_redacted_old_source,
		    make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_private_modes,
		    make_dir, remove_dir),
		cmocka_unit_test(test_sender_keys),
		cmocka_unit_test_setup_teardown(test_add_sender, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_add_sender_replaces_own,
		    make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_add_sender_conf, make_dir, remove_dir),
	};
	return cmocka_run_group_tests_name("setup", tests, NULL, NULL);
}
