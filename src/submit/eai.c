/* eai: UTF-8 addresses at submission — malformed ones refused with the
 * octet that is wrong, and whether the message needs SMTPUTF8 (eai.h). */
#include "eai.h"
#include "address.h"
#include "buf.h"
#include "utf8.h"

#include <string.h>
#include <strings.h>

#define QUOTE_MAX 100		/* octets of a bad address shown */

static bool
address_field(const struct hfield *f)
{
	static const char *const names[] = { "From", "Sender", "Reply-To", "To", "Cc",
	    "Bcc", "Resent-From", "Resent-Sender", "Resent-To", "Resent-Cc", "Resent-Bcc" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (!f->deleted && strlen(names[i]) == f->namelen &&
		    strncasecmp(f->text, names[i], f->namelen) == 0)
			return true;
	return false;
}

/* The addr-specs of one field; a field that does not parse has none
 * (prepare.c leaves it as written, too). */
static int
field_addrs(const struct hfield *f, struct addr_list *l)
{
	char why[160];
	return addr_parse_list(f->text + f->namelen + 1, l, why, sizeof why);
}

/* The worst kind among a field's addr-specs; *bad is the first bad one. */
static enum utf8_kind
field_kind(const struct hfield *f, struct buf *bad)
{
	struct addr_list l;
	enum utf8_kind worst = UTF8_ASCII;
	if (field_addrs(f, &l) == -1)
		return UTF8_ASCII;
	for (size_t i = 0; i < l.n && worst != UTF8_MALFORMED; i++) {
		enum utf8_kind k = utf8_classify(l.v[i].spec, NULL);
		if (k == UTF8_MALFORMED && bad != NULL)
			(void)buf_puts(bad, l.v[i].spec);	/* err says less if it fails */
		if (k > worst)
			worst = k;
	}
	addr_list_free(&l);
	return worst;
}

bool
eai_needs_smtputf8(const struct message *m, const char *sender, bool forced)
{
	if (forced || (sender != NULL && utf8_has_8bit(sender)))
		return true;
	for (size_t i = 0; i < m->n; i++)
		if (address_field(&m->f[i]) && field_kind(&m->f[i], NULL) != UTF8_ASCII)
			return true;
	return false;
}

/* SUBMIT_BAD_DATA: "<what> "a\xE9b@x" is not valid UTF-8 (octet 2)...". */
static enum submit_status
malformed(const char *what, const char *addr, char *err, size_t errlen)
{
	struct buf q;
	size_t at = 0;
	buf_init(&q);
	(void)utf8_classify(addr, &at);
	if (utf8_quote(&q, addr, QUOTE_MAX) == -1)
		buf_reset(&q);
	snprintf_rq(err, errlen, "%s \"%s\" is not valid UTF-8 (octet %zu): an address "
	    "may have non-ASCII characters only in UTF-8 (RFC 6531)", what, buf_str(&q), at + 1);
	buf_free(&q);
	return SUBMIT_BAD_DATA;
}

static enum submit_status
check_header(const struct message *m, char *err, size_t errlen)
{
	enum submit_status rc = SUBMIT_OK;
	for (size_t i = 0; rc == SUBMIT_OK && i < m->n; i++) {
		const struct hfield *f = &m->f[i];
		struct buf bad, what;
		buf_init(&bad);
		buf_init(&what);
		if (address_field(f) && field_kind(f, &bad) == UTF8_MALFORMED) {
			if (buf_printf(&what, "header %.*s: address", (int)f->namelen, f->text) == -1)
				buf_reset(&what);
			rc = malformed(buf_str(&what), buf_str(&bad), err, errlen);
		}
		buf_free(&bad);
		buf_free(&what);
	}
	return rc;
}

enum submit_status
eai_check(const struct message *m, bool forced, struct msg_result *res,
    char *err, size_t errlen)
{
	if (utf8_classify(res->sender, NULL) == UTF8_MALFORMED)
		return malformed("sender", res->sender, err, errlen);
	for (size_t i = 0; i < res->nrcpts; i++)
		if (utf8_classify(res->rcpts[i], NULL) == UTF8_MALFORMED)
			return malformed("recipient", res->rcpts[i], err, errlen);
	enum submit_status rc = check_header(m, err, errlen);
	if (rc == SUBMIT_OK)
		res->smtputf8 = eai_needs_smtputf8(m, res->sender, forced);
	return rc;
}
