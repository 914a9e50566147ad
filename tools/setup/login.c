/* login: AuthInfo values for relayq-setup (see login.h). */
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "login.h"

static bool
quotable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f || *s == '"')
			return false;
	return true;
}

int
login_value(const struct login *l, bool redact, struct buf *out)
{
	buf_reset(out);
	if (buf_printf(out, "\"U:%s\" \"I:%s\" ", l->user, l->user) == -1)
		return -1;
	if (redact || quotable(l->password))
		return buf_printf(out, "\"P:%s\"", redact ? "***" : l->password);
	size_t len = strlen(l->password), cap = (len + 2) / 3 * 4 + 1;
	char *b64 = malloc(cap);
	if (b64 == NULL || base64_encode(l->password, len, b64, cap) == -1) {
		free(b64);
		return -1;
	}
	int rc = buf_printf(out, "\"P=%s\"", b64);
	explicit_bzero(b64, cap);
	free(b64);
	return rc;
}

void
login_clear(struct login *l)
{
	if (l->password != NULL) {
		explicit_bzero(l->password, strlen(l->password));
		free(l->password);
		l->password = NULL;
	}
}
