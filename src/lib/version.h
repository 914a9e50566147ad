/* version: the --version report every relayq program prints, in msmtp's
 * manner: version, the libraries that matter for mail (or why one is not
 * linked), and the compiled-in paths. */
#ifndef RELAYQ_VERSION_H
#define RELAYQ_VERSION_H

#include <stdio.h>

struct version_info {
	const char *prog;	/* "relayqd" */
	const char *tls;	/* TLS library and version, or why there is none */
	const char *sasl;	/* SASL library, or why there is none; NULL = omit */
	const char *sasl_mechs;	/* mechanisms the SASL library offers; NULL = omit */
	const char *db;		/* Berkeley DB version; NULL = omit */
};

/* Writes the report; 0, or -1 if fp reported a write error. */
int version_print(FILE *fp, const struct version_info *v);

#endif
