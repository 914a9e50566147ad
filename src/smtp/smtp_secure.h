/* smtp_secure: TLS and AUTH of a session (internal to src/smtp): implicit
 * TLS right after connecting, STARTTLS after the first EHLO, AUTH after
 * that with the credentials the caller handed over.  Each returns OUT_OK
 * to go on, or OUT_TEMP/OUT_PERM with err and the session marked dead. */
#ifndef RELAYQ_SMTP_SECURE_H
#define RELAYQ_SMTP_SECURE_H

#include <stddef.h>

#include "smtp_int.h"

enum outcome smtp_secure_wrap(struct smtp_session *s, char *err, size_t errlen);
enum outcome smtp_secure_starttls(struct smtp_session *s, char *err, size_t errlen);
enum outcome smtp_secure_auth(struct smtp_session *s, char *err, size_t errlen);
void smtp_secure_end(struct smtp_session *s);

#endif
