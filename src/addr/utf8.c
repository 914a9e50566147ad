/* utf8: a strict UTF-8 decoder (RFC 3629 §4's table, so no overlong form,
 * surrogate or code point past U+10FFFF passes) and the quoted forms of
 * addresses that error messages and DSNs need. */
#include "utf8.h"

#include <errno.h>
#include <stdint.h>

/* Decodes the sequence at s into *cp; its length, or 0 if malformed. */
static size_t
decode(const unsigned char *s, uint32_t *cp)
{
	static const uint32_t min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t len;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, *cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, *cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, *cp = s[0] & 0x07;
	else
		return 0;	/* a continuation octet, 0xc0/0xc1, 0xf5-0xff */
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)	/* also stops at the NUL */
			return 0;
		*cp = (*cp << 6) | (s[i] & 0x3f);
	}
	if (*cp < min[len] || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	return len;
}

enum utf8_kind
utf8_classify(const char *s, size_t *bad)
{
	const unsigned char *p = (const unsigned char *)s;
	enum utf8_kind kind = UTF8_ASCII;
	for (size_t i = 0; p[i] != '\0';) {
		uint32_t cp;
		size_t n = decode(p + i, &cp);
		if (n == 0) {
			if (bad != NULL)
				*bad = i;
			return UTF8_MALFORMED;
		}
		if (n > 1)
			kind = UTF8_NON_ASCII;
		i += n;
	}
	return kind;
}

bool
utf8_has_8bit(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s > 0x7f)
			return true;
	return false;
}

int
utf8_quote(struct buf *b, const char *s, size_t max)
{
	size_t i;
	for (i = 0; s[i] != '\0' && i < max; i++) {
		unsigned char c = (unsigned char)s[i];
		int rc = c >= 0x20 && c < 0x7f && c != '\\' ? buf_putc(b, (char)c) :
		    buf_printf(b, "\\x%02X", c);
		if (rc == -1)
			return -1;
	}
	return s[i] != '\0' ? buf_puts(b, "...") : 0;
}

/* RFC 6533 §3: QCHAR = %x21-2a / %x2c-3c / %x3e-5b / %x5d-7e */
static bool
is_qchar(uint32_t cp)
{
	return cp >= 0x21 && cp <= 0x7e && cp != '+' && cp != '=' && cp != '\\';
}

int
utf8_addr_xtext(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p != '\0') {
		uint32_t cp;
		size_t n = decode(p, &cp);
		if (n == 0) {
			errno = EILSEQ;
			return -1;
		}
		int rc = is_qchar(cp) ? buf_putc(b, (char)cp) :
		    buf_printf(b, "\\x{%X}", (unsigned)cp);
		if (rc == -1)
			return -1;
		p += n;
	}
	return 0;
}
