/* authinfo: sendmail AuthInfo entries -- parse a value ("U:..." "P=..."),
 * and find the entry for a smarthost in a map (name, address, default). */
#ifndef RELAYQ_AUTHINFO_H
#define RELAYQ_AUTHINFO_H

#include <stdbool.h>
#include <stddef.h>

struct map;

/* Default list when the entry has no M: item (strongest first). */
#define AUTHINFO_DEFAULT_MECHS \
	"SCRAM-SHA-256 SCRAM-SHA-1 DIGEST-MD5 CRAM-MD5 PLAIN LOGIN"
/* ... and for an entry with O: (a bearer token). */
#define AUTHINFO_OAUTH2_MECHS "XOAUTH2 OAUTHBEARER"

/* All fields malloc'd, NUL-terminated, owned by the struct; NULL when the
 * entry did not give them (realm, mechs).  After a successful parse
 * authzid and authid are never NULL (U/I copied as sendmail does), and
 * exactly one of password and token_file is set; authzid_given says
 * whether U: was written, so the SASL layer can send an empty authzid
 * when U is absent or equal to I.
 *
 * relayq's extension "O:/path": the secret is an OAuth2 token state file
 * (tokenfile.h), not a password.  Such an entry may list only XOAUTH2
 * and OAUTHBEARER in M: (default AUTHINFO_OAUTH2_MECHS) and may not also
 * have P:.  Whoever resolves the file (relayqd, after the refresh
 * helper) puts the access token into password (authinfo_set_token), so
 * the SMTP client always finds the credential there. */
struct authinfo {
	char *authzid;		/* U: authorization id */
	char *authid;		/* I: authentication id (login name) */
	char *password;		/* P: */
	char *realm;		/* R: */
	char *mechs;		/* M: space separated */
	char *token_file;	/* O: absolute path of an OAuth2 token file */
	bool authzid_given;
	bool authid_given;
};

/* Parses one map value exactly as sendmail's getauth() does.  key (may be
 * NULL) only names the entry in err.  On error the struct is left empty
 * and err never contains the password or any other value byte.  0 / -1. */
int authinfo_parse(const char *val, size_t len, const char *key,
    struct authinfo *ai, char *err, size_t errlen);

/* Wipes every field with explicit_bzero and frees it; NULL-safe. */
void authinfo_free(struct authinfo *ai);

/* The access token read from token_file becomes the credential (a copy;
 * the old one is wiped).  0 / -1 (out of memory). */
int authinfo_set_token(struct authinfo *ai, const char *token);

/* The mechanism list to try: ai->mechs, else AUTHINFO_OAUTH2_MECHS for an
 * O: entry, else AUTHINFO_DEFAULT_MECHS. */
const char *authinfo_mechs(const struct authinfo *ai);

/* Lookup keys for a relay, sendmail's {server_name} / {server_addr} rules.
 * relay_name: as configured; "[name]" loses its brackets, "[192.0.2.1]"
 * keeps them, a trailing dot goes.  addr: textual IPv4/IPv6 address;
 * IPv6 becomes "ipv6:" + eight uncompressed %x groups, v4-mapped becomes
 * the dotted quad.  Both write "authinfo:..." lowercased.  0 / -1. */
int authinfo_name_key(const char *relay_name, char *out, size_t outlen);
int authinfo_addr_key(const char *addr, char *out, size_t outlen);

/* Tries authinfo:<name>, authinfo:<addr> (addr may be NULL), authinfo:.
 * First hit wins even when malformed (then -1 with *found set and err
 * "FILE:LINE: KEY: item N (T): reason", ":LINE" only for text maps).
 * matched receives the key that hit ("" if none).  Returns 0 with
 * *found false when no entry exists; -1 on map errors or a bad entry. */
int authinfo_lookup(struct map *m, const char *relay_name,
    const char *relay_addr, struct authinfo *ai, bool *found,
    char *matched, size_t matchedlen, char *err, size_t errlen);

#endif
