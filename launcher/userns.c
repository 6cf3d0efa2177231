#include "userns.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* Decimal of v at p; returns the length. Async-signal-safe replacement for snprintf. */
static size_t fmt_u(char *p, unsigned long v)
{
	char tmp[24];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		p[i] = tmp[n - 1 - i];
	return n;
}

/* "IN OUT 1\n" */
static size_t fmt_map(char *buf, unsigned long in, unsigned long out)
{
	size_t n = fmt_u(buf, in);
	buf[n++] = ' ';
	n += fmt_u(buf + n, out);
	buf[n++] = ' ';
	buf[n++] = '1';
	buf[n++] = '\n';
	return n;
}

static int write_at(int dirfd, const char *name, const char *data, size_t len)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CLOEXEC);
	ssize_t w;
	int saved;

	if (fd < 0)
		return -1;
	w = write(fd, data, len);
	saved = errno;
	close(fd);
	errno = saved;
	if (w < 0)
		return -1;
	if ((size_t)w != len) {
		errno = EIO;
		return -1;
	}
	return 0;
}

int userns_write_maps(int proc_fd, pid_t pid, const struct userns_map *m, struct err *e)
{
	char dir[32] = "self";
	char buf[64];
	int dfd;
	size_t n;

	if (pid > 0)
		dir[fmt_u(dir, (unsigned long)pid)] = '\0';
	dfd = openat(proc_fd, dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return err_set(e, errno, "opening /proc/%s", dir);
	n = fmt_map(buf, m->uid_inside, m->uid_outside);
	if (write_at(dfd, "uid_map", buf, n) < 0) {
		err_set(e, errno, "writing /proc/%s/uid_map", dir);
		goto fail;
	}
	/* a kernel without the file predates the setgroups fix; nothing to deny there */
	if (m->deny_setgroups && write_at(dfd, "setgroups", "deny\n", 5) < 0 && errno != ENOENT) {
		err_set(e, errno, "writing /proc/%s/setgroups", dir);
		goto fail;
	}
	n = fmt_map(buf, m->gid_inside, m->gid_outside);
	if (write_at(dfd, "gid_map", buf, n) < 0) {
		err_set(e, errno, "writing /proc/%s/gid_map", dir);
		goto fail;
	}
	close(dfd);
	return 0;
fail:
	close(dfd);
	return -1;
}

int userns_refused(int code, struct err *e)
{
	err_setx(e, "--unshare-user: user namespaces are disabled here "
		    "(kernel.unprivileged_userns_clone=0 or an AppArmor restriction): run as root "
		    "or enable them");
	e->code = code;
	return -1;
}
