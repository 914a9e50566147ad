/* qjson: the queue as JSON for monitoring (relayq-queue list --json, show
 * --json).  Times are Unix seconds, null when there is none; strings are
 * escaped, and bytes that are not UTF-8 become U+FFFD, so any queue file
 * gives a document every JSON parser accepts.  Schema: relayq-queue(8). */
#ifndef RELAYQ_QJSON_H
#define RELAYQ_QJSON_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "mailq.h"

/* Length of the valid UTF-8 sequence at p (1 to 4), 0 if it is not one
 * (overlong, surrogate, beyond U+10FFFF, truncated). */
size_t qjson_utf8_len(const unsigned char *p);
/* s as a JSON string, or null for NULL. */
void qjson_str(FILE *out, const char *s);

/* One message: an object (no newline after it). */
void qjson_message(FILE *out, const struct mailq_item *it, time_t now);
/* {"spool":..., "now":..., "count":..., ["older_than", "older",]
 * "messages":[...]}; older_than < 0 leaves both out. */
void qjson_list(FILE *out, const char *spool, const struct mailq_list *l, time_t now,
    long older_than);

#endif
