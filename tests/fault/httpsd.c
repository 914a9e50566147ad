/* httpsd: our scriptable HTTPS server for relayq-setup's tests — serves
 * autoconfig documents from a directory tree, one request per connection,
 * with per-URL misbehaviour chosen by the served file's first line.
 *
 * usage: httpsd -p PORT -r DOCROOT [-c CERT -k KEY] [-l LOGFILE] [-P PIDFILE]
 * -c/-k: server certificate chain and key (PEM); every connection is then
 * TLS (1.2 or later).  Without them the server speaks plain HTTP.
 * -l: append one line per request, "HOST METHOD TARGET" (the Host header
 * as given, "-" if none; the target with its query string), e.g.
 *   autoconfig.isp.example GET /mail/config-v1.1.xml?emailaddress=a%40b
 * -P: written (pid and newline) once listening, removed on SIGTERM/SIGINT.
 *
 * Listens on 127.0.0.1:PORT and forks a child per connection, so a stalled
 * answer blocks nobody else; children die with the server (and after 120 s
 * in any case).  A child reads one request (head bounded to 16 KiB, 10 s),
 * answers with "Connection: close" and closes.  GET and HEAD; POST for
 * the directives below.
 *
 * Host H (port stripped, lower-cased) and target /P?Q map to DOCROOT/H/P
 * (P percent-decoded; a ".." segment gets 400).  No such regular file:
 * 404.  Otherwise 200, Content-Type text/xml, the file verbatim — unless
 * its first line is exactly one of:
 *   #!stall          200 and headers (no Content-Length), then no body for
 *                    60 s (or until the client hangs up), then close
 *   #!huge           200 and headers, then "<x>aaa...</x>\n" lines without
 *                    end until the client hangs up (or is reset after
 *                    120 s: curl before 8.4 ignores --max-filesize here)
 *   #!redirect URL   302 with "Location: URL"
 *   #!status NNN     status NNN with a small text body
 *
 * POST (bodies up to 16 KiB, Content-Length only) is answered only by a
 * file whose first line is a POST directive; any other file gets 405.
 * The OAuth 2.0 device authorization grant (RFC 8628), for relayq-setup
 * --oauth2; the rest of the file holds "key value" lines:
 *   #!device-authorization   the device endpoint.  Checks client_id and
 *                    scope (keys of the same names; a missing key is not
 *                    checked) and answers 200 with the JSON on the
 *                    "response" line verbatim, or 400 invalid_client /
 *                    invalid_scope.
 *   #!device-token   the token endpoint for the device_code grant.
 *                    Checks grant_type, client_id and device_code (keys
 *                    client_id, device_code), then answers poll number N
 *                    (counted across connections in FILE.polls) with the
 *                    N-th "poll" line, the last one repeating:
 *                      poll pending        400 authorization_pending
 *                      poll slow_down      400 slow_down
 *                      poll expired_token  400 expired_token
 *                      poll access_denied  400 access_denied
 *                      poll declined       400 authorization_declined
 *                      poll success        200, the tokens: keys
 *                                          access_token, refresh_token,
 *                                          expires_in, scope
 *                      poll approval       pending until FILE.approved
 *                                          exists (the test, playing the
 *                                          user, writes the user code
 *                                          into it; it must equal key
 *                                          user_code), then success
 *                    FILE.polls gets "N MS ANSWER" per poll (MS: the
 *                    wall clock in milliseconds), for the test to check
 *                    the intervals.  A bad request gets 400
 *                    invalid_request / invalid_client / invalid_grant.
 *   #!refresh-token  the token endpoint for the refresh_token grant (RFC
 *                    6749 §6), for relayq-oauth2-refresh.  Checks
 *                    grant_type, client_id and client_secret (when the
 *                    file has those keys), and the refresh token against
 *                    the "valid_refresh" lines (any of them; none: all
 *                    refused with 400 invalid_grant).  Then "answer"
 *                    says what to do (default success):
 *                      answer success      200: access_token, expires_in
 *                                          (default 3600), and "rotate"
 *                                          as the new refresh_token when
 *                                          the file has one
 *                      answer status NNN   status NNN, a text body
 *                      answer ERROR        400 {"error":"ERROR"}
 *                    Each request is counted in FILE.polls ("N MS
 *                    refresh"), as the device polls are.
 * Problems with the server itself (TLS handshakes that fail, bad
 * directives) go to stderr. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define HEAD_MAX	16384	/* request line and headers */
#define READ_TIMEOUT	10	/* s, per read of the request */
#define SEND_TIMEOUT	30	/* s, per blocked write */
#define STALL_TIME	60	/* s, for #!stall */
#define CHILD_LIMIT	120	/* s, a connection's whole life */
#define MAX_CHILDREN	256	/* tracked for the stop; more still work */

struct request {
	char *method, *target, *version;
	const char *host;	/* NULL if absent */
	long long content_length;	/* -1 if absent */
	char body[HEAD_MAX + 1];	/* POST: the body, NUL-terminated */
	size_t body_len;
	bool post;
};

static const char *docroot;
static int log_fd = -1;
static SSL_CTX *tls_ctx;	/* with -c/-k */
static SSL *tls;		/* the connection's, once handshaken */
static int peer = -1;		/* the connection's socket */
static bool head_only;		/* a HEAD request: no bodies */
static volatile sig_atomic_t stopping;
static pid_t children[MAX_CHILDREN];	/* live or unreaped; 0 = free */

static void
die(const char *what)
{
	fprintf(stderr, "httpsd: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void
on_signal(int sig)
{
	if (sig != SIGCHLD)
		stopping = 1;
}

/* The oldest queued OpenSSL error, for a message. */
static const char *
tls_error(void)
{
	unsigned long e = ERR_get_error();
	const char *why = e != 0 ? ERR_reason_error_string(e) : NULL;
	ERR_clear_error();
	return why != NULL ? why : "connection closed or timed out";
}

/* Every response byte goes through here: 0, or -1 once the client is gone
 * (or has not read for SEND_TIMEOUT). */
static int
peer_write(const void *buf, size_t n)
{
	const char *p = buf;
	while (n > 0) {
		size_t chunk = n > 65536 ? 65536 : n;
		if (tls != NULL) {
			int r = SSL_write(tls, p, (int)chunk);
			if (r <= 0) {
				ERR_clear_error();
				return -1;
			}
			chunk = (size_t)r;
		} else {
			ssize_t r = write(peer, p, chunk);
			if (r == -1 && errno == EINTR)
				continue;
			if (r <= 0)
				return -1;
			chunk = (size_t)r;
		}
		p += chunk;
		n -= chunk;
	}
	return 0;
}

/* Bytes read, 0 at end (or timeout, or a TLS error). */
static size_t
peer_read(char *buf, size_t n)
{
	if (tls != NULL) {
		int r = SSL_read(tls, buf, n > 65536 ? 65536 : (int)n);
		if (r <= 0)
			ERR_clear_error();
		return r > 0 ? (size_t)r : 0;
	}
	for (;;) {
		ssize_t r = read(peer, buf, n);
		if (r == -1 && errno == EINTR)
			continue;
		return r > 0 ? (size_t)r : 0;
	}
}

static const char *
reason(int code)
{
	static const struct {
		int code;
		const char *text;
	} phrases[] = {
		{ 200, "OK" }, { 204, "No Content" }, { 301, "Moved Permanently" },
		{ 302, "Found" }, { 303, "See Other" }, { 304, "Not Modified" },
		{ 307, "Temporary Redirect" }, { 308, "Permanent Redirect" },
		{ 400, "Bad Request" }, { 401, "Unauthorized" }, { 403, "Forbidden" },
		{ 404, "Not Found" }, { 405, "Method Not Allowed" }, { 410, "Gone" }, { 411, "Length Required" }, { 413, "Content Too Large" },
		{ 414, "URI Too Long" }, { 429, "Too Many Requests" },
		{ 431, "Request Header Fields Too Large" },
		{ 500, "Internal Server Error" }, { 502, "Bad Gateway" },
		{ 503, "Service Unavailable" }, { 504, "Gateway Timeout" },
		{ 505, "HTTP Version Not Supported" },
	};
	for (size_t i = 0; i < sizeof phrases / sizeof phrases[0]; i++)
		if (phrases[i].code == code)
			return phrases[i].text;
	return "Status";
}

/* Status line and headers; len < 0: no Content-Length (the body ends at
 * the close).  extra: more header lines, each ending in CRLF, or NULL. */
static int
send_head(int code, const char *type, long long len, const char *extra)
{
	char buf[HEAD_MAX], clen[64] = "";
	if (len >= 0)
		snprintf(clen, sizeof clen, "Content-Length: %lld\r\n", len);
	int n = snprintf(buf, sizeof buf,
	    "HTTP/1.1 %d %s\r\nServer: httpsd\r\n%s%s%s%s%sConnection: close\r\n\r\n",
	    code, reason(code), type != NULL ? "Content-Type: " : "",
	    type != NULL ? type : "", type != NULL ? "\r\n" : "", clen,
	    extra != NULL ? extra : "");
	if (n < 0 || (size_t)n >= sizeof buf)
		return -1;
	return peer_write(buf, (size_t)n);
}

/* A status with a one-line text body (none for 1xx, 204 and 304). */
static int
send_status(int code, const char *extra)
{
	char body[128];
	if (code < 200 || code == 204 || code == 304)
		return send_head(code, NULL, -1, extra);
	int n = snprintf(body, sizeof body, "%d %s\n", code, reason(code));
	if (n < 0 || (size_t)n >= sizeof body)
		return -1;
	if (send_head(code, "text/plain", n, extra) == -1)
		return -1;
	return head_only ? 0 : peer_write(body, (size_t)n);
}

/* 0: buf holds a request head (NUL-terminated, the blank line cut off),
 * and the *extra bytes after it (the start of a body) at buf + *off;
 * -1: the client went away or stalled; else the HTTP status to answer. */
static int
read_head(char *buf, size_t cap, size_t *off, size_t *extra)
{
	size_t len = 0;
	for (;;) {
		if (len == cap - 1)
			return 431;
		size_t n = peer_read(buf + len, cap - 1 - len);
		if (n == 0)
			return -1;
		len += n;
		buf[len] = '\0';
		char *crlf = memmem(buf, len, "\r\n\r\n", 4), *lf = memmem(buf, len, "\n\n", 2);
		char *end = crlf != NULL && (lf == NULL || crlf < lf) ? crlf : lf;
		if (end != NULL) {
			*off = (size_t)(end - buf) + (end == crlf ? 4 : 2);
			*extra = len - *off;
			*end = '\0';
			return memchr(buf, '\0', (size_t)(end - buf)) != NULL ? 400 : 0;
		}
	}
}

static char *
trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

/* 0, or the HTTP status for a malformed head. */
static int
parse_head(char *buf, struct request *req)
{
	char *save = NULL, *line = strtok_r(buf, "\n", &save), *ls = NULL;
	if (line == NULL)
		return 400;
	line = trim(line);
	req->method = strtok_r(line, " ", &ls);
	req->target = strtok_r(NULL, " ", &ls);
	req->version = strtok_r(NULL, " ", &ls);
	if (req->method == NULL || req->target == NULL || req->version == NULL ||
	    strtok_r(NULL, " ", &ls) != NULL)
		return 400;
	int hosts = 0;
	while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
		char *colon = strchr(line, ':');
		if (colon == NULL)
			return 400;
		*colon = '\0';
		if (strcasecmp(line, "Host") == 0) {
			req->host = trim(colon + 1);
			hosts++;
		} else if (strcasecmp(line, "Content-Length") == 0) {
			char *v = trim(colon + 1), *end;
			errno = 0;
			req->content_length = strtoll(v, &end, 10);
			if (errno != 0 || end == v || *end != '\0' || req->content_length < 0)
				return 400;
		}
	}
	if (strncmp(req->version, "HTTP/1.", 7) != 0)
		return 505;
	return hosts > 1 ? 400 : 0;
}

static void
log_request(const struct request *req)
{
	char line[HEAD_MAX + 8];
	if (log_fd == -1)
		return;
	int n = snprintf(line, sizeof line, "%s %s %s\n",
	    req->host != NULL ? req->host : "-", req->method, req->target);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof line) {
		n = (int)sizeof line - 1;
		line[n - 1] = '\n';
	}
	/* One write on an O_APPEND descriptor: lines from concurrent
	 * children do not interleave. */
	if (write(log_fd, line, (size_t)n) != n)
		fprintf(stderr, "httpsd: log: %s\n", strerror(errno));
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* DOCROOT/host/path for the request: 0, or the HTTP status to answer. */
static int
map_path(const struct request *req, char *out, size_t cap)
{
	char host[256], path[HEAD_MAX];
	const char *h = req->host;
	size_t hlen = strcspn(h, ":");		/* name[:port] */
	if (h[0] == '[') {			/* [v6addr][:port] */
		hlen = strcspn(h, "]");
		hlen += h[hlen] == ']';
	}
	if (hlen == 0 || hlen >= sizeof host)
		return 400;
	for (size_t i = 0; i < hlen; i++) {
		unsigned char c = (unsigned char)h[i];
		if (!isalnum(c) && strchr("-._[]:", c) == NULL)
			return 400;
		host[i] = (char)tolower(c);
	}
	host[hlen] = '\0';
	if (strcmp(host, ".") == 0 || strcmp(host, "..") == 0)
		return 400;

	const char *t = req->target;
	size_t tlen = strcspn(t, "?#"), plen = 0;
	if (t[0] != '/')
		return 400;
	for (size_t i = 0; i < tlen; i++) {
		int c = (unsigned char)t[i];
		if (c == '%') {
			int hi = i + 2 < tlen ? hexval(t[i + 1]) : -1;
			int lo = hi >= 0 ? hexval(t[i + 2]) : -1;
			if (lo < 0)
				return 400;
			c = hi * 16 + lo;
			i += 2;
		}
		if (c == '\0')
			return 400;
		path[plen++] = (char)c;	/* plen <= tlen < sizeof path */
	}
	path[plen] = '\0';
	for (const char *seg = path; seg != NULL; seg = strchr(seg + 1, '/'))
		if (strncmp(seg, "/..", 3) == 0 && (seg[3] == '/' || seg[3] == '\0'))
			return 400;

	int n = snprintf(out, cap, "%s/%s%s", docroot, host, path);
	return n < 0 || (size_t)n >= cap ? 414 : 0;
}

/* #!stall: headers, then nothing until STALL_TIME is up or the client
 * hangs up.  The client's bytes are read raw and dropped, so no TLS
 * close_notify afterwards. */
static void
stall(void)
{
	if (send_head(200, "text/xml", -1, NULL) == -1)
		return;
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		long long ms = (long long)STALL_TIME * 1000 -
		    ((long long)(now.tv_sec - start.tv_sec) * 1000 +
		    (now.tv_nsec - start.tv_nsec) / 1000000);
		if (ms <= 0)
			break;
		struct pollfd pfd = { .fd = peer, .events = POLLIN | POLLRDHUP };
		int r = poll(&pfd, 1, (int)ms);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1 || (r == 1 && (pfd.revents & (POLLRDHUP | POLLHUP | POLLERR))))
			break;
		if (r == 1) {
			char junk[4096];
			ssize_t n = read(peer, junk, sizeof junk);
			if (n == 0 || (n == -1 && errno != EINTR))
				break;
		}
	}
	if (tls != NULL) {
		SSL_free(tls);
		tls = NULL;
	}
}

/* #!huge: an endless body, until a write fails.  Should CHILD_LIMIT end
 * it first, the connection is reset, not closed: a client without a size
 * limit must not take that for a complete response. */
static void
huge(void)
{
	static const char line[] = "<x>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</x>\n";
	char buf[(sizeof line - 1) * 1024];
	struct linger reset = { .l_onoff = 1, .l_linger = 0 };
	for (size_t i = 0; i < sizeof buf; i += sizeof line - 1)
		memcpy(buf + i, line, sizeof line - 1);
	if (setsockopt(peer, SOL_SOCKET, SO_LINGER, &reset, sizeof reset) == -1)
		die("setsockopt");
	if (send_head(200, "text/xml", -1, NULL) == -1 || head_only)
		return;
	while (peer_write(buf, sizeof buf) == 0)
		;
}

/* Acts on a "#!" first line: true if it was a directive. */
static bool
directive(const char *line, const char *path)
{
	if (strcmp(line, "#!stall") == 0) {
		stall();
		return true;
	}
	if (strcmp(line, "#!huge") == 0) {
		huge();
		return true;
	}
	if (strncmp(line, "#!redirect ", 11) == 0) {
		char loc[HEAD_MAX];
		const char *url = trim((char *)line + 11);
		int n = snprintf(loc, sizeof loc, "Location: %s\r\n", url);
		if (url[0] == '\0' || n < 0 || (size_t)n >= sizeof loc) {
			fprintf(stderr, "httpsd: %s: bad #!redirect\n", path);
			send_status(500, NULL);
		} else {
			send_status(302, loc);
		}
		return true;
	}
	if (strncmp(line, "#!status ", 9) == 0) {
		const char *s = line + 9;
		if (strlen(s) != 3 || !isdigit((unsigned char)s[0]) || s[0] == '0' ||
		    !isdigit((unsigned char)s[1]) || !isdigit((unsigned char)s[2])) {
			fprintf(stderr, "httpsd: %s: bad #!status\n", path);
			send_status(500, NULL);
		} else {
			send_status(atoi(s), NULL);
		}
		return true;
	}
	return false;
}

/* ---- POST: the OAuth 2.0 device authorization grant (RFC 8628) ---- */

/* Form field name of an x-www-form-urlencoded body, decoded into out;
 * false if absent, malformed or too long. */
static bool
form_get(const char *body, const char *name, char *out, size_t cap)
{
	size_t nlen = strlen(name);
	for (const char *p = body; *p != '\0'; p += strcspn(p, "&"), p += *p == '&') {
		if (strncmp(p, name, nlen) != 0 || p[nlen] != '=')
			continue;
		size_t o = 0;
		for (p += nlen + 1; *p != '\0' && *p != '&'; p++) {
			int c = (unsigned char)*p;
			if (c == '+')
				c = ' ';
			else if (c == '%') {
				int hi = hexval(p[1]), lo = hi >= 0 ? hexval(p[2]) : -1;
				if (lo < 0)
					return false;
				c = hi * 16 + lo;
				p += 2;
			}
			if (o + 1 >= cap)
				return false;
			out[o++] = (char)c;
		}
		out[o] = '\0';
		return true;
	}
	return false;
}

/* The value of the n-th (1-based; past the end: the last) "key value"
 * line of a directive file's text; false if there is none. */
static bool
script_get(const char *text, const char *key, long n, char *out, size_t cap)
{
	size_t klen = strlen(key);
	bool found = false;
	for (const char *p = text; *p != '\0' && n > 0; p += strcspn(p, "\n"), p += *p == '\n') {
		size_t len = strcspn(p, "\r\n");
		if (len <= klen || strncmp(p, key, klen) != 0 || p[klen] != ' ')
			continue;
		len -= klen + 1;
		if (len >= cap)
			len = cap - 1;
		memcpy(out, p + klen + 1, len);
		out[len] = '\0';
		found = true;
		n--;
	}
	return found;
}

/* Does the form field equal the script's value (true when the script
 * does not say)? */
static bool
field_ok(const char *text, const struct request *req, const char *key)
{
	char want[1024], got[1024];
	if (!script_get(text, key, 1, want, sizeof want))
		return true;
	return form_get(req->body, key, got, sizeof got) && strcmp(want, got) == 0;
}

static void
send_json(int code, const char *json)
{
	size_t len = strlen(json);
	if (send_head(code, "application/json", (long long)len,
	    "Cache-Control: no-store\r\nPragma: no-cache\r\n") == 0)
		(void)peer_write(json, len);
}

static void
oauth_error(int code, const char *error)
{
	char json[256];
	snprintf(json, sizeof json, "{\"error\":\"%s\",\"error_description\":"
	    "\"httpsd says %s\"}", error, error);
	send_json(code, json);
}

static void
device_authorization(const char *text, const struct request *req)
{
	char response[8192];
	if (!field_ok(text, req, "client_id"))
		oauth_error(400, "invalid_client");
	else if (!field_ok(text, req, "scope"))
		oauth_error(400, "invalid_scope");
	else if (!script_get(text, "response", 1, response, sizeof response))
		oauth_error(500, "no_response_line");
	else
		send_json(200, response);
}

/* This poll's number (1, 2, ...), counted in path.polls under a lock,
 * with its line "N MS ANSWER" appended; 0 on trouble. */
static long
record_poll(const char *path, const char *answer)
{
	char name[4096], buf[65536], line[256];
	struct timespec now;
	long n = 1;
	snprintf(name, sizeof name, "%s.polls", path);
	int fd = open(name, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd == -1 || flock(fd, LOCK_EX) == -1) {
		fprintf(stderr, "httpsd: %s: %s\n", name, strerror(errno));
		if (fd != -1)
			close(fd);
		return 0;
	}
	ssize_t r;
	while ((r = read(fd, buf, sizeof buf)) > 0)
		for (ssize_t i = 0; i < r; i++)
			n += buf[i] == '\n';
	clock_gettime(CLOCK_REALTIME, &now);
	int len = snprintf(line, sizeof line, "%ld %lld %s\n", n,
	    (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000, answer);
	if (answer != NULL && (len < 0 || write(fd, line, (size_t)len) != len))
		fprintf(stderr, "httpsd: %s: %s\n", name, strerror(errno));
	close(fd);
	return n;
}

/* The answer the n-th "poll" line gives now. */
static void
poll_answer(const char *text, const char *path, long n, char *answer, size_t cap)
{
	char approved[4096], code[256], want[256];
	if (!script_get(text, "poll", n, answer, cap))
		snprintf(answer, cap, "success");
	if (strcmp(answer, "approval") != 0)
		return;
	snprintf(approved, sizeof approved, "%s.approved", path);
	FILE *fp = fopen(approved, "r");
	bool yes = fp != NULL && fgets(code, sizeof code, fp) != NULL &&
	    script_get(text, "user_code", 1, want, sizeof want) &&
	    strncmp(code, want, strlen(want)) == 0;
	if (fp != NULL)
		fclose(fp);
	snprintf(answer, cap, yes ? "success" : "pending");
}

static void
send_tokens(const char *text)
{
	char at[2048] = "", rt[2048] = "", exp[32] = "3600", scope[1024] = "", json[8192];
	(void)script_get(text, "access_token", 1, at, sizeof at);
	(void)script_get(text, "refresh_token", 1, rt, sizeof rt);
	(void)script_get(text, "expires_in", 1, exp, sizeof exp);
	(void)script_get(text, "scope", 1, scope, sizeof scope);
	snprintf(json, sizeof json, "{\"access_token\":\"%s\",\"token_type\":\"Bearer\","
	    "\"expires_in\":%s,%s%s%s\"scope\":\"%s\"}", at, exp, rt[0] != '\0' ?
	    "\"refresh_token\":\"" : "", rt, rt[0] != '\0' ? "\"," : "", scope);
	send_json(200, json);
}

static void
device_token(const char *text, const char *path, const struct request *req)
{
	static const struct {
		const char *answer, *error;
	} errors[] = {
		{ "pending", "authorization_pending" }, { "slow_down", "slow_down" },
		{ "expired_token", "expired_token" }, { "access_denied", "access_denied" },
		{ "declined", "authorization_declined" },
	};
	char grant[256], answer[64];
	if (!form_get(req->body, "grant_type", grant, sizeof grant) ||
	    strcmp(grant, "urn:ietf:params:oauth:grant-type:device_code") != 0) {
		oauth_error(400, "unsupported_grant_type");
		return;
	}
	if (!field_ok(text, req, "client_id")) {
		oauth_error(400, "invalid_client");
		return;
	}
	if (!field_ok(text, req, "device_code")) {
		oauth_error(400, "invalid_grant");
		return;
	}
	long n = record_poll(path, NULL);
	poll_answer(text, path, n, answer, sizeof answer);
	(void)record_poll(path, answer);
	for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++)
		if (strcmp(answer, errors[i].answer) == 0) {
			oauth_error(400, errors[i].error);
			return;
		}
	send_tokens(text);
}

/* Is the form's refresh_token one of the "valid_refresh" lines? */
static bool
refresh_valid(const char *text, const struct request *req)
{
	char got[2048], want[2048];
	if (!form_get(req->body, "refresh_token", got, sizeof got))
		return false;
	/* Past the end script_get repeats the last line: harmless here. */
	for (long i = 1; i <= 16 && script_get(text, "valid_refresh", i, want, sizeof want); i++)
		if (strcmp(want, got) == 0)
			return true;
	return false;
}

static void
refresh_token(const char *text, const char *path, const struct request *req)
{
	char grant[256], answer[256] = "success", at[2048] = "", rt[2048] = "",
	    exp[32] = "3600", json[8192];
	(void)record_poll(path, "refresh");
	if (!form_get(req->body, "grant_type", grant, sizeof grant) ||
	    strcmp(grant, "refresh_token") != 0) {
		oauth_error(400, "unsupported_grant_type");
		return;
	}
	if (!field_ok(text, req, "client_id") || !field_ok(text, req, "client_secret")) {
		oauth_error(401, "invalid_client");
		return;
	}
	if (!refresh_valid(text, req)) {
		oauth_error(400, "invalid_grant");
		return;
	}
	(void)script_get(text, "answer", 1, answer, sizeof answer);
	if (strncmp(answer, "status ", 7) == 0) {
		send_status(atoi(answer + 7), NULL);
		return;
	}
	if (strcmp(answer, "success") != 0) {
		oauth_error(400, answer);
		return;
	}
	(void)script_get(text, "access_token", 1, at, sizeof at);
	(void)script_get(text, "rotate", 1, rt, sizeof rt);
	(void)script_get(text, "expires_in", 1, exp, sizeof exp);
	snprintf(json, sizeof json, "{\"access_token\":\"%s\",\"token_type\":\"Bearer\","
	    "\"expires_in\":%s%s%s%s}", at, exp, rt[0] != '\0' ? ",\"refresh_token\":\"" : "",
	    rt, rt[0] != '\0' ? "\"" : "");
	send_json(200, json);
}

/* A POST directive: true if line is one (and it was answered). */
static bool
post_directive(const char *line, const char *path, const struct request *req)
{
	bool authz = strcmp(line, "#!device-authorization") == 0;
	bool refresh = strcmp(line, "#!refresh-token") == 0;
	if (!authz && !refresh && strcmp(line, "#!device-token") != 0)
		return false;
	char text[65536];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd == -1 ? -1 : read(fd, text, sizeof text - 1);
	if (fd != -1)
		close(fd);
	if (n < 0) {
		send_status(500, NULL);
		return true;
	}
	text[n] = '\0';
	if (refresh)
		refresh_token(text, path, req);
	else if (authz)
		device_authorization(text, req);
	else
		device_token(text, path, req);
	return true;
}

static void
serve_file(const char *path, const struct request *req)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st;
	if (fd == -1) {
		send_status(errno == ENOENT || errno == ENOTDIR ? 404 :
		    errno == EACCES ? 403 : 500, NULL);
		return;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		send_status(404, NULL);
		close(fd);
		return;
	}
	char buf[65536];
	ssize_t n;
	do
		n = read(fd, buf, sizeof buf - 1);
	while (n == -1 && errno == EINTR);
	if (n == -1) {
		send_status(500, NULL);
		close(fd);
		return;
	}
	if (n >= 2 && buf[0] == '#' && buf[1] == '!') {
		/* The first line: complete in this read, and short. */
		char line[4096];
		buf[n] = '\0';
		size_t len = strcspn(buf, "\n");
		if (len < sizeof line && (len < (size_t)n || n == st.st_size)) {
			memcpy(line, buf, len);
			line[len] = '\0';
			if (len > 0 && line[len - 1] == '\r')
				line[len - 1] = '\0';
			if ((req->post && post_directive(line, path, req)) ||
			    (!req->post && directive(line, path))) {
				close(fd);
				return;
			}
		}
	}
	if (req->post) {
		send_status(405, "Allow: GET, HEAD\r\n");
		close(fd);
		return;
	}
	/* Verbatim: exactly st_size bytes, whatever happens to the file. */
	long long left = st.st_size;
	if (send_head(200, "text/xml", left, NULL) == -1 || head_only) {
		close(fd);
		return;
	}
	while (n > 0 && left > 0) {
		size_t out = (long long)n > left ? (size_t)left : (size_t)n;
		if (peer_write(buf, out) == -1)
			break;
		left -= (long long)out;
		do
			n = read(fd, buf, sizeof buf);
		while (n == -1 && errno == EINTR);
	}
	close(fd);
}

/* A POST's body (Content-Length bytes, the first `extra` of them already
 * read at start) into req->body: 0, -1 when the client went away, or the
 * HTTP status to answer. */
static int
read_body(struct request *req, const char *start, size_t extra)
{
	if (req->content_length < 0)
		return 411;
	if (req->content_length > HEAD_MAX || (long long)extra > req->content_length)
		return 413;
	memcpy(req->body, start, extra);
	req->body_len = extra;
	while ((long long)req->body_len < req->content_length) {
		size_t n = peer_read(req->body + req->body_len,
		    (size_t)req->content_length - req->body_len);
		if (n == 0)
			return -1;
		req->body_len += n;
	}
	req->body[req->body_len] = '\0';
	return 0;
}

static void
handle_request(void)
{
	static char head[HEAD_MAX + 1];
	static struct request req;
	char path[4096];
	size_t off = 0, extra = 0;
	req.content_length = -1;
	int rc = read_head(head, sizeof head, &off, &extra);
	if (rc == -1)
		return;
	if (rc == 0)
		rc = parse_head(head, &req);
	if (req.version != NULL)	/* a request line at least */
		log_request(&req);
	if (rc != 0) {
		send_status(rc, NULL);
		return;
	}
	head_only = strcmp(req.method, "HEAD") == 0;
	req.post = strcmp(req.method, "POST") == 0;
	if (!head_only && !req.post && strcmp(req.method, "GET") != 0) {
		send_status(405, "Allow: GET, HEAD, POST\r\n");
		return;
	}
	if (req.host == NULL) {
		send_status(400, NULL);
		return;
	}
	if (req.post && (rc = read_body(&req, head + off, extra)) != 0) {
		if (rc > 0)
			send_status(rc, NULL);
		return;
	}
	if ((rc = map_path(&req, path, sizeof path)) != 0) {
		send_status(rc, NULL);
		return;
	}
	serve_file(path, &req);
}

static void
set_timeout(int fd, int opt, int seconds)
{
	struct timeval tv = { .tv_sec = seconds };
	if (setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof tv) == -1)
		die("setsockopt");
}

/* A child's whole life: handshake, one request, close. */
static void
connection(int fd)
{
	int one = 1;
	peer = fd;
	set_timeout(fd, SO_RCVTIMEO, READ_TIMEOUT);
	set_timeout(fd, SO_SNDTIMEO, SEND_TIMEOUT);
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) == -1)
		die("setsockopt");
	if (tls_ctx != NULL) {
		if ((tls = SSL_new(tls_ctx)) == NULL || SSL_set_fd(tls, fd) != 1 ||
		    SSL_accept(tls) != 1) {
			fprintf(stderr, "httpsd: TLS handshake failed: %s\n", tls_error());
			SSL_free(tls);
			tls = NULL;
			close(fd);
			return;
		}
	}
	handle_request();
	if (tls != NULL) {
		if (SSL_shutdown(tls) < 0)
			ERR_clear_error();
		SSL_free(tls);
		tls = NULL;
	}
	/* Half-close and let the client's leftovers (a body we never read)
	 * arrive, so the close does not reset the connection under the
	 * response. */
	if (shutdown(fd, SHUT_WR) == 0) {
		char junk[4096];
		set_timeout(fd, SO_RCVTIMEO, 1);
		for (int i = 0; i < 64 && read(fd, junk, sizeof junk) > 0; i++)
			;
	}
	close(fd);
}

static void
load_cert(const char *cert, const char *key)
{
	tls_ctx = SSL_CTX_new(TLS_server_method());
	if (tls_ctx == NULL || SSL_CTX_set_min_proto_version(tls_ctx, TLS1_2_VERSION) != 1 ||
	    SSL_CTX_use_certificate_chain_file(tls_ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(tls_ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(tls_ctx) != 1) {
		fprintf(stderr, "httpsd: cannot load %s / %s: %s\n", cert, key, tls_error());
		exit(1);
	}
}

static int
listen_on(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd == -1 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == -1 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof sa) == -1 || listen(fd, 64) == -1)
		die("listen");
	return fd;
}

/* Written under a temporary name and renamed: whoever sees the file sees
 * the whole pid. */
static void
write_pidfile(const char *path)
{
	char tmp[4096];
	int n = snprintf(tmp, sizeof tmp, "%s.tmp", path);
	if (n < 0 || (size_t)n >= sizeof tmp) {
		errno = ENAMETOOLONG;
		die(path);
	}
	FILE *fp = fopen(tmp, "w");
	if (fp == NULL)
		die(tmp);
	if (fprintf(fp, "%ld\n", (long)getpid()) < 0 || fclose(fp) != 0)
		die(tmp);
	if (rename(tmp, path) == -1)
		die(path);
}

static void
catch_signal(int sig)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	if (sig == SIGCHLD)
		sa.sa_flags = SA_NOCLDSTOP;
	if (sigaction(sig, &sa, NULL) == -1)
		die("sigaction");
}

static void
child(int fd, int lfd, pid_t parent, const sigset_t *mask)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigemptyset(&dfl.sa_mask);
	close(lfd);
	if (sigaction(SIGTERM, &dfl, NULL) == -1 || sigaction(SIGINT, &dfl, NULL) == -1 ||
	    sigaction(SIGCHLD, &dfl, NULL) == -1 || sigprocmask(SIG_SETMASK, mask, NULL) == -1)
		die("signals");
	/* Go when the server goes (no stalled child outlives a test). */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1)
		die("prctl");
	if (getppid() != parent)
		exit(0);
	alarm(CHILD_LIMIT);
	connection(fd);
	if (log_fd != -1)
		close(log_fd);
	exit(0);
}

static void
track(pid_t old, pid_t new)
{
	for (size_t i = 0; i < MAX_CHILDREN; i++)
		if (children[i] == old) {
			children[i] = new;
			return;
		}
}

static void
reap(void)
{
	pid_t pid;
	while ((pid = waitpid(-1, NULL, WNOHANG)) > 0)
		track(pid, 0);
}

/* Ends the connections still open (stalls, say) and waits for them, so
 * nothing of ours is left once the server has exited.  A child beyond the
 * table gets its SIGTERM from PR_SET_PDEATHSIG instead. */
static void
stop_children(void)
{
	for (size_t i = 0; i < MAX_CHILDREN; i++)
		if (children[i] > 0 && kill(children[i], SIGTERM) == -1 && errno != ESRCH)
			fprintf(stderr, "httpsd: kill %ld: %s\n", (long)children[i], strerror(errno));
	for (size_t i = 0; i < MAX_CHILDREN; i++)
		while (children[i] > 0 && waitpid(children[i], NULL, 0) == -1 && errno == EINTR)
			;
}

static void
usage(void)
{
	fputs("usage: httpsd -p PORT -r DOCROOT [-c CERT -k KEY] [-l LOGFILE] [-P PIDFILE]\n",
	    stderr);
	exit(64);
}

int
main(int argc, char **argv)
{
	int ch;
	long port = 0;
	const char *cert = NULL, *key = NULL, *logfile = NULL, *pidfile = NULL;
	char *end;
	while ((ch = getopt(argc, argv, "c:k:l:p:P:r:")) != -1) {
		if (ch == 'c')
			cert = optarg;
		else if (ch == 'k')
			key = optarg;
		else if (ch == 'l')
			logfile = optarg;
		else if (ch == 'p') {
			errno = 0;
			port = strtol(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' || port < 1 || port > 65535)
				usage();
		} else if (ch == 'P')
			pidfile = optarg;
		else if (ch == 'r')
			docroot = optarg;
		else
			usage();
	}
	if (optind != argc || port == 0 || docroot == NULL || (cert == NULL) != (key == NULL))
		usage();
	struct stat st;
	if (stat(docroot, &st) == -1)
		die(docroot);
	if (!S_ISDIR(st.st_mode)) {
		fprintf(stderr, "httpsd: %s: not a directory\n", docroot);
		return 1;
	}
	if (cert != NULL)
		load_cert(cert, key);
	if (logfile != NULL &&
	    (log_fd = open(logfile, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)) == -1)
		die(logfile);

	/* SIGTERM, SIGINT and SIGCHLD arrive only inside ppoll(), so a stop
	 * request cannot slip in between the check and the wait. */
	sigset_t block, orig;
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &block, &orig) == -1)
		die("sigprocmask");
	sigset_t waiting = orig;
	sigdelset(&waiting, SIGTERM);
	sigdelset(&waiting, SIGINT);
	sigdelset(&waiting, SIGCHLD);
	catch_signal(SIGTERM);
	catch_signal(SIGINT);
	catch_signal(SIGCHLD);
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		die("signal");

	int lfd = listen_on((int)port);
	if (pidfile != NULL)
		write_pidfile(pidfile);
	pid_t self = getpid();
	while (!stopping) {
		reap();
		struct pollfd pfd = { .fd = lfd, .events = POLLIN };
		int r = ppoll(&pfd, 1, NULL, &waiting);
		if (r == -1 && errno != EINTR)
			die("ppoll");
		if (r != 1 || stopping)
			continue;
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
				fprintf(stderr, "httpsd: accept: %s\n", strerror(errno));
				usleep(100000);
			} else if (errno != EINTR && errno != EAGAIN && errno != ECONNABORTED &&
			    errno != EPROTO) {
				die("accept");
			}
			continue;
		}
		pid_t pid = fork();
		if (pid == 0)
			child(fd, lfd, self, &orig);
		if (pid == -1) {
			fprintf(stderr, "httpsd: fork: %s\n", strerror(errno));
			usleep(100000);
		} else {
			track(0, pid);
		}
		close(fd);
	}
	close(lfd);
	stop_children();
	if (pidfile != NULL && unlink(pidfile) == -1)
		fprintf(stderr, "httpsd: %s: %s\n", pidfile, strerror(errno));
	if (log_fd != -1)
		close(log_fd);
	SSL_CTX_free(tls_ctx);
	return 0;
}
