/* srcaddr: parse source_address into one address per family; the SMTP
 * client's dialer binds each connection to its family's address. */
#include "srcaddr.h"
#include "buf.h"

#include <arpa/inet.h>
#include <string.h>

#define BLANKS " \t,"

/* One word: its family's slot, which must still be free. */
static int
add_word(struct srcaddr *s, const char *w, char *why, size_t whylen)
{
	struct in_addr a4;
	struct in6_addr a6;
	if (inet_pton(AF_INET, w, &a4) == 1) {
		if (s->has4) {
			snprintf_rq(why, whylen, "two IPv4 addresses (one of each family at most)");
			return -1;
		}
		s->has4 = true;
		s->v4 = a4;
		return 0;
	}
	if (inet_pton(AF_INET6, w, &a6) == 1) {
		if (s->has6) {
			snprintf_rq(why, whylen, "two IPv6 addresses (one of each family at most)");
			return -1;
		}
		s->has6 = true;
		s->v6 = a6;
		return 0;
	}
	snprintf_rq(why, whylen, "\"%s\" is not an IPv4 or IPv6 address", w);
	return -1;
}

int
srcaddr_parse(struct srcaddr *s, const char *text, char *why, size_t whylen)
{
	memset(s, 0, sizeof *s);
	while (*(text += strspn(text, BLANKS)) != '\0') {
		char w[INET6_ADDRSTRLEN + 1];
		size_t len = strcspn(text, BLANKS);
		if (len >= sizeof w) {
			snprintf_rq(why, whylen, "\"%.*s\" is not an IPv4 or IPv6 address",
			    (int)len, text);
			return -1;
		}
		memcpy(w, text, len);
		w[len] = '\0';
		if (add_word(s, w, why, whylen) == -1)
			return -1;
		text += len;
	}
	return 0;
}
