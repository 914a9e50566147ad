/* stuff: message content as it goes on the wire after DATA (RFC 5321
 * §4.5.2, §2.3.8): every line end (LF, CRLF or a lone CR) becomes CRLF,
 * so no bare CR or LF ever reaches the server (SMTP smuggling), and a dot
 * that starts a line is doubled.  Fed in pieces of any size; the output
 * does not depend on where the pieces split. */
#ifndef RELAYQ_STUFF_H
#define RELAYQ_STUFF_H

#include <stdbool.h>
#include <stddef.h>

/* Where the output goes: 0, or -1 to stop (the error is the writer's). */
typedef int (*stuff_put)(void *arg, const char *p, size_t n);

struct stuffer {
	stuff_put put;
	void *arg;
	bool bol;		/* at the beginning of a line */
	bool cr;		/* a CR waits for its LF */
};

void stuff_init(struct stuffer *st, stuff_put put, void *arg);
/* The next n octets of content.  0, or -1 if put failed. */
int  stuff(struct stuffer *st, const char *p, size_t n);
/* After the last piece: a last line without its end gets CRLF. */
int  stuff_end(struct stuffer *st);

#endif
