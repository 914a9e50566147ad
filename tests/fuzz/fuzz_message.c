/* fuzz_message: the whole submission pipeline (header read, -t, aliases
 * off, local names, qualification, added headers, the MIME decision and
 * quoted-printable re-encoding, body copy) on arbitrary input; no header
 * line written may pass 998 octets. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "message.h"
#include "linewrap.h"
#include "mime.h"
#include "prepare.h"
#include "relayq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The header must come out with no line over LINEWRAP_MAX. */
static void
check_header(const struct message *m)
{
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);
	if (fp == NULL || message_write_header(m, fp) != 0 || fclose(fp) != 0)
		abort();
	for (const char *p = text; p < text + len;) {
		const char *nl = memchr(p, '\n', (size_t)(text + len - p));
		size_t n = nl != NULL ? (size_t)(nl - p) : (size_t)(text + len - p);
		if (n > LINEWRAP_MAX)
			abort();
		p += n + 1;
	}
	free(text);
}

/* As submit.c writes it: broken long lines, or (a single text part, when
 * asked) the body re-encoded quoted-printable. */
static void
write_message(struct message *m, FILE *in, FILE *out, bool qp, struct msg_stats *st)
{
	char err[256];
	size_t written = 0;
	check_header(m);
	m->wrap_body = !mime_qp_eligible(m);
	if (qp && !m->wrap_body && mime_set_qp(m) == 0) {
		check_header(m);
		long at = ftell(in);
		fseek(in, 0, SEEK_END);
		long end = ftell(in);
		fseek(in, at, SEEK_SET);
		if (message_write_header(m, out) == 0)
			(void)linewrap_qp_copy(in, end - at, out, &written);
		return;
	}
	if (message_write_header(m, out) == 0)
		(void)message_copy_body(m, in, out, st, err, sizeof err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct msg_opts o = {
		.extract = size > 0 && (data[0] & 1), .ignore_dots = size > 0 && (data[0] & 2),
		.fullname = "", .login = "root", .domain = "example.org",
		.hostname = "host.example.org", .qid = "QQQQQQQQQQQQQQ", .now = 0,
		.aliases_path = "", .sender_map_path = "", .masquerade = "",
		.local_names = "host host.example.org localhost localhost.example.org",
	};
	FILE *in = fmemopen((void *)data, size, "r");
	FILE *out = fopen("/dev/null", "w");
	if (in == NULL || out == NULL)
		abort();
	struct message m;
	struct msg_result res = { 0 };
	struct msg_stats st;
	char err[256];
	char *argv[] = { "rcpt@example.net" };
	message_init(&m);
	if (message_read_header(&m, in, &o, err, sizeof err) == SUBMIT_OK &&
	    prepare_message(&m, &o, argv, 1, &res, err, sizeof err) == SUBMIT_OK)
		write_message(&m, in, out, size > 0 && (data[0] & 4), &st);
	message_result_free(&res);
	message_free(&m);
	fclose(in);
	fclose(out);
	return 0;
}
