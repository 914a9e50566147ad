/* candidate: one way to submit mail that discovery found (a host, port,
 * TLS kind and login name), and what the probe then learned about it. */
#ifndef RELAYQ_SETUP_CANDIDATE_H
#define RELAYQ_SETUP_CANDIDATE_H

#include <stdbool.h>
#include <stddef.h>

#include "autoconfig.h"

#define CAND_MAX 16

enum verdict {
	V_UNTRIED = 0,
	V_OK,			/* TLS verified; AUTH worked (or not tried) */
	V_UNREACHABLE,		/* no connection, no greeting, no EHLO */
	V_TLS_FAILED,		/* no STARTTLS, handshake or certificate */
	V_UNSAFE,		/* offers no TLS at all: never used */
	V_NO_AUTH,		/* no AUTH offered after TLS */
	V_AUTH_FAILED,		/* the server refused the login */
	V_OAUTH2,		/* provider wants OAuth2, not a password */
	V_UNSUPPORTED,		/* only NTLM, GSSAPI, ... */
	V_LOCAL_ERROR		/* not tried: the login cannot be used or
				   written here (nothing sent) */
};

/* Where DNS, which is not authenticated, chose the server: the user is
 * warned before the password is sent. */
enum cand_dns {
	CAND_DNS_NONE = 0,
	CAND_DNS_SRV,		/* an SRV record named it */
	CAND_DNS_MX		/* the MX host named the provider whose
				   document named it */
};

struct candidate {
	char host[256];
	int port;
	enum ac_socket socket;		/* SSL or STARTTLS (or PLAIN) */
	unsigned auth;			/* enum ac_auth bits; 0 = not said */
	char username[256];		/* "" = the e-mail address */
	char source[320];		/* where it came from, for the user */
	enum cand_dns unsigned_dns;	/* which unsigned DNS answer chose it */
	/* Filled by the probe. */
	enum verdict verdict;
	char tls_info[256];		/* "version=..., verify=OK, ..." */
	char offered[256];		/* AUTH mechanisms after TLS */
	char mech[64];			/* the one the login worked with */
	char why[512];			/* the reason for a bad verdict */
};

struct cand_list {
	size_t n;
	struct candidate c[CAND_MAX];
	bool oauth2;			/* a source asked for OAuth2 */
	char provider[256];		/* display name, if a document said */
};

/* Appends a copy unless the same host/port/socket is already listed;
 * false when full. */
bool cand_add(struct cand_list *l, const struct candidate *c);

/* "implicit TLS" / "STARTTLS" / "no TLS". */
const char *cand_socket_words(enum ac_socket s);
const char *cand_verdict_words(enum verdict v);
/* "SRV" / "MX" / "". */
const char *cand_dns_words(enum cand_dns d);

#endif
