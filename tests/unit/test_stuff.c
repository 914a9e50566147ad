/* test_stuff: the content on the wire — CRLF for every line end (LF, CRLF,
 * lone CR), a doubled dot at a line start, a final CRLF — and the same
 * bytes wherever the input is split into pieces (a CR at the end of one
 * 64 KiB read and its LF at the start of the next). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "stuff.h"

static int
put_buf(void *arg, const char *p, size_t n)
{
	return buf_append(arg, p, n);
}

/* in, fed in pieces cut at the offsets in cuts (ascending), into out. */
static void
run(const char *in, size_t len, const size_t *cuts, size_t ncuts, struct buf *out)
{
	struct stuffer st;
	size_t from = 0;
	buf_init(out);
	stuff_init(&st, put_buf, out);
	for (size_t i = 0; i <= ncuts; i++) {
		size_t to = i < ncuts ? cuts[i] : len;
		assert_int_equal(stuff(&st, in + from, to - from), 0);
		from = to;
	}
	assert_int_equal(stuff_end(&st), 0);
}

static void
expect(const char *in, const char *want)
{
	struct buf out;
	run(in, strlen(in), NULL, 0, &out);
	assert_int_equal(out.len, strlen(want));
	assert_memory_equal(out.data, want, out.len);
	buf_free(&out);
}

static void
test_line_ends_and_dots(void **state)
{
	expect("", "");
	expect("a", "a\r\n");
	expect("a\n", "a\r\n");
	expect("a\r\n", "a\r\n");
	expect("a\rb", "a\r\nb\r\n");		/* a lone CR ends a line */
	expect("a\r\r\nb\n", "a\r\n\r\nb\r\n");
	expect("a\n\rb", "a\r\n\r\nb\r\n");
	expect(".\n", "..\r\n");
	expect("a\n.\n", "a\r\n..\r\n");	/* the line that would end DATA */
	expect("..x\r\n", "...x\r\n");
	expect("a.b\n.", "a.b\r\n..\r\n");
	expect("x\r.\r", "x\r\n..\r\n");	/* a dot after a lone CR starts a line */
	expect("\r", "\r\n");
}

/* Every way of cutting a tricky text in two, and in three, gives the
 * bytes of the uncut run. */
static void
test_any_split(void **state)
{
	static const char in[] = ".a\r\n.\r\r\n\n.\r.b\rc\n\r\n..\r";
	size_t len = sizeof in - 1;
	struct buf whole, part;
	run(in, len, NULL, 0, &whole);
	for (size_t i = 0; i <= len; i++) {
		for (size_t j = i; j <= len; j++) {
			size_t cuts[2] = { i, j };
			run(in, len, cuts, 2, &part);
			assert_int_equal(part.len, whole.len);
			assert_memory_equal(part.data, whole.data, whole.len);
			buf_free(&part);
		}
	}
	buf_free(&whole);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_line_ends_and_dots),
		cmocka_unit_test(test_any_split),
	};
	return cmocka_run_group_tests_name("stuff", tests, NULL, NULL);
}
