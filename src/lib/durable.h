/* durable: the one way a file or a directory entry is made to survive a
 * crash — write under a temporary name, fsync, then rename, then fsync the
 * directory (which some file systems refuse: that is not data loss). */
#ifndef RELAYQ_DURABLE_H
#define RELAYQ_DURABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* dirfd/tmp: data, fchmod mode, fsync; rename to dirfd/name; with dirsync
 * also fsync dirfd (callers that batch do it once).  0, or -1 with errno
 * kept, tmp removed. */
int durable_write(int dirfd, const char *tmp, const char *name, const void *data,
    size_t len, mode_t mode, bool dirsync);

/* fsync a directory; 0, or -1 (EINVAL and EROFS are not failures). */
int durable_sync_dir(int dirfd);

#endif
