#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "../launcher/options.h"
#include "../launcher/profile.h"

const char *cli_usage(void)
{
	return "forktop options:\n"
	       "    --headless                   No user interface: trace, record, print a summary\n"
	       "    --events FILE                Record events as JSON Lines to FILE (- for stdout)\n"
	       "    --summary FILE               Write the summary as JSON to FILE (- for stdout)\n"
	       "    -p PID                       Attach to PID, its threads and descendants\n"
	       "    --no-sandbox                 Trace COMMAND without any isolation\n"
	       "    --keep-exited N              Keep at most N exited processes (default 10000)\n"
	       "    --spawn-perms                Full permissions snapshot at every fork too\n"
	       "    --quiet                      No summary line on stderr\n"
	       "    --focus tree|console         Where keyboard focus starts (default tree)\n"
	       "    --exited-for SECONDS         Show exited processes that long (default: until c)\n"
	       "    --replay FILE                Show a recorded run (--events) in the UI\n"
	       "    --timeline FILE -o OUT       Draw a recorded run as OUT.svg or OUT.html\n";
}

static int parse_num(const char *opt, const char *v, long min, long max, long *out, struct err *e)
{
	char *end;
	long x;
	errno = 0;
	x = strtol(v, &end, 10);
	if (errno || end == v || *end || x < min || x > max)
		return err_setx(e, "%s %s: not a number", opt, v);
	*out = x;
	return 0;
}

/* The view's options (docs/forktop-tui.md): 2 when taken, 0 when not ours, -1 on error. */
static int cli_view_option(struct forktop_cli *c, int argc, char **argv, struct err *e)
{
	const char *o = argv[0];
	char *end;
	if (strcmp(o, "--replay") != 0 && strcmp(o, "--timeline") != 0 && strcmp(o, "-o") != 0 &&
	    strcmp(o, "--focus") != 0 && strcmp(o, "--exited-for") != 0)
		return 0;
	if (argc < 2)
		return err_setx(e, "%s takes an argument", o);
	if (strcmp(o, "--exited-for") == 0) {
		errno = 0;
		c->exited_for = strtod(argv[1], &end);
		if (errno || end == argv[1] || *end || !(c->exited_for > 0 && c->exited_for < 1e9))
			return err_setx(e, "--exited-for %s: not a number of seconds", argv[1]);
	} else if (strcmp(o, "--replay") == 0)
		c->replay = argv[1];
	else if (strcmp(o, "--timeline") == 0)
		c->timeline = argv[1];
	else if (strcmp(o, "-o") == 0)
		c->output = argv[1];
	else if (strcmp(argv[1], "tree") == 0 || strcmp(argv[1], "console") == 0)
		c->focus_console = strcmp(argv[1], "console") == 0;
	else
		return err_setx(e, "--focus %s: not tree or console", argv[1]);
	return 2;
}

int cli_extra(void *data, int argc, char **argv, struct err *e)
{
	struct forktop_cli *c = data;
	const char *o = argv[0];
	long x = 0;
	int n = cli_view_option(c, argc, argv, e);
	if (n != 0)
		return n;
	if (strcmp(o, "--headless") == 0) {
		c->headless = true;
		return 1;
	}
	if (strcmp(o, "--no-sandbox") == 0) {
		c->spec->no_sandbox = true;
		return 1;
	}
	if (strcmp(o, "--spawn-perms") == 0) {
		c->spawn_perms = true;
		return 1;
	}
	if (strcmp(o, "--quiet") == 0) {
		c->quiet = true;
		return 1;
	}
	if (strcmp(o, "--events") != 0 && strcmp(o, "--summary") != 0 && strcmp(o, "-p") != 0 &&
	    strcmp(o, "--pid") != 0 && strcmp(o, "--keep-exited") != 0)
		return 0;
	if (argc < 2)
		return err_setx(e, "%s takes an argument", o);
	if (strcmp(o, "--events") == 0) {
		c->events = argv[1];
	} else if (strcmp(o, "--summary") == 0) {
		c->summary = argv[1];
	} else if (strcmp(o, "--keep-exited") == 0) {
		if (parse_num(o, argv[1], 0, INT_MAX, &x, e) < 0)
			return -1;
		c->keep_exited = (size_t)x;
	} else {
		if (parse_num(o, argv[1], 1, INT_MAX, &x, e) < 0)
			return -1;
		c->attach_pid = (pid_t)x;
	}
	return 2;
}

/* The first sandbox setting in s (an option name, for messages), or NULL when there is none
 * beyond the mount namespace every spec has: "with no sandbox option at all". */
static const char *spec_first_setting(const struct sandbox_spec *s)
{
	const struct {
		bool set;
		const char *name;
	} t[] = {
		{ (s->ns & CLONE_NEWUSER) != 0, "--unshare-user" },
		{ (s->ns & CLONE_NEWPID) != 0, "--unshare-pid" },
		{ (s->ns & CLONE_NEWNET) != 0, "--unshare-net" },
		{ (s->ns & CLONE_NEWIPC) != 0, "--unshare-ipc" },
		{ (s->ns & CLONE_NEWUTS) != 0, "--unshare-uts" },
		{ (s->ns & CLONE_NEWCGROUP) != 0, "--unshare-cgroup" },
		{ s->userns_fd >= 0 || s->userns2_fd >= 0, "--userns" },
		{ s->pidns_fd >= 0, "--pidns" },
		{ s->disable_userns || s->assert_userns_disabled, "--disable-userns" },
		{ s->has_uid, "--uid" },
		{ s->has_gid, "--gid" },
		{ s->hostname != NULL, "--hostname" },
		{ s->chdir != NULL, "--chdir" },
		{ s->clearenv, "--clearenv" },
		{ s->n_env > 0, "--setenv/--unsetenv" },
		{ s->argv0 != NULL, "--argv0" },
		{ s->seccomp_fd >= 0 || s->n_add_seccomp_fds > 0, "--seccomp" },
		{ s->n_caps > 0, "--cap-add/--cap-drop" },
		{ s->new_session, "--new-session" },
		{ s->exec_label != NULL, "--exec-label" },
		{ s->file_label != NULL, "--file-label" },
		{ s->n_lock_files > 0, "--lock-file" },
		{ s->n_sync_fds > 0, "--sync-fd" },
		{ s->block_fd >= 0, "--block-fd" },
		{ s->userns_block_fd >= 0, "--userns-block-fd" },
		{ s->info_fd >= 0, "--info-fd" },
		{ s->json_status_fd >= 0, "--json-status-fd" },
		{ s->die_with_parent, "--die-with-parent" },
		{ s->as_pid_1, "--as-pid-1" },
		{ s->n_syscall_deny > 0, "--deny-syscall" },
		{ s->net_pasta, "--net-pasta" },
		{ s->n_rlimits > 0, "--rlimit" },
		{ s->landlock, "--landlock" },
	};
	if (s->profile) /* before the ops it made */
		return "--profile";
	if (s->n_ops > 0)
		return s->ops[0].option ? s->ops[0].option : "a filesystem option";
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].set)
			return t[i].name;
	return NULL;
}

int cli_parse(struct forktop_cli *c, struct sandbox_spec *spec, int argc, char **argv,
	      struct err *e)
{
	struct options_ctx ctx = {
		.prog = "forktop",
		.want_command = false,
		.extra = cli_extra,
		.extra_data = c,
	};
	const char *setting;
	int rc;
	c->spec = spec;
	c->keep_exited = 10000;
	c->spawn_perms = false;
	rc = options_parse(&ctx, argc, argv, spec, e);
	if (rc != OPTIONS_RUN)
		return rc;
	if (c->replay || c->timeline) {
		if (spec->argc > 0 || c->attach_pid > 0)
			return err_setx(e, "%s %s: no COMMAND or -p with it",
					c->replay ? "--replay" : "--timeline",
					c->replay ? c->replay : c->timeline);
		if (c->timeline && !c->output)
			return err_setx(e, "--timeline %s: -o OUT is required", c->timeline);
		return OPTIONS_RUN;
	}
	if (c->attach_pid > 0 && spec->argc > 0)
		return err_setx(e, "-p %d: no COMMAND with -p", (int)c->attach_pid);
	if (c->attach_pid == 0 && spec->argc == 0)
		return err_setx(e, "No command specified");
	if (c->attach_pid > 0 && spec->no_sandbox)
		return err_setx(e, "-p %d: --no-sandbox only applies to a launched COMMAND",
				(int)c->attach_pid);
	setting = spec_first_setting(spec);
	if ((spec->no_sandbox || c->attach_pid > 0) && setting)
		return err_setx(e, "%s: needs a sandbox, and %s starts none", setting,
				spec->no_sandbox ? "--no-sandbox" : "-p");
	if (c->attach_pid == 0 && !spec->no_sandbox && !setting &&
	    profile_apply(spec, "shell", e) < 0)
		return -1;
	return OPTIONS_RUN;
}
