/* dropsock: the submitter's end of the submission socket (dropwire.h),
 * behind drop.h's calls for a drop begun with drop_begin_socket.  Used by
 * drop.c only. */
#ifndef RELAYQ_DROPSOCK_H
#define RELAYQ_DROPSOCK_H

#include <stdbool.h>
#include <stddef.h>

#include "drop.h"

/* env: the envelope part of a drop (drop_put_envelope), sent first. */
int dropsock_begin(struct drop *d, const char *path, const char *env, size_t envlen,
    char *err, size_t errlen);
int dropsock_qp(struct drop *d, const char *hdr, size_t hlen, long long body_off,
    char *err, size_t errlen);
int dropsock_commit(struct drop *d, bool eightbit, char *err, size_t errlen);
/* After a failed write (errnum): relayqd's reply if one is waiting. */
int dropsock_error(struct drop *d, int errnum, char *err, size_t errlen);
void dropsock_abort(struct drop *d);

#endif
