/* Syscall injection into a ptrace-stopped process (x86_64), and the hijack built on it: fork a
 * copy of a running process from the outside, restore the process exactly, and turn the copy
 * into a command that keeps every permission the process has (credentials, capabilities,
 * seccomp filter, no_new_privs, namespaces, cgroup, rlimits, root, cwd, LSM label).
 *
 * Usable standalone (cordon-enter: inject seizes, interrupts and detaches every thread itself)
 * and by a tracer that already owns the target (forktop: a process has only one tracer). In the
 * second case the caller passes INJECT_CALLER_TRACED and a wait callback, because its
 * waitpid(-1) loop owns every wait: inject never calls waitpid() itself when a callback is set.
 *
 * How a syscall is injected: the thread's registers are saved at its interrupt-stop, rip is
 * pointed at an existing `syscall` instruction (the one at rip-2 when the thread was in a
 * syscall, else one found in an executable mapping: no code is ever written), the thread is
 * run to the syscall-entry and then the syscall-exit stop. On release, a syscall the interrupt
 * cut short (-ERESTARTSYS, -ERESTARTNOINTR, -ERESTARTNOHAND, -ERESTART_RESTARTBLOCK) is
 * restarted the way the kernel would (rip -= 2; rax = the syscall number or
 * __NR_restart_syscall), so the process never sees those codes.
 *
 * Inside a tracer (forktop's `s` key): interrupt the chosen thread and wait, in the tracer's
 * own loop, for its PTRACE_EVENT_STOP; in that stop add PTRACE_O_TRACESYSGOOD to its options
 * (see INJECT_CALLER_TRACED), then call inject_hijack(pid, INJECT_CALLER_TRACED, &ops, &req
 * with req.tid = that thread, ...). ops.wait must hand inject the statuses of the tasks it
 * asks for: the target's thread, an intermediate copy and the command (both auto-attached
 * children, reported through the tracer's options), queueing everything else. On return the
 * target's thread sits in a syscall-exit-stop with its registers restored and the command in
 * the syscall-exit-stop of its execve: the tracer resumes both (PTRACE_CONT) and traces the
 * command like any other task; the intermediate copy has been detached and is gone.
 *
 * Not thread-safe; every call must come from the thread that traces the target. Nothing here is
 * safe after fork. */
#ifndef FORKTOP_INJECT_H
#define FORKTOP_INJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

#include "../common/err.h"

/* Block until task tid reports its next waitpid(__WALL) status and store it in *status.
 * Return 0, or -1 with e filled. The tracer's loop must queue statuses of other tasks. */
typedef int (*inject_wait_fn)(void *ctx, pid_t tid, int *status, struct err *e);

struct inject_ops {
	inject_wait_fn wait; /* NULL: waitpid(tid, __WALL), retried on EINTR */
	void *ctx;
};

enum {
	/* The caller traces the target and its thread `tid` sits in an interrupt-stop
	 * (PTRACE_EVENT_STOP after PTRACE_INTERRUPT); the caller stops other threads if it wants
	 * them stopped. inject neither seizes, interrupts nor detaches. The caller's ptrace
	 * options on that thread must include PTRACE_O_TRACESYSGOOD: inject tells a
	 * syscall-entry stop from a syscall-exit stop by PTRACE_GET_SYSCALL_INFO, which reports
	 * neither (PTRACE_SYSCALL_INFO_NONE) on a thread traced without it, so the injection
	 * would never see its syscall finish. forktop sets it with PTRACE_SETOPTIONS in that
	 * interrupt-stop, before calling inject_hijack (tracer.c, shell_hijack). The hijack also
	 * needs PTRACE_O_TRACECLONE and PTRACE_O_TRACEFORK: its two injected clones are
	 * auto-attached through them, and inherit all three options. */
	INJECT_CALLER_TRACED = 1 << 0,
	/* Hijack even when the seccomp filter cannot be read (unprivileged): the injected clone
	 * and wait4 may then get the process killed. */
	INJECT_FORCE_SECCOMP = 1 << 1,
};

/* One traced thread injected through. */
struct inject_thread {
	pid_t pid;	/* thread group id (tracer's pid namespace) */
	pid_t tid;	/* thread the syscalls run in */
	unsigned flags; /* INJECT_* */
	struct inject_ops ops;
	bool own;		       /* we seized it: release() detaches */
	struct user_regs_struct saved; /* registers at the interrupt-stop */
	uint64_t saved_mask;	       /* signal mask at the interrupt-stop */
	unsigned long sysaddr;	       /* address of a `syscall` instruction in the target */
	bool armed;		       /* saved/saved_mask must be put back by release() */
	bool restart;  /* saved regs carried a restart code that release() converted */
	pid_t *others; /* further threads we seized and stopped (standalone) */
	size_t nothers;
};

/* Stop thread group pid (all its threads, unless INJECT_CALLER_TRACED: then only `tid`, which
 * the caller has already stopped) and prepare to inject into tid (0: pid's leader, or any live
 * thread if the leader is gone). */
int inject_attach(struct inject_thread *t, pid_t pid, pid_t tid, unsigned flags,
		  const struct inject_ops *ops, struct err *e);
/* Run syscall nr(args) in the target; *ret gets the raw return value (-errno on failure).
 * *child gets the tracer-side pid of a task a clone/fork created (0 if none). */
int inject_syscall(struct inject_thread *t, long nr, const unsigned long args[6], long *ret,
		   pid_t *child, struct err *e);
/* Restore the registers (with the restart conversion) and the signal mask; detach every thread
 * we seized. With INJECT_CALLER_TRACED the thread stays stopped in a syscall-exit-stop; the
 * caller resumes it with PTRACE_CONT. */
int inject_release(struct inject_thread *t, struct err *e);
/* Copy len bytes into the target's memory at addr (process_vm_writev, else PTRACE_POKEDATA). */
int inject_write_mem(pid_t tid, unsigned long addr, const void *buf, size_t len, struct err *e);
int inject_read_mem(pid_t tid, unsigned long addr, void *buf, size_t len, struct err *e);

/* The restart conversion, on a register set taken at an interrupt-stop: returns true and
 * rewrites *r when it carried a restart code. Pure; exposed for unit tests. */
bool inject_fixup_restart(struct user_regs_struct *r);

/* --- seccomp --------------------------------------------------------------------------- */

/* Outcome of the target's seccomp filters for one syscall, strongest action first. */
enum inject_verdict {
	INJV_ALLOW,
	INJV_ERRNO, /* fails with an errno: harmless, but the hijack cannot work */
	INJV_BLOCK, /* trace / user-notify / log-less actions that stop or divert it */
	INJV_KILL,  /* kill process, kill thread or SIGSYS */
};

struct inject_bpf {
	void *insns; /* struct sock_filter[n] */
	size_t n;
};

/* Run one classic-BPF seccomp program on (nr, args) for x86_64 at instruction pointer ip;
 * returns the SECCOMP_RET_* value. Pure; exposed for unit tests. */
uint32_t inject_bpf_run(const struct inject_bpf *prog, long nr, const unsigned long args[6],
			unsigned long ip);
/* Strongest verdict of several SECCOMP_RET_* values (kernel precedence). */
enum inject_verdict inject_verdict_of(uint32_t ret);
const char *inject_verdict_name(enum inject_verdict v);

/* --- hijack ---------------------------------------------------------------------------- */

struct hijack_req {
	pid_t tid;		  /* INJECT_CALLER_TRACED: the thread the caller stopped;
				   * 0: the leader (or any live thread) */
	const char *const *paths; /* candidate executables inside the target, NULL-terminated;
				   * the first that execve accepts is used */
	char *const *argv;	  /* argv[0] passed as is; NULL: { chosen path } */
	char *const *envp;
	int fds[3]; /* our fds to become the command's 0, 1, 2 */
	bool ctty;  /* setsid and make fd 0 (a terminal) the controlling tty */
};

struct hijack_result {
	pid_t child;	  /* the command (tracer's pid ns), still traced by us, stopped
				   * at the syscall-exit-stop of its successful execve */
	int pidfd;	  /* pidfd of child (caller closes) */
	const char *path; /* which of req->paths it runs */
	double pause_ms;  /* how long the target was stopped */
};

/* Fork thread group pid from the outside and exec req's command in the copy (see top of file).
 * Refuses before touching the target when its seccomp filter would reject (or kill on) any
 * syscall the hijack injects, or when the filter cannot be read (unless
 * INJECT_FORCE_SECCOMP). ops/flags as for inject_attach(). On success the caller owns
 * res->child: resume it (PTRACE_CONT) and wait for it, or kill it. */
int inject_hijack(pid_t pid, unsigned flags, const struct inject_ops *ops,
		  const struct hijack_req *req, struct hijack_result *res, struct err *e);

#endif
