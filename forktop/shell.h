/* forktop's s / S keys: a shell with exactly a traced process's permissions, started from the
 * live tree (docs/forktop-tui.md, "Shell into a process").
 *
 * Two threads take part. The UI thread opens a pty, builds the shell's environment and the
 * executables to try, and posts a request into the shell_box; the tracer thread (the only one
 * that may ptrace) is woken by SHELL_DOORBELL, does the hijack (inject.h) or the join
 * (join.h), puts the shell into the model and posts the result back; the UI thread then hands
 * the real terminal to the shell (shell_relay) until the shell's side of the pty hangs up.
 * The box holds one request at a time: a second s while a shell runs is refused.
 *
 * No curses here. The box functions are thread-safe; the rest is for the UI thread. */
#ifndef FORKTOP_SHELL_H
#define FORKTOP_SHELL_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "../common/err.h"

/* Wakes the tracer thread for a request (sent to the process: every thread blocks it and the
 * signal thread of wake.h takes it and wakes the tracer, so no cost while no request is
 * pending). */
#define SHELL_DOORBELL SIGUSR1

enum shell_state {
	SHELL_IDLE,
	SHELL_POSTED,  /* UI -> tracer */
	SHELL_TAKEN,   /* the tracer works on it */
	SHELL_DONE,    /* tracer -> UI: res is valid */
	SHELL_RUNNING, /* the UI relays the terminal to the shell */
};

struct shell_req {
	pid_t pid;    /* the target (host pid) */
	bool join;    /* S: join; s: hijack */
	int fd;	      /* pty slave: the shell's 0, 1, 2 and controlling terminal */
	char **envp;  /* NULL-terminated */
	char **paths; /* executables to try inside, NULL-terminated */
};

struct shell_res {
	int rc; /* 0: the shell runs; -1: e says why not */
	struct err e;
	pid_t child;	   /* the shell (host pid) */
	double pause_ms;   /* hijack: how long the target was stopped */
	char path[128];	   /* the executable it runs */
	char missing[256]; /* join: what it could not copy */
};

struct shell_box {
	pthread_mutex_t lock;
	enum shell_state state;
	struct shell_req req;
	struct shell_res res;
	/* Seccomp filters the tracer knows allow every syscall a hijack injects (forktop
	 * installed them: its sandbox's own filter, no --seccomp programs, no --deny-syscall of
	 * those): a target with exactly this many filters is hijacked even when its filters
	 * cannot be read (unprivileged). -1: none known. */
	int known_filters;
};

void shell_box_init(struct shell_box *b);
void shell_box_destroy(struct shell_box *b);
/* UI: post a request (the box copies *r; envp/paths stay the caller's until the result) and
 * ring the doorbell. -1 when a shell is already starting or running. */
int shell_box_post(struct shell_box *b, const struct shell_req *r, struct err *e);
/* UI: the result once the tracer posted it (state becomes RUNNING on success, IDLE on
 * failure). */
bool shell_box_result(struct shell_box *b, struct shell_res *res);
/* UI: the shell is over. */
void shell_box_finish(struct shell_box *b);
/* Tracer: take the posted request, if any. */
bool shell_box_take(struct shell_box *b, struct shell_req *r);
/* Tracer: post the result of the request taken. */
void shell_box_done(struct shell_box *b, const struct shell_res *res);
void shell_box_fail(struct shell_box *b, const struct err *e);

/* Seccomp: whether a --deny-syscall list leaves every syscall a hijack injects alone. */
bool shell_deny_list_ok(char *const *deny, size_t n);

/* --- UI side -------------------------------------------------------------------------- */

/* A NULL-terminated string vector. */
struct shell_strv {
	char **v;
	size_t n;
};
void shell_strv_free(struct shell_strv *s);

/* The shell's environment (forktop's s / S and cordon-enter): the target's own
 * (/proc/PID/environ), TERM from ours, and CORDON_ENTER=PID:hijack|join. */
int shell_env(pid_t pid, bool join, struct shell_strv *env, struct err *e);
/* Executables to try inside, in order (cordon-enter): COMMAND as given when it has a '/', else
 * along the target's PATH in env (a default PATH when unset); with no COMMAND, `shell` when
 * set, else the target's $SHELL (unless a no-login shell), then /bin/sh. */
int shell_exec_paths(const struct shell_strv *env, const char *shell, const char *command,
		     struct shell_strv *paths, struct err *e);
/* Shells to try inside (forktop's s / S): shell_exec_paths() with no COMMAND nor shell. */
int shell_paths(const struct shell_strv *env, struct shell_strv *paths, struct err *e);

/* A new pty (both ends O_CLOEXEC; the slave by TIOCGPTPEER, never by a path) sized like
 * terminal fd `like`. */
int shell_pty_open(int like, int *master, int *slave, struct err *e);

/* Relay the terminal (fds in, out; in is put in raw mode meanwhile) and the pty master until
 * the shell's side hangs up. SIGWINCH (which must interrupt poll, i.e. have a handler) resizes
 * the pty. tick(ctx) runs at least every ~30 ms. */
int shell_relay(int in, int out, int master, void (*tick)(void *), void *ctx, struct err *e);

#endif
