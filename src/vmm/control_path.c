// SPDX-License-Identifier: MIT
#include "control_path.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int control_default_dir(char *buf, size_t len)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	int n;

	if (xdg && xdg[0] == '/')
		n = snprintf(buf, len, "%s/sevm", xdg);
	else if (geteuid() == 0 && access("/run", W_OK) == 0)
		n = snprintf(buf, len, "/run/sevm");
	else
		n = snprintf(buf, len, "/tmp/sevm-%u", (unsigned int)geteuid());
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int control_default_path(const char *name, char *buf, size_t len)
{
	char dir[200];
	int n, ret = control_default_dir(dir, sizeof(dir));

	if (ret)
		return ret;
	n = snprintf(buf, len, "%s/%s.sock", dir, name);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int control_find_only(char *path, size_t len, char *err, size_t errlen)
{
	char dir[200], names[240] = "";
	struct dirent *e;
	unsigned int found = 0;
	DIR *d;

	if (control_default_dir(dir, sizeof(dir)) || !(d = opendir(dir))) {
		snprintf(err, errlen, "no running sevm found (no %s); give --vm NAME or --control PATH",
			 dir);
		return -ENOENT;
	}
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);

		if (n <= 5 || strcmp(e->d_name + n - 5, ".sock"))
			continue;
		if (!found++)
			snprintf(path, len, "%s/%s", dir, e->d_name);
		size_t used = strlen(names);
		snprintf(names + used, sizeof(names) - used, "%s%.*s", used ? ", " : "", (int)(n - 5),
			 e->d_name);
	}
	closedir(d);
	if (found == 1)
		return 0;
	if (!found)
		snprintf(err, errlen, "no running sevm found in %s; give --vm NAME or --control PATH",
			 dir);
	else
		snprintf(err, errlen, "several VMs run here (%s): give --vm NAME", names);
	return found ? -EEXIST : -ENOENT;
}
