/* words: lists of names written as one string, blank-separated
 * ("host host.example.org localhost"), as relayq.conf holds them. */
#ifndef RELAYQ_WORDS_H
#define RELAYQ_WORDS_H

#include <stdbool.h>

/* Is word one of list's words (ASCII case-insensitive)?  list may be NULL. */
bool words_has(const char *list, const char *word);

#endif
