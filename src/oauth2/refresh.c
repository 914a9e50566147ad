/* relayq-oauth2-refresh TOKENFILE: keeps an OAuth2 access token fresh for
 * relayqd, which runs it (as the relayq user) before a session whose
 * authinfo entry has an O: item.  A separate program so that relayqd
 * never links libcurl.  When the access token expires within 5 minutes
 * (or is missing) it spends the refresh token at the token endpoint
 * (RFC 6749 §6, verified HTTPS) and rewrites the file atomically, with
 * the rotated refresh token when the server sent one.  Refreshes of one
 * directory are serialised by a lock on it, so two queue runs never spend
 * the same refresh token.  Exit 0 ok; 75 try later (network, 5xx); 77
 * the grant was refused (new sign-in needed); 78 the file is unusable;
 * 64 usage.  One line on stderr when not 0; never a token. */
#include "grant.h"
#include "http.h"
#include "relayq.h"
#include "tokenfile.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static int
say(int code, const char *why)
{
	fprintf(stderr, "%s\n", why);
	return code;
}

/* Holds an exclusive lock on path's directory until exit. */
static int
lock_dir(const char *path, char *err, size_t errlen)
{
	char copy[PATH_MAX];
	strlcpy_rq(copy, path, sizeof copy);
	const char *dir = dirname(copy);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1 || flock(fd, LOCK_EX) == -1) {
		snprintf_rq(err, errlen, "%s: cannot lock: %s", dir, strerror(errno));
		return -1;
	}
	return 0;		/* the descriptor stays open: the lock with it */
}

/* What the file needs before a refresh can be tried. */
static const char *
missing(const struct tokenfile *tf)
{
	if (tf->refresh_token == NULL || tf->refresh_token[0] == '\0')
		return "refresh_token";
	if (tf->client_id == NULL)
		return "client_id";
	if (tf->token_endpoint == NULL || strncasecmp(tf->token_endpoint, "https://", 8) != 0)
		return "token_endpoint (an https:// URL)";
	return NULL;
}

static int
refresh(const char *path, struct tokenfile *tf, char *why, size_t whylen)
{
	struct buf body, resp;
	long status = 0;
	const char *ca = getenv("RELAYQ_OAUTH2_CA");
	int code = EX_TEMPFAIL;
	buf_init(&body);
	buf_init(&resp);
	if (ca == NULL || ca[0] == '\0')
		ca = tf->ca_file;
	if (grant_refresh_body(tf, &body) == -1)
		snprintf_rq(why, whylen, "out of memory");
	else if (http_post_form(tf->token_endpoint, buf_str(&body), ca, &status, &resp, why,
	    whylen) == 0) {
		enum grant_result r = grant_apply(tf, status, buf_str(&resp), resp.len, time(NULL),
		    why, whylen);
		code = r == GRANT_OK ? EX_OK : r == GRANT_REFUSED ? EX_NOPERM : EX_TEMPFAIL;
	}
	buf_free_secret(&body);
	buf_free_secret(&resp);
	if (code == EX_OK && tokenfile_write(path, tf, why, whylen) == -1)
		code = EX_TEMPFAIL;	/* the old refresh token is still on disk */
	return code;
}

int
main(int argc, char **argv)
{
	char why[RELAYQ_ERRLEN];
	struct tokenfile tf;
	umask(077);
	if (argc != 2 || argv[1][0] != '/')
		return say(EX_USAGE, "usage: relayq-oauth2-refresh /path/to/token-file");
	const char *path = argv[1];
	if (lock_dir(path, why, sizeof why) == -1)
		return say(EX_TEMPFAIL, why);
	/* Read under the lock: another run may just have refreshed it. */
	if (tokenfile_read(path, &tf, why, sizeof why) == -1)
		return say(EX_CONFIG, why);
	if (tokenfile_fresh(&tf, time(NULL), TOKENFILE_MARGIN)) {
		tokenfile_free(&tf);
		return EX_OK;
	}
	const char *need = missing(&tf);
	if (need != NULL) {
		snprintf_rq(why, sizeof why, "%s: no %s: run relayq-setup --oauth2 %s again", path,
		    need, tf.user != NULL ? tf.user : "USER");
		tokenfile_free(&tf);
		return say(EX_CONFIG, why);
	}
	if (http_global_init(why, sizeof why) == -1) {
		tokenfile_free(&tf);
		return say(EX_TEMPFAIL, why);
	}
	int code = refresh(path, &tf, why, sizeof why);
	http_global_done();
	tokenfile_free(&tf);
	return code == EX_OK ? EX_OK : say(code, why);
}
