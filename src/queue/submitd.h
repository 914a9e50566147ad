/* submitd: relayqd's end of the submission socket (dropwire.h), for
 * callers whose sendmail cannot create files in maildrop/ — its setgid
 * bit ignored under NoNewPrivileges, RestrictSUIDSGID or in a container.
 * A listener process, forked by the daemon's supervisor, becomes the
 * relayq user and accepts connections and forks one process per submission; that process
 * writes the drop as the relayq user with the full commit sequence (I1)
 * and answers "ok" only after the fsyncs.  The message is attributed to
 * the peer's uid (SO_PEERCRED), never to what the client says. */
#ifndef RELAYQ_SUBMITD_H
#define RELAYQ_SUBMITD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "conf.h"

struct submitd {
	int fd;			/* listening socket, -1 = none */
	bool inherited;		/* from systemd (relayq-submit.socket) */
	pid_t listener;		/* 0 = not running */
	char path[108];
};

/* As root, before dropping privileges: the socket systemd passed
 * (LISTEN_FDS), else c->submit_socket bound here, mode 0666, its
 * directory created 0755 for owner if missing.  -1 with err when there
 * is none (submit_socket none, or another relayqd serves the path);
 * the daemon runs without it. */
int submitd_open(struct submitd *s, const struct conf *c, uid_t owner,
    char *err, size_t errlen);
/* Forks the listener, which becomes the relayq user first (when root);
 * 0 / -1 (errno). */
int submitd_start(struct submitd *s, const struct conf *c);
/* Restarts a listener that died; call from the daemon's loop. */
void submitd_check(struct submitd *s, const struct conf *c);
/* Stops the listener (its submissions in progress are abandoned: nothing
 * half-written stays) and removes a socket we bound. */
void submitd_stop(struct submitd *s);

/* One connection, in its own process: the whole dialogue. */
void submitd_serve(int fd, uid_t uid, pid_t pid, const struct conf *c);

#endif
