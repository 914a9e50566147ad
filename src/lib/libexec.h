/* libexec: where a program finds its helpers (relayqd, relayq-showq). */
#ifndef RELAYQ_LIBEXEC_H
#define RELAYQ_LIBEXEC_H

#include <stddef.h>

/* The helper `name` next to the running program when there is one (a
 * build tree), else the installed one in RELAYQ_LIBEXEC. */
void libexec_path(const char *name, char *out, size_t size);

#endif
