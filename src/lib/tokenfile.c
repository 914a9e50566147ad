/* tokenfile: parse, format, read and write OAuth2 token state files
 * (format and safety rules in tokenfile.h). */
#include "tokenfile.h"
#include "durable.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct field {
	const char *key;
	size_t off;		/* of the char * in struct tokenfile */
};

#define F(name) { #name, offsetof(struct tokenfile, name) }
static const struct field fields[] = {
	F(token_endpoint), F(client_id), F(client_secret), F(scope), F(user),
	F(ca_file), F(refresh_token), F(access_token),
};
#undef F

static char **
slot(struct tokenfile *tf, const struct field *f)
{
	return (char **)(void *)((char *)tf + f->off);
}

static char *const *
cslot(const struct tokenfile *tf, const struct field *f)
{
	return (char *const *)(const void *)((const char *)tf + f->off);
}

static void
wipe_free(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

int
tokenfile_set(char **field, const char *value)
{
	char *copy = NULL;
	if (value != NULL && (copy = strdup(value)) == NULL)
		return -1;
	wipe_free(*field);
	*field = copy;
	return 0;
}

void
tokenfile_free(struct tokenfile *tf)
{
	if (tf == NULL)
		return;
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		wipe_free(*slot(tf, &fields[i]));
	buf_free_secret(&tf->extra);
	memset(tf, 0, sizeof *tf);
}

static bool
key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

static bool
value_ok(const char *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)v[i] < 0x20 && v[i] != '\t') || v[i] == 0x7f)
			return false;
	return true;
}

/* "expires" must be a plain decimal number. */
static int
set_expires(struct tokenfile *tf, const char *v, size_t n)
{
	long long e = 0;
	if (n == 0 || n > 18)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		e = e * 10 + (v[i] - '0');
	}
	tf->expires = e;
	return 0;
}

/* One "key value" line (no line end).  Static text in *why on error. */
static int
take_line(struct tokenfile *tf, const char *l, size_t n, bool *seen, const char **why)
{
	size_t k = 0, v;
	while (k < n && key_char(l[k]))
		k++;
	if (k == 0 || (k < n && l[k] != ' ' && l[k] != '\t'))
		return *why = "not a \"key value\" line", -1;
	for (v = k; v < n && (l[v] == ' ' || l[v] == '\t'); v++)
		;
	while (n > v && (l[n - 1] == ' ' || l[n - 1] == '\t'))
		n--;
	if (!value_ok(l + v, n - v))
		return *why = "control character in the value", -1;
	if (k == 7 && memcmp(l, "expires", 7) == 0) {
		if (seen[sizeof fields / sizeof fields[0]])
			return *why = "key given twice", -1;
		seen[sizeof fields / sizeof fields[0]] = true;
		return set_expires(tf, l + v, n - v) == 0 ? 0 :
		    (*why = "expires is not a Unix time", -1);
	}
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		if (strlen(fields[i].key) != k || memcmp(fields[i].key, l, k) != 0)
			continue;
		if (seen[i])
			return *why = "key given twice", -1;
		seen[i] = true;
		char **s = slot(tf, &fields[i]);
		if ((*s = strndup(l + v, n - v)) == NULL)
			return *why = "out of memory", -1;
		return 0;
	}
	if (buf_append(&tf->extra, l, n) == -1 || buf_putc(&tf->extra, '\n') == -1)
		return *why = "out of memory", -1;
	return 0;
}

int
tokenfile_parse(const char *text, size_t len, const char *name, struct tokenfile *tf,
    char *err, size_t errlen)
{
	bool seen[sizeof fields / sizeof fields[0] + 1] = { false };
	const char *why = NULL;
	unsigned line = 0;
	memset(tf, 0, sizeof *tf);
	buf_init(&tf->extra);
	for (size_t pos = 0; pos < len && why == NULL;) {
		const char *l = text + pos, *nl = memchr(l, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - l) : len - pos;
		pos += n + (nl != NULL);
		line++;
		if (n > 0 && l[n - 1] == '\r')
			n--;
		if (n > TOKENFILE_LINE_MAX)
			why = "line too long";
		else if (memchr(l, '\0', n) != NULL)
			why = "NUL byte";
		else if (n > 0 && l[0] != '#')
			(void)take_line(tf, l, n, seen, &why);
	}
	if (why == NULL)
		return 0;
	snprintf_rq(err, errlen, "%s:%u: %s", name, line, why);
	tokenfile_free(tf);
	return -1;
}

int
tokenfile_format(const struct tokenfile *tf, struct buf *out)
{
	if (buf_puts(out, "# relayq OAuth2 token state, see relayq-oauth2-refresh(8); "
	    "mode 0600, rewritten whole\n") == -1)
		return -1;
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		const char *v = *cslot(tf, &fields[i]);
		if (v == NULL)
			continue;
		if (!value_ok(v, strlen(v)))
			return -1;
		if (buf_printf(out, "%s %s\n", fields[i].key, v) == -1)
			return -1;
	}
	if (tf->expires > 0 && buf_printf(out, "expires %lld\n", tf->expires) == -1)
		return -1;
	return buf_append(out, buf_str(&tf->extra), tf->extra.len);
}

/* The directory of path: nobody but us (or root) may write it. */
static int
dir_safe(const char *path, char *err, size_t errlen)
{
	char copy[PATH_MAX];
	struct stat st;
	strlcpy_rq(copy, path, sizeof copy);
	const char *dir = dirname(copy);
	if (stat(dir, &st) == -1) {
		snprintf_rq(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if ((st.st_uid != geteuid() && st.st_uid != 0) || (st.st_mode & 022) != 0) {
		snprintf_rq(err, errlen, "%s: must belong to the user relayq runs as and "
		    "be writable by it alone (mode 0700)", dir);
		return -1;
	}
	return 0;
}

static int
file_safe(int fd, const char *path, char *err, size_t errlen)
{
	struct stat st;
	if (fstat(fd, &st) == -1) {
		snprintf_rq(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
		snprintf_rq(err, errlen, "%s: must be a regular file of the user relayq runs "
		    "as, mode 0600", path);
		return -1;
	}
	if (st.st_size > TOKENFILE_MAX) {
		snprintf_rq(err, errlen, "%s: larger than %d bytes", path, TOKENFILE_MAX);
		return -1;
	}
	return 0;
}

/* Whole file into b (reserved up front: a secret is never reallocated). */
static int
slurp(int fd, struct buf *b)
{
	if (buf_reserve(b, TOKENFILE_MAX + 1) == -1)
		return -1;
	for (;;) {
		ssize_t n = read(fd, b->data + b->len, TOKENFILE_MAX + 1 - b->len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0)
			break;
		b->len += (size_t)n;
		if (b->len > TOKENFILE_MAX) {
			errno = EFBIG;
			return -1;
		}
	}
	b->data[b->len] = '\0';
	return 0;
}

int
tokenfile_read(const char *path, struct tokenfile *tf, char *err, size_t errlen)
{
	struct buf b;
	memset(tf, 0, sizeof *tf);
	if (dir_safe(path, err, errlen) == -1)
		return -1;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd == -1) {
		snprintf_rq(err, errlen, "%s: %s", path, errno == ELOOP ?
		    "a symbolic link (refused)" : strerror(errno));
		return -1;
	}
	buf_init(&b);
	int rc = file_safe(fd, path, err, errlen);
	if (rc == 0 && slurp(fd, &b) == -1) {
		snprintf_rq(err, errlen, "%s: %s", path, strerror(errno));
		rc = -1;
	}
	close(fd);
	if (rc == 0)
		rc = tokenfile_parse(buf_str(&b), b.len, path, tf, err, errlen);
	buf_free_secret(&b);
	return rc;
}

int
tokenfile_write(const char *path, const struct tokenfile *tf, char *err, size_t errlen)
{
	char copy[PATH_MAX], dcopy[PATH_MAX], tmp[PATH_MAX];
	struct buf b;
	strlcpy_rq(copy, path, sizeof copy);
	strlcpy_rq(dcopy, path, sizeof dcopy);
	const char *base = basename(copy), *dir = dirname(dcopy);
	snprintf_rq(tmp, sizeof tmp, ".%s.%ld.tmp", base, (long)getpid());
	buf_init(&b);
	if (tokenfile_format(tf, &b) == -1) {
		buf_free_secret(&b);
		snprintf_rq(err, errlen, "%s: a value has a line break or control character", path);
		return -1;
	}
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = dfd == -1 ? -1 : durable_write(dfd, tmp, base, b.data, b.len, 0600, true);
	if (rc == -1)
		snprintf_rq(err, errlen, "%s: cannot write: %s", path, strerror(errno));
	if (dfd != -1)
		close(dfd);
	buf_free_secret(&b);
	return rc;
}

bool
tokenfile_fresh(const struct tokenfile *tf, time_t now, long margin)
{
	return tf->access_token != NULL && tf->access_token[0] != '\0' &&
	    tf->expires > (long long)now + margin;
}
