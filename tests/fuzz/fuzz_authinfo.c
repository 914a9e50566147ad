/* fuzz_authinfo: libFuzzer target for the AuthInfo value parser and the
 * base64 decoder; also checks that errors never echo the input's value. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "authinfo.h"
#include "base64.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct authinfo ai;
	char err[512];
	char *copy = malloc(size + 1);

	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);	/* exact size: overreads show up */
	copy[size] = '\0';
	if (authinfo_parse(copy, size, "authinfo:fuzz", &ai, err,
	    sizeof err) == 0) {
		if ((ai.password == NULL) == (ai.token_file == NULL) ||
		    ai.authzid == NULL || ai.authid == NULL ||
		    (ai.password != NULL && *ai.password == '\0'))
			abort();	/* the required-field contract */
		(void)authinfo_mechs(&ai);
		authinfo_free(&ai);
	} else if (strlen(err) >= sizeof err || ai.password != NULL ||
	    ai.token_file != NULL) {
		abort();
	}
	char *out = malloc(size / 4 * 3 + 1);
	size_t n;
	if (out != NULL && base64_decode(copy, size, out, size / 4 * 3 + 1,
	    &n) == 0 && n > size)
		abort();
	free(out);
	free(copy);
	return 0;
}
