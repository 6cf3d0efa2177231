/* System call filters for the sandboxed command.
 *
 * Built in the parent: cordon's own filter (made with libseccomp: TIOCSTI/TIOCLINUX blocked,
 * also with --new-session; --deny-syscall names failing with EPERM), then the compiled BPF programs
 * read from --seccomp / --add-seccomp-fd, in that order. sysfilter_install() is safe after fork
 * and needs no_new_privs (always set) or CAP_SYS_ADMIN. */
#ifndef LAUNCHER_SYSFILTER_H
#define LAUNCHER_SYSFILTER_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>

#include "spec.h"

struct sysfilter_progs {
	struct sock_fprog *progs;
	size_t n;
};

/* cordon's own filter: block_tty: fail ioctl(TIOCSTI) and ioctl(TIOCLINUX) with EPERM,
 * comparing only the low 32 bits of the request as the kernel does; deny: syscall names that
 * fail with EPERM. out->filter is malloc'd. */
int sysfilter_build(bool block_tty, char *const *deny, size_t n_deny, struct sock_fprog *out,
		    struct err *e);
/* Read a compiled BPF program from fd (to EOF). option/fd name it in errors. */
int sysfilter_read_program(const char *option, int fd, struct sock_fprog *out, struct err *e);
/* Every program the spec asks for, in install order. */
int sysfilter_prepare(const struct sandbox_spec *s, struct sysfilter_progs *out, struct err *e);
void sysfilter_progs_free(struct sysfilter_progs *p);

/* Install the programs (PR_SET_SECCOMP) in order; safe after fork. */
int sysfilter_install(const struct sysfilter_progs *p, struct err *e);

#endif
