/* dirscan: every entry of an open directory, by name, from the start — the
 * one directory walk of pickup, queue listing and mailq. */
#ifndef RELAYQ_DIRSCAN_H
#define RELAYQ_DIRSCAN_H

/* Called per entry (names starting with '.' are skipped); a non-zero
 * return stops the walk and is returned by dirscan. */
typedef int (*dirscan_fn)(void *arg, const char *name);

/* Walks dirfd (which stays open and usable) from its first entry.  The
 * callback's non-zero value, 0 at the end, or -1 if the directory cannot
 * be read (errno). */
int dirscan(int dirfd, dirscan_fn fn, void *arg);

#endif
