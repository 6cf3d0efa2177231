#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef __NR_fchmodat2
#define __NR_fchmodat2 452 /* same number on every architecture (Linux 6.6) */
#endif

int fs_openat2(int root_fd, const char *path, int flags, mode_t mode, bool no_magic)
{
	struct open_how how = {
		.flags = (unsigned long long)(flags | O_CLOEXEC),
		.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
		.resolve = RESOLVE_IN_ROOT | (no_magic ? RESOLVE_NO_MAGICLINKS : 0),
	};
	long fd;
	int tries = 0;

	/* RESOLVE_IN_ROOT answers EAGAIN when a rename or mount raced with the walk; nothing
	 * else touches the new root during setup, so a few retries always settle it. */
	do
		fd = syscall(SYS_openat2, root_fd, path, &how, sizeof(how));
	while (fd < 0 && (errno == EAGAIN || errno == EINTR) && ++tries < 64);
	return (int)fd;
}

int fs_open_in_root(int root_fd, const char *path, int flags, mode_t mode)
{
	return fs_openat2(root_fd, path, flags, mode, true);
}

static void close_keep_errno(int fd)
{
	int saved = errno;
	if (fd >= 0)
		close(fd);
	errno = saved;
}

/* Split path into its parent (written to parent[], "" for the root) and last component. */
static int split_last(const char *path, char *parent, char *name)
{
	size_t len = strlen(path);
	char *slash;
	const char *last;

	if (len >= FS_PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(parent, path, len + 1);
	while (len > 1 && parent[len - 1] == '/')
		parent[--len] = '\0';
	slash = strrchr(parent, '/');
	last = slash ? slash + 1 : parent;
	if (strlen(last) >= FS_NAME_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memmove(name, last, strlen(last) + 1);
	if (slash)
		*slash = '\0';
	else
		parent[0] = '\0';
	return 0;
}

int fs_mkdir_parents(int root_fd, const char *path, mode_t mode, char *name)
{
	char buf[FS_PATH_MAX];
	char *p = buf;
	int parent;

	if (split_last(path, buf, name) < 0)
		return -1;
	parent = fs_open_in_root(root_fd, "/", O_PATH | O_DIRECTORY, 0);
	if (parent < 0)
		return -1;
	while (*p) {
		char *end, save;
		int fd;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		end = p + strcspn(p, "/");
		save = *end;
		*end = '\0';
		/* buf is now the prefix up to and including component p; resolve it whole from
		 * the root so symlinks on the way are followed, but only inside the root */
		fd = fs_open_in_root(root_fd, buf, O_PATH | O_DIRECTORY, 0);
		if (fd < 0 && errno == ENOENT) {
			/* p is one plain name: mkdirat on the resolved parent cannot follow
			 * anything (a dangling symlink there gives EEXIST, then ENOENT below) */
			if (mkdirat(parent, p, mode) < 0 && errno != EEXIST)
				goto fail;
			fd = fs_open_in_root(root_fd, buf, O_PATH | O_DIRECTORY, 0);
		}
		if (fd < 0)
			goto fail;
		close(parent);
		parent = fd;
		*end = save;
		p = end;
	}
	return parent;
fail:
	close_keep_errno(parent);
	return -1;
}

int fs_ensure_dir(int root_fd, const char *path, mode_t parent_mode, mode_t mode)
{
	char name[FS_NAME_MAX];
	int parent, fd;

	parent = fs_mkdir_parents(root_fd, path, parent_mode, name);
	if (parent < 0)
		return -1;
	if (name[0] && mkdirat(parent, name, mode) < 0 && errno != EEXIST) {
		close_keep_errno(parent);
		return -1;
	}
	close(parent);
	/* an existing entry may be a symlink (followed inside the root) or a non-directory */
	fd = fs_open_in_root(root_fd, path, O_PATH | O_DIRECTORY, 0);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

int fs_ensure_file(int root_fd, const char *path, mode_t parent_mode, mode_t mode)
{
	char name[FS_NAME_MAX];
	struct stat st;
	int parent, fd;

	parent = fs_mkdir_parents(root_fd, path, parent_mode, name);
	if (parent < 0)
		return -1;
	close(parent);
	fd = fs_open_in_root(root_fd, path, O_PATH, 0);
	if (fd >= 0) {
		int r = fstat(fd, &st);
		close_keep_errno(fd);
		if (r < 0)
			return -1;
		if (S_ISDIR(st.st_mode)) {
			errno = EISDIR;
			return -1;
		}
		return 0;
	}
	if (errno != ENOENT)
		return -1;
	/* Not O_EXCL: a dangling symlink at path is followed, inside the root, and its target
	 * created. O_NONBLOCK|O_NOCTTY so a node appearing meanwhile is not opened for real. */
	fd = fs_open_in_root(root_fd, path, O_CREAT | O_WRONLY | O_NONBLOCK | O_NOCTTY, mode);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

int fs_copy_fd(int in, int out)
{
	char buf[16384];

	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		char *p = buf;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		while (n > 0) {
			ssize_t w = write(out, p, (size_t)n);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				return -1;
			p += w;
			n -= w;
		}
	}
}

int fs_chmod_fd(int fd, mode_t mode, const char *proc_prefix)
{
	char path[64], num[24];

	if (syscall(__NR_fchmodat2, fd, "", mode, AT_EMPTY_PATH) == 0)
		return 0;
	if (errno != ENOSYS || !proc_prefix)
		return -1;
	/* O_PATH fds cannot be fchmod()ed; the /proc magic link reaches the same inode */
	if (fs_join(path, sizeof(path), proc_prefix, "/self/fd/") < 0 ||
	    fs_join(path, sizeof(path), path, fs_fmt_u64(num, (unsigned)fd)) < 0)
		return -1;
	return fchmodat(AT_FDCWD, path, mode, 0);
}

int fs_join(char *dst, size_t size, const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la + lb + 1 > size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	/* a may be dst itself; its NUL is overwritten by b's first byte */
	memmove(dst, a, la + 1);
	memcpy(dst + la, b, lb + 1);
	return 0;
}

static char *fmt_base(char *buf, unsigned long long v, unsigned base)
{
	char tmp[24];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % base);
		v /= base;
	} while (v);
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = '\0';
	return buf;
}

char *fs_fmt_u64(char *buf, unsigned long long v)
{
	return fmt_base(buf, v, 10);
}

char *fs_fmt_oct(char *buf, unsigned long long v)
{
	buf[0] = '0';
	fmt_base(buf + 1, v, 8);
	return buf;
}
