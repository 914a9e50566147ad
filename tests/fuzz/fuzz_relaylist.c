/* fuzz_relaylist: relay lists as relayq.conf's smarthost line and the
 * sender_relay map's values (any map entry an administrator or
 * relayq-setup writes) give them.  A list that parses, written back in
 * canonical form, parses to the same relays; a refusal always says why. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relaylist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const tls_words[] = { "", " tls=none", " tls=starttls", " tls=smtps" };

/* The canonical text of l. */
static void
format(const struct relay_list *l, char *out, size_t size)
{
	size_t n = 0;
	out[0] = '\0';
	for (size_t i = 0; i < l->n && n < size; i++)
		n += (size_t)snprintf(out + n, size - n, l->host[i].bracketed ? "%s[%s]:%s" : "%s%s:%s",
		    i > 0 ? " " : "", l->host[i].name, l->host[i].port);
	if (n < size)
		snprintf(out + n, size - n, "%s", tls_words[l->tls]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), why[256], again_text[4096];
	struct relay_list l, again;
	if (text == NULL)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	why[0] = '\0';
	if (relaylist_parse(text, "25", &l, why, sizeof why) == -1) {
		if (why[0] == '\0')
			abort();
		free(text);
		return 0;
	}
	format(&l, again_text, sizeof again_text);
	if (relaylist_parse(again_text, "25", &again, why, sizeof why) == -1 || again.n != l.n ||
	    again.tls != l.tls)
		abort();
	for (size_t i = 0; i < l.n; i++)
		if (strcmp(again.host[i].name, l.host[i].name) != 0 ||
		    strcmp(again.host[i].port, l.host[i].port) != 0 ||
		    again.host[i].bracketed != l.host[i].bracketed)
			abort();
	free(text);
	return 0;
}
