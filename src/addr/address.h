/* address: RFC 5322 address lists -> addr-specs with their positions, so
 * callers can both collect recipients and rewrite addresses in place.
 * Pure; no allocation beyond the returned list. */
#ifndef RELAYQ_ADDRESS_H
#define RELAYQ_ADDRESS_H

#include <stdbool.h>
#include <stddef.h>

#include "strlist.h"

struct addr {
	char *spec;		/* the addr-spec, comments and folding removed */
	size_t start, end;	/* its span in the parsed text */
};

struct addr_list {
	struct addr *v;
	size_t n;
};

/* Parses a header field body (may contain folding).  Groups, display
 * names, quoted strings, nested comments, angle-addrs and routes are
 * understood.  -1 on unbalanced syntax or control characters, with err. */
int  addr_parse_list(const char *text, struct addr_list *out, char *err, size_t errlen);
void addr_list_free(struct addr_list *l);

/* The domain of an addr-spec (after its last '@'), or NULL if unqualified. */
const char *addr_domain(const char *spec);
/* Does spec name a local user: unqualified, or at one of local_names (a
 * blank-separated list of this host's own names)? */
bool addr_is_local(const char *spec, const char *local_names);

#endif
