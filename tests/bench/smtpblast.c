/* smtpblast: the ceiling `make bench` compares relayq's queue flush with —
 * N copies of one message over ONE connection to 127.0.0.1:PORT, with no
 * queue behind it.  Pipelined (RFC 2920 §3.1): the content and "." of one
 * message and MAIL/RCPT/DATA of the next go in one write, then their four
 * replies are read: one round trip per message, never past DATA before
 * its 354.  -l: lock-step, a round trip per command.  Prints msgs/s.
 * usage: smtpblast [-l] -p PORT -n N -f MESSAGE */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAILCMD "MAIL FROM:<bench@example.org>\r\n"
#define RCPTCMD "RCPT TO:<sink@example.org>\r\n"
#define DATACMD "DATA\r\n"

static char rbuf[65536];
static size_t rlen;

static void
die(const char *why)
{
	fprintf(stderr, "smtpblast: %s\n", why);
	exit(1);
}

static void
put(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w <= 0)
			die("write failed");
		p += w;
		n -= (size_t)w;
	}
}

/* Reads k complete replies; each must be 2xx or 3xx. */
static void
replies(int fd, int k)
{
	while (k > 0) {
		char *nl = memchr(rbuf, '\n', rlen);
		if (nl == NULL) {
			ssize_t r = read(fd, rbuf + rlen, sizeof rbuf - rlen);
			if (r <= 0)
				die("connection lost");
			rlen += (size_t)r;
			continue;
		}
		size_t len = (size_t)(nl - rbuf) + 1;
		if (len < 4 || (rbuf[0] != '2' && rbuf[0] != '3'))
			die("refused");
		if (rbuf[3] != '-')
			k--;
		memmove(rbuf, nl + 1, rlen - len);
		rlen -= len;
	}
}

/* The message file as it goes on the wire: CRLF, dots stuffed, ".". */
static char *
load(const char *path, size_t *n)
{
	FILE *f = fopen(path, "r");
	char line[2048];
	size_t cap = 1 << 20;
	char *out = malloc(cap);
	if (f == NULL || out == NULL)
		die("cannot read the message");
	*n = 0;
	while (fgets(line, sizeof line, f) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (*n + strlen(line) + 8 > cap)
			die("message too large");
		*n += (size_t)snprintf(out + *n, cap - *n, "%s%s\r\n", line[0] == '.' ? "." : "", line);
	}
	*n += (size_t)snprintf(out + *n, cap - *n, ".\r\n");
	fclose(f);
	return out;
}

static int
dial(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd == -1 || connect(fd, (struct sockaddr *)&sa, sizeof sa) == -1)
		die("cannot connect");
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return fd;
}

static void
lockstep(int fd, const char *msg, size_t mlen, long n)
{
	for (long i = 0; i < n; i++) {
		put(fd, MAILCMD, strlen(MAILCMD));
		replies(fd, 1);
		put(fd, RCPTCMD, strlen(RCPTCMD));
		replies(fd, 1);
		put(fd, DATACMD, strlen(DATACMD));
		replies(fd, 1);
		put(fd, msg, mlen);
		replies(fd, 1);
	}
}

static void
pipelined(int fd, const char *msg, size_t mlen, long n)
{
	static const char cmds[] = MAILCMD RCPTCMD DATACMD;
	char *group = malloc(mlen + sizeof cmds);
	if (group == NULL)
		die("out of memory");
	memcpy(group, msg, mlen);
	memcpy(group + mlen, cmds, sizeof cmds - 1);
	put(fd, cmds, sizeof cmds - 1);
	replies(fd, 3);
	for (long i = 0; i < n; i++) {
		bool last = i == n - 1;
		put(fd, group, last ? mlen : mlen + sizeof cmds - 1);
		replies(fd, last ? 1 : 4);
	}
	free(group);
}

int
main(int argc, char **argv)
{
	int ch, port = 0;
	long n = 1000;
	bool lock = false;
	const char *file = NULL;
	while ((ch = getopt(argc, argv, "lp:n:f:")) != -1) {
		if (ch == 'l')
			lock = true;
		else if (ch == 'p')
			port = atoi(optarg);
		else if (ch == 'n')
			n = atol(optarg);
		else if (ch == 'f')
			file = optarg;
		else
			return 64;
	}
	if (port <= 0 || file == NULL || n <= 0)
		die("usage: smtpblast [-l] -p PORT -n N -f MESSAGE");
	size_t mlen;
	char *msg = load(file, &mlen);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int fd = dial(port);
	replies(fd, 1);
	put(fd, "EHLO bench.example.org\r\n", 24);
	replies(fd, 1);
	(lock ? lockstep : pipelined)(fd, msg, mlen, n);
	put(fd, "QUIT\r\n", 6);
	replies(fd, 1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("%.0f\n", (double)n / s);
	free(msg);
	return 0;
}
