/* http: the one HTTPS request relayq-oauth2-refresh makes — a form POST
 * to the token endpoint through libcurl (the only file of the helper that
 * includes it): https only, certificate and host name verified, no
 * redirects, no proxy from the environment, bounded time and size. */
#ifndef RELAYQ_OAUTH2_HTTP_H
#define RELAYQ_OAUTH2_HTTP_H

#include <stddef.h>

#include "buf.h"

#define HTTP_TIMEOUT	30	/* s, the whole request */
#define HTTP_CONNECT	15	/* s, to connect */

/* Once per process.  0, or -1 with err. */
int  http_global_init(char *err, size_t errlen);
void http_global_done(void);

/* POSTs body (application/x-www-form-urlencoded) to url; ca_file NULL or
 * "" = the system's trust store.  On 0, *status is the HTTP status and
 * resp (appended to) the response body, at most JSON_MAX_INPUT bytes.
 * -1: no answer (connection, TLS, timeout, too large), err says why
 * without the body. */
int http_post_form(const char *url, const char *body, const char *ca_file, long *status,
    struct buf *resp, char *err, size_t errlen);

#endif
