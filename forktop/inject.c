#include "inject.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "../common/cleanup.h"

#define ERESTARTSYS_ 512
#define ERESTARTNOINTR_ 513
#define ERESTARTNOHAND_ 514
#define ERESTART_RESTARTBLOCK_ 516

/* Options inject needs on a target it seizes itself: clone/fork children are auto-attached
 * (the hijack drives them), exec is reported, syscall stops are marked. */
#define INJECT_SEIZE_OPTS                                                                          \
	(PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK | PTRACE_O_TRACEEXEC | PTRACE_O_TRACESYSGOOD)

/* --- waiting --------------------------------------------------------------------------- */

static int wait_status(const struct inject_thread *t, pid_t tid, int *status, struct err *e)
{
	if (t->ops.wait)
		return t->ops.wait(t->ops.ctx, tid, status, e);
	for (;;) {
		pid_t r = waitpid(tid, status, __WALL);
		if (r == tid)
			return 0;
		if (r < 0 && errno != EINTR)
			return err_set(e, errno, "waitpid %d", (int)tid);
	}
}

/* Wait for tid's next stop; its death is an error that says how it died. */
static int wait_stop(const struct inject_thread *t, pid_t tid, int *status, struct err *e)
{
	if (wait_status(t, tid, status, e) < 0)
		return -1;
	if (WIFEXITED(*status))
		return err_setx(e, "process %d exited with status %d during injection", (int)tid,
				WEXITSTATUS(*status));
	if (WIFSIGNALED(*status))
		return err_setx(e, "process %d was killed by signal %d (%s) during injection",
				(int)tid, WTERMSIG(*status), strsignal(WTERMSIG(*status)));
	return 0;
}

/* PTRACE_SYSCALL_INFO_ENTRY or _EXIT when status is a syscall stop of tid, else 0. */
static int syscall_stop_op(pid_t tid, int status)
{
	struct __ptrace_syscall_info info;
	if (!WIFSTOPPED(status) || (status >> 16) != 0)
		return 0;
	if (WSTOPSIG(status) != (SIGTRAP | 0x80) && WSTOPSIG(status) != SIGTRAP)
		return 0;
	/* the thread has PTRACE_O_TRACESYSGOOD (inject sets it, forktop too): only then does
	 * PTRACE_GET_SYSCALL_INFO report entry/exit; a real SIGTRAP reads as NONE below */
	memset(&info, 0, sizeof(info));
	if (ptrace(PTRACE_GET_SYSCALL_INFO, tid, sizeof(info), &info) <= 0)
		return 0;
	if (info.op == PTRACE_SYSCALL_INFO_ENTRY || info.op == PTRACE_SYSCALL_INFO_EXIT)
		return info.op;
	return 0;
}

/* A numeric field of /proc/PID/status ("Name:\tvalue"), in base; false when absent. */
static bool status_value(pid_t pid, const char *name, int base, unsigned long long *v)
{
	char path[64], line[256];
	size_t len = strlen(name);
	bool found = false;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "re");
	while (f && !found && fgets(line, sizeof(line), f)) {
		char *end;
		if (strncmp(line, name, len) != 0 || line[len] != ':')
			continue;
		*v = strtoull(line + len + 1, &end, base);
		found = end != line + len + 1;
	}
	if (f)
		fclose(f);
	return found;
}

/* --- memory ---------------------------------------------------------------------------- */

static int poke_mem(pid_t tid, unsigned long addr, const unsigned char *buf, size_t len,
		    struct err *e)
{
	for (size_t off = 0; off < len; off += sizeof(long)) {
		unsigned long word = 0;
		size_t n = len - off < sizeof(long) ? len - off : sizeof(long);
		if (n < sizeof(long)) {
			errno = 0;
			word = (unsigned long)ptrace(PTRACE_PEEKDATA, tid, addr + off, NULL);
			if (errno)
				return err_set(e, errno, "peek %d at %#lx", (int)tid, addr + off);
		}
		memcpy(&word, buf + off, n);
		if (ptrace(PTRACE_POKEDATA, tid, addr + off, (void *)word) < 0)
			return err_set(e, errno, "poke %d at %#lx", (int)tid, addr + off);
	}
	return 0;
}

int inject_write_mem(pid_t tid, unsigned long addr, const void *buf, size_t len, struct err *e)
{
	struct iovec local = { .iov_base = (void *)(uintptr_t)buf, .iov_len = len };
	struct iovec remote = { .iov_base = (void *)addr, .iov_len = len };
	if (process_vm_writev(tid, &local, 1, &remote, 1, 0) == (ssize_t)len)
		return 0;
	return poke_mem(tid, addr, buf, len, e);
}

int inject_read_mem(pid_t tid, unsigned long addr, void *buf, size_t len, struct err *e)
{
	struct iovec local = { .iov_base = buf, .iov_len = len };
	struct iovec remote = { .iov_base = (void *)addr, .iov_len = len };
	unsigned char *out = buf;
	if (process_vm_readv(tid, &local, 1, &remote, 1, 0) == (ssize_t)len)
		return 0;
	for (size_t off = 0; off < len; off += sizeof(long)) {
		size_t n = len - off < sizeof(long) ? len - off : sizeof(long);
		long word;
		errno = 0;
		word = ptrace(PTRACE_PEEKDATA, tid, addr + off, NULL);
		if (errno)
			return err_set(e, errno, "peek %d at %#lx", (int)tid, addr + off);
		memcpy(out + off, &word, n);
	}
	return 0;
}

/* --- finding a syscall instruction ----------------------------------------------------- */

/* Search one readable mapping [lo, hi) of pid for the bytes 0f 05 through /proc/PID/mem. */
static unsigned long scan_mapping(int memfd, unsigned long lo, unsigned long hi)
{
	unsigned char buf[4096 + 1];
	unsigned char prev = 0;
	for (unsigned long a = lo; a < hi; a += 4096) {
		size_t want = hi - a < 4096 ? hi - a : 4096;
		ssize_t n = pread(memfd, buf, want, (off_t)a);
		if (n <= 0)
			return 0;
		if (a != lo && prev == 0x0f && buf[0] == 0x05)
			return a - 1;
		for (ssize_t i = 0; i + 1 < n; i++)
			if (buf[i] == 0x0f && buf[i + 1] == 0x05)
				return a + (unsigned long)i;
		prev = buf[n - 1];
	}
	return 0;
}

/* An existing `syscall` instruction in an executable mapping of pid: the vdso first (present
 * in every process), then any r-x file mapping. Nothing is written: no thread can trip over
 * modified code. */
static int find_syscall_insn(pid_t pid, unsigned long *addr, struct err *e)
{
	char path[64], line[512];
	unsigned long best = 0;
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	_cleanup_fclose_ FILE *maps = fopen(path, "re");
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	_cleanup_close_ int memfd = open(path, O_RDONLY | O_CLOEXEC);
	if (!maps || memfd < 0)
		return err_set(e, errno, "process %d: %s", (int)pid, path);
	for (int pass = 0; pass < 2 && !best; pass++) {
		rewind(maps);
		while (!best && fgets(line, sizeof(line), maps)) {
			unsigned long lo, hi;
			char perms[4];
			bool vdso = strstr(line, "[vdso]") != NULL;
			char *p = line;
			lo = strtoul(p, &p, 16);
			hi = *p == '-' ? strtoul(p + 1, &p, 16) : 0;
			if (!hi || strlen(p) < 5)
				continue;
			memcpy(perms, p + 1, 4);
			if (perms[0] != 'r' || perms[2] != 'x' || vdso != (pass == 0))
				continue;
			best = scan_mapping(memfd, lo, hi);
		}
	}
	if (!best)
		return err_setx(e, "process %d: no syscall instruction in any executable mapping",
				(int)pid);
	*addr = best;
	return 0;
}

/* --- attaching ------------------------------------------------------------------------- */

static int list_threads(pid_t pid, pid_t *out, size_t max, size_t *n, struct err *e)
{
	char path[64];
	struct dirent *d;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	DIR *dir = opendir(path);
	if (!dir)
		return err_set(e, errno == ENOENT ? ESRCH : errno, "process %d", (int)pid);
	*n = 0;
	while ((d = readdir(dir))) {
		long tid = strtol(d->d_name, NULL, 10);
		if (tid <= 0)
			continue;
		if (*n < max)
			out[*n] = (pid_t)tid;
		(*n)++;
	}
	closedir(dir);
	return 0;
}

static bool in_list(const pid_t *l, size_t n, pid_t x)
{
	for (size_t i = 0; i < n; i++)
		if (l[i] == x)
			return true;
	return false;
}

/* Wait for tid's interrupt-stop after PTRACE_INTERRUPT, letting signals through. */
static int wait_interrupt_stop(const struct inject_thread *t, pid_t tid, struct err *e)
{
	int status;
	for (;;) {
		if (wait_stop(t, tid, &status, e) < 0)
			return -1;
		if ((status >> 16) == PTRACE_EVENT_STOP) {
			int sig = WSTOPSIG(status);
			if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU)
				return err_setx(e,
						"process %d is stopped (job control); send it "
						"SIGCONT first",
						(int)t->pid);
			return 0;
		}
		/* a signal arrived first: deliver it, the interrupt stays pending */
		int sig = (status >> 16) == 0 ? WSTOPSIG(status) : 0;
		if (ptrace(PTRACE_CONT, tid, NULL, (void *)(long)sig) < 0)
			return err_set(e, errno, "ptrace cont %d", (int)tid);
	}
}

static pid_t tracer_of(pid_t pid)
{
	unsigned long long v = 0;
	return status_value(pid, "TracerPid", 10, &v) ? (pid_t)v : 0;
}

static int seize_stop(struct inject_thread *t, pid_t tid, unsigned long opts, struct err *e)
{
	if (ptrace(PTRACE_SEIZE, tid, NULL, (void *)opts) < 0) {
		pid_t tracer = errno == EPERM ? tracer_of(t->pid) : 0;
		if (tracer > 0)
			return err_set(e, EPERM, "process %d: already traced by process %d",
				       (int)t->pid, (int)tracer);
		if (errno == EPERM)
			return err_set(e, errno,
				       "process %d: ptrace (not the same user, or no "
				       "CAP_SYS_PTRACE over it)",
				       (int)t->pid);
		return err_set(e, errno, "process %d: ptrace seize thread %d", (int)t->pid,
			       (int)tid);
	}
	if (ptrace(PTRACE_INTERRUPT, tid, NULL, NULL) < 0)
		return err_set(e, errno, "ptrace interrupt %d", (int)tid);
	return wait_interrupt_stop(t, tid, e);
}

static void detach_others(struct inject_thread *t)
{
	for (size_t i = 0; i < t->nothers; i++)
		ptrace(PTRACE_DETACH, t->others[i], NULL, NULL);
	free(t->others);
	t->others = NULL;
	t->nothers = 0;
}

/* Seize and stop every thread of t->pid: t->tid with the injection options, the others plain.
 * Repeats until no new thread appeared meanwhile. */
static int stop_all_threads(struct inject_thread *t, struct err *e)
{
	pid_t list[1024];
	size_t n = 0;
	bool again = true;
	if (seize_stop(t, t->tid, INJECT_SEIZE_OPTS, e) < 0)
		return -1;
	t->own = true;
	while (again) {
		again = false;
		if (list_threads(t->pid, list, ARRAY_SIZE(list), &n, e) < 0)
			return -1;
		if (n > ARRAY_SIZE(list))
			return err_setx(e, "process %d: more than %zu threads", (int)t->pid,
					ARRAY_SIZE(list));
		for (size_t i = 0; i < n; i++) {
			if (list[i] == t->tid || in_list(t->others, t->nothers, list[i]))
				continue;
			pid_t *o = realloc(t->others, (t->nothers + 1) * sizeof(*o));
			if (!o)
				return err_set(e, ENOMEM, "threads");
			t->others = o;
			if (seize_stop(t, list[i], 0, e) < 0) {
				if (e->code == ESRCH)
					continue; /* the thread exited meanwhile */
				return -1;
			}
			t->others[t->nothers++] = list[i];
			again = true;
		}
	}
	return 0;
}

/* The thread to inject through: the leader unless it is a zombie (exited with live threads). */
static pid_t pick_thread(pid_t pid)
{
	char path[64], state = 0;
	pid_t list[64];
	size_t n = 0;
	struct err e;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	char line[512] = "";
	FILE *f = fopen(path, "re");
	if (f) {
		if (fgets(line, sizeof(line), f)) {
			/* "pid (comm) S ...": comm may hold anything, the state follows the last ')' */
			const char *paren = strrchr(line, ')');
			state = paren && paren[1] == ' ' ? paren[2] : 0;
		}
		fclose(f);
	}
	if (state && state != 'Z')
		return pid;
	if (list_threads(pid, list, ARRAY_SIZE(list), &n, &e) < 0)
		return pid;
	for (size_t i = 0; i < n && i < ARRAY_SIZE(list); i++)
		if (list[i] != pid)
			return list[i];
	return pid;
}

static int save_state(struct inject_thread *t, struct err *e)
{
	uint64_t all = ~0ULL;
	unsigned char code[2];
	if (ptrace(PTRACE_GETREGS, t->tid, NULL, &t->saved) < 0)
		return err_set(e, errno, "ptrace getregs %d", (int)t->tid);
	if (ptrace(PTRACE_GETSIGMASK, t->tid, sizeof(t->saved_mask), &t->saved_mask) < 0)
		return err_set(e, errno, "ptrace getsigmask %d", (int)t->tid);
	/* in a syscall: reuse the instruction it entered by */
	t->sysaddr = 0;
	if ((long)t->saved.orig_rax >= 0 &&
	    inject_read_mem(t->tid, t->saved.rip - 2, code, 2, e) == 0 && code[0] == 0x0f &&
	    code[1] == 0x05)
		t->sysaddr = t->saved.rip - 2;
	if (!t->sysaddr && find_syscall_insn(t->pid, &t->sysaddr, e) < 0)
		return -1;
	/* no signal handler may run in the middle of the injected syscalls */
	if (ptrace(PTRACE_SETSIGMASK, t->tid, sizeof(all), &all) < 0)
		return err_set(e, errno, "ptrace setsigmask %d", (int)t->tid);
	t->armed = true;
	return 0;
}

int inject_attach(struct inject_thread *t, pid_t pid, pid_t tid, unsigned flags,
		  const struct inject_ops *ops, struct err *e)
{
	memset(t, 0, sizeof(*t));
	t->pid = pid;
	t->tid = tid > 0 ? tid : pick_thread(pid);
	t->flags = flags;
	if (ops)
		t->ops = *ops;
	if (!(flags & INJECT_CALLER_TRACED) && stop_all_threads(t, e) < 0) {
		struct err ignored;
		inject_release(t, &ignored);
		return -1;
	}
	if (save_state(t, e) < 0) {
		if (t->own) {
			ptrace(PTRACE_DETACH, t->tid, NULL, NULL);
			detach_others(t);
			t->own = false;
		}
		return -1;
	}
	return 0;
}

/* --- injecting ------------------------------------------------------------------------- */

static int syscall_resume(pid_t tid, struct err *e)
{
	if (ptrace(PTRACE_SYSCALL, tid, NULL, NULL) < 0)
		return err_set(e, errno, "ptrace syscall %d", (int)tid);
	return 0;
}

/* After a clone-type event: the new task's first stop, then its tracer-side pid. */
static int take_child(struct inject_thread *t, pid_t *child, struct err *e)
{
	unsigned long msg = 0;
	int status;
	if (ptrace(PTRACE_GETEVENTMSG, t->tid, NULL, &msg) < 0)
		return err_set(e, errno, "ptrace geteventmsg %d", (int)t->tid);
	if (wait_stop(t, (pid_t)msg, &status, e) < 0)
		return -1;
	if (child)
		*child = (pid_t)msg;
	return 0;
}

static bool is_fault(int sig)
{
	return sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE;
}

int inject_syscall(struct inject_thread *t, long nr, const unsigned long args[6], long *ret,
		   pid_t *child, struct err *e)
{
	struct user_regs_struct r = t->saved;
	int status;
	bool entered = false;
	if (child)
		*child = 0;
	r.rip = t->sysaddr;
	r.rax = (unsigned long)nr;
	r.orig_rax = (unsigned long)-1; /* no restart processing of the stop we leave */
	r.rdi = args[0], r.rsi = args[1], r.rdx = args[2];
	r.r10 = args[3], r.r8 = args[4], r.r9 = args[5];
	if (ptrace(PTRACE_SETREGS, t->tid, NULL, &r) < 0)
		return err_set(e, errno, "ptrace setregs %d", (int)t->tid);
	for (;;) {
		if (syscall_resume(t->tid, e) < 0 || wait_stop(t, t->tid, &status, e) < 0)
			return err_prefix(e, "syscall %ld in process %d", nr, (int)t->pid);
		int ev = status >> 16;
		if (ev == PTRACE_EVENT_FORK || ev == PTRACE_EVENT_VFORK ||
		    ev == PTRACE_EVENT_CLONE) {
			if (take_child(t, child, e) < 0)
				return -1;
			continue;
		}
		if (ev == PTRACE_EVENT_EXEC || ev == PTRACE_EVENT_STOP)
			continue;
		int op = syscall_stop_op(t->tid, status);
		if (op == PTRACE_SYSCALL_INFO_ENTRY)
			entered = true;
		else if (op == PTRACE_SYSCALL_INFO_EXIT && entered)
			break;
		else if (!op && is_fault(WSTOPSIG(status)))
			/* never delivered: restoring the registers undoes it */
			return err_setx(e, "syscall %ld in process %d: %s at %#lx", nr, (int)t->pid,
					strsignal(WSTOPSIG(status)), t->sysaddr);
		/* anything else is a signal the mask could not hold back (SIGSTOP): it is
		 * dropped; the target's job control sees the next one */
	}
	if (ptrace(PTRACE_GETREGS, t->tid, NULL, &r) < 0)
		return err_set(e, errno, "ptrace getregs %d", (int)t->tid);
	*ret = (long)r.rax;
	return 0;
}

bool inject_fixup_restart(struct user_regs_struct *r)
{
	if ((long)r->orig_rax < 0)
		return false;
	switch (-(long)r->rax) {
	case ERESTARTSYS_:
	case ERESTARTNOINTR_:
	case ERESTARTNOHAND_:
		r->rax = r->orig_rax;
		break;
	case ERESTART_RESTARTBLOCK_:
		r->rax = SYS_restart_syscall;
		break;
	default:
		return false;
	}
	r->rip -= 2;
	return true;
}

int inject_release(struct inject_thread *t, struct err *e)
{
	struct user_regs_struct r = t->saved;
	int rc = 0;
	if (t->armed) {
		t->restart = inject_fixup_restart(&r);
		/* the restart is done by hand: the kernel must not do it a second time */
		r.orig_rax = (unsigned long)-1;
		if (ptrace(PTRACE_SETREGS, t->tid, NULL, &r) < 0)
			rc = err_set(e, errno, "ptrace setregs %d (restore)", (int)t->tid);
		if (ptrace(PTRACE_SETSIGMASK, t->tid, sizeof(t->saved_mask), &t->saved_mask) < 0 &&
		    rc == 0)
			rc = err_set(e, errno, "ptrace setsigmask %d (restore)", (int)t->tid);
		t->armed = false;
	}
	if (t->own) {
		if (ptrace(PTRACE_DETACH, t->tid, NULL, NULL) < 0 && rc == 0)
			rc = err_set(e, errno, "ptrace detach %d", (int)t->tid);
		t->own = false;
	}
	detach_others(t);
	return rc;
}

/* --- seccomp --------------------------------------------------------------------------- */

static uint32_t bpf_load(const uint32_t *data, uint32_t k, bool *bad)
{
	if (k % 4 || k >= sizeof(struct seccomp_data)) {
		*bad = true;
		return 0;
	}
	return data[k / 4];
}

static bool bpf_alu(uint16_t op, uint32_t *a, uint32_t v)
{
	switch (op) {
	case BPF_ADD:
		*a += v;
		break;
	case BPF_SUB:
		*a -= v;
		break;
	case BPF_MUL:
		*a *= v;
		break;
	case BPF_DIV:
		if (!v)
			return false;
		*a /= v;
		break;
	case BPF_MOD:
		if (!v)
			return false;
		*a %= v;
		break;
	case BPF_OR:
		*a |= v;
		break;
	case BPF_AND:
		*a &= v;
		break;
	case BPF_XOR:
		*a ^= v;
		break;
	case BPF_LSH:
		*a = v < 32 ? *a << v : 0;
		break;
	case BPF_RSH:
		*a = v < 32 ? *a >> v : 0;
		break;
	case BPF_NEG:
		*a = -*a;
		break;
	default:
		return false;
	}
	return true;
}

static bool bpf_jump(uint16_t op, uint32_t a, uint32_t v, bool *taken)
{
	switch (op) {
	case BPF_JEQ:
		*taken = a == v;
		break;
	case BPF_JGT:
		*taken = a > v;
		break;
	case BPF_JGE:
		*taken = a >= v;
		break;
	case BPF_JSET:
		*taken = (a & v) != 0;
		break;
	default:
		return false;
	}
	return true;
}

uint32_t inject_bpf_run(const struct inject_bpf *prog, long nr, const unsigned long args[6],
			unsigned long ip)
{
	const struct sock_filter *f = prog->insns;
	struct seccomp_data sd = { .nr = (int)nr,
				   .arch = AUDIT_ARCH_X86_64,
				   .instruction_pointer = ip };
	uint32_t data[sizeof(sd) / 4], a = 0, x = 0, mem[BPF_MEMWORDS] = { 0 };
	bool bad = false, taken;
	for (int i = 0; i < 6; i++)
		sd.args[i] = args[i];
	memcpy(data, &sd, sizeof(sd));
	/* any malformed program counts as "kill": the kernel would not have loaded it, and we
	 * must never claim "allow" for something we do not understand */
	for (size_t pc = 0; pc < prog->n && !bad; pc++) {
		const struct sock_filter *in = &f[pc];
		uint32_t src = BPF_SRC(in->code) == BPF_X ? x : in->k;
		switch (BPF_CLASS(in->code)) {
		case BPF_LD:
			if (BPF_MODE(in->code) == BPF_ABS)
				a = bpf_load(data, in->k, &bad);
			else if (BPF_MODE(in->code) == BPF_IMM)
				a = in->k;
			else if (BPF_MODE(in->code) == BPF_MEM && in->k < BPF_MEMWORDS)
				a = mem[in->k];
			else if (BPF_MODE(in->code) == BPF_LEN)
				a = sizeof(sd);
			else
				bad = true;
			break;
		case BPF_LDX:
			if (BPF_MODE(in->code) == BPF_IMM)
				x = in->k;
			else if (BPF_MODE(in->code) == BPF_MEM && in->k < BPF_MEMWORDS)
				x = mem[in->k];
			else if (BPF_MODE(in->code) == BPF_LEN)
				x = sizeof(sd);
			else
				bad = true;
			break;
		case BPF_ST:
		case BPF_STX:
			if (in->k >= BPF_MEMWORDS)
				bad = true;
			else
				mem[in->k] = BPF_CLASS(in->code) == BPF_ST ? a : x;
			break;
		case BPF_ALU:
			bad = !bpf_alu(BPF_OP(in->code), &a, src);
			break;
		case BPF_JMP:
			if (BPF_OP(in->code) == BPF_JA) {
				pc += in->k;
				break;
			}
			if (!bpf_jump(BPF_OP(in->code), a, src, &taken))
				bad = true;
			else
				pc += taken ? in->jt : in->jf;
			break;
		case BPF_RET:
			return BPF_RVAL(in->code) == BPF_A ? a : in->k;
		case BPF_MISC:
			if (BPF_MISCOP(in->code) == BPF_TAX)
				x = a;
			else
				a = x;
			break;
		default:
			bad = true;
		}
	}
	return SECCOMP_RET_KILL_PROCESS;
}

enum inject_verdict inject_verdict_of(uint32_t ret)
{
	switch (ret & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_ALLOW:
	case SECCOMP_RET_LOG:
		return INJV_ALLOW;
	case SECCOMP_RET_ERRNO:
		return INJV_ERRNO;
	case SECCOMP_RET_TRACE:
	case SECCOMP_RET_USER_NOTIF:
		return INJV_BLOCK;
	default:
		return INJV_KILL;
	}
}

const char *inject_verdict_name(enum inject_verdict v)
{
	switch (v) {
	case INJV_ALLOW:
		return "allowed";
	case INJV_ERRNO:
		return "fails with an error";
	case INJV_BLOCK:
		return "is diverted to a tracer or supervisor";
	case INJV_KILL:
		return "kills the process";
	}
	return "?";
}

/* The kernel runs every filter and keeps the strongest action (lowest value, ALLOW weakest). */
static uint32_t strongest(uint32_t a, uint32_t b)
{
	int32_t aa = (int32_t)(a & SECCOMP_RET_ACTION_FULL),
		bb = (int32_t)(b & SECCOMP_RET_ACTION_FULL);
	return aa < bb ? a : b;
}

struct filters {
	struct inject_bpf f[64];
	size_t n;
};

static void filters_free(struct filters *fs)
{
	for (size_t i = 0; i < fs->n; i++)
		free(fs->f[i].insns);
	fs->n = 0;
}

/* Seccomp mode of pid from /proc/PID/status: 0, 1 strict, 2 filter; -1 unknown. */
static int seccomp_mode(pid_t pid)
{
	unsigned long long v = 0;
	return status_value(pid, "Seccomp", 10, &v) ? (int)v : -1;
}

/* PTRACE_SECCOMP_GET_FILTER for every filter of stopped thread tid (newest first). */
static int read_filters(pid_t tid, struct filters *fs, struct err *e)
{
	for (fs->n = 0; fs->n < ARRAY_SIZE(fs->f); fs->n++) {
		long cnt = ptrace(PTRACE_SECCOMP_GET_FILTER, tid, (void *)fs->n, NULL);
		if (cnt < 0 && errno == ENOENT)
			return 0;
		if (cnt <= 0)
			return err_set(e, errno, "PTRACE_SECCOMP_GET_FILTER");
		fs->f[fs->n].insns = calloc((size_t)cnt, sizeof(struct sock_filter));
		if (!fs->f[fs->n].insns)
			return err_set(e, ENOMEM, "seccomp filter");
		fs->f[fs->n].n = (size_t)cnt;
		if (ptrace(PTRACE_SECCOMP_GET_FILTER, tid, (void *)fs->n, fs->f[fs->n].insns) !=
		    cnt) {
			fs->n++;
			return err_set(e, errno, "PTRACE_SECCOMP_GET_FILTER");
		}
	}
	return 0;
}

struct planned {
	long nr;
	const char *name;
	unsigned long args[6];
	bool in_target; /* runs in the target itself, not in its copy */
};

/* Every syscall the hijack injects, with the arguments the filters will see. */
static size_t plan_syscalls(struct planned *p, bool ctty)
{
	static const struct planned base[] = {
		{ SYS_clone, "clone", { 0 }, true },
		{ SYS_wait4, "wait4", { 2, 0, __WALL, 0 }, true },
		{ SYS_clone, "clone", { SIGCHLD }, false },
		{ SYS_exit, "exit", { 0 }, false },
		{ SYS_mmap,
		  "mmap",
		  { 0, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		    (unsigned long)-1, 0 },
		  false },
		{ SYS_socketpair,
		  "socketpair",
		  { AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, 0x1000 },
		  false },
		{ SYS_recvmsg, "recvmsg", { 4, 0x1000, 0 }, false },
		{ SYS_fcntl, "fcntl", { 5, F_DUPFD_CLOEXEC, 3 }, false },
		{ SYS_dup3, "dup3", { 5, 0, 0 }, false },
		{ SYS_dup3, "dup3", { 5, 1, 0 }, false },
		{ SYS_dup3, "dup3", { 5, 2, 0 }, false },
		{ SYS_setsid, "setsid", { 0 }, false },
		{ SYS_rt_sigaction, "rt_sigaction", { SIGPIPE, 0x1000, 0, 8 }, false },
		{ SYS_rt_sigprocmask, "rt_sigprocmask", { SIG_SETMASK, 0x1000, 0, 8 }, false },
		{ SYS_close_range, "close_range", { 3, ~0U, 0 }, false },
		{ SYS_execve, "execve", { 0x1000, 0x2000, 0x3000 }, false },
	};
	size_t n = ARRAY_SIZE(base);
	memcpy(p, base, sizeof(base));
	if (ctty)
		p[n++] = (struct planned){
			SYS_ioctl, "ioctl TIOCSCTTY", { 0, TIOCSCTTY, 0 }, false
		};
	return n;
}

static int check_filters(const struct inject_thread *t, const struct filters *fs, bool ctty,
			 struct err *e)
{
	struct planned plan[32];
	size_t n = plan_syscalls(plan, ctty);
	for (size_t i = 0; i < n; i++) {
		uint32_t ret = SECCOMP_RET_ALLOW;
		for (size_t j = 0; j < fs->n; j++)
			ret = strongest(ret, inject_bpf_run(&fs->f[j], plan[i].nr, plan[i].args,
							    t->sysaddr + 2));
		enum inject_verdict v = inject_verdict_of(ret);
		if (v != INJV_ALLOW)
			return err_setx(
				e,
				"process %d: under its seccomp filter, %s %s %s; nothing was "
				"injected: use join mode instead",
				(int)t->pid, plan[i].name,
				plan[i].in_target ? "in the process itself" : "in its copy",
				inject_verdict_name(v));
	}
	return 0;
}

/* Refuse, before anything is injected, when the target's seccomp filter would reject or kill
 * on a syscall the hijack needs. */
static int seccomp_precheck(const struct inject_thread *t, unsigned flags, bool ctty, struct err *e)
{
	struct filters fs = { .n = 0 };
	int mode = seccomp_mode(t->pid), rc;
	if (mode == 0)
		return 0;
	if (mode == 1)
		return err_setx(e,
				"process %d runs in strict seccomp mode: only read, write and "
				"exit are allowed; nothing was injected",
				(int)t->pid);
	if (read_filters(t->tid, &fs, e) < 0) {
		filters_free(&fs);
		if (flags & INJECT_FORCE_SECCOMP)
			return 0;
		return err_setx(
			e,
			"process %d has a seccomp filter that cannot be read (%s: reading it "
			"needs CAP_SYS_ADMIN) and injecting could get it killed; nothing was "
			"injected: use join mode, run as root, or pass --force",
			(int)t->pid, strerror(e->code));
	}
	rc = check_filters(t, &fs, ctty, e);
	filters_free(&fs);
	return rc;
}

/* --- hijack ---------------------------------------------------------------------------- */

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* A traced task created by an injected clone, sitting in its first stop. */
static int adopt(struct inject_thread *c, pid_t child, const struct inject_thread *parent,
		 struct err *e)
{
	memset(c, 0, sizeof(*c));
	c->pid = c->tid = child;
	c->flags = INJECT_CALLER_TRACED;
	c->ops = parent->ops;
	c->sysaddr = parent->sysaddr;
	if (ptrace(PTRACE_GETREGS, child, NULL, &c->saved) < 0)
		return err_set(e, errno, "ptrace getregs %d", (int)child);
	return 0;
}

static int call(struct inject_thread *t, long nr, unsigned long a0, unsigned long a1,
		unsigned long a2, unsigned long a3, long *ret, struct err *e)
{
	const unsigned long args[6] = { a0, a1, a2, a3, 0, 0 };
	return inject_syscall(t, nr, args, ret, NULL, e);
}

/* Like call(), but a negative result is an error naming the syscall. */
static int call_ok(struct inject_thread *t, const char *name, long nr, unsigned long a0,
		   unsigned long a1, unsigned long a2, unsigned long a3, long *ret, struct err *e)
{
	long r = 0;
	if (call(t, nr, a0, a1, a2, a3, &r, e) < 0)
		return -1;
	if (r < 0 && r > -4096)
		return err_set(e, (int)-r, "%s in the copy of process %d", name, (int)t->pid);
	if (ret)
		*ret = r;
	return 0;
}

struct forked {
	pid_t c1, c1_ns; /* intermediate copy: tracer pid, pid in the target's namespace */
	pid_t c2;	 /* the future command */
};

/* In the stopped target: clone a copy (exit signal 0: nobody is told), let the copy fork the
 * future command and exit, and reap the copy from inside the target, so the target keeps no
 * zombie and gets no SIGCHLD; the command is re-parented to the target's reaper. */
static int double_fork(struct inject_thread *t, struct forked *f, struct err *e)
{
	const unsigned long clone0[6] = { 0 }, clone_sigchld[6] = { SIGCHLD };
	struct inject_thread c1;
	long r = 0;
	struct user_regs_struct regs;
	if (inject_syscall(t, SYS_clone, clone0, &r, &f->c1, e) < 0)
		return -1;
	if (r < 0 || !f->c1)
		return err_set(e, r < 0 ? (int)-r : 0, "clone in process %d", (int)t->pid);
	f->c1_ns = (pid_t)r;
	if (adopt(&c1, f->c1, t, e) < 0 ||
	    inject_syscall(&c1, SYS_clone, clone_sigchld, &r, &f->c2, e) < 0)
		return -1;
	if (r < 0 || !f->c2)
		return err_set(e, r < 0 ? (int)-r : 0, "clone in the copy of process %d",
			       (int)t->pid);
	/* the copy leaves untraced by exit(0) */
	regs = c1.saved;
	if (ptrace(PTRACE_GETREGS, f->c1, NULL, &regs) < 0)
		return err_set(e, errno, "ptrace getregs %d", (int)f->c1);
	regs.rip = t->sysaddr, regs.rax = SYS_exit, regs.rdi = 0, regs.orig_rax = (unsigned long)-1;
	if (ptrace(PTRACE_SETREGS, f->c1, NULL, &regs) < 0 ||
	    ptrace(PTRACE_DETACH, f->c1, NULL, NULL) < 0)
		return err_set(e, errno, "ptrace detach %d", (int)f->c1);
	f->c1 = 0;
	if (call(t, SYS_wait4, (unsigned long)f->c1_ns, 0, __WALL, 0, &r, e) < 0)
		return -1;
	if (r != f->c1_ns)
		return err_set(e, r < 0 ? (int)-r : 0, "wait4 in process %d", (int)t->pid);
	f->c1_ns = 0;
	return 0;
}

/* After a failure with the target still stopped: kill the copies, reap the first from inside. */
static void undo_fork(struct inject_thread *t, struct forked *f)
{
	struct err ignored;
	long r = 0;
	int status;
	if (f->c2 > 0) {
		kill(f->c2, SIGKILL);
		wait_status(t, f->c2, &status, &ignored);
	}
	if (f->c1 > 0) {
		kill(f->c1, SIGKILL);
		wait_status(t, f->c1, &status, &ignored);
	}
	if (f->c1_ns > 0)
		call(t, SYS_wait4, (unsigned long)f->c1_ns, 0, __WALL, 0, &r, &ignored);
}

/* Layout of the scratch page in the command: fixed slots, then strings. */
struct scratch {
	int sv[2];
	struct msghdr msg;
	struct iovec iov;
	char byte;
	union {
		char buf[CMSG_SPACE(3 * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct sigaction_k {
		unsigned long handler, flags, restorer, mask;
	} act;
	uint64_t empty_mask;
};

static size_t vec_len(char *const *v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

/* Send our three fds over one end of a socketpair made in the command, pulled out of it with
 * pidfd_getfd: no path or address inside the sandbox is involved. */
static int pass_fds(struct inject_thread *c, int pidfd, unsigned long base, const int fds[3],
		    int got[3], struct err *e)
{
	struct scratch s;
	long r = 0;
	char byte = 0;
	if (call_ok(c, "socketpair", SYS_socketpair, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
		    base + offsetof(struct scratch, sv), NULL, e) < 0 ||
	    inject_read_mem(c->tid, base, s.sv, sizeof(s.sv), e) < 0)
		return -1;
	_cleanup_close_ int end = (int)syscall(SYS_pidfd_getfd, pidfd, s.sv[0], 0);
	if (end < 0)
		return err_set(e, errno, "pidfd_getfd from the copy of process %d", (int)c->pid);
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	union {
		char buf[CMSG_SPACE(3 * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = ctl.buf,
			      .msg_controllen = sizeof(ctl.buf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET, cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(3 * sizeof(int));
	memcpy(CMSG_DATA(cm), fds, 3 * sizeof(int));
	if (sendmsg(end, &msg, MSG_NOSIGNAL) != 1)
		return err_set(e, errno, "sendmsg");
	/* the same message header, pointing into the command's memory */
	memset(&s.msg, 0, sizeof(s.msg));
	s.iov.iov_base = (void *)(base + offsetof(struct scratch, byte));
	s.iov.iov_len = 1;
	s.msg.msg_iov = (void *)(base + offsetof(struct scratch, iov));
	s.msg.msg_iovlen = 1;
	s.msg.msg_control = (void *)(base + offsetof(struct scratch, ctl));
	s.msg.msg_controllen = sizeof(s.ctl.buf);
	if (inject_write_mem(c->tid, base, &s, sizeof(s), e) < 0 ||
	    call_ok(c, "recvmsg", SYS_recvmsg, (unsigned long)s.sv[1],
		    base + offsetof(struct scratch, msg), 0, 0, &r, e) < 0 ||
	    inject_read_mem(c->tid, base, &s, sizeof(s), e) < 0)
		return -1;
	cm = (struct cmsghdr *)s.ctl.buf;
	if (r != 1 || (s.msg.msg_flags & MSG_CTRUNC) || cm->cmsg_type != SCM_RIGHTS ||
	    cm->cmsg_len != CMSG_LEN(3 * sizeof(int)))
		return err_setx(e,
				"the copy of process %d did not receive the terminal (fd limit?)",
				(int)c->pid);
	memcpy(got, CMSG_DATA(cm), 3 * sizeof(int));
	return 0;
}

/* Move the received fds to 0, 1, 2 (through fds >= 3, so that none overwrites another). */
static int install_stdio(struct inject_thread *c, const int got[3], struct err *e)
{
	long high[3] = { 0, 0, 0 };
	for (int i = 0; i < 3; i++)
		if (call_ok(c, "fcntl F_DUPFD", SYS_fcntl, (unsigned long)got[i], F_DUPFD_CLOEXEC,
			    3, 0, &high[i], e) < 0)
			return -1;
	for (int i = 0; i < 3; i++)
		if (call_ok(c, "dup3", SYS_dup3, (unsigned long)high[i], (unsigned long)i, 0, 0,
			    NULL, e) < 0)
			return -1;
	return 0;
}

static uint64_t ignored_signals(pid_t pid)
{
	unsigned long long v = 0;
	return status_value(pid, "SigIgn", 16, &v) ? v : 0;
}

/* New session (and controlling tty), default dispositions, empty mask, fds >= 3 closed. */
static int reset_process(struct inject_thread *c, unsigned long base, bool ctty, struct err *e)
{
	struct scratch s;
	uint64_t ign = ignored_signals(c->pid);
	memset(&s.act, 0, sizeof(s.act));
	s.empty_mask = 0;
	if (inject_write_mem(c->tid, base + offsetof(struct scratch, act), &s.act,
			     sizeof(s.act) + sizeof(s.empty_mask), e) < 0)
		return -1;
	if (call_ok(c, "setsid", SYS_setsid, 0, 0, 0, 0, NULL, e) < 0)
		return -1;
	if (ctty && call_ok(c, "ioctl TIOCSCTTY", SYS_ioctl, 0, TIOCSCTTY, 0, 0, NULL, e) < 0)
		return -1;
	for (int sig = 1; sig <= 64; sig++)
		if ((ign >> (sig - 1)) & 1 && sig != SIGKILL && sig != SIGSTOP &&
		    call_ok(c, "rt_sigaction", SYS_rt_sigaction, (unsigned long)sig,
			    base + offsetof(struct scratch, act), 0, 8, NULL, e) < 0)
			return -1;
	if (call_ok(c, "rt_sigprocmask", SYS_rt_sigprocmask, SIG_SETMASK,
		    base + offsetof(struct scratch, empty_mask), 0, 8, NULL, e) < 0 ||
	    call_ok(c, "close_range", SYS_close_range, 3, ~0U, 0, 0, NULL, e) < 0)
		return -1;
	return 0;
}

/* Write path, argv and envp at base and execve them. Returns the raw execve result. */
static int exec_one(struct inject_thread *c, unsigned long base, size_t size, const char *path,
		    const struct hijack_req *req, long *ret, struct err *e)
{
	const char *self[2] = { path, NULL };
	char *const *argv = req->argv ? req->argv : (char *const *)(uintptr_t)self;
	size_t argc = vec_len(argv), envc = vec_len(req->envp), used, off;
	size_t ptrs = (argc + envc + 2) * sizeof(unsigned long);
	_cleanup_free_ unsigned char *buf = calloc(1, size);
	if (!buf)
		return err_set(e, ENOMEM, "execve");
	unsigned long *av = (unsigned long *)buf, *ev = av + argc + 1;
	off = ptrs;
	used = strlen(path) + 1;
	if (off + used > size)
		return err_setx(e, "execve: arguments too long");
	memcpy(buf + off, path, used);
	unsigned long path_addr = base + off;
	off += used;
	for (size_t i = 0; i < argc + envc; i++) {
		const char *str = i < argc ? argv[i] : req->envp[i - argc];
		used = strlen(str) + 1;
		if (off + used > size)
			return err_setx(e, "execve: arguments and environment too long");
		memcpy(buf + off, str, used);
		if (i < argc)
			av[i] = base + off;
		else
			ev[i - argc] = base + off;
		off += used;
	}
	if (inject_write_mem(c->tid, base, buf, off, e) < 0)
		return -1;
	return call(c, SYS_execve, path_addr, base, base + (argc + 1) * sizeof(unsigned long), 0,
		    ret, e);
}

static size_t exec_size(const struct hijack_req *req)
{
	size_t n = 4096;
	for (size_t i = 0; req->paths[i]; i++)
		n += strlen(req->paths[i]) + 1;
	for (size_t i = 0; req->argv && req->argv[i]; i++)
		n += strlen(req->argv[i]) + 1 + sizeof(long);
	for (size_t i = 0; req->envp && req->envp[i]; i++)
		n += strlen(req->envp[i]) + 1 + sizeof(long);
	return (n + 4095) & ~(size_t)4095;
}

/* Turn the traced copy into the command: stdio, session, signals, fds, execve. */
static int drive_child(pid_t c2, const struct inject_thread *t, const struct hijack_req *req,
		       struct hijack_result *res, struct err *e)
{
	struct inject_thread c;
	long base = 0, r = -ENOENT;
	int got[3] = { -1, -1, -1 };
	size_t size = exec_size(req);
	char tried[384] = "";
	if (adopt(&c, c2, t, e) < 0)
		return -1;
	res->pidfd = (int)syscall(SYS_pidfd_open, c2, 0);
	if (res->pidfd < 0)
		return err_set(e, errno, "pidfd_open %d", (int)c2);
	if (call_ok(&c, "mmap", SYS_mmap, 0, size + sizeof(struct scratch), PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, &base, e) < 0)
		return -1;
	if (pass_fds(&c, res->pidfd, (unsigned long)base, req->fds, got, e) < 0 ||
	    install_stdio(&c, got, e) < 0 ||
	    reset_process(&c, (unsigned long)base, req->ctty, e) < 0)
		return -1;
	long first = -ENOENT;
	for (size_t i = 0; req->paths[i]; i++) {
		if (exec_one(&c, (unsigned long)base + sizeof(struct scratch), size, req->paths[i],
			     req, &r, e) < 0)
			return -1;
		if (r == 0) {
			res->path = req->paths[i];
			return 0;
		}
		if (first == -ENOENT)
			first = r;
		size_t len = strlen(tried);
		snprintf(tried + len, sizeof(tried) - len, "%s%s", len ? ", " : "", req->paths[i]);
	}
	err_set(e, (int)-first, "%s: not executable inside process %d (tried %s)",
		req->argv ? req->argv[0] : "shell", (int)t->pid, tried);
	e->exit_code = first == -ENOENT ? 127 : 126;
	return -1;
}

int inject_hijack(pid_t pid, unsigned flags, const struct inject_ops *ops,
		  const struct hijack_req *req, struct hijack_result *res, struct err *e)
{
	struct inject_thread t;
	struct forked f = { 0, 0, 0 };
	struct err ignored;
	double t0 = now_ms();
	memset(res, 0, sizeof(*res));
	res->pidfd = -1;
	/* the process named now; checked once it is stopped, so that a pid reused meanwhile is
	 * never hijacked */
	_cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return err_set(e, errno, "process %d", (int)pid);
	if (inject_attach(&t, pid, req->tid, flags, ops, e) < 0)
		return -1;
	if (syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) < 0) {
		err_set(e, errno, "process %d exited meanwhile", (int)pid);
		inject_release(&t, &ignored);
		return -1;
	}
	if (seccomp_precheck(&t, flags, req->ctty, e) < 0 || double_fork(&t, &f, e) < 0) {
		undo_fork(&t, &f);
		inject_release(&t, &ignored);
		return -1;
	}
	if (inject_release(&t, e) < 0) {
		kill(f.c2, SIGKILL);
		return -1;
	}
	res->pause_ms = now_ms() - t0;
	res->child = f.c2;
	if (drive_child(f.c2, &t, req, res, e) < 0) {
		int status;
		kill(f.c2, SIGKILL);
		wait_status(&t, f.c2, &status, &ignored);
		if (res->pidfd >= 0)
			close(res->pidfd);
		res->pidfd = -1;
		res->child = 0;
		return -1;
	}
	if (!(flags & INJECT_CALLER_TRACED))
		ptrace(PTRACE_SETOPTIONS, f.c2, NULL, (void *)PTRACE_O_EXITKILL);
	return 0;
}
