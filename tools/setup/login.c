/* login: AuthInfo values for relayq-setup (see login.h). */
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "login.h"
#include "mapsrc.h"

/* Can s go between the quotes of "T:..." and come back unchanged?  Not
 * with a quote or a backslash (an item ends at the first quote a
 * backslash does not escape, and the backslash stays), blanks at either
 * end, control or 8-bit bytes (authinfo.md §2.2). */
static bool
quotable(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || s[0] == ' ' || s[n - 1] == ' ')
		return false;
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
			return false;
	}
	return true;
}

/* Appends "T:value", or "T=base64" when value is not quotable. */
static int
put_item(struct buf *out, char tag, const char *value)
{
	if (quotable(value))
		return buf_printf(out, "\"%c:%s\"", tag, value);
	size_t len = strlen(value), cap = (len + 2) / 3 * 4 + 1;
	char *b64 = malloc(cap);
	if (b64 == NULL || base64_encode(value, len, b64, cap) == -1) {
		free(b64);
		return -1;
	}
	int rc = buf_printf(out, "\"%c=%s\"", tag, b64);
	explicit_bzero(b64, cap);
	free(b64);
	return rc;
}

bool
login_given(const struct login *l)
{
	return l->password != NULL || l->oauth2_file[0] != '\0';
}

int
login_value(const struct login *l, bool redact, struct buf *out)
{
	buf_reset(out);
	if (l->oauth2_file[0] != '\0')
		return put_item(out, 'U', l->user) == -1 || buf_putc(out, ' ') == -1 ||
		    put_item(out, 'O', l->oauth2_file) == -1 || buf_putc(out, ' ') == -1 ||
		    put_item(out, 'M', l->mech) == -1 ? -1 : 0;
	if (put_item(out, 'U', l->user) == -1 || buf_putc(out, ' ') == -1 ||
	    put_item(out, 'I', l->user) == -1 || buf_putc(out, ' ') == -1)
		return -1;
	if (redact)
		return buf_puts(out, "\"P:***\"");
	return put_item(out, 'P', l->password);
}

int
login_check(const struct login *l, const char *host, char *err, size_t errlen)
{
	struct buf v;
	if (l->oauth2_file[0] == '\0' && (l->password == NULL || l->password[0] == '\0')) {
		snprintf_rq(err, errlen, "the password is empty");
		return -1;
	}
	buf_init(&v);
	if (login_value(l, false, &v) == -1) {
		buf_free_secret(&v);
		snprintf_rq(err, errlen, "out of memory");
		return -1;
	}
	/* "AuthInfo:" host " " value, then the LF, in makemap's line buffer */
	size_t line = strlen("AuthInfo:") + strlen(host) + 1 + v.len;
	buf_free_secret(&v);
	if (line + 2 > MAPSRC_LINE) {
		snprintf_rq(err, errlen, "the AuthInfo line for %s would be %zu bytes, "
		    "more than the %d an authinfo source line may have", host, line,
		    MAPSRC_LINE - 2);
		return -1;
	}
	return 0;
}

static void
wipe(char **s)
{
	if (*s != NULL) {
		explicit_bzero(*s, strlen(*s));
		free(*s);
		*s = NULL;
	}
}

void
login_clear(struct login *l)
{
	wipe(&l->password);
	wipe(&l->access_token);
}
