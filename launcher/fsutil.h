/* Path helpers for building the sandbox root, confined to a directory fd.
 *
 * Every function here is async-signal-safe (raw syscalls and stack buffers; no malloc, no
 * stdio): mounts.c calls them in the setup child after clone. Like the syscalls they wrap,
 * they return -1 (or a negative value) with errno set; the caller turns that into a
 * `struct err` naming the option.
 *
 * "In root" means: the path is resolved by openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)
 * relative to root_fd, so "..", absolute symlinks and /proc magic links can never lead
 * outside root_fd. Missing directories are created one component at a time with mkdirat() on
 * the already resolved parent fd, never through a path string. */
#ifndef LAUNCHER_FSUTIL_H
#define LAUNCHER_FSUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define FS_PATH_MAX 4096
#define FS_NAME_MAX 256 /* NAME_MAX + 1 */

/* openat2(root_fd, path, flags | O_CLOEXEC, mode) with RESOLVE_IN_ROOT, plus
 * RESOLVE_NO_MAGICLINKS when `no_magic`. Retries the kernel's EAGAIN. Returns the fd. */
int fs_openat2(int root_fd, const char *path, int flags, mode_t mode, bool no_magic);

/* fs_openat2(..., no_magic = true): the form every sandbox destination uses. */
int fs_open_in_root(int root_fd, const char *path, int flags, mode_t mode);

/* Create the missing parent directories of `path` inside root_fd with `mode`; returns an
 * O_PATH fd of the parent and copies the last component into name[FS_NAME_MAX] ("" when
 * path names the root itself). */
int fs_mkdir_parents(int root_fd, const char *path, mode_t mode, char *name);

/* `path` exists as a directory afterwards (created with `mode` when missing, parents with
 * `parent_mode`). An existing non-directory is ENOTDIR. */
int fs_ensure_dir(int root_fd, const char *path, mode_t parent_mode, mode_t mode);

/* `path` exists as a non-directory afterwards (an empty file with `mode` when missing; a
 * dangling symlink is followed inside root_fd). An existing directory is EISDIR. */
int fs_ensure_file(int root_fd, const char *path, mode_t parent_mode, mode_t mode);

/* Copy everything readable from `in` to `out` (pipes, files; EINTR retried). */
int fs_copy_fd(int in, int out);

/* chmod the object an O_PATH fd refers to (fchmodat2 AT_EMPTY_PATH; falls back to the fd's
 * /proc path under `proc_prefix`, e.g. "/oldroot/proc", on kernels without fchmodat2). */
int fs_chmod_fd(int fd, mode_t mode, const char *proc_prefix);

/* dst = a + b; -1 (ENAMETOOLONG) when it does not fit in size. */
int fs_join(char *dst, size_t size, const char *a, const char *b);

/* Decimal / octal text of v into buf (at least 24 bytes); returns buf. */
char *fs_fmt_u64(char *buf, unsigned long long v);
char *fs_fmt_oct(char *buf, unsigned long long v);

#endif
