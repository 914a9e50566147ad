/* http: form POST over verified HTTPS with libcurl (see http.h). */
#include "http.h"
#include "json.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <string.h>

int
http_global_init(char *err, size_t errlen)
{
	CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
	if (rc != CURLE_OK) {
		snprintf_rq(err, errlen, "libcurl: %s", curl_easy_strerror(rc));
		return -1;
	}
	return 0;
}

void
http_global_done(void)
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
	if (s->body->len + len > JSON_MAX_INPUT) {
		s->too_big = true;
		return 0;		/* aborts the transfer */
	}
	return buf_append(s->body, p, len) == 0 ? len : 0;
}

/* Every option that makes the request safe; CURLE_OK or the first error. */
static CURLcode
set_options(CURL *c, const char *url, const char *body, const char *ca_file,
    struct curl_slist *hdrs, struct sink *s)
{
	CURLcode rc = CURLE_OK;
#define SET(opt, val) if (rc == CURLE_OK) rc = curl_easy_setopt(c, opt, val)
	SET(CURLOPT_URL, url);
	SET(CURLOPT_PROTOCOLS_STR, "https");
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_PROXY, "");		/* never a proxy from the environment */
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	SET(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_TIMEOUT, (long)HTTP_TIMEOUT);
	SET(CURLOPT_CONNECTTIMEOUT, (long)HTTP_CONNECT);
	SET(CURLOPT_USERAGENT, "relayq-oauth2-refresh");
	SET(CURLOPT_HTTPHEADER, hdrs);
	SET(CURLOPT_POSTFIELDS, body);
	SET(CURLOPT_WRITEFUNCTION, on_data);
	SET(CURLOPT_WRITEDATA, s);
	if (ca_file != NULL && ca_file[0] != '\0')
		SET(CURLOPT_CAINFO, ca_file);
#undef SET
	return rc;
}

int
http_post_form(const char *url, const char *body, const char *ca_file, long *status,
    struct buf *resp, char *err, size_t errlen)
{
	struct sink s = { resp, false };
	CURL *c = curl_easy_init();
	struct curl_slist *hdrs = curl_slist_append(NULL, "Accept: application/json");
	CURLcode rc = c == NULL || hdrs == NULL ? CURLE_OUT_OF_MEMORY :
	    set_options(c, url, body, ca_file, hdrs, &s);
	if (rc == CURLE_OK)
		rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		rc = curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	if (rc != CURLE_OK)
		snprintf_rq(err, errlen, "token endpoint %s: %s", url,
		    s.too_big ? "answer too large" : curl_easy_strerror(rc));
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);
	return rc == CURLE_OK ? 0 : -1;
}
