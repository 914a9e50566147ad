/* bearer: XOAUTH2 and OAUTHBEARER client responses and error challenges. */
#include "bearer.h"
#include "base64.h"
#include "json.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CHALLENGE_MAX 4096	/* decoded bytes of an error challenge */

/* RFC 5801 saslname: ',' and '=' escaped. */
static int
put_saslname(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		int rc = *s == ',' ? buf_puts(b, "=2C") : *s == '=' ? buf_puts(b, "=3D") :
		    buf_putc(b, *s);
		if (rc == -1)
			return -1;
	}
	return 0;
}

static bool
decimal(const char *s)
{
	if (s == NULL || s[0] == '\0' || s[0] == '0' || strlen(s) > 5)
		return false;
	return strspn(s, "0123456789") == strlen(s);
}

/* The raw (not yet base64) response into raw. */
static int
raw_response(const char *mech, const char *user, const char *token, const char *host,
    const char *port, struct buf *raw)
{
	if (strcasecmp(mech, "XOAUTH2") == 0)
		return buf_printf(raw, "user=%s\001auth=Bearer %s\001\001", user, token);
	if (strcasecmp(mech, "OAUTHBEARER") != 0)
		return -1;
	if (buf_puts(raw, "n,a=") == -1 || put_saslname(raw, user) == -1 ||
	    buf_puts(raw, ",\001") == -1)
		return -1;
	if (host != NULL && host[0] != '\0' && buf_printf(raw, "host=%s\001", host) == -1)
		return -1;
	if (decimal(port) && buf_printf(raw, "port=%s\001", port) == -1)
		return -1;
	return buf_printf(raw, "auth=Bearer %s\001\001", token);
}

int
bearer_response(const char *mech, const char *user, const char *token,
    const char *host, const char *port, struct buf *out)
{
	struct buf raw;
	if (strchr(user, '\001') != NULL || strchr(token, '\001') != NULL ||
	    (host != NULL && strchr(host, '\001') != NULL))
		return -1;
	buf_init(&raw);
	int rc = raw_response(mech, user, token, host, port, &raw);
	size_t need = (raw.len + 2) / 3 * 4 + 1;
	if (rc == 0)
		rc = buf_reserve(out, need);
	if (rc == 0)
		rc = base64_encode(raw.data, raw.len, out->data + out->len, need);
	if (rc == 0)
		out->len += strlen(out->data + out->len);
	buf_free_secret(&raw);
	return rc;
}

static void
copy_status(const char *s, char *out, size_t size)
{
	size_t n = strlen(s);
	if (n == 0 || n > 64 || strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_.-") != n)
		s = "unknown";
	strlcpy_rq(out, s, size);
}

void
bearer_error_status(const char *challenge, char *out, size_t size)
{
	char raw[CHALLENGE_MAX + 1], err[256];
	size_t len = strlen(challenge), n;
	struct json_obj o;
	strlcpy_rq(out, "unknown", size);
	if (len == 0 || len / 4 * 3 > CHALLENGE_MAX ||
	    base64_decode(challenge, len, raw, sizeof raw, &n) == -1)
		return;
	if (json_parse_object(raw, n, &o, err, sizeof err) == -1)
		return;
	const char *status = json_string(&o, "status");
	if (status != NULL)
		copy_status(status, out, size);
	json_free(&o);
}
