/* autoconfig: config-v1.1.xml (see autoconfig.h) read with expat as a SAX
 * state machine.  Only clientConfig/emailProvider/outgoingServer[type=smtp]
 * and a few provider fields are looked at; every character-data value is
 * collected into a bounded buffer, and every value that ends up in the
 * result is checked (host names are DNS names, user names can be quoted in
 * an authinfo field, display texts are printable). */
#include <expat.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "autoconfig.h"
#include "buf.h"

#define AC_PORT_MAX_DIGITS 16	/* "00000000000465" is still a port */
#define AC_SASL_NAME_MAX 20	/* RFC 4422 3.1 */
#define AC_ERR_NAME_MAX 64	/* an element name quoted in an error */

enum capture {			/* the element whose text is being read */
	CAP_NONE,
	CAP_HOSTNAME,
	CAP_PORT,
	CAP_SOCKET,
	CAP_AUTH,
	CAP_USERNAME,
	CAP_DISPLAYNAME
};

/* The <outgoingServer type="smtp"> being read: raw values, checked when
 * the element ends. */
struct pending {
	char hostname[AC_NAME_MAX];
	bool host_seen, host_long;
	char port[AC_PORT_MAX_DIGITS + 1];
	bool port_seen, port_long;
	enum ac_socket socket;
	bool socket_seen;
	unsigned auth;
	char sasl_mechs[AC_NAME_MAX];
	char username[AC_NAME_MAX];
	bool user_seen, user_long;
};

struct state {
	XML_Parser p;
	struct ac_config *cfg;
	const char *email;
	unsigned long depth;		/* 1 = the root element */
	bool in_provider;		/* inside emailProvider (depth 2) */
	bool in_server;			/* inside an smtp outgoingServer (depth 3) */
	bool provider_seen, display_seen;
	enum capture cap;		/* text being collected, at depth+1 */
	unsigned long cap_depth;
	bool auth_sasl;			/* <authentication system="sasl"> */
	bool auth_foreign;		/* some other system= */
	char text[AC_NAME_MAX];
	size_t tlen;
	bool tlong;			/* text did not fit */
	struct pending srv;
	size_t nsmtp;			/* smtp servers seen, for the notes */
	size_t extra;			/* valid servers beyond AC_MAX_SERVERS */
	bool notes_full;
	bool failed;			/* err is set, parser stopped */
	char err[AC_NOTE_MAX];
};

static bool
is_xml_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static char
ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static char
ascii_upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

static bool
ascii_caseeq(const char *a, const char *b)
{
	while (*a != '\0' && ascii_lower(*a) == ascii_lower(*b)) {
		a++;
		b++;
	}
	return ascii_lower(*a) == ascii_lower(*b);
}

/* Length of the well-formed UTF-8 sequence at s (n bytes left) and its code
 * point; 0 if it is not one (overlong, surrogate, > U+10FFFF, cut). */
static size_t
utf8_decode(const unsigned char *s, size_t n, unsigned long *cp)
{
	size_t len;
	unsigned long c, min;

	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	} else if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		c = s[0] & 0x1fu;
		min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		c = s[0] & 0x0fu;
		min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		c = s[0] & 0x07u;
		min = 0x10000;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0u) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3fu);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

static bool
is_control(unsigned long cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

/* Copies n bytes of in to out for display: control characters and bytes
 * that are not UTF-8 become '?', a character that does not fit ends the
 * copy, and so does a sequence cut short by an earlier truncation. */
static void
sanitize_copy(char *out, size_t size, const char *in, size_t n)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t o = 0, i = 0;

	if (size == 0)
		return;
	while (i < n) {
		unsigned long cp;
		size_t len = utf8_decode(s + i, n - i, &cp);
		if (len == 0) {
			/* a lead byte whose sequence runs past the end */
			size_t want = s[i] >= 0xf5 ? 1 : s[i] >= 0xf0 ? 4 :
			    s[i] >= 0xe0 ? 3 : s[i] >= 0xc2 ? 2 : 1;
			if (want > n - i && want > 1)
				break;
			if (o + 1 >= size)
				break;
			out[o++] = '?';
			i++;
		} else if (is_control(cp)) {
			if (o + 1 >= size)
				break;
			out[o++] = '?';
			i += len;
		} else {
			if (o + len >= size)
				break;
			memcpy(out + o, s + i, len);
			o += len;
			i += len;
		}
	}
	out[o] = '\0';
}

static void fail(struct state *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
fail(struct state *st, const char *fmt, ...)
{
	va_list ap;

	if (st->failed)
		return;
	st->failed = true;
	va_start(ap, fmt);
	if (vsnprintf(st->err, sizeof st->err, fmt, ap) < 0)
		st->err[0] = '\0';
	va_end(ap);
	XML_StopParser(st->p, XML_FALSE);
}

static void note(struct state *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Appends "; text" to cfg->notes; when the notes are full, "; ..." once. */
static void
note(struct state *st, const char *fmt, ...)
{
	static const char more[] = "; ...";
	char line[128];
	char *notes = st->cfg->notes;
	va_list ap;

	if (st->notes_full)
		return;
	va_start(ap, fmt);
	if (vsnprintf(line, sizeof line, fmt, ap) < 0)
		line[0] = '\0';
	va_end(ap);
	size_t used = strlen(notes);
	const char *sep = used > 0 ? "; " : "";
	if (used + strlen(sep) + strlen(line) + sizeof more <= AC_NOTE_MAX) {
		snprintf_rq(notes + used, AC_NOTE_MAX - used, "%s%s", sep, line);
	} else {
		st->notes_full = true;
		if (used + sizeof more <= AC_NOTE_MAX)
			snprintf_rq(notes + used, AC_NOTE_MAX - used, "%s",
			    used > 0 ? more : more + 2);
	}
}

static const char *
attr(const XML_Char **atts, const char *name)
{
	for (size_t i = 0; atts != NULL && atts[i] != NULL; i += 2)
		if (strcmp(atts[i], name) == 0)
			return atts[i + 1];
	return NULL;
}

static void
start_capture(struct state *st, enum capture c)
{
	st->cap = c;
	st->cap_depth = st->depth;
	st->tlen = 0;
	st->tlong = false;
	st->text[0] = '\0';
}

/* Trims trailing XML white space of the collected text (leading white
 * space is never stored). */
static void
trim_text(struct state *st)
{
	while (st->tlen > 0 && is_xml_space(st->text[st->tlen - 1]))
		st->tlen--;
	st->text[st->tlen] = '\0';
}

static enum ac_socket
parse_socket(const char *v)
{
	if (ascii_caseeq(v, "SSL"))
		return AC_SOCK_SSL;
	if (ascii_caseeq(v, "STARTTLS"))
		return AC_SOCK_STARTTLS;
	if (ascii_caseeq(v, "plain"))
		return AC_SOCK_PLAIN;
	return AC_SOCK_UNKNOWN;
}

static unsigned
parse_auth(const char *v)
{
	static const struct {
		const char *name;
		unsigned bit;
	} names[] = {
		{ "password-cleartext", AC_AUTH_CLEARTEXT },
		{ "plain", AC_AUTH_CLEARTEXT },
		{ "password-encrypted", AC_AUTH_ENCRYPTED },
		{ "secure", AC_AUTH_ENCRYPTED },
		{ "OAuth2", AC_AUTH_OAUTH2 },
		{ "OAuth", AC_AUTH_OAUTH2 },
		{ "TLS-client-cert", AC_AUTH_CLIENT_CERT },
		{ "none", AC_AUTH_NONE },
		{ "client-IP-address", AC_AUTH_NONE },
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (ascii_caseeq(v, names[i].name))
			return names[i].bit;
	return AC_AUTH_OTHER;
}

/* Adds a SASL mechanism name (upper-cased) to the space-separated list;
 * false if it is not a valid name.  Duplicates and names that no longer
 * fit are skipped. */
static bool
add_sasl(char *list, size_t size, const char *v)
{
	char mech[AC_SASL_NAME_MAX + 1];
	size_t n = 0;

	for (const char *p = v; *p != '\0'; p++) {
		char c = ascii_upper(*p);
		if (n == AC_SASL_NAME_MAX || !((c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return false;
		mech[n++] = c;
	}
	if (n == 0)
		return false;
	mech[n] = '\0';
	for (const char *p = list; *p != '\0'; ) {
		size_t w = strcspn(p, " ");
		if (w == n && memcmp(p, mech, n) == 0)
			return true;
		p += w;
		if (*p == ' ')
			p++;
	}
	size_t used = strlen(list);
	size_t need = (used > 0 ? 1 : 0) + n;
	if (used + need < size)
		snprintf_rq(list + used, size - used, "%s%s",
		    used > 0 ? " " : "", mech);
	return true;
}

bool
autoconfig_host_normalize(char *h)
{
	size_t n = strlen(h), label = 0, dots = 0;

	if (n > 0 && h[n - 1] == '.')
		h[--n] = '\0';
	if (n == 0 || n > 253)
		return false;
	for (size_t i = 0; i <= n; i++) {
		char c = ascii_lower(h[i]);
		if (c == '.' || c == '\0') {
			if (label == 0 || label > 63 || h[i - 1] == '-' ||
			    h[i - label] == '-')
				return false;
			if (c == '.')
				dots++;
			label = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-') {
			h[i] = c;
			label++;
		} else {
			return false;
		}
	}
	return dots > 0;
}

/* A user name that can be written into an authinfo "U:..." quoted field:
 * UTF-8 without control characters, '"' or '\\'. */
static bool
username_ok(const char *u)
{
	const unsigned char *s = (const unsigned char *)u;
	size_t n = strlen(u);

	for (size_t i = 0; i < n; ) {
		unsigned long cp;
		size_t len = utf8_decode(s + i, n - i, &cp);
		if (len == 0 || is_control(cp) || cp == '"' || cp == '\\')
			return false;
		i += len;
	}
	return true;
}

/* "1".."65535" -> the number; 0 if invalid. */
static int
parse_port(const char *v)
{
	long n = 0;

	if (*v == '\0')
		return 0;
	for (const char *p = v; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		n = n * 10 + (*p - '0');
		if (n > 65535)
			return 0;
	}
	return (int)n;
}

/* The end of an smtp outgoingServer: check and keep it, or note why not. */
static void
finish_server(struct state *st)
{
	struct pending *ps = &st->srv;
	struct ac_server s;
	size_t num = st->nsmtp;

	memset(&s, 0, sizeof s);
	if (!ps->host_seen || (ps->hostname[0] == '\0' && !ps->host_long)) {
		note(st, "server %zu: no host name", num);
		return;
	}
	if (ps->host_long || autoconfig_expand(s.hostname, sizeof s.hostname,
	    ps->hostname, st->email) == -1) {
		note(st, "server %zu: host name too long", num);
		return;
	}
	if (!autoconfig_host_normalize(s.hostname)) {
		note(st, "server %zu: invalid host name", num);
		return;
	}
	if (ps->port_seen) {
		s.port = ps->port_long ? 0 : parse_port(ps->port);
		if (s.port == 0) {
			note(st, "server %zu: invalid port", num);
			return;
		}
	}
	if (ps->user_seen && (ps->username[0] != '\0' || ps->user_long)) {
		if (ps->user_long || autoconfig_expand(s.username,
		    sizeof s.username, ps->username, st->email) == -1) {
			note(st, "server %zu: user name too long", num);
			return;
		}
		if (!username_ok(s.username)) {
			note(st, "server %zu: invalid user name", num);
			return;
		}
	}
	s.socket = ps->socket;
	s.auth = ps->auth;
	strlcpy_rq(s.sasl_mechs, ps->sasl_mechs, sizeof s.sasl_mechs);
	if (st->cfg->nservers == AC_MAX_SERVERS) {
		st->extra++;
		return;
	}
	st->cfg->servers[st->cfg->nservers++] = s;
}

/* The end of an element whose text was collected. */
static void
finish_capture(struct state *st)
{
	struct pending *ps = &st->srv;

	trim_text(st);
	switch (st->cap) {
	case CAP_HOSTNAME:
		if (!ps->host_seen) {
			ps->host_seen = true;
			ps->host_long = st->tlong;
			strlcpy_rq(ps->hostname, st->text, sizeof ps->hostname);
		}
		break;
	case CAP_PORT:
		if (!ps->port_seen) {
			ps->port_seen = true;
			ps->port_long = st->tlong ||
			    st->tlen >= sizeof ps->port;
			strlcpy_rq(ps->port, st->text, sizeof ps->port);
		}
		break;
	case CAP_SOCKET:
		if (!ps->socket_seen) {
			ps->socket_seen = true;
			ps->socket = st->tlong ? AC_SOCK_UNKNOWN :
			    parse_socket(st->text);
		}
		break;
	case CAP_AUTH:
		if (st->auth_foreign || st->tlong)
			ps->auth |= AC_AUTH_OTHER;
		else if (st->auth_sasl) {
			if (!add_sasl(ps->sasl_mechs, sizeof ps->sasl_mechs,
			    st->text))
				ps->auth |= AC_AUTH_OTHER;
		} else if (st->tlen > 0)
			ps->auth |= parse_auth(st->text);
		break;
	case CAP_USERNAME:
		if (!ps->user_seen) {
			ps->user_seen = true;
			ps->user_long = st->tlong;
			strlcpy_rq(ps->username, st->text, sizeof ps->username);
		}
		break;
	case CAP_DISPLAYNAME: {
		char expanded[AC_NAME_MAX];
		const char *v = st->text;
		st->display_seen = true;
		if (!st->tlong && autoconfig_expand(expanded, sizeof expanded,
		    st->text, st->email) == 0)
			v = expanded;
		sanitize_copy(st->cfg->display_name,
		    sizeof st->cfg->display_name, v, strlen(v));
		break;
	}
	case CAP_NONE:
		break;
	}
	st->cap = CAP_NONE;
}

static void XMLCALL
on_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct state *st = ud;

	if (st->failed)
		return;
	st->depth++;
	if (st->depth == 1) {
		if (strcmp(name, "clientConfig") != 0) {
			char shown[AC_ERR_NAME_MAX + 1];
			sanitize_copy(shown, sizeof shown, name, strlen(name));
			fail(st, "root element is <%s>, expected <clientConfig>",
			    shown);
		}
		return;
	}
	if (strcmp(name, "oAuth2") == 0)
		st->cfg->oauth2 = true;
	if (st->cap != CAP_NONE)
		return;		/* markup inside a value: its text is ignored */
	if (st->depth == 2) {
		if (strcmp(name, "emailProvider") != 0)
			return;
		st->in_provider = true;
		const char *id = attr(atts, "id");
		if (id != NULL && !st->provider_seen) {
			st->provider_seen = true;
			sanitize_copy(st->cfg->provider,
			    sizeof st->cfg->provider, id, strlen(id));
		}
	} else if (st->depth == 3 && st->in_provider) {
		if (strcmp(name, "displayName") == 0 && !st->display_seen) {
			start_capture(st, CAP_DISPLAYNAME);
		} else if (strcmp(name, "outgoingServer") == 0) {
			const char *type = attr(atts, "type");
			if (type == NULL || !ascii_caseeq(type, "smtp"))
				return;
			st->in_server = true;
			st->nsmtp++;
			memset(&st->srv, 0, sizeof st->srv);
		}
	} else if (st->depth == 4 && st->in_server) {
		if (strcmp(name, "hostname") == 0) {
			start_capture(st, CAP_HOSTNAME);
		} else if (strcmp(name, "port") == 0) {
			start_capture(st, CAP_PORT);
		} else if (strcmp(name, "socketType") == 0) {
			start_capture(st, CAP_SOCKET);
		} else if (strcmp(name, "username") == 0) {
			start_capture(st, CAP_USERNAME);
		} else if (strcmp(name, "authentication") == 0) {
			const char *sys = attr(atts, "system");
			start_capture(st, CAP_AUTH);
			st->auth_sasl = sys != NULL && ascii_caseeq(sys, "sasl");
			st->auth_foreign = sys != NULL && !st->auth_sasl;
		}
	}
}

static void XMLCALL
on_end(void *ud, const XML_Char *name)
{
	struct state *st = ud;

	(void)name;
	if (st->failed || st->depth == 0)
		return;
	if (st->cap != CAP_NONE && st->depth == st->cap_depth)
		finish_capture(st);
	if (st->depth == 3 && st->in_server) {
		finish_server(st);
		st->in_server = false;
	} else if (st->depth == 2) {
		st->in_provider = false;
	}
	st->depth--;
}

static void XMLCALL
on_text(void *ud, const XML_Char *s, int len)
{
	struct state *st = ud;

	if (st->failed || st->cap == CAP_NONE || st->depth != st->cap_depth ||
	    len <= 0)
		return;
	for (int i = 0; i < len; i++) {
		if (st->tlen == 0 && is_xml_space(s[i]))
			continue;	/* leading white space */
		if (st->tlen + 1 < sizeof st->text) {
			st->text[st->tlen++] = s[i];
		} else if (!is_xml_space(s[i])) {
			st->tlong = true;	/* trailing space may still fit */
		}
	}
	st->text[st->tlen] = '\0';
}

static void XMLCALL
on_doctype(void *ud, const XML_Char *doctype, const XML_Char *sysid,
    const XML_Char *pubid, int has_internal_subset)
{
	(void)doctype;
	(void)sysid;
	(void)pubid;
	(void)has_internal_subset;
	fail(ud, "DOCTYPE not allowed");
}

static void XMLCALL
on_entity(void *ud, const XML_Char *entity, int is_parameter,
    const XML_Char *value, int value_length, const XML_Char *base,
    const XML_Char *sysid, const XML_Char *pubid, const XML_Char *notation)
{
	(void)entity;
	(void)is_parameter;
	(void)value;
	(void)value_length;
	(void)base;
	(void)sysid;
	(void)pubid;
	(void)notation;
	fail(ud, "DOCTYPE not allowed");
}

int
autoconfig_parse(struct ac_config *cfg, const char *xml, size_t len,
    const char *email, char *err, size_t errlen)
{
	struct state st;
	char dummy[1];

	if (err == NULL || errlen == 0) {
		err = dummy;
		errlen = sizeof dummy;
	}
	memset(cfg, 0, sizeof *cfg);
	memset(&st, 0, sizeof st);
	st.cfg = cfg;
	st.email = email != NULL ? email : "";
	if (len > INT_MAX) {
		snprintf_rq(err, errlen, "document too large");
		return -1;
	}
	st.p = XML_ParserCreate(NULL);	/* declared encoding; UTF-8 out */
	if (st.p == NULL) {
		snprintf_rq(err, errlen, "out of memory");
		return -1;
	}
	XML_SetUserData(st.p, &st);
	XML_SetElementHandler(st.p, on_start, on_end);
	XML_SetCharacterDataHandler(st.p, on_text);
	XML_SetStartDoctypeDeclHandler(st.p, on_doctype);
	XML_SetEntityDeclHandler(st.p, on_entity);
	XML_SetParamEntityParsing(st.p, XML_PARAM_ENTITY_PARSING_NEVER);

	enum XML_Status rc = XML_Parse(st.p, xml != NULL ? xml : "", (int)len, 1);
	if (!st.failed && rc != XML_STATUS_OK) {
		st.failed = true;
		snprintf_rq(st.err, sizeof st.err, "line %lu: %s",
		    (unsigned long)XML_GetCurrentLineNumber(st.p),
		    XML_ErrorString(XML_GetErrorCode(st.p)));
	}
	XML_ParserFree(st.p);
	if (!st.failed) {
		if (st.extra > 0)
			note(&st, "%zu more outgoing server%s ignored (at most "
			    "%d kept)", st.extra, st.extra == 1 ? "" : "s",
			    AC_MAX_SERVERS);
		if (cfg->nservers == 0) {
			st.failed = true;
			if (cfg->notes[0] != '\0')
				snprintf_rq(st.err, sizeof st.err, "no usable "
				    "outgoing SMTP server (%s)", cfg->notes);
			else
				snprintf_rq(st.err, sizeof st.err, "no usable "
				    "outgoing SMTP server");
		}
	}
	if (st.failed) {
		strlcpy_rq(err, st.err, errlen);
		memset(cfg, 0, sizeof *cfg);
		return -1;
	}
	return 0;
}

int
autoconfig_expand(char *out, size_t size, const char *s, const char *email)
{
	static const char *const names[] = {
		"%EMAILADDRESS%", "%EMAILLOCALPART%", "%EMAILDOMAIN%"
	};
	const char *at, *values[3];
	size_t lens[3], o = 0;

	if (size == 0)
		return -1;
	if (email == NULL)
		email = "";
	at = strrchr(email, '@');
	values[0] = email;
	lens[0] = strlen(email);
	values[1] = email;
	lens[1] = at != NULL ? (size_t)(at - email) : lens[0];
	values[2] = at != NULL ? at + 1 : "";
	lens[2] = strlen(values[2]);
	while (*s != '\0') {
		size_t i = 0;
		if (*s == '%')
			for (i = 0; i < 3; i++)
				if (strncmp(s, names[i], strlen(names[i])) == 0)
					break;
		if (*s == '%' && i < 3) {
			if (o + lens[i] >= size)
				goto overflow;
			memcpy(out + o, values[i], lens[i]);
			o += lens[i];
			s += strlen(names[i]);
		} else {
			if (o + 1 >= size)
				goto overflow;
			out[o++] = *s++;
		}
	}
	out[o] = '\0';
	return 0;
overflow:
	out[0] = '\0';
	return -1;
}

const char *
ac_socket_name(enum ac_socket s)
{
	switch (s) {
	case AC_SOCK_SSL:
		return "SSL";
	case AC_SOCK_STARTTLS:
		return "STARTTLS";
	case AC_SOCK_PLAIN:
		return "plain";
	case AC_SOCK_UNKNOWN:
		break;
	}
	return "unknown";
}

void
ac_auth_names(unsigned auth, char *out, size_t size)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {
		{ AC_AUTH_CLEARTEXT, "password-cleartext" },
		{ AC_AUTH_ENCRYPTED, "password-encrypted" },
		{ AC_AUTH_OAUTH2, "OAuth2" },
		{ AC_AUTH_CLIENT_CERT, "TLS-client-cert" },
		{ AC_AUTH_NONE, "none" },
		{ AC_AUTH_OTHER, "other" },
	};
	size_t used = 0;

	if (size == 0)
		return;
	out[0] = '\0';
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if ((auth & names[i].bit) == 0)
			continue;
		size_t need = (used > 0 ? 1 : 0) + strlen(names[i].name);
		if (used + need >= size)
			break;		/* whole names only */
		snprintf_rq(out + used, size - used, "%s%s",
		    used > 0 ? " " : "", names[i].name);
		used += need;
	}
}
