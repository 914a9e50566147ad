/* qfill: fills a spool fast for `make bench`'s scale runs, names that are
 * valid queue ids (BENCHnnnnnnnnn), no fsync (set-up, not what is
 * measured):
 *   qfill DROPFILE DIR N [FIRST]        N copies of a drop file (written
 *                                       by sendmail) into maildrop DIR
 *   qfill -q QID QUEUEDIR N [FIRST]     N copies of a queued message,
 *                                       QID.df and QID.qf, the .qf's Q
 *                                       record changed to the new id */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct file {
	char *data;
	size_t len;
	mode_t mode;
};

static int
slurp(int dfd, const char *name, struct file *f)
{
	struct stat st;
	int fd = openat(dfd, name, O_RDONLY);
	if (fd == -1 || fstat(fd, &st) == -1)
		return -1;
	f->len = (size_t)st.st_size;
	f->mode = st.st_mode & 07777;
	f->data = malloc(f->len + 1);
	if (f->data == NULL || read(fd, f->data, f->len) != (ssize_t)f->len)
		return -1;
	f->data[f->len] = '\0';
	return close(fd);
}

static int
put(int dfd, const char *name, const struct file *f, const char *head, size_t skip)
{
	int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL, f->mode);
	size_t hl = strlen(head);
	/* The drop's own mode, whatever the umask (pickup links it). */
	if (fd == -1 || fchmod(fd, f->mode) == -1 || write(fd, head, hl) != (ssize_t)hl ||
	    write(fd, f->data + skip, f->len - skip) != (ssize_t)(f->len - skip))
		return -1;
	return close(fd);
}

/* The .qf: its first line (the magic), "Q<id>", then the rest. */
static int
put_qf(int dfd, long i, const struct file *qf)
{
	char name[64], head[128];
	char *q = strchr(qf->data, '\n');
	char *rest = q == NULL ? NULL : strchr(q + 1, '\n');
	if (rest == NULL)
		return -1;
	snprintf(head, sizeof head, "%.*sQBENCH%09ld\n", (int)(q + 1 - qf->data), qf->data, i);
	snprintf(name, sizeof name, "BENCH%09ld.qf", i);
	return put(dfd, name, qf, head, (size_t)(rest + 1 - qf->data));
}

int
main(int argc, char **argv)
{
	char name[64];
	struct file df, qf;
	int queued = argc > 1 && strcmp(argv[1], "-q") == 0;
	if (argc < 4 + queued) {
		fputs("usage: qfill [-q QID QUEUEDIR | DROPFILE DIR] N [FIRST]\n", stderr);
		return 64;
	}
	argv += queued;
	long n = atol(argv[3]), first = argc > 4 + queued ? atol(argv[4]) : 0;
	int dfd = open(argv[2], O_RDONLY | O_DIRECTORY);
	snprintf(name, sizeof name, "%s%s", argv[1], queued ? ".df" : "");
	if (dfd == -1 || slurp(queued ? dfd : AT_FDCWD, name, &df) == -1)
		return 66;
	snprintf(name, sizeof name, "%s.qf", argv[1]);
	if (queued && slurp(dfd, name, &qf) == -1)
		return 66;
	for (long i = first; i < first + n; i++) {
		snprintf(name, sizeof name, "BENCH%09ld%s", i, queued ? ".df" : "");
		if (put(dfd, name, &df, "", 0) == -1 || (queued && put_qf(dfd, i, &qf) == -1))
			return 74;
	}
	return 0;
}
