/* message: the submitted message — header section in memory (bounded),
 * body streamed with sendmail's line rules.  What submission does to it
 * (recipients, aliases, qualification, added headers) is prepare.h's.
 * Functions return a submit_status (status.h) with err set. */
#ifndef RELAYQ_MESSAGE_H
#define RELAYQ_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#include "buf.h"
#include "status.h"

struct msg_opts {
	bool extract;			/* -t */
	bool ignore_dots;		/* -i */
	const char *from;		/* -f: NULL = not given, "" = null sender */
	const char *fullname;		/* -F or GECOS; may be "" */
	const char *login;		/* the caller's login name */
	const char *domain;		/* for unqualified addresses */
	const char *hostname;		/* FQDN, for Message-ID */
	const char *local_names;	/* this host's names, blank-separated */
	const char *qid;		/* queue id, for Message-ID */
	time_t now;
	const char *aliases_path;	/* "" or a missing file = none */
	const char *sender_map_path;	/* "" = none */
	const char *masquerade;		/* "" = none */
	bool smtputf8;			/* -U, or MAIL ... SMTPUTF8 in -bs */
};

struct msg_result {
	char *sender;			/* envelope sender, "" = <> */
	char *msgid;			/* "<...>" */
	char **rcpts;
	size_t nrcpts;
	bool smtputf8;			/* needs SMTPUTF8 (eai.h) */
};

struct msg_stats {
	off_t size;			/* content bytes as stored */
	bool eightbit;
	size_t longest;			/* longest body line as read, LF excluded */
};

struct hfield {
	char *text;			/* "Name: value\n" with folded lines */
	size_t namelen;
	bool deleted;
};

struct message {
	struct hfield *f;
	size_t n;
	char *first_body_line;		/* read while looking for headers */
	bool ended;			/* a lone "." ended the input already */
	bool ignore_dots;		/* -i, for the body */
	bool wrap_body;			/* break body lines over LINEWRAP_MAX */
	off_t max_size;			/* content limit in octets, 0 = none */
	size_t header_bytes;
	bool header_8bit;
};

void message_init(struct message *m);
void message_free(struct message *m);
void message_result_free(struct msg_result *r);

enum submit_status message_read_header(struct message *m, FILE *in,
    const struct msg_opts *o, char *err, size_t errlen);
/* Recomputes header_bytes and header_8bit after an edit. */
void message_count_header(struct message *m);
/* The header section and its empty separator line.  0 / -1 (errno). */
int message_write_header(const struct message *m, FILE *out);
/* SUBMIT_OK, SUBMIT_WRITE_FAILED (errno kept), SUBMIT_TOO_BIG once the
 * stored content passes max_size (0 = no limit), or SUBMIT_READ_ERROR,
 * with err.  With wrap_body set, lines over LINEWRAP_MAX are broken as
 * they are copied; st->longest is the longest line read either way. */
enum submit_status message_copy_body(struct message *m, FILE *in, FILE *out,
    struct msg_stats *st, char *err, size_t errlen);
#endif
