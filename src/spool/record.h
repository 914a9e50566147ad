/* record: the line format of drop files and .qf files — a magic first
 * line, then "Kvalue" records, one a line, up to a terminator line.  Used
 * by drop.c and qf.c only. */
#ifndef RELAYQ_RECORD_H
#define RELAYQ_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "buf.h"
#include "envelope.h"

/* "Kvalue\n" into b (nothing for a NULL value); -1 with EINVAL if value
 * holds a LF (no record can be split or injected). */
int record_put(struct buf *b, char key, const char *value);
/* T, U, S, I, N, R, V, B and Y (a line "Y" when e->smtputf8; older
 * files have none): the records drop files and .qf files share. */
int record_put_envelope(struct buf *b, const struct envelope *e);
/* 0 if fp starts with magic, else -1 with err. */
int record_check_magic(FILE *fp, const char *magic, char *err, size_t errlen);
/* Records up to the line `stop`, into e (qf: the .qf's extra records and
 * per-recipient states are allowed); *endpos (may be NULL) is the offset
 * after the terminator.  0, or -1 with err ("bad record at line N"). */
int record_parse_all(FILE *fp, struct envelope *e, bool qf, const char *stop,
    off_t *endpos, char *err, size_t errlen);

#endif
