#include "ptrace.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "cleanup.h"

static bool sig_is_stopping(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

static struct ptrace_stop decode_event(int status)
{
	struct ptrace_stop s = { .kind = PTS_OTHER, .sig = WSTOPSIG(status) };
	switch (status >> 16) {
	case PTRACE_EVENT_FORK:
		s.kind = PTS_FORK;
		break;
	case PTRACE_EVENT_VFORK:
		s.kind = PTS_VFORK;
		break;
	case PTRACE_EVENT_CLONE:
		s.kind = PTS_CLONE;
		break;
	case PTRACE_EVENT_EXEC:
		s.kind = PTS_EXEC;
		break;
	case PTRACE_EVENT_EXIT:
		s.kind = PTS_EXIT;
		break;
	case PTRACE_EVENT_STOP:
		/* with SEIZE a group-stop is an EVENT_STOP carrying the stopping signal; anything
		 * else (SIGTRAP) is an interrupt or listen wake-up; the initial stop of an
		 * auto-attached child is handled by the caller as "first sight" */
		s.kind = sig_is_stopping(s.sig) ? PTS_GROUP_STOP : PTS_INTERRUPT;
		break;
	default:
		break;
	}
	return s;
}

struct ptrace_stop ptrace_decode(int status)
{
	struct ptrace_stop s = { .kind = PTS_OTHER };
	if (WIFEXITED(status)) {
		s.kind = PTS_EXITED;
		s.code = WEXITSTATUS(status);
	} else if (WIFSIGNALED(status)) {
		s.kind = PTS_KILLED;
		s.sig = WTERMSIG(status);
		s.core = WCOREDUMP(status);
	} else if (WIFSTOPPED(status)) {
		if (status >> 16)
			return decode_event(status);
		s.kind = PTS_SIGNAL;
		s.sig = WSTOPSIG(status);
	}
	return s;
}

const char *ptrace_stop_name(enum ptrace_stop_kind k)
{
	switch (k) {
	case PTS_EXITED:
		return "exited";
	case PTS_KILLED:
		return "killed";
	case PTS_FORK:
		return "fork";
	case PTS_VFORK:
		return "vfork";
	case PTS_CLONE:
		return "clone";
	case PTS_EXEC:
		return "exec";
	case PTS_EXIT:
		return "exit";
	case PTS_GROUP_STOP:
		return "group-stop";
	case PTS_INTERRUPT:
		return "interrupt";
	case PTS_SIGNAL:
		return "signal";
	case PTS_OTHER:
		return "other";
	}
	return "?";
}

int ptrace_seize(pid_t tid, unsigned long opts, struct err *e)
{
	if (ptrace(PTRACE_SEIZE, tid, NULL, (void *)opts) < 0)
		return err_set(e, errno, "ptrace seize %d", (int)tid);
	return 0;
}

int ptrace_resume(pid_t tid, int sig, struct err *e)
{
	if (ptrace(PTRACE_CONT, tid, NULL, (void *)(long)sig) < 0)
		return err_set(e, errno, "ptrace cont %d", (int)tid);
	return 0;
}

int ptrace_listen(pid_t tid, struct err *e)
{
	if (ptrace(PTRACE_LISTEN, tid, NULL, NULL) < 0)
		return err_set(e, errno, "ptrace listen %d", (int)tid);
	return 0;
}

int ptrace_interrupt(pid_t tid, struct err *e)
{
	if (ptrace(PTRACE_INTERRUPT, tid, NULL, NULL) < 0)
		return err_set(e, errno, "ptrace interrupt %d", (int)tid);
	return 0;
}

int ptrace_detach(pid_t tid, int sig, struct err *e)
{
	if (ptrace(PTRACE_DETACH, tid, NULL, (void *)(long)sig) < 0)
		return err_set(e, errno, "ptrace detach %d", (int)tid);
	return 0;
}

int ptrace_event_msg(pid_t tid, unsigned long *msg, struct err *e)
{
	if (ptrace(PTRACE_GETEVENTMSG, tid, NULL, msg) < 0)
		return err_set(e, errno, "ptrace geteventmsg %d", (int)tid);
	return 0;
}

/* TracerPid from /proc/PID/status, or 0. */
static pid_t tracer_of(pid_t pid)
{
	char path[64], line[256];
	pid_t tracer = 0;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "TracerPid:", 10) == 0) {
			tracer = (pid_t)strtol(line + 10, NULL, 10);
			break;
		}
	return tracer;
}

static int yama_scope(void)
{
	char buf[16];
	char *end;
	long scope;
	_cleanup_fclose_ FILE *f = fopen("/proc/sys/kernel/yama/ptrace_scope", "re");
	if (!f || !fgets(buf, sizeof(buf), f))
		return -1;
	scope = strtol(buf, &end, 10);
	/* cppcheck-suppress resourceLeak ; f is closed by its cleanup attribute */
	return end == buf ? -1 : (int)scope;
}

void ptrace_explain_denial(pid_t pid, int err_no, struct err *e)
{
	pid_t tracer;
	int scope;

	if (err_no == ESRCH) {
		err_set(e, err_no, "-p %d", (int)pid);
		return;
	}
	if (err_no != EPERM) {
		err_set(e, err_no, "-p %d: ptrace", (int)pid);
		return;
	}
	tracer = tracer_of(pid);
	if (tracer > 0) {
		err_setx(e, "-p %d: already traced by process %d", (int)pid, (int)tracer);
		e->code = EPERM;
		return;
	}
	scope = yama_scope();
	if (scope >= 1) {
		err_setx(e, "-p %d: ptrace denied by Yama (kernel.yama.ptrace_scope = %d%s)",
			 (int)pid, scope,
			 scope == 1   ? ": only ancestors may attach; run as root or set it to 0"
			 : scope == 2 ? ": CAP_SYS_PTRACE needed"
				      : ": attaching is disabled");
		e->code = EPERM;
		return;
	}
	err_set(e, err_no, "-p %d: ptrace (not the same user and no CAP_SYS_PTRACE)", (int)pid);
}
