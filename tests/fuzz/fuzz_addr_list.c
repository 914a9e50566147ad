/* fuzz_addr_list: the RFC 5322 address-list scanner on arbitrary bytes;
 * every reported span must lie inside the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	struct addr_list l;
	char err[128];
	if (addr_parse_list(s, &l, err, sizeof err) == 0) {
		size_t len = strlen(s);
		for (size_t i = 0; i < l.n; i++)
			if (l.v[i].start > l.v[i].end || l.v[i].end > len)
				abort();
		addr_list_free(&l);
	}
	free(s);
	return 0;
}
