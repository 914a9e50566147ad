/* autoconfig: parses a Mozilla/Thunderbird config-v1.1.xml document (an
 * ISP's autoconfig file or an ISPDB entry) into the outgoing SMTP servers
 * it lists.  The only file of relayq that includes expat.  Pure: no I/O.
 *
 * The document is hostile input: a DOCTYPE (and with it every entity
 * declaration) is refused, sizes are bounded, unknown elements and values
 * are ignored as the format requires, and a server whose host name or
 * user name could not be written safely into relayq.conf or an authinfo
 * line is dropped with a note. */
#ifndef RELAYQ_AUTOCONFIG_H
#define RELAYQ_AUTOCONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define AC_MAX_SERVERS 8	/* <outgoingServer type="smtp"> kept */
#define AC_NAME_MAX 256
#define AC_NOTE_MAX 512

enum ac_socket {
	AC_SOCK_UNKNOWN = 0,	/* missing or a value we do not know */
	AC_SOCK_SSL,		/* implicit TLS (465) */
	AC_SOCK_STARTTLS,	/* STARTTLS, mandatory */
	AC_SOCK_PLAIN		/* no TLS at all */
};

enum ac_auth {			/* <authentication> values, as bits */
	AC_AUTH_CLEARTEXT = 1u << 0,	/* password-cleartext, plain */
	AC_AUTH_ENCRYPTED = 1u << 1,	/* password-encrypted, secure */
	AC_AUTH_OAUTH2 = 1u << 2,	/* OAuth2 */
	AC_AUTH_CLIENT_CERT = 1u << 3,	/* TLS-client-cert */
	AC_AUTH_NONE = 1u << 4,		/* none, client-IP-address */
	AC_AUTH_OTHER = 1u << 5		/* NTLM, GSSAPI, smtp-after-pop, ... */
};

struct ac_server {
	char hostname[AC_NAME_MAX];	/* placeholders expanded, lower case */
	int port;			/* 1..65535; 0 = not given */
	enum ac_socket socket;
	unsigned auth;			/* enum ac_auth bits */
	char sasl_mechs[AC_NAME_MAX];	/* <authentication system="sasl">
					   names, upper case, space separated,
					   document order; "" = none */
	char username[AC_NAME_MAX];	/* expanded; "" = not given */
};

struct ac_config {
	char provider[AC_NAME_MAX];	/* <emailProvider id=...> */
	char display_name[AC_NAME_MAX];
	bool oauth2;			/* an <oAuth2> section is present */
	size_t nservers;
	struct ac_server servers[AC_MAX_SERVERS];  /* document order */
	char notes[AC_NOTE_MAX];	/* servers dropped and why, "; "
					   separated ("" = none) */
};

/* Parses len bytes of XML for the address email (for the placeholders).
 * 0, or -1 with err: "line 3: not well-formed (invalid token)", "root
 * element is <html>, expected <clientConfig>", "DOCTYPE not allowed",
 * "no usable outgoing SMTP server (...notes...)". */
int autoconfig_parse(struct ac_config *cfg, const char *xml, size_t len,
    const char *email, char *err, size_t errlen);

/* Expands %EMAILADDRESS%, %EMAILLOCALPART% and %EMAILDOMAIN% of s into
 * out (other % sequences are kept verbatim).  0, or -1 if it does not fit. */
int autoconfig_expand(char *out, size_t size, const char *s, const char *email);

/* Lower-cases h and checks it is a DNS host name with at least two labels
 * (a trailing dot is removed): the rule for every host name relayq-setup
 * may write, whether a document, SRV or MX gave it. */
bool autoconfig_host_normalize(char *h);

/* "SSL", "STARTTLS", "plain", "unknown". */
const char *ac_socket_name(enum ac_socket s);
/* "password-cleartext password-encrypted OAuth2 ..." of the bits, into out. */
void ac_auth_names(unsigned auth, char *out, size_t size);

#endif
