/* fuzz_message: the whole submission pipeline (header read, -t, aliases
 * off, qualification, added headers, body copy) on arbitrary input. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "message.h"
#include "prepare.h"
#include "relayq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct msg_opts o = {
		.extract = size > 0 && (data[0] & 1), .ignore_dots = size > 0 && (data[0] & 2),
		.fullname = "", .login = "root", .domain = "example.org",
		.hostname = "host.example.org", .qid = "QQQQQQQQQQQQQQ", .now = 0,
		.aliases_path = "", .sender_map_path = "", .masquerade = "",
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
	    prepare_message(&m, &o, argv, 1, &res, err, sizeof err) == SUBMIT_OK &&
	    message_write_header(&m, out) == 0)
		(void)message_copy_body(&m, in, out, &st, err, sizeof err);
	message_result_free(&res);
	message_free(&m);
	fclose(in);
	fclose(out);
	return 0;
}
