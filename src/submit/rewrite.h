/* rewrite: the sender rewrite users of msmtp, dma and nullmailer ask for —
 * a sender map (`root server@example.org`) and masquerading — applied to
 * the envelope sender and the From: header alike.  rewrite_free(NULL) ok. */
#ifndef RELAYQ_REWRITE_H
#define RELAYQ_REWRITE_H

#include <stddef.h>

#include "buf.h"

struct rewrite;

/* map_path: lines "key replacement", '#' comments; "" = none.  A key with
 * '@' matches that address; a key without matches the local part of a
 * sender that is local (unqualified or at one of local_names, the host's
 * own names, blank-separated) or @domain.  A local sender that the map does
 * not name gets @masquerade when set, else @domain. */
int  rewrite_load(struct rewrite **out, const char *map_path, const char *masquerade,
    const char *domain, const char *local_names, char *err, size_t errlen);
void rewrite_free(struct rewrite *r);

/* The rewritten (and qualified) form of addr into out; "" stays "". */
int  rewrite_sender(const struct rewrite *r, const char *addr, struct buf *out);

#endif
