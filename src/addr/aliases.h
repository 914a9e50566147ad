/* aliases: /etc/aliases-style table for local recipients (root, www-data)
 * and its expansion into qualified addresses.  Ownership: aliases_load's
 * table belongs to the caller; aliases_free(NULL) is safe. */
#ifndef RELAYQ_ALIASES_H
#define RELAYQ_ALIASES_H

#include <stddef.h>

#include "address.h"

struct aliases;

/* A missing file is an empty table.  Bad lines: -1, err "file:line: why". */
int    aliases_load(struct aliases **out, const char *path, char *err, size_t errlen);
size_t aliases_count(const struct aliases *a);
void   aliases_free(struct aliases *a);

/* Adds the final addresses for addr to out: a local name (unqualified, or
 * user@ one of local_names, blank-separated) goes through the table by its
 * user part (recursively, depth 10, loop-safe) and what is left is
 * qualified as user@domain; other addresses pass unchanged.  Targets relayq
 * cannot deliver (|program, /file, :include:) are skipped, named in note. */
int aliases_expand(const struct aliases *a, const char *addr, const char *domain,
    const char *local_names, struct strlist *out, char *note, size_t notelen);

#endif
