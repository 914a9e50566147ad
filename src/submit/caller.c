/* caller: the submitting user's login and full name.  getpwuid goes
 * through NSS: it probes nscd's socket twice, reads nsswitch.conf and only
 * then /etc/passwd, and maps two 64 KiB stretches of libc that nothing
 * else in the submitter uses.  Where the answer can only come from
 * /etc/passwd, it is read from there, exactly as glibc's files service
 * parses it (nss_files: files-pwd.c, files-parse.c); in every other case
 * getpwuid decides. */
#include "caller.h"
#include "buf.h"

#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* isspace() in the C locale, without the locale's tables. */
static bool
blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\v' || ch == '\f' || ch == '\r';
}

static char *
skip_blanks(char *p)
{
	while (blank(*p))
		p++;
	return p;
}

/* The services of one "database: services" line of nsswitch.conf
 * (glibc's process_line: no comments but "#..." lines, which name no
 * database), or NULL when the line is not the passwd one. */
static char *
passwd_services(char *line)
{
	char *name = skip_blanks(line), *p = name;
	while (*p != '\0' && !blank(*p) && *p != ':')
		p++;
	if (*p == '\0' || p == name || (size_t)(p - name) != 6 || strncmp(name, "passwd", 6) != 0)
		return NULL;
	while (*p != '\0' && (blank(*p) || *p == ':'))
		p++;
	return p;
}

/* Does nsswitch.conf's (last, as glibc reads it) passwd line start with
 * the files service, with no action on the line?  Then an entry found in
 * /etc/passwd is getpwuid's answer (files returns it: SUCCESS=return). */
static bool
files_first(const char *nsswitch)
{
	FILE *fp = fopen(nsswitch, "re");
	if (fp == NULL)
		return false;
	char *line = NULL;
	size_t cap = 0;
	bool files = false;
	while (getline(&line, &cap, fp) != -1) {
		char *s = passwd_services(line);
		if (s == NULL)
			continue;
		/* No [STATUS=action] anywhere: glibc cannot reject the
		 * line, and files' SUCCESS returns. */
		size_t n = strcspn(s, " \t\n\v\f\r");
		files = n == 5 && strncmp(s, "files", 5) == 0 && strchr(s, '[') == NULL;
	}
	bool ok = !ferror(fp);
	free(line);
	fclose(fp);
	return ok && files;
}

enum entry { ENTRY_OTHER, ENTRY_MATCH, ENTRY_UNSURE };

/* A uid or gid field: plain digits up to ':' (passed) or the line's end.
 * strtoul would also take blanks, a sign or an overflow: false for those
 * and for an empty field (which glibc rejects). */
static bool
id_field(char **p, uint64_t *v)
{
	char *s = *p, *digits = s;
	*v = 0;
	while (*s >= '0' && *s <= '9' && *v <= UINT32_MAX)
		*v = *v * 10 + (uint64_t)(*s++ - '0');
	if (s == digits || (*s != ':' && *s != '\0') || *v > UINT32_MAX)
		return false;
	*p = s + (*s == ':');
	return true;
}

/* One passwd line against uid, as _nss_files_parse_pwent and the files
 * service's getpwuid test it (names starting with + or - never match).
 * A line whose numbers this reader does not take as plainly as glibc
 * would is ENTRY_UNSURE, and so is a name too long to keep. */
static enum entry
match_line(char *line, uid_t uid, struct caller *c)
{
	char *p = skip_blanks(line);
	if (*p == '\0' || *p == '#')
		return ENTRY_OTHER;
	p[strcspn(p, "\n")] = '\0';
	char *name = p;
	p += strcspn(p, ":");
	if (*p == '\0' || name[0] == '+' || name[0] == '-')
		return ENTRY_OTHER;
	size_t namelen = (size_t)(p - name);
	p++;
	p += strcspn(p, ":");		/* the password */
	if (*p == '\0')
		return ENTRY_OTHER;	/* no uid: glibc rejects the line */
	p++;
	uint64_t u, g;
	if (!id_field(&p, &u) || !id_field(&p, &g))
		return ENTRY_UNSURE;
	if ((uid_t)u != uid)
		return ENTRY_OTHER;
	if (namelen == 0 || namelen >= 256)
		return ENTRY_UNSURE;
	name[namelen] = '\0';
	snprintf_rq(c->gecos, sizeof c->gecos, "%.*s", (int)strcspn(p, ":,"), p);
	c->login = name;
	return ENTRY_MATCH;
}

/* The entry from passwd; false when getpwuid must decide. */
static bool
from_files(struct caller *c, uid_t uid, const char *passwd)
{
	FILE *fp = fopen(passwd, "re");
	if (fp == NULL)
		return false;
	char *line = NULL;
	size_t cap = 0;
	enum entry e = ENTRY_OTHER;
	while (e == ENTRY_OTHER && getline(&line, &cap, fp) != -1)
		e = match_line(line, uid, c);
	fclose(fp);
	if (e != ENTRY_MATCH) {
		free(line);
		c->login = "nobody";
		c->gecos[0] = '\0';
		return false;
	}
	c->line = line;
	c->from_files = true;
	return true;
}

void
caller_lookup(struct caller *c, uid_t uid, const char *nsswitch, const char *passwd)
{
	memset(c, 0, sizeof *c);
	c->login = "nobody";
	if (files_first(nsswitch) && from_files(c, uid, passwd))
		return;
	/* getpwuid's static result stays valid: the submitter makes no
	 * other getpw* call. */
	struct passwd *pw = getpwuid(uid);
	if (pw == NULL)
		return;
	c->login = pw->pw_name;
	if (pw->pw_gecos != NULL)
		snprintf_rq(c->gecos, sizeof c->gecos, "%.*s", (int)strcspn(pw->pw_gecos, ","),
		    pw->pw_gecos);
}

void
caller_free(struct caller *c)
{
	free(c->line);
	memset(c, 0, sizeof *c);
	c->login = "nobody";
}

const struct caller *
caller_self(void)
{
	static struct caller c;
	static bool looked_up;
	if (!looked_up) {
		caller_lookup(&c, getuid(), CALLER_NSSWITCH, CALLER_PASSWD);
		looked_up = true;
	}
	return &c;
}
