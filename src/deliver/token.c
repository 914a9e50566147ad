/* token: run the OAuth2 refresh helper, then take the access token. */
#include "token.h"
#include "authinfo.h"
#include "buf.h"
#include "libexec.h"
#include "log.h"
#include "monotime.h"
#include "tokenfile.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define REASON_MAX 400

/* In the child: stdin/stdout /dev/null, stderr the pipe, nothing else
 * open, default signals, a clean environment; never returns. */
static void
exec_helper(const char *helper, const char *file, int errfd)
{
	static char path_env[] = "PATH=/usr/bin:/bin";
	char ca_env[600];
	char *envp[3] = { path_env, NULL, NULL };
	char *argv[3] = { (char *)helper, (char *)file, NULL };
	const char *ca = getenv("RELAYQ_OAUTH2_CA");	/* tests: their own CA */
	sigset_t none;
	int null = open("/dev/null", O_RDWR);
	if (ca != NULL && ca[0] != '\0') {
		snprintf_rq(ca_env, sizeof ca_env, "RELAYQ_OAUTH2_CA=%s", ca);
		envp[1] = ca_env;
	}
	sigemptyset(&none);
	if (null == -1 || dup2(null, 0) == -1 || dup2(null, 1) == -1 || dup2(errfd, 2) == -1 ||
	    signal(SIGPIPE, SIG_DFL) == SIG_ERR || sigprocmask(SIG_SETMASK, &none, NULL) == -1)
		_exit(EX_OSERR);
	close_range(3, ~0U, 0);
	execve(helper, argv, envp);
	_exit(EX_UNAVAILABLE);
}

/* Reads the helper's stderr into line until EOF or the deadline. */
static bool
collect(int fd, char *line, size_t size, long long deadline)
{
	size_t len = 0;
	for (;;) {
		long long left = deadline - monotime_ms();
		if (left <= 0)
			return false;
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int r = poll(&p, 1, (int)left);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			return r == 0 ? false : true;
		char chunk[256];
		ssize_t n = read(fd, chunk, sizeof chunk);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return true;
		for (ssize_t i = 0; i < n && len + 1 < size; i++)
			line[len++] = chunk[i];
		line[len] = '\0';
	}
}

/* The first line, printable only: it goes into logs and queue files. */
static void
clean_line(char *s)
{
	s[strcspn(s, "\r\n")] = '\0';
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			*s = '?';
}

static int
wait_helper(pid_t pid, bool killed)
{
	int status;
	if (killed)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Runs the helper on file: its exit code (-1: killed, or no child), and
 * its stderr line in reason. */
static int
run_helper(const char *file, char *reason, size_t size)
{
	char helper[4096];
	int p[2];
	reason[0] = '\0';
	libexec_path(TOKEN_HELPER, helper, sizeof helper);
	if (pipe2(p, O_CLOEXEC) == -1) {
		snprintf_rq(reason, size, "cannot run %s: %s", TOKEN_HELPER, strerror(errno));
		return -1;
	}
	pid_t pid = fork();
	if (pid == 0)
		exec_helper(helper, file, p[1]);
	close(p[1]);
	if (pid == -1) {
		close(p[0]);
		snprintf_rq(reason, size, "cannot run %s: %s", TOKEN_HELPER, strerror(errno));
		return -1;
	}
	bool done = collect(p[0], reason, size, monotime_ms() + TOKEN_TIMEOUT * 1000LL);
	close(p[0]);
	int code = wait_helper(pid, !done);
	clean_line(reason);
	if (!done)
		snprintf_rq(reason, size, "%s took longer than %d s and was stopped; will try "
		    "again", TOKEN_HELPER, TOKEN_TIMEOUT);
	return code;
}

/* The access token of a freshly refreshed file into ai->password. */
static int
take_token(struct authinfo *ai, char *reason, size_t size)
{
	struct tokenfile tf;
	if (tokenfile_read(ai->token_file, &tf, reason, size) == -1)
		return -1;
	int rc = -1;
	if (!tokenfile_fresh(&tf, time(NULL), 0))
		snprintf_rq(reason, size, "%s: no unexpired access_token after the refresh",
		    ai->token_file);
	else if (authinfo_set_token(ai, tf.access_token) == -1)
		snprintf_rq(reason, size, "out of memory");
	else
		rc = 0;
	tokenfile_free(&tf);
	return rc;
}

static int
resolve(struct authinfo *ai, char *err, size_t errlen)
{
	char reason[REASON_MAX];
	int code = run_helper(ai->token_file, reason, sizeof reason);
	if (code == 0 && take_token(ai, reason, sizeof reason) == 0)
		return 0;
	if (reason[0] == '\0')
		snprintf_rq(reason, sizeof reason, "%s failed (%s %d)", TOKEN_HELPER,
		    code >= 0 ? "exit" : "status", code);
	log_err("OAuth2 token %s for %s: %s; mail stays queued", ai->token_file, ai->authid,
	    reason);
	snprintf_rq(err, errlen, "OAuth2: %s", reason);
	return -1;
}

int
token_resolve_creds(struct smtp_creds *c, char *err, size_t errlen)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].ai.token_file != NULL && resolve(&c->v[i].ai, err, errlen) == -1)
			return -1;
	return 0;
}
