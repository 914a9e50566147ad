/* safefile: sendmail-style file safety for maps that hold secrets --
 * who may own the file and every directory above it, and which modes. */
#ifndef RELAYQ_SAFEFILE_H
#define RELAYQ_SAFEFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

struct safefile_rules {
	uid_t trusted_uid;	/* may own besides root; (uid_t)-1: none */
	bool secret;		/* safefile_mode_private must hold */
	bool check_file;	/* owner/mode rules on the file itself */
};

/* Does a file with this mode and group keep a secret from everyone but
 * its owner and root?  Nothing for others, no group write, and group read
 * only when the group is root's (gid 0): never another group, such as
 * relayq-drop, the set-group-ID submitter's. */
bool safefile_mode_private(mode_t mode, gid_t gid);

/* Opens path read-only with O_NOFOLLOW, then checks with fstat on the
 * open descriptor (no check/use race): regular file, owner root or
 * trusted_uid, not group/world writable, with secret also
 * safefile_mode_private; then every directory from / down
 * (safefile_check_dirs).  Returns the fd, or -1 with err
 * "PATH: unsafe map file: REASON" (or an open error). */
int safefile_open(const char *path, const struct safefile_rules *r,
    struct stat *st, char *err, size_t errlen);

/* Checks the directories holding path, from / down, for both the path as
 * written and its symlink-resolved form: each owned by root or
 * trusted_uid and not writable by group or others.  One exception, as
 * for /tmp: an ancestor (never the file's own directory) that is sticky
 * and root-owned, because its entries cannot be renamed by others.
 * 0 / -1 with err naming file and directory. */
int safefile_check_dirs(const char *path, uid_t trusted_uid, char *err,
    size_t errlen);

/* The mode/owner rules alone, for an fstat result.  NULL when safe, else
 * a static reason ("readable by others", ...). */
const char *safefile_reason(const struct stat *st,
    const struct safefile_rules *r);

#endif
