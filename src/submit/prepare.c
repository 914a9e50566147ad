/* prepare: prepare_message — recipients (-t, aliases), the envelope sender
 * (-f, sender map, masquerade), Bcc removal, qualification of addresses in
 * address fields, and the Date/Message-ID/From a message must carry. */
#include "address.h"
#include "aliases.h"
#include "eai.h"
#include "linewrap.h"
#include "message.h"
#include "prepare.h"
#include "relayq.h"
#include "rewrite.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct prep {
	struct message *m;
	const struct msg_opts *o;
	struct aliases *aliases;
	struct rewrite *rw;
	bool resent;
	char *err;
	size_t errlen;
	char note[160];
};

static bool
field_is(const struct hfield *f, const char *name)
{
	return !f->deleted && strlen(name) == f->namelen &&
	    strncasecmp(f->text, name, f->namelen) == 0;
}

static const struct hfield *
find_field(const struct message *m, const char *name)
{
	for (size_t i = 0; i < m->n; i++)
		if (field_is(&m->f[i], name))
			return &m->f[i];
	return NULL;
}

static bool
is_resent(const struct message *m)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->f[i].namelen > 7 && strncasecmp(m->f[i].text, "Resent-", 7) == 0)
			return true;
	return false;
}

static int
append_field(struct message *m, const char *name, const char *value)
{
	struct buf b;
	buf_init(&b);
	struct hfield *f = realloc(m->f, (m->n + 1) * sizeof *f);
	if (f == NULL || buf_printf(&b, "%s: %s\n", name, value) == -1) {
		buf_free(&b);
		if (f != NULL)
			m->f = f;
		return -1;
	}
	m->f = f;
	m->f[m->n] = (struct hfield){ buf_steal(&b), strlen(name), false };
	m->n++;
	return 0;
}

static bool
bad_chars(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/* Recipients named in an address list go through aliases and @domain.
 * A control character (a bare CR in a quoted local part) would end up in
 * RCPT TO: refused, as -bs refuses it. */
static enum submit_status
add_rcpts_from(struct prep *p, const char *what, const char *text, struct strlist *out)
{
	struct addr_list l;
	char why[160];
	if (addr_parse_list(text, &l, why, sizeof why) == -1) {
		snprintf_rq(p->err, p->errlen, "%s: %s", what, why);
		return SUBMIT_USAGE;
	}
	enum submit_status rc = SUBMIT_OK;
	for (size_t i = 0; rc == SUBMIT_OK && i < l.n; i++) {
		if (bad_chars(l.v[i].spec)) {
			snprintf_rq(p->err, p->errlen, "%s: control character in address", what);
			rc = SUBMIT_BAD_DATA;
		} else if (aliases_expand(p->aliases, l.v[i].spec, p->o->domain,
		    p->o->local_names, out, p->note, sizeof p->note) == -1) {
			rc = SUBMIT_NO_MEMORY;
		}
	}
	addr_list_free(&l);
	return rc;
}

static bool
rcpt_field(const struct prep *p, const struct hfield *f)
{
	static const char *plain[] = { "To", "Cc", "Bcc", "Apparently-To" };
	static const char *resent[] = { "Resent-To", "Resent-Cc", "Resent-Bcc", "" };
	for (size_t i = 0; i < 4; i++)
		if (field_is(f, p->resent ? resent[i] : plain[i]))
			return true;
	return false;
}

static enum submit_status
collect_rcpts(struct prep *p, char *const *argv, size_t n, struct strlist *out)
{
	enum submit_status rc = SUBMIT_OK;
	for (size_t i = 0; rc == SUBMIT_OK && i < n; i++)
		rc = add_rcpts_from(p, "recipient", argv[i], out);
	for (size_t i = 0; rc == SUBMIT_OK && p->o->extract && i < p->m->n; i++)
		if (rcpt_field(p, &p->m->f[i]))
			rc = add_rcpts_from(p, "header", p->m->f[i].text + p->m->f[i].namelen + 1, out);
	return rc;
}

static enum submit_status
envelope_sender(struct prep *p, struct buf *sender)
{
	const char *from = p->o->from;
	if (from != NULL && (bad_chars(from) || strchr(from, ' ') != NULL)) {
		snprintf_rq(p->err, p->errlen, "invalid characters in -f value");
		return SUBMIT_USAGE;
	}
	if (p->o->fullname != NULL && bad_chars(p->o->fullname)) {
		snprintf_rq(p->err, p->errlen, "invalid characters in -F value");
		return SUBMIT_USAGE;
	}
	if (from != NULL && (from[0] == '\0' || strcmp(from, "<>") == 0))
		return buf_puts(sender, "") == 0 ? SUBMIT_OK : SUBMIT_NO_MEMORY;
	if (from != NULL && from[0] == '<' && from[strlen(from) - 1] == '>') {
		struct buf inner;
		buf_init(&inner);
		int r = buf_append(&inner, from + 1, strlen(from) - 2) == 0 &&
		    rewrite_sender(p->rw, buf_str(&inner), sender) == 0 ? SUBMIT_OK : SUBMIT_NO_MEMORY;
		buf_free(&inner);
		return r;
	}
	return rewrite_sender(p->rw, from != NULL ? from : p->o->login, sender) == 0 ?
	    SUBMIT_OK : SUBMIT_NO_MEMORY;
}

static void
delete_bcc(struct message *m)
{
	for (size_t i = 0; i < m->n; i++)
		if (field_is(&m->f[i], "Bcc") || field_is(&m->f[i], "Resent-Bcc"))
			m->f[i].deleted = true;
}

static bool
address_field(const struct hfield *f, bool *is_from)
{
	static const char *names[] = { "From", "Sender", "Reply-To", "To", "Cc",
	    "Resent-From", "Resent-Sender", "Resent-To", "Resent-Cc" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (field_is(f, names[i])) {
			*is_from = i == 0 || i == 5;
			return true;
		}
	}
	return false;
}

/* user@domain for a local address (unqualified, or at one of our names). */
static int
qualify_local(const char *spec, const char *domain, struct buf *out)
{
	const char *dom = addr_domain(spec);
	size_t ulen = dom != NULL ? (size_t)(dom - 1 - spec) : strlen(spec);
	buf_reset(out);
	return buf_printf(out, "%.*s@%s", (int)ulen, spec, domain);
}

/* Rebuilds one field with each addr-spec qualified (From: also rewritten). */
static enum submit_status
requalify(struct prep *p, struct hfield *f, bool is_from)
{
	const char *value = f->text + f->namelen + 1;
	struct addr_list l;
	char why[160];
	if (addr_parse_list(value, &l, why, sizeof why) == -1)
		return SUBMIT_OK;	/* leave a field we cannot parse as written */
	struct buf out, rw;
	buf_init(&out);
	buf_init(&rw);
	size_t pos = 0;
	int rc = buf_append(&out, f->text, f->namelen + 1);
	for (size_t i = 0; rc == 0 && i < l.n; i++) {
		const struct addr *a = &l.v[i];
		if (!is_from && !addr_is_local(a->spec, p->o->local_names))
			continue;
		rc = buf_append(&out, value + pos, a->start - pos);
		if (rc == 0)
			rc = is_from ? rewrite_sender(p->rw, a->spec, &rw) :
			    qualify_local(a->spec, p->o->domain, &rw);
		if (rc == 0)
			rc = buf_puts(&out, buf_str(&rw));
		pos = a->end;
	}
	if (rc == 0)
		rc = buf_puts(&out, value + pos);
	/* A field is a line: an address span may have taken the LF along. */
	if (rc == 0 && out.data[out.len - 1] != '\n')
		rc = buf_putc(&out, '\n');
	addr_list_free(&l);
	buf_free(&rw);
	if (rc == -1) {
		buf_free(&out);
		return SUBMIT_NO_MEMORY;
	}
	free(f->text);
	f->text = buf_steal(&out);
	return SUBMIT_OK;
}

static enum submit_status
qualify_headers(struct prep *p)
{
	enum submit_status rc = SUBMIT_OK;
	for (size_t i = 0; rc == SUBMIT_OK && i < p->m->n; i++) {
		bool is_from;
		if (!p->m->f[i].deleted && address_field(&p->m->f[i], &is_from))
			rc = requalify(p, &p->m->f[i], is_from);
	}
	return rc;
}

static int
fmt_date(char *out, size_t size, time_t t)
{
	struct tm tm;
	return localtime_r(&t, &tm) != NULL &&
	    strftime(out, size, "%a, %d %b %Y %H:%M:%S %z", &tm) > 0 ? 0 : -1;
}

static int
fmt_msgid(char *out, size_t size, const struct msg_opts *o)
{
	struct tm tm;
	char stamp[32];
	if (gmtime_r(&o->now, &tm) == NULL || strftime(stamp, sizeof stamp, "%Y%m%d%H%M%S", &tm) == 0)
		return -1;
	snprintf_rq(out, size, "<%s.%s@%s>", stamp, o->qid, o->hostname);
	return 0;
}

/* "Full Name <addr>", quoting the name when it has RFC 5322 specials. */
static int
fmt_from(struct buf *b, const char *fullname, const char *addr)
{
	if (fullname == NULL || fullname[0] == '\0')
		return buf_puts(b, addr);
	if (strpbrk(fullname, "()<>[]:;@\\,.\"") == NULL)
		return buf_printf(b, "%s <%s>", fullname, addr);
	int rc = buf_putc(b, '"');
	for (const char *s = fullname; rc == 0 && *s != '\0'; s++)
		rc = (*s == '"' || *s == '\\') ? buf_printf(b, "\\%c", *s) : buf_putc(b, *s);
	return rc == 0 ? buf_printf(b, "\" <%s>", addr) : -1;
}

static enum submit_status
add_missing(struct prep *p, const char *sender, struct msg_result *res)
{
	char date[64], msgid[600];
	struct buf from;
	buf_init(&from);
	const char *pre = p->resent ? "Resent-" : "";
	char n_date[32], n_id[32], n_from[32];
	snprintf_rq(n_date, sizeof n_date, "%sDate", pre);
	snprintf_rq(n_id, sizeof n_id, "%sMessage-ID", pre);
	snprintf_rq(n_from, sizeof n_from, "%sFrom", pre);
	int rc = fmt_date(date, sizeof date, p->o->now) | fmt_msgid(msgid, sizeof msgid, p->o);
	if (rc == 0 && find_field(p->m, n_date) == NULL)
		rc = append_field(p->m, n_date, date);
	if (rc == 0 && find_field(p->m, n_id) == NULL)
		rc = append_field(p->m, n_id, msgid);
	if (rc == 0 && find_field(p->m, n_from) == NULL) {
		struct buf mailer;
		buf_init(&mailer);
		rc = buf_printf(&mailer, "MAILER-DAEMON@%s", p->o->domain);
		if (rc == 0)
			rc = fmt_from(&from, sender[0] != '\0' ? p->o->fullname : "Mail Delivery Subsystem",
			    sender[0] != '\0' ? sender : buf_str(&mailer));
		if (rc == 0)
			rc = append_field(p->m, n_from, buf_str(&from));
		buf_free(&mailer);
	}
	buf_free(&from);
	const struct hfield *id = find_field(p->m, n_id);
	if (rc == 0 && id != NULL) {
		const char *v = id->text + id->namelen + 1;
		v += strspn(v, " \t");
		res->msgid = strndup(v, strcspn(v, "\r\n"));
	}
	return rc == 0 && res->msgid != NULL ? SUBMIT_OK : SUBMIT_NO_MEMORY;
}

/* No header line over LINEWRAP_MAX goes into the spool (cron's Subject). */
static int
fold_fields(struct message *m)
{
	for (size_t i = 0; i < m->n; i++) {
		if (m->f[i].deleted)
			continue;
		char *folded = linewrap_field(m->f[i].text);
		if (folded == NULL)
			return -1;
		free(m->f[i].text);
		m->f[i].text = folded;
	}
	return 0;
}


static enum submit_status
load_tables(struct prep *p)
{
	if (aliases_load(&p->aliases, p->o->aliases_path, p->err, p->errlen) == -1 ||
	    rewrite_load(&p->rw, p->o->sender_map_path, p->o->masquerade, p->o->domain,
	    p->o->local_names, p->err, p->errlen) == -1)
		return SUBMIT_CONFIG;
	return SUBMIT_OK;
}

static enum submit_status
finish(struct prep *p, struct strlist *rcpts, struct buf *sender, struct msg_result *res)
{
	res->rcpts = rcpts->v;
	res->nrcpts = rcpts->n;
	rcpts->v = NULL;
	rcpts->n = 0;
	res->sender = buf_steal(sender);
	if (fold_fields(p->m) == -1)
		return SUBMIT_NO_MEMORY;
	message_count_header(p->m);
	return res->sender != NULL ? SUBMIT_OK : SUBMIT_NO_MEMORY;
}

enum submit_status
prepare_message(struct message *m, const struct msg_opts *o, char *const *rcpts,
    size_t nrcpts, struct msg_result *res, char *err, size_t errlen)
{
	struct prep p = { .m = m, .o = o, .err = err, .errlen = errlen };
	struct strlist list = { 0 };
	struct buf sender;
	buf_init(&sender);
	p.resent = is_resent(m);
	enum submit_status rc = load_tables(&p);
	if (rc == SUBMIT_OK)
		rc = envelope_sender(&p, &sender);
	if (rc == SUBMIT_OK)
		rc = collect_rcpts(&p, rcpts, nrcpts, &list);
	if (rc == SUBMIT_OK) {
		delete_bcc(m);
		rc = qualify_headers(&p);
	}
	if (rc == SUBMIT_OK)
		rc = add_missing(&p, buf_str(&sender), res);
	if (rc == SUBMIT_OK)
		rc = finish(&p, &list, &sender, res);
	if (rc == SUBMIT_OK)
		rc = eai_check(m, o->smtputf8, res, err, errlen);
	strlist_free(&list);
	buf_free(&sender);
	aliases_free(p.aliases);
	rewrite_free(p.rw);
	return rc;
}
