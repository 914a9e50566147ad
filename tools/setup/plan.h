/* plan: the files relayq-setup writes — relayq.conf (the smarthost, tls,
 * authinfo lines changed in place, every other line kept) and the
 * authinfo source with its map (the entry for the smarthost replaced,
 * every other entry kept) — shown, compared with what exists, and
 * written atomically with safe permissions.  With --add-sender: the
 * sender's line in the sender_relay source and map, its entry keyed
 * AuthInfo:<host>/<sender>, and in relayq.conf only the sender_relay and
 * authinfo lines added when missing. */
#ifndef RELAYQ_SETUP_PLAN_H
#define RELAYQ_SETUP_PLAN_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "buf.h"
#include "candidate.h"
#include "login.h"

/* An existing file that will hold the password but that others than
 * root can read (safefile_mode_private): written with mode 0600. */
struct plan_exposed {
	bool yes;
	mode_t mode;
	gid_t gid;
};

struct plan_file {
	char path[PATH_MAX];
	bool exists;
	struct buf old, new;	/* whole contents (authinfo: secrets) */
	struct buf old_shown, new_shown;  /* the same, passwords redacted */
	mode_t mode;		/* of a new file */
	bool secret;		/* holds passwords: written private */
	struct plan_exposed exposed;
};

struct plan {
	struct plan_file conf;
	struct plan_file authinfo;	/* unused without a login (login_given) */
	bool with_authinfo;
	bool oauth2;			/* the entry names a token file */
	char map_spec[PATH_MAX + 16];	/* "hash:/etc/relayq/authinfo" */
	char map_file[PATH_MAX];	/* "/etc/relayq/authinfo.db" */
	struct plan_exposed map_exposed;	/* of map_file */
	struct plan_file routes;	/* the sender_relay source: --add-sender */
	bool with_routes;
	char route_spec[PATH_MAX + 16];	/* "hash:/etc/relayq/sender_relay" */
};

struct plan_input {
	const char *conf_path;
	const char *authinfo_spec;	/* NULL: the conf's, else next to it */
	const struct candidate *c;
	const struct login *login;	/* !login_given: no authinfo */
	const char *tls_ca;		/* "" = system store */
	const char *email;
	const char *provider;		/* for the comment, may be "" */
	const char *sender;		/* --add-sender: the map key (email in
					   lower case); NULL: the smarthost */
	const char *route_spec;		/* NULL: the conf's, else next to it */
};

/* Reads what exists and renders the new contents.  0, or -1 with err. */
int  plan_make(struct plan *p, const struct plan_input *in, char *err,
    size_t errlen);
void plan_free(struct plan *p);

/* Files that exist and would change. */
bool plan_changes_existing(const struct plan *p);
/* Prints the new contents (redacted) as --dry-run shows them, and a note
 * for each exposed file. */
void plan_print(const struct plan *p);
/* Prints `diff -u` of each existing file that changes (redacted), the
 * contents of the authinfo and sender_relay sources that are new, as
 * plan_print does, and a note for each exposed file. */
void plan_print_diff(const struct plan *p);
/* Writes every file (temporary file, fsync, rename) and builds the maps,
 * relayq.conf last; the authinfo source and map get mode 0600 when their
 * mode would let others than root read them.  0, or -1 with err; files already written
 * stay (each is complete). */
int  plan_write(const struct plan *p, char *err, size_t errlen);

#endif
