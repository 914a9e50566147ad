/* linewrap: RFC 5321 §4.5.3.1.6 line length for what we send — at most
 * LINEWRAP_MAX octets before the line end.  Header fields are folded,
 * body lines broken (Postfix's smtp_line_length_limit) or re-encoded as
 * quoted-printable (RFC 2045 §6.7), the lossless choice for a text part.
 * Lines here end in LF, as in the spool; the SMTP client adds the CR. */
#ifndef RELAYQ_LINEWRAP_H
#define RELAYQ_LINEWRAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#define LINEWRAP_MAX 998	/* octets per line, CRLF not counted */

/* A header field ("Name: value\n", continuation lines included) with no
 * physical line over LINEWRAP_MAX: folded before the last blank that keeps
 * a line within the limit, so unfolding gives the original text back;
 * where a line has no such blank, "\n " is inserted at a UTF-8 character
 * boundary (unfolding then shows one extra space).  Returns a malloc'd
 * string (the caller frees it), or NULL when out of memory. */
char *linewrap_field(const char *text);

/* Streaming line breaker: bytes in, the same bytes out with "\n " inserted
 * wherever a line would pass LINEWRAP_MAX, at a UTF-8 boundary.  Zero-
 * initialise; one per output stream. */
struct linewrap {
	size_t col;		/* octets on the current output line */
};
/* Writes p[0..n) to out; *added (may be NULL) grows by the octets
 * inserted.  0, or -1 on a write error (errno kept). */
int linewrap_write(struct linewrap *w, FILE *out, const char *p, size_t n,
    size_t *added);

/* Quoted-printable encoder for one stored line (LF-terminated, or the last
 * line without one): output lines of at most 76 characters with soft
 * breaks, '=' and every octet outside printable ASCII encoded, a trailing
 * blank encoded, "From " and a leading '.' encoded for mbox and SMTP
 * safety.  Adds the output's length to *written.  0 or -1 (errno). */
int linewrap_qp_line(FILE *out, const char *line, size_t len, size_t *written);
/* Encodes len octets of stored body read from raw into out, line by line;
 * adds the octets written to *written.  0, or -1 on a read or write error
 * (or when raw ends before len octets). */
int linewrap_qp_copy(FILE *raw, off_t len, FILE *out, size_t *written);

#endif
