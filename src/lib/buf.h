/* buf: a growable byte buffer, always NUL-terminated, so no caller needs
 * strcpy/sprintf.  Ownership: buf_init'd storage belongs to the struct;
 * buf_free releases it and leaves an empty buffer (safe to call twice). */
#ifndef RELAYQ_BUF_H
#define RELAYQ_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char  *data;	/* NUL-terminated; NULL until first append */
	size_t len;
	size_t cap;
};

void buf_init(struct buf *b);
void buf_free(struct buf *b);
/* Wipes the contents before freeing: for anything that held a secret. */
void buf_free_secret(struct buf *b);
void buf_reset(struct buf *b);
int  buf_reserve(struct buf *b, size_t extra);
int  buf_append(struct buf *b, const void *p, size_t n);
int  buf_puts(struct buf *b, const char *s);
int  buf_putc(struct buf *b, char c);
int  buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int  buf_vprintf(struct buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Returns data, or "" for an empty never-allocated buffer. */
const char *buf_str(const struct buf *b);
/* Hands the storage to the caller (malloc'd, NUL-terminated, never NULL
 * on success) and leaves the buffer empty.  NULL on allocation failure. */
char *buf_steal(struct buf *b);

/* Bounded formatting into a fixed array: always terminates, truncates. */
void strlcpy_rq(char *dst, const char *src, size_t size);
void snprintf_rq(char *dst, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
