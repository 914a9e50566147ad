/* redact: an authinfo source as relayq-setup shows it (listings and
 * diffs): every value that is or may be a secret replaced, the keys and
 * user names kept, so the reader still sees which entry changes. */
#ifndef RELAYQ_SETUP_REDACT_H
#define RELAYQ_SETUP_REDACT_H

#include <stddef.h>

#include "buf.h"

/* Appends line (len bytes, without its LF) and a LF to out.  Empty and
 * comment lines are kept.  Otherwise the key (up to the first blank or
 * double quote) and the blanks are kept, and the rest is read as
 * sendmail's tokenizer reads it: an item runs from a double quote to the
 * next one not escaped by a backslash.  A U, I, R, M or O (token file)
 * item is kept; a P item becomes "P:***" and any other item "***"; an
 * item without its
 * closing quote becomes "*** with the rest of the line, and a word
 * outside quotes ***.  Comments are shown as written.  0 / -1 (out of
 * memory). */
int redact_authinfo_line(struct buf *out, const char *line, size_t len);

#endif
