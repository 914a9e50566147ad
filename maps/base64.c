/* base64: strict decoder (RFC 4648 §4 alphabet, mandatory padding) and the
 * encoder for P= items.  Strict because a lenient decoder would turn a typo
 * into a wrong password. */
#include "base64.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

/* Value of one alphabet character, or -1. */
static int
b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Decodes one 4-character group; last says whether padding is allowed.
 * Returns the number of bytes produced (1..3) or -1. */
static int
decode_quad(const unsigned char *q, int last, unsigned char out[3])
{
	int pad = 0;
	uint32_t acc = 0;

	for (int i = 0; i < 4; i++) {
		int v;
		if (q[i] == '=' && last && i >= 2) {
			pad++;
			v = 0;
		} else {
			v = b64val(q[i]);
			if (v < 0 || pad > 0)	/* data after '=' */
				return -1;
		}
		acc = (acc << 6) | (uint32_t)v;
	}
	out[0] = (unsigned char)(acc >> 16);
	out[1] = (unsigned char)(acc >> 8);
	out[2] = (unsigned char)acc;
	/* Non-zero bits hidden under the padding mean a non-canonical text. */
	if ((pad == 1 && out[2] != 0) || (pad == 2 && (out[1] | out[2]) != 0))
		return -1;
	return 3 - pad;
}

int
base64_decode(const char *in, size_t len, char *out, size_t outcap,
    size_t *outlen)
{
	size_t n = 0;

	if (len % 4 != 0) {
		errno = EINVAL;
		return -1;
	}
	if (outcap < len / 4 * 3 + 1) {
		errno = ENOSPC;
		return -1;
	}
	for (size_t i = 0; i < len; i += 4) {
		unsigned char tmp[3];
		int got = decode_quad((const unsigned char *)in + i,
		    i + 4 == len, tmp);
		if (got < 0) {
			errno = EINVAL;
			return -1;
		}
		for (int j = 0; j < got; j++)
			out[n++] = (char)tmp[j];
		explicit_bzero(tmp, sizeof tmp);	/* may be a password */
	}
	out[n] = '\0';
	*outlen = n;
	return 0;
}

int
base64_encode(const void *in, size_t len, char *out, size_t outcap)
{
	static const char abc[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = in;
	size_t o = 0;

	if (outcap < (len + 2) / 3 * 4 + 1) {
		errno = ENOSPC;
		return -1;
	}
	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)p[i] << 16;
		if (i + 1 < len)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		out[o++] = abc[v >> 18 & 63];
		out[o++] = abc[v >> 12 & 63];
		out[o++] = i + 1 < len ? abc[v >> 6 & 63] : '=';
		out[o++] = i + 2 < len ? abc[v & 63] : '=';
	}
	out[o] = '\0';
	return 0;
}
