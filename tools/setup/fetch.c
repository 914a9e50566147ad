/* fetch: HTTPS GET with libcurl (see fetch.h). */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fetch.h"
#include "relayq.h"

int
fetch_global_init(char *err, size_t errlen)
{
	CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
	if (rc != CURLE_OK) {
		snprintf_rq(err, errlen, "libcurl: %s", curl_easy_strerror(rc));
		return -1;
	}
	return 0;
}

void
fetch_global_done(void)
{
	curl_global_cleanup();
}

struct sink {
	struct buf *body;
	bool too_big;
};

static size_t
on_data(char *p, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;
	size_t len = size * n;
	if (s->body->len + len > FETCH_MAX_BYTES) {
		s->too_big = true;
		return 0;		/* aborts the transfer */
	}
	return buf_append(s->body, p, len) == 0 ? len : 0;
}

struct ticker {
	bool on;
	time_t last;		/* when the last dot was printed */
};

/* Prints a dot for every second spent waiting (curl calls this at least
 * once a second, usually far more often). */
static int
on_tick(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
    curl_off_t ulnow)
{
	struct ticker *t = arg;
	(void)dltotal; (void)dlnow; (void)ultotal; (void)ulnow;
	time_t now = time(NULL);
	if (t->on && now > t->last) {
		t->last = now;
		putchar('.');
		fflush(stdout);
	}
	return 0;
}

static struct curl_slist *
connect_to_list(const struct net *n)
{
	struct curl_slist *l = NULL;
	for (size_t i = 0; i < n->nmaps; i++) {
		const struct net_map *m = &n->maps[i];
		char spec[600];
		snprintf_rq(spec, sizeof spec, "%s:%s:%s:%s", m->host, m->port,
		    m->to_host, m->to_port);
		struct curl_slist *nl = curl_slist_append(l, spec);
		if (nl == NULL) {
			curl_slist_free_all(l);
			return NULL;
		}
		l = nl;
	}
	return l;
}

static int
set_options(CURL *h, const struct net *n, const char *url, struct sink *s,
    struct ticker *t, struct curl_slist *cto, char *ebuf)
{
	CURLcode rc = CURLE_OK;
#define OPT(o, v) do { if (rc == CURLE_OK) rc = curl_easy_setopt(h, o, v); } while (0)
	OPT(CURLOPT_URL, url);
	OPT(CURLOPT_PROTOCOLS_STR, "https");
	OPT(CURLOPT_REDIR_PROTOCOLS_STR, "https");
	OPT(CURLOPT_FOLLOWLOCATION, 1L);
	OPT(CURLOPT_MAXREDIRS, (long)FETCH_MAX_REDIRS);
	OPT(CURLOPT_SSL_VERIFYPEER, 1L);
	OPT(CURLOPT_SSL_VERIFYHOST, 2L);
	OPT(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	OPT(CURLOPT_TIMEOUT, (long)n->timeout);
	OPT(CURLOPT_CONNECTTIMEOUT, (long)(n->timeout < 10 ? n->timeout : 10));
	OPT(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)FETCH_MAX_BYTES);
	OPT(CURLOPT_USERAGENT, "relayq-setup/" RELAYQ_VERSION);
	OPT(CURLOPT_WRITEFUNCTION, on_data);
	OPT(CURLOPT_WRITEDATA, s);
	OPT(CURLOPT_NOPROGRESS, 0L);
	OPT(CURLOPT_XFERINFOFUNCTION, on_tick);
	OPT(CURLOPT_XFERINFODATA, t);
	OPT(CURLOPT_ERRORBUFFER, ebuf);
	OPT(CURLOPT_NOSIGNAL, 1L);
	if (n->ca[0] != '\0')
		OPT(CURLOPT_CAINFO, n->ca);
	if (cto != NULL)
		OPT(CURLOPT_CONNECT_TO, cto);
#undef OPT
	return rc == CURLE_OK ? 0 : -1;
}

/* The verdict on a finished transfer. */
static enum fetch_status
judge(CURL *h, CURLcode rc, const struct sink *s, const struct net *n,
    const char *ebuf, char *err, size_t errlen)
{
	long status = 0;
	if (s->too_big || rc == CURLE_FILESIZE_EXCEEDED) {
		snprintf_rq(err, errlen, "response larger than %d bytes, ignored",
		    FETCH_MAX_BYTES);
		return FETCH_FAILED;
	}
	if (rc == CURLE_COULDNT_RESOLVE_HOST || rc == CURLE_COULDNT_CONNECT) {
		snprintf_rq(err, errlen, "%s", ebuf[0] != '\0' ? ebuf :
		    curl_easy_strerror(rc));
		return FETCH_ABSENT;
	}
	if (rc == CURLE_OPERATION_TIMEDOUT) {
		snprintf_rq(err, errlen, "no complete answer within %d s", n->timeout);
		return FETCH_FAILED;
	}
	if (rc != CURLE_OK) {
		snprintf_rq(err, errlen, "%s", ebuf[0] != '\0' ? ebuf :
		    curl_easy_strerror(rc));
		return FETCH_FAILED;
	}
	(void)curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	if (status == 200)
		return FETCH_OK;
	snprintf_rq(err, errlen, "HTTP status %ld", status);
	return status == 404 || status == 410 ? FETCH_ABSENT : FETCH_FAILED;
}

/* The host of an https:// URL, for the only-mapped rule. */
static void
url_host(const char *url, char *host, size_t size)
{
	const char *p = strncmp(url, "https://", 8) == 0 ? url + 8 : url;
	size_t len = strcspn(p, ":/?#");
	if (len >= size)
		len = size - 1;
	memcpy(host, p, len);
	host[len] = '\0';
}

/* The transfer set up and run: GET, or POST of form when it is not NULL.
 * *status: the HTTP status of an answer, 0 if none. */
static enum fetch_status
transfer(const struct net *n, const char *url, const char *form, bool progress,
    struct buf *body, long *status, char *err, size_t errlen)
{
	char host[256], ebuf[CURL_ERROR_SIZE] = "";
	url_host(url, host, sizeof host);
	buf_reset(body);
	*status = 0;
	if (!net_allowed(n, host, "443")) {
		snprintf_rq(err, errlen, "Could not resolve host: %s (not in the "
		    "--connect-to list)", host);
		return FETCH_ABSENT;
	}
	CURL *h = curl_easy_init();
	struct curl_slist *cto = connect_to_list(n);
	struct sink s = { body, false };
	struct ticker t = { progress, time(NULL) };
	if (h == NULL || (n->nmaps > 0 && cto == NULL) ||
	    set_options(h, n, url, &s, &t, cto, ebuf) == -1 ||
	    (form != NULL && (curl_easy_setopt(h, CURLOPT_POSTFIELDS, form) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK))) {
		snprintf_rq(err, errlen, "libcurl: cannot set up the request");
		curl_slist_free_all(cto);
		curl_easy_cleanup(h);
		return FETCH_FAILED;
	}
	CURLcode rc = curl_easy_perform(h);
	enum fetch_status st = judge(h, rc, &s, n, ebuf, err, errlen);
	if (rc == CURLE_OK && !s.too_big)
		(void)curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	curl_slist_free_all(cto);
	curl_easy_cleanup(h);
	return st;
}

enum fetch_status
fetch_https(const struct net *n, const char *url, bool progress,
    struct buf *body, char *err, size_t errlen)
{
	long status;
	enum fetch_status st = transfer(n, url, NULL, progress, body, &status, err,
	    errlen);
	if (st != FETCH_OK)
		buf_reset(body);
	return st;
}

enum fetch_status
fetch_post_form(const struct net *n, const char *url, const char *form,
    struct buf *body, long *status, char *err, size_t errlen)
{
	enum fetch_status st = transfer(n, url, form, false, body, status, err, errlen);
	if (*status != 0)
		return FETCH_OK;
	buf_free_secret(body);
	return st;
}
