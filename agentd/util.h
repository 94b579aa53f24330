/*
 * util.h — small macros and helpers every herd file may use.
 *
 * Part of the base layer (see doc/ARCHITECTURE.md): depends on libc only.
 * Conventions: functions return int >= 0 on success and -errno on failure;
 * destructors accept NULL; _cleanup_ makes early returns safe.
 */
#ifndef HERD_UTIL_H
#define HERD_UTIL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define _cleanup_(f) __attribute__((cleanup(f)))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _unused_ __attribute__((unused))
#define _noreturn_ __attribute__((noreturn))

#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

/* Time in microseconds, the unit sd-event uses. */
typedef uint64_t usec_t;
#define USEC_PER_SEC  UINT64_C(1000000)
#define USEC_PER_MSEC UINT64_C(1000)

static inline void freep(void *p)
{
	free(*(void **)p);
}

static inline void closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}

/* Hand ownership out of a _cleanup_ variable. */
#define TAKE_PTR(p)                                                            \
	({                                                                     \
		__typeof__(p) _p = (p);                                        \
		(p) = NULL;                                                    \
		_p;                                                            \
	})
#define TAKE_FD(fd)                                                            \
	({                                                                     \
		int _fd = (fd);                                                \
		(fd) = -EBADF;                                                 \
		_fd;                                                           \
	})

static inline bool streq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

/* Wall and monotonic clocks in microseconds. */
usec_t now_realtime(void);
usec_t now_monotonic(void);

/* Format a duration like "1h 2m 3.250s" into buf (always NUL-terminated). */
char *format_duration(char *buf, size_t len, usec_t us);

/* Format wall-clock microseconds as ISO 8601 UTC ("2026-11-23T10:00:00Z"). */
char *format_iso8601(char *buf, size_t len, usec_t wall_us);

/*
 * Whether a directory entry is an editor or package-manager leftover that a
 * directory of scripts (events.d, notify.d) skips without a word: "", names
 * starting with '.', #*#, *~, *.swp, *.orig, *.bak, and names containing
 * .rpm (rpmnew, rpmsave, rpmorig) or .dpkg- (dpkg-old, dpkg-dist, ...). Pure.
 */
bool name_is_leftover(const char *name);

/*
 * mkdir -p: the missing parents of path with mode 0755, path itself with
 * mode; existing directories are left as they are. 0 or -errno.
 */
int mkdir_p(const char *path, mode_t mode);

#endif
