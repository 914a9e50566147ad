/* fuzz_conf: libFuzzer target for relayq.conf (read by the set-group-ID
 * submitter and by relayqd as root).  The text comes from a memfd; hostname
 * and domain are preset so conf_finish never reads /etc/mailname. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool
terminated(const char *s, size_t size)
{
	return strnlen(s, size) < size;
}

#define TERMINATED(c, f) terminated((c)->f, sizeof (c)->f)

static void
check_strings(const struct conf *c)
{
	if (!TERMINATED(c, path) || !TERMINATED(c, smarthost) || !TERMINATED(c, port) ||
	    !TERMINATED(c, hostname) || !TERMINATED(c, domain) ||
	    !TERMINATED(c, local_names) || !TERMINATED(c, aliases) ||
	    !TERMINATED(c, spool) || !TERMINATED(c, sender_map) ||
	    !TERMINATED(c, masquerade) || !TERMINATED(c, log_file) ||
	    !TERMINATED(c, tls_ca) || !TERMINATED(c, tls_fingerprint) ||
	    !TERMINATED(c, tls_cert) || !TERMINATED(c, tls_key) || !TERMINATED(c, authinfo))
		abort();
}

/* What the rest of relayq relies on after a successful load. */
static void
check_conf(const struct conf *c)
{
	check_strings(c);
	size_t fp = strlen(c->tls_fingerprint);
	long port = strtol(c->port, NULL, 10);
	char canon[16];
	snprintf(canon, sizeof canon, "%ld", port);
	/* The port as conf_tls_mode compares it: "465", never "+465" or "0465". */
	if (c->smarthost[0] == '\0' || port < 1 || port > 65535 || strcmp(canon, c->port) != 0 ||
	    (fp != 0 && fp != 64) || strspn(c->tls_fingerprint, "0123456789abcdef") != fp)
		abort();
	if (c->retry_min <= 0 || c->retry_max < c->retry_min || c->queue_lifetime < 0 ||
	    c->queue_warn < 0 || c->to.connect < 0 || c->to.data_done < 0)
		abort();
	if (conf_auth_mode(c) != AUTH_NONE && c->authinfo[0] == '\0')
		abort();
	if (conf_tls_mode(c) == TLS_DEFAULT)
		abort();
	/* With room left in the list, the host's own names were all added. */
	if (strlen(c->local_names) < sizeof c->local_names - 300 &&
	    (!conf_is_local_name(c, "localhost") || !conf_is_local_name(c, c->hostname)))
		abort();
	if (strcmp(c->hostname_origin, "relayq.conf") != 0)
		abort();		/* it came from /etc/mailname or the host */
}

static int
load(const uint8_t *data, size_t size, struct conf *c, char *err, size_t errlen,
    char *path, size_t pathlen)
{
	int fd = memfd_create("relayq.conf", MFD_CLOEXEC);
	if (fd == -1)
		return -2;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return -2;
	}
	snprintf(path, pathlen, "/proc/self/fd/%d", fd);
	conf_defaults(c);
	/* As relayqd loads it: a success promises a smarthost (no default). */
	c->smarthost_required = true;
	/* Never empty after this: a "hostname" or "domain" line needs a value. */
	snprintf(c->hostname, sizeof c->hostname, "client.fuzz.test");
	snprintf(c->domain, sizeof c->domain, "fuzz.test");
	int rc = conf_load(c, path, true, err, errlen);
	close(fd);
	return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf *c = malloc(sizeof *c);
	char err[512] = "", path[64];
	if (c == NULL)
		return 0;
	int rc = load(data, size, c, err, sizeof err, path, sizeof path);
	if (rc == 0)
		check_conf(c);
	else if (rc == -1 && (strncmp(err, path, strlen(path)) != 0 || !terminated(err, sizeof err)))
		abort();
	free(c);
	/* The same bytes as sendmail's -q interval. */
	char *s = malloc(size + 1);
	if (s != NULL) {
		memcpy(s, data, size);
		s[size] = '\0';
		if (conf_duration(s, 60) < -1)
			abort();
	}
	free(s);
	return 0;
}
