/*
 * handlers_scan.h — which files of a notify.d directory are handlers.
 *
 * A handler is a regular file (symlinks followed: handlers may be enabled
 * by linking them in) that herdd may execute, in a directory read afresh
 * for every event. Editor and package-manager leftovers are not handlers
 * and are not listed at all; a file that is not executable is listed, so
 * that `herdctl notify test` can say it was skipped. The name filter is
 * name_is_leftover() (agentd/util.h, shared with collectors/eventscripts.c)
 * plus CTDB notify.sh's own (`*,` and README), `*.rej` and `*.ucf-*`.
 *
 *   handlers_name_ignored()  is this file name a leftover to skip (pure)
 *   handlers_scan()          the handlers of a directory, in lexical order
 */
#ifndef HERD_NOTIFY_HANDLERS_SCAN_H
#define HERD_NOTIFY_HANDLERS_SCAN_H

#include <limits.h>

#include "agentd/util.h"

/* One directory entry that is a handler. */
struct handlers_entry {
	char name[NAME_MAX + 1];
	bool executable;                /* faccessat(X_OK) for herdd's user */
};

/*
 * Whether a directory entry is skipped without a word: names starting with
 * '.', README, #*#, *~, *, (RCS), *.swp, *.orig, *.bak, *.rej, and names
 * containing .rpm (rpmnew, rpmsave, rpmorig), .dpkg- (dpkg-old,
 * dpkg-dist, dpkg-new, dpkg-tmp) or .ucf- (ucf-old, ucf-dist, ucf-new).
 * Pure.
 */
bool handlers_name_ignored(const char *name);

/*
 * The handlers in dir, in lexical (strcmp, i.e. C locale) order: regular
 * files, symlinks followed, whose names are not ignored. Returns the count
 * (>= 0) and *out (malloc'd; NULL when empty), or -errno (-ENOENT: no such
 * directory).
 */
int handlers_scan(const char *dir, struct handlers_entry **out);

#endif
