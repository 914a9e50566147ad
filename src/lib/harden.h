/* harden: process settings for programs that hold secrets. */
#ifndef RELAYQ_HARDEN_H
#define RELAYQ_HARDEN_H

/* No core file may ever hold a password or a TLS key: RLIMIT_CORE 0 and
 * not dumpable (also keeps other users' ptrace out).  Logs a failure. */
void harden_no_core_dumps(void);

/* First thing in a set-ID program: fds 0-2 open (else a queue file could
 * become someone's stdout), the rest closed, umask 077, an environment of
 * PATH and a plain TZ only, no core files, SIGPIPE ignored.  0, or -1 if
 * any of it failed (the caller must exit). */
int harden_setid_process(void);

#endif
