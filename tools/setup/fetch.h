/* fetch: one HTTPS GET (or a form POST) through libcurl, the only file of relayq that
 * includes it.  Certificates verified (system store or net->ca), https
 * only, redirects too (at most FETCH_MAX_REDIRS), a time limit on the
 * whole transfer and a size limit on the body, both enforced whatever
 * the server claims. */
#ifndef RELAYQ_SETUP_FETCH_H
#define RELAYQ_SETUP_FETCH_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "net.h"

#define FETCH_MAX_BYTES (256 * 1024)
#define FETCH_MAX_REDIRS 5

enum fetch_status {
	FETCH_OK = 0,		/* 200: body holds the document */
	FETCH_ABSENT = 1,	/* no such host, refused, 404/410: try the next
				   source */
	FETCH_FAILED = 2	/* anything else (TLS, limits, status): err */
};

int  fetch_global_init(char *err, size_t errlen);
void fetch_global_done(void);

/* GETs url into body (cleared first).  progress: print a dot on stdout
 * for every second spent waiting. */
enum fetch_status fetch_https(const struct net *n, const char *url,
    bool progress, struct buf *body, char *err, size_t errlen);

/* POSTs form (application/x-www-form-urlencoded; a secret: never shown)
 * to url, no redirects.  FETCH_OK when any HTTP answer came, with its
 * status and body (which may hold tokens: buf_free_secret it); else the
 * reason in err. */
enum fetch_status fetch_post_form(const struct net *n, const char *url,
    const char *form, struct buf *body, long *status, char *err, size_t errlen);

#endif
