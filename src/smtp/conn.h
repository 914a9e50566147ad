/* conn: one client connection with bounded, deadline-driven line I/O.
 * Plain TCP by default; a TLS (or SASL) layer slots in through conn_io so
 * the SMTP code never knows which it talks through.  Ownership: the conn
 * from conn_connect belongs to the caller; conn_free closes it (NULL-safe). */
#ifndef RELAYQ_CONN_H
#define RELAYQ_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "buf.h"

/* Results of conn_io calls besides a byte count: */
#define CONN_WANT_READ  (-2)	/* retry when the socket is readable */
#define CONN_WANT_WRITE (-3)	/* retry when the socket is writable */

struct conn_io {
	/* > 0 bytes, 0 on EOF, -1 on error (errno), or CONN_WANT_*. */
	ssize_t (*read)(void *ctx, void *p, size_t n);
	ssize_t (*write)(void *ctx, const void *p, size_t n);
};

struct conn;

struct conn_target {
	const char *host;	/* name or literal, no brackets */
	const char *port;
	const char *source;	/* NULL or "": the kernel chooses; else
				   source_address (srcaddr_parse's syntax) */
	int timeout;		/* seconds, for all addresses together */
};

/* Resolves host (name or literal; IPv6 and IPv4) and connects to the first
 * address that answers (dial: Happy Eyeballs, RFC 8305) within timeout
 * seconds overall.  err names every address tried: "connect to host
 * [::1]:25: Connection timed out; [127.0.0.1]:25: Connection refused".
 * 0 / -1. */
int  conn_connect(struct conn **out, const struct conn_target *t, char *err,
    size_t errlen);
void conn_free(struct conn *c);

int conn_fd(const struct conn *c);
/* "host [addr]" for log lines, and the bare peer address. */
const char *conn_peer(const struct conn *c);
const char *conn_addr(const struct conn *c);

/* Deadlines for layers that drive the socket themselves (a TLS
 * handshake): conn_deadline(timeout seconds) is the absolute time in ms;
 * conn_wait blocks until the socket is ready for `want` (CONN_WANT_READ
 * or CONN_WANT_WRITE) or the deadline passes (-1, errno ETIMEDOUT). */
long long conn_deadline(int timeout);
int conn_wait(const struct conn *c, int want, long long deadline);

/* Switches reading and writing to io (e.g. after the TLS handshake). */
void conn_set_io(struct conn *c, const struct conn_io *io, void *ctx);

/* One line without its CRLF (a bare LF is tolerated) into line, at most
 * max bytes.  0, or -1 with err ("timeout", "connection closed", "line
 * too long"). */
int conn_read_line(struct conn *c, struct buf *line, size_t max, int timeout,
    char *err, size_t errlen);

/* Buffered write; conn_flush sends everything within timeout seconds. */
int conn_write(struct conn *c, const void *p, size_t n);
int conn_flush(struct conn *c, int timeout, char *err, size_t errlen);
size_t conn_unflushed(const struct conn *c);

/* Bytes received but not yet consumed: must be 0 before a STARTTLS
 * handshake (RFC 3207 §6, the CVE-2011-0411 class). */
size_t conn_pending(const struct conn *c);
void   conn_discard_input(struct conn *c);

#endif
