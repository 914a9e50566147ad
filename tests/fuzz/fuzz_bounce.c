/* fuzz_bounce: libFuzzer target for DSN composition from hostile envelope
 * fields; checks no field injection, no over-long line, a closed multipart. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bounce.h"
#include "buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Next NUL-terminated field of the input, or "" past its end. */
static char *
field(char *p, size_t *off, size_t size)
{
	if (*off >= size)
		return p + size;
	char *f = p + *off;
	*off += strlen(f) + 1;
	return f;
}

/* Every line before the original part: known field or continuation. */
static void
check_head(const char *out, const char *end)
{
	static const char *const ok[] = { "From: ", "To: ", "Subject: ",
	    "Date: ", "Message-ID: ", "Auto-Submitted: ", "MIME-Version: ",
	    "Content-Type: ", "Content-Transfer-Encoding: ", NULL };
	for (const char *l = out; l < end && *l != '\n'; l = strchr(l, '\n') + 1) {
		bool known = *l == ' ';
		for (int i = 0; ok[i] != NULL && !known; i++)
			known = strncmp(l, ok[i], strlen(ok[i])) == 0;
		if (!known || strchr(l, '\n') - l > 998)
			abort();
	}
}

static void
check(const char *out, size_t len)
{
	const char *b = strstr(out, "\n boundary=\"");
	if (b == NULL)
		abort();
	b += 12;
	size_t bl = strcspn(b, "\"");
	if (len < bl + 6 || memcmp(out + len - bl - 3, b, bl) != 0 ||
	    strcmp(out + len - 3, "--\n") != 0)
		abort();
	check_head(out, out + len);
	/* up to the third delimiter everything is ours: no line over 998 */
	const char *p = out;
	for (int n = 0; n < 3 && p != NULL; n++)
		p = strstr(p + 1, "\n--=_relayq_");
	for (const char *l = out; p != NULL && l < p; l = strchr(l, '\n') + 1)
		if (strchr(l, '\n') - l > 998 || strncmp(l, "Bcc:", 4) == 0)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(size + 1);
	struct envelope e;
	size_t off = 1;
	if (in == NULL || size < 2) {
		free(in);
		return 0;
	}
	memcpy(in, data, size);
	in[size] = '\0';
	envelope_init(&e);
	strlcpy_rq(e.qid, "AbCdEfGh012345", sizeof e.qid);
	e.arrival = 1795376039;
	e.last_try = e.arrival + 60;
	if (envelope_set(&e.sender, field(in, &off, size)) == -1 ||
	    envelope_set(&e.notify, field(in, &off, size)) == -1 ||
	    envelope_set(&e.ret, field(in, &off, size)) == -1 ||
	    envelope_add_rcpt(&e, field(in, &off, size)) == -1 ||
	    envelope_set(&e.rcpts[0].reply, field(in, &off, size)) == -1)
		goto out;
	e.rcpts[0].state = "PTDF"[in[0] & 3];
	int fd = memfd_create("df", 0);
	const char *content = off < size ? in + off : "";
	size_t clen = off < size ? size - off : 0;
	if (fd == -1 || write(fd, content, clen) != (ssize_t)clen)
		goto closefd;
	e.content_len = (off_t)clen;
	struct bounce_req r = { .env = &e, .kind = (enum bounce_kind)((in[0] >> 2) % 3),
	    .hostname = "host.example.org", .relay = "smtp.isp.example",
	    .postmaster = "postmaster", .now = e.arrival + (in[0] & 0x20 ? 9 * 86400 : 3600),
	    .queue_lifetime = 5 * 86400, .content_fd = fd, .nonce = 42 };
	const char *to = bounce_recipient(&e, r.kind, "postmaster");
	if (to != NULL && to[0] == '\0')
		abort();
	char *out = NULL, err[256];
	size_t outlen = 0;
	bool eightbit;
	FILE *m = open_memstream(&out, &outlen);
	if (m == NULL)
		goto closefd;
	int rc = bounce_write(m, &r, &eightbit, err, sizeof err);
	if (fclose(m) == 0 && rc == 0)
		check(out, outlen);
	free(out);
closefd:
	if (fd != -1)
		close(fd);
out:
	envelope_free(&e);
	free(in);
	return 0;
}
