/* privs: a program started as root becomes the relayq user before it
 * touches the queue, so the files it writes are the daemon's, and a bug
 * in it is confined to what that user may do. */
#ifndef RELAYQ_PRIVS_H
#define RELAYQ_PRIVS_H

#include <stddef.h>

/* Root: all ids and no supplementary groups of `user`, for good; -1 with
 * err if the user is missing (root never goes on as root) or a call
 * fails.  Anyone else: stays who they are, 0. */
int privs_drop(const char *user, char *err, size_t errlen);

#endif
