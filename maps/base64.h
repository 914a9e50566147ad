/* base64: strict RFC 4648 codec for AuthInfo "T=value" items, so the
 * maps library (and relayq-makemap) needs no OpenSSL or libsasl2. */
#ifndef RELAYQ_BASE64_H
#define RELAYQ_BASE64_H

#include <stddef.h>

/* Decodes len bytes of in into out (capacity outcap, needs len/4*3 + 1),
 * NUL-terminates and stores the decoded length in *outlen.  Strict: only
 * the standard alphabet, length a multiple of 4, '=' only as final
 * padding, unused trailing bits zero.  0 / -1 (EINVAL or ENOSPC). */
int base64_decode(const char *in, size_t len, char *out, size_t outcap,
    size_t *outlen);

/* Encodes len bytes of in into out (capacity outcap, needs
 * (len + 2) / 3 * 4 + 1), NUL-terminated.  0 / -1 (ENOSPC). */
int base64_encode(const void *in, size_t len, char *out, size_t outcap);

#endif
