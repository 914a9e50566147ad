/* authinfo: parser for sendmail AuthInfo values (getauth() in usersmtp.c)
 * and the three-step lookup of the authinfo ruleset (proto.m4). */
#include "authinfo.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base64.h"
#include "buf.h"
#include "map.h"
#include "relayq.h"

#define KEY_PREFIX "authinfo:"

struct item {
	const char *p;		/* first byte inside the quotes */
	size_t len;		/* bytes inside the quotes */
};

static int
is_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	    c == '\f';
}

/* Next double-quoted token at *pos.  1: got one; 0: end, or a token that
 * is not quoted (sendmail stops there); -1: unbalanced quote.  Like
 * sendmail's tokenizer a backslash keeps the next byte inside the token
 * (so \" does not end it), and both bytes stay in the value. */
static int
next_item(const char *v, size_t len, size_t *pos, struct item *it)
{
	size_t i = *pos;

	while (i < len && is_blank((unsigned char)v[i]))
		i++;
	if (i >= len || v[i] != '"')
		return 0;
	size_t start = ++i;
	while (i < len && v[i] != '"') {
		if (v[i] == '\\' && i + 1 < len)
			i++;
		i++;
	}
	if (i >= len)
		return -1;
	it->p = v + start;
	it->len = i - start;
	*pos = i + 1;
	return 1;
}

static char **
field_slot(struct authinfo *ai, char letter)
{
	switch (letter) {
	case 'u': return &ai->authzid;
	case 'i': return &ai->authid;
	case 'p': return &ai->password;
	case 'r': return &ai->realm;
	case 'm': return &ai->mechs;
	case 'o': return &ai->token_file;
	default:  return NULL;
	}
}

static void
wipe_free(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

/* Value of one item as a new string: literal after ':', decoded after '='.
 * Sets *why (static text, no value bytes) on failure. */
static char *
item_value(const struct item *it, const char **why)
{
	const char *v = it->p + 2;
	size_t vlen = it->len - 2;
	char *out = malloc(vlen + 1);
	size_t outlen;

	if (out == NULL) {
		*why = "out of memory";
		return NULL;
	}
	if (it->p[1] == ':') {
		memcpy(out, v, vlen);
		out[vlen] = '\0';
		return out;
	}
	if (base64_decode(v, vlen, out, vlen + 1, &outlen) < 0)
		*why = "invalid base64";
	else if (strlen(out) != outlen)
		*why = "base64 value contains a NUL byte";
	else
		return out;
	explicit_bzero(out, vlen + 1);
	free(out);
	return NULL;
}

/* Checks and stores one item; last duplicate wins. */
static int
take_item(struct authinfo *ai, const struct item *it, int n, const char *key,
    char *err, size_t errlen)
{
	const char *why = NULL;
	char letter = it->len > 0 ? (char)tolower((unsigned char)it->p[0]) : 0;
	char **slot = field_slot(ai, letter);

	if (it->len < 2)
		why = "too short";
	else if (slot == NULL)
		why = "unknown field letter (not U, I, P, R, M or O)";
	else if (it->p[1] != ':' && it->p[1] != '=')
		why = "bad delimiter (not ':' or '=')";
	else if (it->len == 2)
		why = "empty value";
	if (why == NULL) {
		char *val = item_value(it, &why);
		if (val != NULL) {
			wipe_free(*slot);
			*slot = val;
			return 0;
		}
	}
	/* Only the item number and a verified tag letter: never value bytes. */
	if (slot != NULL)
		snprintf_rq(err, errlen, "%s%sitem %d (%c): %s", key ? key : "",
		    key ? ": " : "", n, toupper((unsigned char)letter), why);
	else
		snprintf_rq(err, errlen, "%s%sitem %d: %s", key ? key : "",
		    key ? ": " : "", n, why);
	return -1;
}

static char *
dup_or_null(const char *s)
{
	return s == NULL ? NULL : strdup(s);
}

/* Does every mechanism of list carry a bearer token? */
static bool
bearer_only(const char *list)
{
	char copy[1024], *save = NULL;
	strlcpy_rq(copy, list, sizeof copy);
	for (char *m = strtok_r(copy, " \t", &save); m != NULL; m = strtok_r(NULL, " \t", &save))
		if (strcasecmp(m, "XOAUTH2") != 0 && strcasecmp(m, "OAUTHBEARER") != 0)
			return false;
	return strlen(list) < sizeof copy;
}

/* The rules of relayq's O: item (an OAuth2 token file). */
static const char *
token_file_rule(const struct authinfo *ai)
{
	if (ai->token_file == NULL)
		return ai->password == NULL ? "no P: (password) or O: (OAuth2 token file) item" : NULL;
	if (ai->password != NULL)
		return "both P: and O: (a password and an OAuth2 token file)";
	if (ai->token_file[0] != '/')
		return "O: must be an absolute path";
	if (ai->mechs != NULL && !bearer_only(ai->mechs))
		return "with O:, M: may list only XOAUTH2 and OAUTHBEARER";
	return NULL;
}

/* Required fields and the U/I copy rule. */
static int
finish_fields(struct authinfo *ai, const char *key, char *err, size_t errlen)
{
	const char *why = NULL;

	ai->authzid_given = ai->authzid != NULL;
	ai->authid_given = ai->authid != NULL;
	why = token_file_rule(ai);
	if (why == NULL && ai->authzid == NULL && ai->authid == NULL)
		why = "needs a U: or I: item";
	if (why != NULL) {
		snprintf_rq(err, errlen, "%s%s%s", key ? key : "",
		    key ? ": " : "", why);
		return -1;
	}
	if (ai->authzid == NULL)
		ai->authzid = dup_or_null(ai->authid);
	if (ai->authid == NULL)
		ai->authid = dup_or_null(ai->authzid);
	if (ai->authzid == NULL || ai->authid == NULL) {
		snprintf_rq(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

int
authinfo_parse(const char *val, size_t len, const char *key,
    struct authinfo *ai, char *err, size_t errlen)
{
	struct item it;
	size_t pos = 0;
	int r, n = 0;

	memset(ai, 0, sizeof *ai);
	len = strnlen(val, len);	/* sendmail sees a C string */
	while ((r = next_item(val, len, &pos, &it)) == 1) {
		if (take_item(ai, &it, ++n, key, err, errlen) < 0)
			goto fail;
	}
	if (r < 0) {
		snprintf_rq(err, errlen, "%s%sitem %d: unbalanced '\"'",
		    key ? key : "", key ? ": " : "", n + 1);
		goto fail;
	}
	if (finish_fields(ai, key, err, errlen) == 0)
		return 0;
fail:
	authinfo_free(ai);
	return -1;
}

void
authinfo_free(struct authinfo *ai)
{
	if (ai == NULL)
		return;
	wipe_free(ai->authzid);
	wipe_free(ai->authid);
	wipe_free(ai->password);
	wipe_free(ai->realm);
	wipe_free(ai->mechs);
	wipe_free(ai->token_file);
	memset(ai, 0, sizeof *ai);
}

int
authinfo_set_token(struct authinfo *ai, const char *token)
{
	char *copy = strdup(token);
	if (copy == NULL)
		return -1;
	wipe_free(ai->password);
	ai->password = copy;
	return 0;
}

const char *
authinfo_mechs(const struct authinfo *ai)
{
	if (ai->mechs != NULL)
		return ai->mechs;
	return ai->token_file != NULL ? AUTHINFO_OAUTH2_MECHS : AUTHINFO_DEFAULT_MECHS;
}

/* "authinfo:" + s[0..n) lowercased. */
static int
make_key(const char *s, size_t n, char *out, size_t outlen)
{
	size_t pl = strlen(KEY_PREFIX);

	if (pl + n + 1 > outlen) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(out, KEY_PREFIX, pl);
	for (size_t i = 0; i < n; i++)
		out[pl + i] = (char)tolower((unsigned char)s[i]);
	out[pl + n] = '\0';
	return 0;
}

/* Is "[...]" an address literal (sendmail keeps the brackets then)? */
static int
is_addr_literal(const char *in, size_t n)
{
	char tmp[64];
	unsigned char bin[16];

	if (n >= sizeof tmp)
		return 0;
	memcpy(tmp, in, n);
	tmp[n] = '\0';
	if (strncasecmp(tmp, "ipv6:", 5) == 0)
		return 1;
	return inet_pton(AF_INET, tmp, bin) == 1;
}

int
authinfo_name_key(const char *relay_name, char *out, size_t outlen)
{
	size_t n = strlen(relay_name);

	if (n > 0 && relay_name[n - 1] == '.')
		n--;
	if (n >= 2 && relay_name[0] == '[' && relay_name[n - 1] == ']' &&
	    !is_addr_literal(relay_name + 1, n - 2))
		return make_key(relay_name + 1, n - 2, out, outlen);
	return make_key(relay_name, n, out, outlen);
}

/* sendmail's sm_inet6_ntop(): eight %x groups, never "::". */
static void
ipv6_full(const unsigned char a[16], char *out, size_t outlen)
{
	unsigned g[8];

	for (int i = 0; i < 8; i++)
		g[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
	snprintf_rq(out, outlen, "ipv6:%x:%x:%x:%x:%x:%x:%x:%x", g[0], g[1],
	    g[2], g[3], g[4], g[5], g[6], g[7]);
}

int
authinfo_addr_key(const char *addr, char *out, size_t outlen)
{
	static const unsigned char v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0xff, 0xff };
	unsigned char a[16];
	char txt[64];

	if (strncasecmp(addr, "ipv6:", 5) == 0)
		addr += 5;
	if (inet_pton(AF_INET, addr, a + 12) == 1) {
		memcpy(a, v4mapped, sizeof v4mapped);
	} else if (inet_pton(AF_INET6, addr, a) != 1) {
		errno = EINVAL;
		return -1;
	}
	if (memcmp(a, v4mapped, sizeof v4mapped) == 0)
		snprintf_rq(txt, sizeof txt, "%u.%u.%u.%u", a[12], a[13], a[14],
		    a[15]);
	else
		ipv6_full(a, txt, sizeof txt);
	return make_key(txt, strlen(txt), out, outlen);
}

/* Puts where the entry is in front of err: "FILE:LINE: " for a text
 * map, "FILE: " for a Berkeley DB map, which has no lines. */
static void
add_place(const struct map *m, char *err, size_t errlen)
{
	char why[RELAYQ_ERRLEN];
	unsigned line = map_hit_line(m);

	strlcpy_rq(why, err, sizeof why);
	if (line > 0)
		snprintf_rq(err, errlen, "%s:%u: %s", map_file(m), line, why);
	else
		snprintf_rq(err, errlen, "%s: %s", map_file(m), why);
}

/* One exact lookup; parses the value when found. */
static int
try_key(struct map *m, const char *key, struct authinfo *ai, bool *found,
    char *err, size_t errlen)
{
	struct buf val;
	int r;

	buf_init(&val);
	if (map_lookup(m, key, &val, found, err, errlen) < 0)
		return -1;
	r = 0;
	if (*found)
		r = authinfo_parse(buf_str(&val), val.len, key, ai, err, errlen);
	buf_free_secret(&val);
	if (r < 0)
		add_place(m, err, errlen);
	return r;
}

int
authinfo_lookup(struct map *m, const char *relay_name,
    const char *relay_addr, struct authinfo *ai, bool *found,
    char *matched, size_t matchedlen, char *err, size_t errlen)
{
	char keys[3][300];
	int nkeys = 0;

	memset(ai, 0, sizeof *ai);
	*found = false;
	strlcpy_rq(matched, "", matchedlen);
	if (relay_name != NULL && *relay_name != '\0' &&
	    authinfo_name_key(relay_name, keys[nkeys], sizeof keys[0]) == 0)
		nkeys++;
	if (relay_addr != NULL && *relay_addr != '\0') {
		if (authinfo_addr_key(relay_addr, keys[nkeys],
		    sizeof keys[0]) < 0) {
			snprintf_rq(err, errlen, "bad relay address %s",
			    relay_addr);
			return -1;
		}
		nkeys++;
	}
	strlcpy_rq(keys[nkeys++], KEY_PREFIX, sizeof keys[0]);
	for (int i = 0; i < nkeys; i++) {
		int r = try_key(m, keys[i], ai, found, err, errlen);
		if (*found || r < 0) {
			if (*found)
				strlcpy_rq(matched, keys[i], matchedlen);
			return r;
		}
	}
	return 0;
}
