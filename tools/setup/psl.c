/* psl: libpsl behind psl.h.  relayq-setup uses libpsl when built with
 * RELAYQ_HAVE_LIBPSL defined for this file and -lpsl in the Makefile's
 * SETUP_LIBS (libpsl-dev; libpsl5 is already in the dependency closure
 * of libcurl4).  Without them it still builds and runs: psl_available()
 * is false and callers get PSL_GUESS, which they must have confirmed.
 * The list is the newer of libpsl's built-in copy and Debian's
 * publicsuffix package (psl_latest). */
#include <string.h>

#include "buf.h"
#include "psl.h"

#ifdef RELAYQ_HAVE_LIBPSL
#include <libpsl.h>

/* Loaded once; relayq-setup runs once and exits, so it is never freed. */
static const psl_ctx_t *
list(void)
{
	static const psl_ctx_t *ctx;
	static bool tried;
	if (!tried) {
		tried = true;
		ctx = psl_latest(NULL);
		if (ctx == NULL)
			ctx = psl_builtin();
	}
	return ctx;
}
#endif

bool
psl_available(void)
{
#ifdef RELAYQ_HAVE_LIBPSL
	return list() != NULL;
#else
	return false;
#endif
}

/* The last two labels of host (all of it when it has fewer). */
static void
last_two_labels(const char *host, char *out, size_t size)
{
	const char *p = host + strlen(host);
	int dots = 0;
	while (p > host && dots < 2)
		if (*--p == '.')
			dots++;
	strlcpy_rq(out, dots == 2 ? p + 1 : host, size);
}

enum psl_result
psl_base_domain(const char *host, char *out, size_t size)
{
#ifdef RELAYQ_HAVE_LIBPSL
	const psl_ctx_t *ctx = list();
	if (ctx != NULL) {
		const char *base = psl_registrable_domain(ctx, host);
		strlcpy_rq(out, base != NULL ? base : "", size);
		return base != NULL ? PSL_FOUND : PSL_SUFFIX;
	}
#endif
	last_two_labels(host, out, size);
	return PSL_GUESS;
}
