/* fuzz_oauth2_json: libFuzzer target for the JSON parser that reads token
 * endpoint answers and SASL error challenges (json.h): no crash, no
 * overread, and what it accepts keeps the documented contract. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(const struct json_obj *o)
{
	if (o->n > JSON_MAX_MEMBERS)
		abort();
	for (size_t i = 0; i < o->n; i++) {
		const struct json_member *m = &o->m[i];
		bool text = m->type == JSON_STRING || m->type == JSON_NUMBER;
		if (m->key == NULL || (m->value != NULL) != text)
			abort();
		if (text && strlen(m->value) > JSON_MAX_STRING)
			abort();
		if (json_get(o, m->key) != m)	/* keys are unique */
			abort();
	}
	long long n;
	(void)json_int(o, "expires_in", 0, 1000000000, &n);
	(void)json_string(o, "access_token");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_obj o;
	char err[512];
	char *copy = malloc(size + 1);
	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);	/* exact size: no NUL to lean on */
	if (json_parse_object(copy, size, &o, err, sizeof err) == 0) {
		check(&o);
		json_free(&o);
	} else if (o.n != 0 || strlen(err) == 0) {
		abort();
	}
	json_free(&o);
	free(copy);
	return 0;
}
