#include "start.h"

#include <errno.h>
#include <sys/wait.h>

#include "../common/ptrace.h"
#include "../launcher/sandbox.h"
#include "launch.h"
#include "tracer.h"

/* 1 once launcher/sandbox.c provides sandbox_start(). */
#define FORKTOP_HAVE_SANDBOX 1

void start_init(struct start *s)
{
	s->pid = -1;
	s->sb = NULL;
	s->setup_exit = 0;
}

#if FORKTOP_HAVE_SANDBOX
/* sandbox hook: the sandbox's first process exists and waits for us */
static int seize_first(void *data, pid_t pid, struct err *e)
{
	(void)data;
	return ptrace_seize(pid, tracer_root_options(), e);
}
#endif

int start_tree(struct start *s, const struct sandbox_spec *spec, struct err *e)
{
	if (spec->no_sandbox)
		return launch_plain("forktop", spec->argv, tracer_root_options(), spec->ctty,
				    &s->pid, e);
#if FORKTOP_HAVE_SANDBOX
	struct sandbox_hooks hooks = { .started = seize_first, .caller_reaps = true };
	if (sandbox_start(spec, &hooks, &s->sb, e) < 0) {
		s->setup_exit = e->exit_code ? e->exit_code : SANDBOX_EXIT_SETUP;
		return -1;
	}
	s->pid = sandbox_pid(s->sb);
	return 0;
#else
	return err_setx(e,
			"sandboxed tracing is not available in this build yet; use --no-sandbox");
#endif
}

int start_finish(struct start *s, int status, struct err *e)
{
#if FORKTOP_HAVE_SANDBOX
	if (s->sb) {
		/* a setup failure ends the first process: say why, with cordon's exit code */
		if (sandbox_setup_result(s->sb, e) < 0) {
			int code = sandbox_finish(s->sb, status);
			return code ? code : SANDBOX_EXIT_SETUP;
		}
		return sandbox_finish(s->sb, status);
	}
#else
	(void)s;
#endif
	err_clear(e);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return SANDBOX_EXIT_SETUP;
}

void start_free(struct start *s)
{
#if FORKTOP_HAVE_SANDBOX
	sandbox_free(s->sb);
#endif
	s->sb = NULL;
}
