/* test_dial: Happy Eyeballs on loopback — order, fallback after 250 ms
 * from an IPv6 address that never answers, errors naming every address,
 * source addresses.  "Never answers": a listener with a full accept queue,
 * whose kernel drops further SYNs as a firewall would. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dial.h"
#include "monotime.h"
#include "srcaddr.h"

struct addrs {
	struct addrinfo ai[DIAL_MAX];
	struct sockaddr_storage ss[DIAL_MAX];
	const struct addrinfo *p[DIAL_MAX];
	size_t n;
};

static void
add(struct addrs *a, const char *ip, int port)
{
	size_t i = a->n++;
	struct addrinfo *ai = &a->ai[i];
	memset(ai, 0, sizeof *ai);
	ai->ai_socktype = SOCK_STREAM;
	ai->ai_addr = (struct sockaddr *)&a->ss[i];
	if (strchr(ip, ':') != NULL) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&a->ss[i];
		*s6 = (struct sockaddr_in6){ .sin6_family = AF_INET6,
		    .sin6_port = htons((uint16_t)port) };
		assert_int_equal(inet_pton(AF_INET6, ip, &s6->sin6_addr), 1);
		ai->ai_family = AF_INET6;
		ai->ai_addrlen = sizeof *s6;
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&a->ss[i];
		*s4 = (struct sockaddr_in){ .sin_family = AF_INET,
		    .sin_port = htons((uint16_t)port) };
		assert_int_equal(inet_pton(AF_INET, ip, &s4->sin_addr), 1);
		ai->ai_family = AF_INET;
		ai->ai_addrlen = sizeof *s4;
	}
	if (i > 0)
		a->ai[i - 1].ai_next = ai;
	a->p[i] = ai;
}

struct server {
	int fd, filler, port;
};

/* A listener on ip; blackhole: its accept queue full, so SYNs are dropped.
 * Port 0 picks one.  fd -1 when the address family is unavailable. */
static struct server
listen_on(const char *ip, int port, bool blackhole)
{
	struct server s = { -1, -1, 0 };
	struct addrs a = { .n = 0 };
	add(&a, ip, port);
	int fd = socket(a.ai[0].ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
	if (fd == -1 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == -1 ||
	    bind(fd, a.ai[0].ai_addr, a.ai[0].ai_addrlen) == -1 ||
	    listen(fd, blackhole ? 0 : 16) == -1) {
		if (fd != -1)
			close(fd);
		return s;
	}
	socklen_t len = sizeof a.ss[0];
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a.ss[0], &len), 0);
	s.fd = fd;
	s.port = ntohs(a.ai[0].ai_family == AF_INET6 ?
	    ((struct sockaddr_in6 *)&a.ss[0])->sin6_port :
	    ((struct sockaddr_in *)&a.ss[0])->sin_port);
	if (blackhole) {	/* backlog 0 holds one: fill it */
		s.filler = socket(a.ai[0].ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		assert_int_equal(connect(s.filler, a.ai[0].ai_addr, a.ai[0].ai_addrlen), 0);
	}
	return s;
}

static void
server_close(struct server *s)
{
	if (s->filler != -1)
		close(s->filler);
	if (s->fd != -1)
		close(s->fd);
}

/* A port nobody listens on at ip. */
static int
closed_port(const char *ip)
{
	struct server s = listen_on(ip, 0, false);
	int port = s.port;
	server_close(&s);
	return port;
}

static bool
have_v6(void)
{
	struct server s = listen_on("::1", 0, false);
	bool ok = s.fd != -1;
	server_close(&s);
	return ok;
}

struct result {
	int fd;
	long long ms;
	char addr[64], err[512];
};

static struct result
run(struct addrs *a, const struct srcaddr *src, long long timeout_ms)
{
	struct dial_target t = { "relay.test", "25", src, timeout_ms };
	struct result r;
	memset(&r, 0, sizeof r);
	long long start = monotime_ms();
	r.fd = dial(&t, a->p, a->n, r.addr, sizeof r.addr, r.err, sizeof r.err);
	r.ms = monotime_ms() - start;
	return r;
}

/* The peer address the server sees for the connection it accepts. */
static void
accepted_from(int lfd, char *out, size_t size)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	int fd = accept(lfd, (struct sockaddr *)&ss, &len);
	assert_true(fd >= 0);
	const void *p = ss.ss_family == AF_INET6 ?
	    (const void *)&((struct sockaddr_in6 *)&ss)->sin6_addr :
	    (const void *)&((struct sockaddr_in *)&ss)->sin_addr;
	assert_non_null(inet_ntop(ss.ss_family, p, out, (socklen_t)size));
	close(fd);
}

static void
test_order_interleaves_v6_first(void **state)
{
	struct addrs a = { .n = 0 };
	const struct addrinfo *out[DIAL_MAX];
	add(&a, "192.0.2.1", 25);
	add(&a, "192.0.2.2", 25);
	add(&a, "2001:db8::1", 25);
	add(&a, "192.0.2.3", 25);
	add(&a, "2001:db8::2", 25);
	assert_int_equal(dial_order(&a.ai[0], out, DIAL_MAX), 5);
	assert_ptr_equal(out[0], &a.ai[2]);
	assert_ptr_equal(out[1], &a.ai[0]);
	assert_ptr_equal(out[2], &a.ai[4]);
	assert_ptr_equal(out[3], &a.ai[1]);
	assert_ptr_equal(out[4], &a.ai[3]);
	assert_int_equal(dial_order(&a.ai[0], out, 2), 2);
	assert_ptr_equal(out[1], &a.ai[0]);
	/* One family: its order as given. */
	assert_int_equal(dial_order(&a.ai[3], out, DIAL_MAX), 2);
	assert_ptr_equal(out[0], &a.ai[4]);
	assert_ptr_equal(out[1], &a.ai[3]);
}

static void
test_v6_used_when_it_works(void **state)
{
	if (!have_v6())
		skip();
	struct server v6 = listen_on("::1", 0, false);
	struct server v4 = listen_on("127.0.0.1", v6.port, false);
	struct addrs a = { .n = 0 };
	add(&a, "::1", v6.port);
	add(&a, "127.0.0.1", v4.port);
	struct result r = run(&a, NULL, 5000);
	assert_true(r.fd >= 0);
	assert_string_equal(r.addr, "::1");
	assert_true(r.ms < DIAL_DELAY_MS);
	close(r.fd);
	server_close(&v6);
	server_close(&v4);
}

static void
test_blackholed_v6_falls_back_after_250ms(void **state)
{
	if (!have_v6())
		skip();
	struct server v6 = listen_on("::1", 0, true);
	struct server v4 = listen_on("127.0.0.1", 0, false);
	struct addrs a = { .n = 0 };
	add(&a, "::1", v6.port);
	add(&a, "127.0.0.1", v4.port);
	struct result r = run(&a, NULL, 10000);
	assert_true(r.fd >= 0);
	assert_string_equal(r.addr, "127.0.0.1");
	print_message("fallback from a blackholed ::1 to 127.0.0.1 after %lld ms\n", r.ms);
	assert_true(r.ms >= DIAL_DELAY_MS - 5 && r.ms < DIAL_DELAY_MS + 500);
	close(r.fd);
	server_close(&v6);
	server_close(&v4);
}

static void
test_refused_moves_on_at_once_and_names_both(void **state)
{
	if (!have_v6())
		skip();
	int p6 = closed_port("::1"), p4 = closed_port("127.0.0.1");
	struct addrs a = { .n = 0 };
	add(&a, "::1", p6);
	add(&a, "127.0.0.1", p4);
	struct result r = run(&a, NULL, 5000);
	assert_int_equal(r.fd, -1);
	char want[256];
	snprintf(want, sizeof want, "connect to relay.test [::1]:25: Connection refused; "
	    "[127.0.0.1]:25: Connection refused");
	assert_string_equal(r.err, want);
	assert_true(r.ms < DIAL_DELAY_MS);
}

static void
test_one_address_keeps_the_old_text(void **state)
{
	struct addrs a = { .n = 0 };
	add(&a, "127.0.0.1", closed_port("127.0.0.1"));
	struct result r = run(&a, NULL, 5000);
	assert_int_equal(r.fd, -1);
	assert_string_equal(r.err, "connect to relay.test [127.0.0.1]:25: Connection refused");
}

static void
test_deadline_is_for_all_attempts(void **state)
{
	struct server b1 = listen_on("127.0.0.1", 0, true);
	struct server b2 = listen_on("127.0.0.1", 0, true);
	struct server b3 = listen_on("127.0.0.1", 0, true);
	struct addrs a = { .n = 0 };
	add(&a, "127.0.0.1", b1.port);
	add(&a, "127.0.0.1", b2.port);
	add(&a, "127.0.0.1", b3.port);
	struct result r = run(&a, NULL, 400);
	assert_int_equal(r.fd, -1);
	assert_true(r.ms >= 395 && r.ms < 900);
	assert_non_null(strstr(r.err, "[127.0.0.1]:25: Connection timed out; "
	    "[127.0.0.1]:25: Connection timed out; 1 more not tried within timeout_connect"));
	server_close(&b1);
	server_close(&b2);
	server_close(&b3);
}

static void
test_source_address_bound(void **state)
{
	struct server v4 = listen_on("127.0.0.1", 0, false);
	struct srcaddr src;
	char why[128], peer[64];
	assert_int_equal(srcaddr_parse(&src, "127.0.0.2 ::1", why, sizeof why), 0);
	struct addrs a = { .n = 0 };
	add(&a, "127.0.0.1", v4.port);
	struct result r = run(&a, &src, 5000);
	assert_true(r.fd >= 0);
	accepted_from(v4.fd, peer, sizeof peer);
	assert_string_equal(peer, "127.0.0.2");
	close(r.fd);
	server_close(&v4);
}

/* Postfix's rule: a family without a source address connects from the
 * kernel's choice, it is not skipped. */
static void
test_family_without_source_unbound(void **state)
{
	struct server v4 = listen_on("127.0.0.1", 0, false);
	struct srcaddr src;
	char why[128], peer[64];
	assert_int_equal(srcaddr_parse(&src, "2001:db8::10", why, sizeof why), 0);
	struct addrs a = { .n = 0 };
	add(&a, "127.0.0.1", v4.port);
	struct result r = run(&a, &src, 5000);
	assert_true(r.fd >= 0);
	accepted_from(v4.fd, peer, sizeof peer);
	assert_string_equal(peer, "127.0.0.1");
	close(r.fd);
	server_close(&v4);
}

/* A source address the host does not have fails that family's attempts
 * (never a silent other source), and the other family is tried at once. */
static void
test_unusable_source_fails_its_family(void **state)
{
	if (!have_v6())
		skip();
	struct server v6 = listen_on("::1", 0, false);
	struct srcaddr src;
	char why[128];
	assert_int_equal(srcaddr_parse(&src, "198.51.100.77", why, sizeof why), 0);
	struct addrs a = { .n = 0 };
	add(&a, "127.0.0.1", v6.port);
	struct result r = run(&a, &src, 5000);
	assert_int_equal(r.fd, -1);
	assert_string_equal(r.err, "connect to relay.test [127.0.0.1]:25: source address "
	    "198.51.100.77: Cannot assign requested address");
	add(&a, "::1", v6.port);
	r = run(&a, &src, 5000);
	assert_true(r.fd >= 0);
	assert_string_equal(r.addr, "::1");
	assert_true(r.ms < DIAL_DELAY_MS);
	close(r.fd);
	server_close(&v6);
}

static void
test_srcaddr_parse(void **state)
{
	struct srcaddr s;
	char why[128];
	assert_int_equal(srcaddr_parse(&s, "", why, sizeof why), 0);
	assert_false(s.has4 || s.has6);
	assert_int_equal(srcaddr_parse(&s, "2001:db8::10  192.0.2.10", why, sizeof why), 0);
	assert_true(s.has4 && s.has6);
	assert_int_equal(srcaddr_parse(&s, "192.0.2.10 192.0.2.11", why, sizeof why), -1);
	assert_string_equal(why, "two IPv4 addresses (one of each family at most)");
	assert_int_equal(srcaddr_parse(&s, "::1 2001:db8::1", why, sizeof why), -1);
	assert_string_equal(why, "two IPv6 addresses (one of each family at most)");
	assert_int_equal(srcaddr_parse(&s, "mail.example.org", why, sizeof why), -1);
	assert_string_equal(why, "\"mail.example.org\" is not an IPv4 or IPv6 address");
	assert_int_equal(srcaddr_parse(&s, "[::1]", why, sizeof why), -1);
	assert_int_equal(srcaddr_parse(&s, "192.0.2.300", why, sizeof why), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_interleaves_v6_first),
		cmocka_unit_test(test_v6_used_when_it_works),
		cmocka_unit_test(test_blackholed_v6_falls_back_after_250ms),
		cmocka_unit_test(test_refused_moves_on_at_once_and_names_both),
		cmocka_unit_test(test_one_address_keeps_the_old_text),
		cmocka_unit_test(test_deadline_is_for_all_attempts),
		cmocka_unit_test(test_source_address_bound),
		cmocka_unit_test(test_family_without_source_unbound),
		cmocka_unit_test(test_unusable_source_fails_its_family),
		cmocka_unit_test(test_srcaddr_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
