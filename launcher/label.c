#include "label.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

#define SELINUX_FS "/sys/fs/selinux"
#define SELINUX_MAGIC_NR 0xf97cff8cL

/* SELinux is active when selinuxfs is mounted and reports a mode (1 enforcing, 0 permissive). */
static bool selinux_enabled(void)
{
	struct statfs sf;
	char mode[4] = { 0 };
	int fd;
	ssize_t n;

	if (statfs(SELINUX_FS, &sf) < 0 || (long)sf.f_type != SELINUX_MAGIC_NR)
		return false;
	fd = open(SELINUX_FS "/enforce", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, mode, sizeof(mode) - 1);
	close(fd);
	return n > 0 && (mode[0] == '0' || mode[0] == '1');
}

int label_check(const char *option, const char *label, struct err *e)
{
	if (!label)
		return 0;
	if (!selinux_enabled())
		return err_setx(e, "%s %s: no LSM here takes labels (SELinux is not enabled)",
				option, label);
	if (label[0] == '\0' || strchr(label, '\n'))
		return err_setx(e, "%s %s: not a valid SELinux context", option, label);
	return 0;
}

int label_set_exec(const char *label, struct err *e)
{
	int fd;
	size_t len;
	ssize_t w;

	if (!label)
		return 0;
	len = strlen(label);
	/* per thread: the setup child is single-threaded, and the label applies to its next
	 * execve() only */
	fd = open("/proc/thread-self/attr/exec", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, errno, "--exec-label %s: /proc/thread-self/attr/exec", label);
	w = write(fd, label, len);
	if (w < 0 || (size_t)w != len) {
		int code = w < 0 ? errno : EIO;
		close(fd);
		return err_set(e, code, "--exec-label %s", label);
	}
	close(fd);
	return 0;
}
