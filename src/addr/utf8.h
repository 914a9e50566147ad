/* utf8: well-formed UTF-8 (RFC 3629) for internationalized addresses
 * (RFC 6531, RFC 6532), and their 7-bit forms for reports (RFC 6533).
 * Pure: no allocation beyond what a caller's buffer holds. */
#ifndef RELAYQ_UTF8_H
#define RELAYQ_UTF8_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

enum utf8_kind {
	UTF8_ASCII,		/* no octet above 0x7f */
	UTF8_NON_ASCII,		/* well-formed UTF-8 with non-ASCII characters */
	UTF8_MALFORMED		/* not UTF-8: a stray continuation octet, a
				   truncated sequence, an overlong form, a
				   surrogate (U+D800-DFFF) or above U+10FFFF */
};

/* What s is; for UTF8_MALFORMED, *bad (may be NULL) is the offset of the
 * first octet of the bad sequence. */
enum utf8_kind utf8_classify(const char *s, size_t *bad);
/* Any octet above 0x7f (whether or not it is UTF-8)? */
bool utf8_has_8bit(const char *s);
/* s for an error message: printable ASCII as is, every other octet as
 * \xHH, at most `max` input octets, then "...".  -1 out of memory. */
int utf8_quote(struct buf *b, const char *s, size_t max);
/* RFC 6533's utf-8-addr-xtext of a well-formed UTF-8 address: QCHARs as
 * they are, every other character (non-ASCII, '\', '+', '=', controls,
 * space) as \x{HEX}.  -1 if s is malformed (errno EILSEQ) or out of memory. */
int utf8_addr_xtext(struct buf *b, const char *s);

#endif
