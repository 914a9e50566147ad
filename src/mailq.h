/* mailq: `sendmail -bp` / `mailq` — the queue in sendmail's layout.
 * Runs in the setgid submitter: reads state files only, repairs nothing. */
#ifndef RELAYQ_MAILQ_H
#define RELAYQ_MAILQ_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "cli.h"

/* Lists the queue under spool to out.  Callers other than root see only
 * their own messages (only_uid).  Returns 0, or -1 with err set. */
int mailq_print(FILE *out, const char *spool, bool all_users, uid_t only_uid,
    const struct cli_selector *sel, size_t nsel, char *err, size_t errlen);

#endif
