#include "sysfilter.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/fdio.h"

static void seccomp_ctx_releasep(scmp_filter_ctx *ctx)
{
	if (*ctx)
		seccomp_release(*ctx);
}

/* A 32-bit process on a 64-bit kernel reaches the same ioctl through another syscall table;
 * each ABI the kernel runs gets the same rules (an unknown ABI is killed by libseccomp's
 * default bad-arch action). */
static int add_secondary_arches(scmp_filter_ctx ctx, struct err *e)
{
	static const uint32_t pairs[][2] = {
		{ SCMP_ARCH_X86_64, SCMP_ARCH_X86 },
		{ SCMP_ARCH_X86_64, SCMP_ARCH_X32 },
		{ SCMP_ARCH_AARCH64, SCMP_ARCH_ARM },
	};
	uint32_t native = seccomp_arch_native();

	for (size_t i = 0; i < ARRAY_SIZE(pairs); i++) {
		int rc;

		if (pairs[i][0] != native)
			continue;
		rc = seccomp_arch_add(ctx, pairs[i][1]);
		if (rc < 0 && rc != -EEXIST)
			return err_set(e, -rc, "seccomp: adding a secondary architecture");
	}
	return 0;
}

static int add_tty_rules(scmp_filter_ctx ctx, struct err *e)
{
	static const unsigned long reqs[] = { TIOCSTI, TIOCLINUX };

	for (size_t i = 0; i < ARRAY_SIZE(reqs); i++) {
		/* the kernel takes the request as an unsigned int: a 64-bit value with high
		 * bits set must match too, so compare the low 32 bits only */
		int rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
					  SCMP_A1(SCMP_CMP_MASKED_EQ, 0xFFFFFFFFu, reqs[i]));
		if (rc < 0)
			return err_set(e, -rc, "seccomp: adding the TIOCSTI/TIOCLINUX rule");
	}
	return 0;
}

static int add_deny_rules(scmp_filter_ctx ctx, char *const *deny, size_t n, struct err *e)
{
	for (size_t i = 0; i < n; i++) {
		int nr = seccomp_syscall_resolve_name(deny[i]);
		int rc;

		if (nr == __NR_SCMP_ERROR)
			return err_setx(e, "--deny-syscall %s: unknown system call", deny[i]);
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
		if (rc < 0)
			return err_set(e, -rc, "--deny-syscall %s", deny[i]);
	}
	return 0;
}

static int export_ctx(scmp_filter_ctx ctx, struct sock_fprog *out, struct err *e)
{
	_cleanup_close_ int fd = memfd_create("cordon-seccomp", MFD_CLOEXEC);
	char *data = NULL;
	size_t len = 0;
	int rc;

	if (fd < 0)
		return err_set(e, errno, "seccomp: memfd_create");
	rc = seccomp_export_bpf(ctx, fd);
	if (rc < 0)
		return err_set(e, -rc, "seccomp: exporting the filter");
	if (lseek(fd, 0, SEEK_SET) < 0)
		return err_set(e, errno, "seccomp: lseek");
	rc = fd_read_all(fd, (size_t)1 << 25, &data, &len);
	if (rc < 0)
		return err_set(e, -rc, "seccomp: reading the exported filter");
	if (len == 0 || len % sizeof(struct sock_filter) != 0) {
		free(data);
		return err_setx(e, "seccomp: libseccomp exported a malformed filter");
	}
	out->filter = (struct sock_filter *)(void *)data;
	out->len = (unsigned short)(len / sizeof(struct sock_filter));
	return 0;
}

int sysfilter_build(bool block_tty, char *const *deny, size_t n_deny, struct sock_fprog *out,
		    struct err *e)
{
	_cleanup_(seccomp_ctx_releasep) scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);

	if (!ctx)
		return err_setx(e, "seccomp: cannot initialise a filter");
	/* cordon sets no_new_privs itself, at a point it chooses */
	if (seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0) < 0)
		return err_setx(e, "seccomp: cannot configure the filter");
	if (add_secondary_arches(ctx, e) < 0)
		return -1;
	if (block_tty && add_tty_rules(ctx, e) < 0)
		return -1;
	if (add_deny_rules(ctx, deny, n_deny, e) < 0)
		return -1;
	return export_ctx(ctx, out, e);
}

int sysfilter_read_program(const char *option, int fd, struct sock_fprog *out, struct err *e)
{
	char *data = NULL;
	size_t len = 0;
	int rc = fd_read_all(fd, (size_t)1 << 25, &data, &len);

	if (rc < 0)
		return err_set(e, -rc, "%s %d", option, fd);
	if (len == 0 || len % sizeof(struct sock_filter) != 0) {
		free(data);
		return err_setx(e,
				"%s %d: not a compiled BPF program (%zu bytes, not a non-zero "
				"multiple of %zu)",
				option, fd, len, sizeof(struct sock_filter));
	}
	if (len / sizeof(struct sock_filter) > BPF_MAXINSNS) {
		free(data);
		return err_setx(e, "%s %d: BPF program too long (%zu instructions, at most %d)",
				option, fd, len / sizeof(struct sock_filter), BPF_MAXINSNS);
	}
	out->filter = (struct sock_filter *)(void *)data;
	out->len = (unsigned short)(len / sizeof(struct sock_filter));
	return 0;
}

int sysfilter_prepare(const struct sandbox_spec *s, struct sysfilter_progs *out, struct err *e)
{
	size_t max = 2 + s->n_add_seccomp_fds;
	struct sysfilter_progs p = { calloc(max, sizeof(*p.progs)), 0 };
	/* always: --new-session's setsid alone leaves a sandbox with CAP_SYS_ADMIN (root without
	 * a user namespace) able to push keys into the caller's terminal */
	bool block_tty = true;

	if (!p.progs)
		return err_set(e, ENOMEM, "out of memory");
	if (block_tty) {
		if (sysfilter_build(block_tty, s->syscall_deny, s->n_syscall_deny, &p.progs[p.n],
				    e) < 0)
			goto fail;
		p.n++;
	}
	if (s->seccomp_fd >= 0) {
		if (sysfilter_read_program("--seccomp", s->seccomp_fd, &p.progs[p.n], e) < 0)
			goto fail;
		p.n++;
	}
	for (size_t i = 0; i < s->n_add_seccomp_fds; i++) {
		if (sysfilter_read_program("--add-seccomp-fd", s->add_seccomp_fds[i], &p.progs[p.n],
					   e) < 0)
			goto fail;
		p.n++;
	}
	*out = p;
	return 0;
fail:
	sysfilter_progs_free(&p);
	return -1;
}

void sysfilter_progs_free(struct sysfilter_progs *p)
{
	for (size_t i = 0; p->progs && i < p->n; i++)
		free(p->progs[i].filter);
	free(p->progs);
	p->progs = NULL;
	p->n = 0;
}

int sysfilter_install(const struct sysfilter_progs *p, struct err *e)
{
	for (size_t i = 0; i < p->n; i++) {
		if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &p->progs[i], 0, 0) < 0) {
			if (errno == EINVAL)
				return err_setx(e,
						"seccomp: the kernel rejected filter %zu (invalid "
						"BPF program, or no CONFIG_SECCOMP_FILTER)",
						i + 1);
			return err_set(e, errno, "seccomp: installing filter %zu", i + 1);
		}
	}
	return 0;
}
