/* fuzz_autoconfig: libFuzzer target for the config-v1.1.xml parser; checks
 * that whatever it keeps is safe to write into relayq.conf and authinfo. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "autoconfig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool
terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

static bool
host_ok(const char *h)
{
	if (*h == '\0' || strlen(h) > 253 || strchr(h, '.') == NULL)
		return false;
	for (const char *p = h; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '.' || *p == '-'))
			return false;
	return h[strlen(h) - 1] != '.';
}

static bool
user_ok(const char *u)
{
	for (const unsigned char *p = (const unsigned char *)u; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f || *p == '"' || *p == '\\')
			return false;
	return true;
}

static bool
mechs_ok(const char *m)
{
	for (const char *p = m; *p != '\0'; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '_' || *p == ' '))
			return false;
	return true;
}

static bool
printable(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ac_config cfg;
	char err[512];
	char *copy = malloc(size > 0 ? size : 1);

	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);	/* exact size, no NUL: overreads show up */
	memset(err, 'x', sizeof err);
	if (autoconfig_parse(&cfg, copy, size, "fred@example.org", err,
	    sizeof err) == 0) {
		if (cfg.nservers < 1 || cfg.nservers > AC_MAX_SERVERS)
			abort();
		if (!terminated(cfg.provider, sizeof cfg.provider) ||
		    !terminated(cfg.display_name, sizeof cfg.display_name) ||
		    !terminated(cfg.notes, sizeof cfg.notes) ||
		    !printable(cfg.provider) || !printable(cfg.display_name))
			abort();
		for (size_t i = 0; i < cfg.nservers; i++) {
			const struct ac_server *s = &cfg.servers[i];
			if (!terminated(s->hostname, sizeof s->hostname) ||
			    !terminated(s->username, sizeof s->username) ||
			    !terminated(s->sasl_mechs, sizeof s->sasl_mechs))
				abort();
			if (!host_ok(s->hostname) || !user_ok(s->username) ||
			    !mechs_ok(s->sasl_mechs))
				abort();
			if (s->port < 0 || s->port > 65535 ||
			    s->socket < AC_SOCK_UNKNOWN ||
			    s->socket > AC_SOCK_PLAIN || (s->auth & ~0x3fu) != 0)
				abort();
			char names[256];
			ac_auth_names(s->auth, names, sizeof names);
			if (!terminated(names, sizeof names) ||
			    ac_socket_name(s->socket) == NULL)
				abort();
		}
	} else if (!terminated(err, sizeof err) || err[0] == '\0') {
		abort();
	}
	free(copy);
	return 0;
}
