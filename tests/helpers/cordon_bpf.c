/* Writes a compiled classic-BPF seccomp program to stdout, for --seccomp / --add-seccomp-fd
 * tests: `cordon_bpf SYSCALL ERRNO` makes SYSCALL (uname|getcwd|mkdir|chdir) fail with ERRNO
 * (a number) and allows everything else; `cordon_bpf kill-all` kills on any syscall (for a
 * filter that must never be installed), `cordon_bpf garbage` writes an invalid program.
 * Hand-assembled because helpers link only libc (the Makefile builds them without
 * libseccomp); the project itself uses libseccomp. x86_64 only, checked at run time. */
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static long syscall_nr(const char *name)
{
	static const struct {
		const char *name;
		long nr;
	} table[] = {
		{ "uname", SYS_uname },
		{ "getcwd", SYS_getcwd },
		{ "mkdir", SYS_mkdir },
		{ "chdir", SYS_chdir },
	};
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp(table[i].name, name) == 0)
			return table[i].nr;
	return -1;
}

static int emit(const struct sock_filter *f, size_t n)
{
	return fwrite(f, sizeof(*f), n, stdout) == n && fflush(stdout) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
#if !defined(__x86_64__)
	fprintf(stderr, "cordon_bpf: x86_64 only\n");
	return 77;
#else
	if (argc == 2 && strcmp(argv[1], "garbage") == 0)
		return fwrite("not a bpf program", 1, 17, stdout) == 17 ? 0 : 1;
	if (argc == 2 && strcmp(argv[1], "kill-all") == 0) {
		struct sock_filter f[] = { BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS) };
		return emit(f, 1);
	}
	if (argc != 3) {
		fprintf(stderr, "usage: cordon_bpf SYSCALL ERRNO | kill-all | garbage\n");
		return 2;
	}
	long nr = syscall_nr(argv[1]);
	int err = atoi(argv[2]);
	if (nr < 0 || err <= 0 || err > 4095) {
		fprintf(stderr, "cordon_bpf: bad syscall or errno\n");
		return 2;
	}
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nr, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ((unsigned)err & SECCOMP_RET_DATA)),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	return emit(f, sizeof(f) / sizeof(f[0]));
#endif
}
