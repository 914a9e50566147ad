/* smtp_version: --version of the programs that link the SMTP client
 * (relayqd, relayq-setup): OpenSSL's version, libsasl2's and the
 * mechanisms its plugins offer, Berkeley DB's, the compiled-in paths. */
#ifndef RELAYQ_SMTP_VERSION_H
#define RELAYQ_SMTP_VERSION_H

#include <stdio.h>

/* Prints the report for prog; a sysexits code (EX_OK, EX_IOERR). */
int smtp_version_print(FILE *fp, const char *prog);

#endif
