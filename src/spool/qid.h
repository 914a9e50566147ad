/* qid: queue ids — 14 characters of base 62 from the time, the
 * microseconds and the pid, as sendmail's look; file names in the spool. */
#ifndef RELAYQ_QID_H
#define RELAYQ_QID_H

#include <stdbool.h>

#define QID_LEN 14			/* sendmail-style queue id length */
#define QID_SIZE (QID_LEN + 1)

void qid_new(char qid[QID_SIZE]);
bool qid_valid(const char *s);

#endif
