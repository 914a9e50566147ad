/* words: membership in a blank-separated list of names. */
#include "words.h"

#include <string.h>
#include <strings.h>

bool
words_has(const char *list, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = list; p != NULL && *p != '\0';) {
		p += strspn(p, " ");
		size_t len = strcspn(p, " ");
		if (len == n && n > 0 && strncasecmp(p, word, n) == 0)
			return true;
		p += len;
	}
	return false;
}
