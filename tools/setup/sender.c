/* sender: the sender_relay line and AuthInfo keys of --add-sender (see
 * sender.h). */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "relayq.h"
#include "sender.h"

int
sender_key(const char *email, char *out, size_t size, char *err, size_t errlen)
{
	size_t i = 0;
	if (email[0] == '#') {
		snprintf_rq(err, errlen, "%s: a sender_relay key cannot start with '#', "
		    "which makes a comment line", email);
		return -1;
	}
	for (; email[i] != '\0' && i + 1 < size; i++)
		out[i] = (char)tolower((unsigned char)email[i]);
	out[i] = '\0';
	if (email[i] != '\0') {
		snprintf_rq(err, errlen, "%s: too long for a sender_relay key", email);
		return -1;
	}
	return 0;
}

void
sender_route_value(const struct candidate *c, char *out, size_t size)
{
	snprintf_rq(out, size, "%s:%d tls=%s", c->host, c->port,
	    c->socket == AC_SOCK_SSL ? "smtps" : "starttls");
}

/* Appends "AuthInfo:<host>/<sender>" ("[host]" when bracketed) unless
 * listed; the new count. */
static size_t
add_key(char keys[][SENDER_KEY_MAX], size_t n, size_t max, const char *host,
    bool bracketed, const char *sender)
{
	char key[SENDER_KEY_MAX];
	if (n >= max)
		return n;
	snprintf_rq(key, sizeof key, "AuthInfo:%s%s%s/%s", bracketed ? "[" : "", host,
	    bracketed ? "]" : "", sender);
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(keys[i], key) == 0)
			return n;
	strlcpy_rq(keys[n], key, SENDER_KEY_MAX);
	return n + 1;
}

size_t
sender_authinfo_keys(const char *host, const char *sender, const char *old_value,
    char keys[][SENDER_KEY_MAX], size_t max)
{
	struct relay_list old;
	char why[RELAYQ_ERRLEN];
	size_t n = add_key(keys, 0, max, host, false, sender);
	if (old_value[0] == '\0' || relaylist_parse(old_value, "25", &old, why,
	    sizeof why) == -1)
		return n;
	for (size_t i = 0; i < old.n; i++) {
		n = add_key(keys, n, max, old.host[i].name, false, sender);
		n = add_key(keys, n, max, old.host[i].name, true, sender);
	}
	return n;
}
