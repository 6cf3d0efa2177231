/* Writes a compiled seccomp BPF program to stdout, for --seccomp / --add-seccomp-fd tests:
 * `cordon_bpf SYSCALL ERRNO` makes SYSCALL fail with ERRNO (a number) and allows everything
 * else; `cordon_bpf kill-all` kills on any syscall (for a filter that must never be installed);
 * `cordon_bpf garbage` writes something that is not a program. Built with libseccomp. */
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int export(scmp_filter_ctx ctx)
{
	int rc = ctx ? seccomp_export_bpf(ctx, STDOUT_FILENO) : -1;
	if (rc < 0)
		fprintf(stderr, "cordon_bpf: cannot build the filter\n");
	seccomp_release(ctx);
	return rc < 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "garbage") == 0)
		return fwrite("not a bpf program", 1, 17, stdout) == 17 ? 0 : 1;
	if (argc == 2 && strcmp(argv[1], "kill-all") == 0)
		return export(seccomp_init(SCMP_ACT_KILL_PROCESS));
	if (argc != 3) {
		fprintf(stderr, "usage: cordon_bpf SYSCALL ERRNO | kill-all | garbage\n");
		return 2;
	}
	int nr = seccomp_syscall_resolve_name(argv[1]);
	int err = atoi(argv[2]);
	if (nr == __NR_SCMP_ERROR || err <= 0 || err > 4095) {
		fprintf(stderr, "cordon_bpf: bad syscall or errno\n");
		return 2;
	}
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (ctx && seccomp_rule_add(ctx, SCMP_ACT_ERRNO((unsigned)err), nr, 0) < 0) {
		seccomp_release(ctx);
		ctx = NULL;
	}
	return export(ctx);
}
