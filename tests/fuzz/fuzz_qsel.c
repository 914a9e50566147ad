/* fuzz_qsel: sendmail's -q arguments (from any local user's command line,
 * handed on to relayqd) and queue selection, on arbitrary text; one
 * envelope has no sender, as a damaged state file may. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "qsel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), why[128];
	struct qsel q = { 0 };
	struct envelope with, without;
	if (text == NULL)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	/* NUL-separated arguments, alternately for mailq and for relayqd. */
	size_t k = 0;
	for (char *a = text; a <= text + size; a += strlen(a) + 1, k++)
		if (qsel_parse(&q, a, k % 2 == 0, why, sizeof why) == -1 && why[0] == '\0')
			abort();	/* a refusal always says why */
	envelope_init(&with);
	envelope_init(&without);
	memcpy(with.qid, "1xYbAbCdEf0123", QID_SIZE);
	if (envelope_set(&with.sender, "alice@example.org") == -1 ||
	    envelope_add_rcpt(&with, "bob@example.net") == -1 ||
	    envelope_add_rcpt(&without, "carol@example.net") == -1)
		abort();
	(void)qsel_match(&q, &with);
	(void)qsel_match(&q, &without);
	envelope_free(&with);
	envelope_free(&without);
	free(text);
	return 0;
}
