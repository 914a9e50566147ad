/* mailq: `sendmail -bp` / `mailq` — the queue in sendmail's layout.
 * Runs in relayq-showq (setgid relayq): reads state files only, repairs
 * nothing, and shows a caller other than root only their own messages. */
#ifndef RELAYQ_MAILQ_H
#define RELAYQ_MAILQ_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "qsel.h"

/* Lists the queue under spool to out: every message with all_users, else
 * only only_uid's.  Messages still in maildrop/ are shown when it can be
 * read (root).  Returns 0, or -1 with err set. */
int mailq_print(FILE *out, const char *spool, bool all_users, uid_t only_uid,
    const struct qsel *sel, char *err, size_t errlen);

#endif
