/* psl: the registrable ("base") domain of a host name, from the Public
 * Suffix List through libpsl, the only file that uses it.  relayq-setup
 * needs it for the MX step (autodiscovery.md §2.1: %MXBASEDOMAIN%): the
 * last two labels of mx.provider.co.uk are co.uk, a public suffix whose
 * owner must never be asked for the user's configuration. */
#ifndef RELAYQ_SETUP_PSL_H
#define RELAYQ_SETUP_PSL_H

#include <stdbool.h>
#include <stddef.h>

enum psl_result {
	PSL_FOUND,		/* out: the registrable domain, from the list */
	PSL_SUFFIX,		/* host is itself a public suffix: no domain */
	PSL_GUESS		/* no list: out is the last two labels, which
				   only the user can confirm */
};

/* Whether relayq-setup was built with libpsl (RELAYQ_HAVE_LIBPSL, -lpsl)
 * and the list could be loaded. */
bool psl_available(void);

/* The base domain of host (lower case, no trailing dot) into out. */
enum psl_result psl_base_domain(const char *host, char *out, size_t size);

#endif
