#include "landlock.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../common/cleanup.h"

/* Newer than some installed kernel headers (values from the kernel's uapi, fixed by its ABI) */
#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13)
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)
#endif

/* One row per filesystem access right: the ABI version that introduced it, whether the
 * kernel accepts it in a rule on a file that is not a directory, and whether --landlock-ro
 * grants it. --landlock-rw grants them all. */
static const struct {
	uint64_t bit;
	int abi;
	bool file;
	bool ro;
} rights[] = {
	{ LANDLOCK_ACCESS_FS_EXECUTE, 1, true, true },
	{ LANDLOCK_ACCESS_FS_WRITE_FILE, 1, true, false },
	{ LANDLOCK_ACCESS_FS_READ_FILE, 1, true, true },
	{ LANDLOCK_ACCESS_FS_READ_DIR, 1, false, true },
	{ LANDLOCK_ACCESS_FS_REMOVE_DIR, 1, false, false },
	{ LANDLOCK_ACCESS_FS_REMOVE_FILE, 1, false, false },
	{ LANDLOCK_ACCESS_FS_MAKE_CHAR, 1, false, false },
	{ LANDLOCK_ACCESS_FS_MAKE_DIR, 1, false, false },
	{ LANDLOCK_ACCESS_FS_MAKE_REG, 1, false, false },
	{ LANDLOCK_ACCESS_FS_MAKE_SOCK, 1, false, false },
	{ LANDLOCK_ACCESS_FS_MAKE_FIFO, 1, false, false },
	{ LANDLOCK_ACCESS_FS_MAKE_BLOCK, 1, false, false },
	{ LANDLOCK_ACCESS_FS_MAKE_SYM, 1, false, false },
	{ LANDLOCK_ACCESS_FS_REFER, 2, false, false },
	{ LANDLOCK_ACCESS_FS_TRUNCATE, 3, true, false },
	{ LANDLOCK_ACCESS_FS_IOCTL_DEV, 5, true, false },
};

int landlock_abi(void)
{
	long v = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	return v < 0 ? -errno : (int)v;
}

uint64_t landlock_rights(int abi)
{
	uint64_t all = 0;
	for (size_t i = 0; i < ARRAY_SIZE(rights); i++)
		if (rights[i].abi <= abi)
			all |= rights[i].bit;
	return all;
}

/* The option named in messages about Landlock as a whole. */
static int first_option(const struct sandbox_spec *s, char *buf, size_t len)
{
	if (s->n_landlock_ro)
		return snprintf(buf, len, "--landlock-ro %s", s->landlock_ro[0]);
	if (s->n_landlock_rw)
		return snprintf(buf, len, "--landlock-rw %s", s->landlock_rw[0]);
	return snprintf(buf, len, "--landlock");
}

int landlock_prepare(const struct sandbox_spec *s, struct landlock_plan *pl, struct err *e)
{
	char opt[300];
	int abi;

	memset(pl, 0, sizeof(*pl));
	if (!s->landlock && !s->n_landlock_ro && !s->n_landlock_rw)
		return 0;
	first_option(s, opt, sizeof(opt));
	abi = landlock_abi();
	/* ENOSYS: not built in; EOPNOTSUPP: built in but not enabled at boot (lsm=) */
	if (abi == -ENOSYS || abi == -EOPNOTSUPP)
		return err_setx(e, "%s: Landlock is not supported by this kernel", opt);
	if (abi < 0)
		return err_set(e, -abi, "%s: asking the kernel for its Landlock version", opt);
	if (abi == 0)
		return err_setx(e, "%s: Landlock is not supported by this kernel", opt);
	pl->on = true;
	pl->abi = abi;
	pl->handled = pl->rw = landlock_rights(abi);
	for (size_t i = 0; i < ARRAY_SIZE(rights); i++) {
		if (!(rights[i].bit & pl->handled))
			continue;
		if (rights[i].ro)
			pl->ro |= rights[i].bit;
		if (rights[i].file)
			pl->file_rights |= rights[i].bit;
	}
	return 0;
}

/* One rule: `path` inside the new root, with `access` (less the directory-only rights when
 * it is not a directory: the kernel refuses those on a file). */
static int add_rule(int ruleset, const struct landlock_plan *pl, const char *option,
		    const char *path, uint64_t access, struct err *e)
{
	struct landlock_path_beneath_attr attr = { .allowed_access = access };
	struct stat st;
	int fd = open(path, O_PATH | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return err_set(e, errno, "%s %s", option, path);
	if (fstat(fd, &st) < 0)
		rc = err_set(e, errno, "%s %s", option, path);
	if (rc == 0 && !S_ISDIR(st.st_mode))
		attr.allowed_access &= pl->file_rights;
	attr.parent_fd = fd;
	if (rc == 0 &&
	    syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &attr, 0) < 0)
		rc = err_set(e, errno, "%s %s: adding the Landlock rule", option, path);
	close(fd);
	return rc;
}

int landlock_apply(const struct sandbox_spec *s, const struct landlock_plan *pl, struct err *e)
{
	struct landlock_ruleset_attr attr = { .handled_access_fs = pl->handled };
	int ruleset, rc = 0;

	if (!pl->on)
		return 0;
	ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (ruleset < 0)
		return err_set(e, errno, "--landlock: creating the ruleset");
	for (size_t i = 0; rc == 0 && i < s->n_landlock_ro; i++)
		rc = add_rule(ruleset, pl, "--landlock-ro", s->landlock_ro[i], pl->ro, e);
	for (size_t i = 0; rc == 0 && i < s->n_landlock_rw; i++)
		rc = add_rule(ruleset, pl, "--landlock-rw", s->landlock_rw[i], pl->rw, e);
	if (rc == 0 && syscall(SYS_landlock_restrict_self, ruleset, 0) < 0)
		rc = err_set(e, errno, "--landlock: restricting the sandbox");
	close(ruleset);
	return rc;
}
