/*
 * handlers_scan.c — list the handlers of a notify.d directory.
 */
#include "notify.d/handlers_scan.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

bool handlers_name_ignored(const char *name)
{
	size_t n = strlen(name);

	/* Beyond the common leftovers: CTDB notify.sh's own (RCS's `*,` and
	 * README), patch rejects and ucf's copies. */
	return name_is_leftover(name) || streq(name, "README") || (n > 0 && name[n - 1] == ',') ||
	       (n >= 4 && streq(name + n - 4, ".rej")) || strstr(name, ".ucf-");
}

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct handlers_entry *)a)->name,
		      ((const struct handlers_entry *)b)->name);
}

int handlers_scan(const char *dir, struct handlers_entry **out)
{
	_cleanup_(freep) struct handlers_entry *v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	int fd, r = 0;
	DIR *d;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		r = -errno;
		close(fd);
		return r;
	}
	for (;;) {
		struct stat st;

		errno = 0;
		de = readdir(d);
		if (!de) {
			r = -errno;
			break;
		}
		if (handlers_name_ignored(de->d_name))
			continue;
		/* A dangling link or anything but a regular file is no handler. */
		if (fstatat(dirfd(d), de->d_name, &st, 0) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct handlers_entry *nv = reallocarray(v, ncap, sizeof(*v));

			if (!nv) {
				r = -ENOMEM;
				break;
			}
			v = nv;
			cap = ncap;
		}
		snprintf(v[n].name, sizeof(v[n].name), "%s", de->d_name);
		/* What `[ -x ]` says (root: any x bit), as CTDB's notify.sh asks. */
		v[n].executable = faccessat(dirfd(d), de->d_name, X_OK, AT_EACCESS) == 0;
		n++;
	}
	closedir(d);
	if (r < 0)
		return r;
	if (n)
		qsort(v, n, sizeof(*v), entry_cmp);
	*out = TAKE_PTR(v);
	return (int)MIN(n, (size_t)INT32_MAX);
}
