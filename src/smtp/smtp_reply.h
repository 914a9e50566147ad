/* smtp_reply: strict parser for SMTP replies and EHLO keyword lists.
 * Pure: no I/O.  Server replies are hostile input: bounded, valid codes,
 * printable characters only (others become '?'). */
#ifndef RELAYQ_SMTP_REPLY_H
#define RELAYQ_SMTP_REPLY_H

#include <stdbool.h>
#include <stddef.h>

#define SMTP_REPLY_TEXT_MAX 512

struct smtp_reply {
	int  code;				/* 200..599, 0 = none */
	char enh[16];				/* "5.1.1" or "" */
	char text[SMTP_REPLY_TEXT_MAX];		/* lines joined by "; " with
						   code, for logs: "550 5.1.1 ..." */
};

/* Log text format (reply.text): the first line verbatim ("550 5.1.1 <x@y>:
 * Recipient address rejected"); each continuation line is appended after
 * "; " without its code and without its enhanced code when that repeats
 * the first line's (so "250-a" "250 b" gives "250 a; b").  Non-printable
 * octets become '?'; text longer than SMTP_REPLY_TEXT_MAX is cut. */

#define SMTP_REPLY_MAX_LINES 100	/* per reply */
#define SMTP_REPLY_MAX_BYTES 65536	/* per reply, all lines */
#define SMTP_REPLY_LINE_MAX  4096	/* per line, lenient vs. RFC's 512 */

/* Feeding state for one reply; no heap, reusable after smtp_reply_begin. */
struct smtp_reply_parser {
	struct smtp_reply *r;
	size_t nlines;
	size_t nbytes;
	bool   done;
};

enum srp_status {
	SRP_ERROR = -1,		/* protocol error: err says why; abort session */
	SRP_MORE = 0,		/* continuation line seen, feed the next one */
	SRP_DONE = 1		/* last line seen, *r is complete */
};

/* Starts a reply: clears *r. */
void smtp_reply_begin(struct smtp_reply_parser *p, struct smtp_reply *r);

/* Feeds one line without its line terminator (a trailing CR is ignored).
 * On SRP_MORE/SRP_DONE, *textp (if not NULL) points at the line's text
 * after "NNN-" / "NNN " inside `line` (used by the EHLO parser). */
enum srp_status smtp_reply_feed(struct smtp_reply_parser *p,
    const char *line, size_t len, const char **textp, size_t *textlenp,
    char *err, size_t errlen);

/* Parses a complete reply held in a buffer (lines ending in CRLF or LF).
 * For tests and the fuzzer.  Returns 0, or -1 with err set (also when the
 * buffer ends before the last line or has bytes after it). */
int smtp_reply_parse(struct smtp_reply *r, const char *data, size_t len,
    char *err, size_t errlen);

/* Sets enh/code/text of a reply made up locally (timeouts, size limit):
 * code and enh as given, text verbatim (it is not the server's words). */
void smtp_reply_set(struct smtp_reply *r, int code, const char *enh,
    const char *text);

/* Reply class helpers: first digit. */
static inline int smtp_reply_class(const struct smtp_reply *r)
{
	return r->code / 100;
}

/* ---- EHLO capabilities (RFC 5321 §4.1.1.1, §2.2.2) ---- */

enum smtp_ext_flag {
	EXT_PIPELINING = 1u << 0,	/* RFC 2920 */
	EXT_SIZE = 1u << 1,		/* RFC 1870 */
	EXT_8BITMIME = 1u << 2,		/* RFC 6152 */
	EXT_DSN = 1u << 3,		/* RFC 3461 */
	EXT_STARTTLS = 1u << 4,		/* RFC 3207 */
	EXT_ENHANCEDSTATUSCODES = 1u << 5, /* RFC 2034 */
	EXT_SMTPUTF8 = 1u << 6,		/* RFC 6531 */
	EXT_AUTH = 1u << 7		/* RFC 4954, also "AUTH=" */
};

#define SMTP_EXT_AUTH_MAX 256
#define SMTP_EXT_KEYWORDS_MAX 512

struct smtp_ext {
	unsigned flags;				/* enum smtp_ext_flag bits */
	unsigned long long size_max;		/* SIZE n; 0 = no fixed limit */
	char auth[SMTP_EXT_AUTH_MAX];		/* " PLAIN LOGIN " upper case,
						   space-delimited, merged */
	char keywords[SMTP_EXT_KEYWORDS_MAX];	/* every keyword likewise */
};

/* Forgets everything (after STARTTLS, RFC 3207 §4.2). */
void smtp_ext_clear(struct smtp_ext *e);

/* Parses one EHLO reply line's text (lines 2..n: "KEYWORD[ params]").
 * Malformed keywords are ignored, never an error. */
void smtp_ext_parse_line(struct smtp_ext *e, const char *text, size_t len);

/* Case-insensitive keyword test ("PIPELINING", "AUTH", "X-FOO"). */
bool smtp_ext_has(const struct smtp_ext *e, const char *keyword);

/* Case-insensitive: was SASL mechanism `mech` offered? */
bool smtp_ext_has_auth(const struct smtp_ext *e, const char *mech);

#endif
