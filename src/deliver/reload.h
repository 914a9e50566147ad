/* reload: what relayqd read at start-up and cannot re-read as the relayq
 * user — relayq.conf, the authinfo map, the TLS trust store, certificate
 * and key — stamped (device, inode, size, change time) so that the worker
 * can see before a queue run that one changed and ask for a reload.
 * (sender_relay is re-read by every run; stat needs no read access.) */
#ifndef RELAYQ_RELOAD_H
#define RELAYQ_RELOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "conf.h"

#define RELOAD_FILES 5

struct reload_stamp {
	struct {
		char path[PATH_MAX];	/* "" = not configured */
		bool exists;
		dev_t dev;
		ino_t ino;
		off_t size;
		struct timespec ctime, mtime;
	} f[RELOAD_FILES];
};

void reload_stamp_take(struct reload_stamp *s, const struct conf *c);
/* The first stamped file that changed since s was taken, or NULL. */
const char *reload_stamp_changed(const struct reload_stamp *s);

#endif
