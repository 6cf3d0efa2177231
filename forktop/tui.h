/* forktop's interactive screen (ncursesw): the process tree, details, event log and the
 * workload's console, over a model that is either rebuilt from a recording (replay) or fed
 * live by the tracer's events (through tui_feed, in a UI thread of its own, so that the tracer
 * never waits for the screen).
 *
 * Drawing is render.c's pure output put on the terminal; this file owns the terminal, the
 * keys, the mouse and the timing (at most ~30 redraws a second, only what changed reaches
 * the terminal: curses sends the difference). */
#ifndef FORKTOP_TUI_H
#define FORKTOP_TUI_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "../common/err.h"
#include "event.h"
#include "replay.h"

struct shell_box;

struct tui_opts {
	const char *sandbox; /* header text, e.g. "shell: user,pid,net"; NULL: "none" */
	bool attach;	     /* -p: the processes are not ours to kill on quit */
	bool console;	     /* give the workload a pty shown in a console pane */
	bool focus_console;  /* --focus console */
	size_t keep_exited;
	int64_t exited_ttl_ns; /* --exited-for: hide exited processes after this (0: never) */
	/* s / S (hijack / join): requests go to the tracer thread through this box (shell.h);
	 * NULL: the keys say they are not available. V compares a shell with its target. */
	struct shell_box *shells;
};

/* Replay FILE's events in the UI until the user quits. */
int tui_replay(struct replay *r, const struct tui_opts *o, struct err *e);

struct tui_live;

/* Create the UI (not started). With o->console, opens the pty the workload must get. */
int tui_live_new(struct tui_live **out, const struct tui_opts *o, struct err *e);
/* The event sink to give the tracer: copies events for the UI thread, calling `next` (the
 * recorder, or NULL) first. */
void tui_live_sink(struct tui_live *l, const struct event_sink *next, struct event_sink *out);
/* The pty slave for the workload's fds 0-2, or -1 without a console. Call
 * tui_live_redirect() before starting the workload and tui_live_restore() right after: the
 * workload inherits the pty, forktop keeps the real terminal. */
int tui_live_redirect(struct tui_live *l, struct err *e);
void tui_live_restore(struct tui_live *l);
/* Start the UI thread. Call after tracer_block_signals(). root: the launched tree's first
 * process (for quit), 0 in attach mode. */
int tui_live_start(struct tui_live *l, pid_t root, struct err *e);
/* The tracer is done (from the main thread): the header shows `state`; the UI stays until
 * the user quits. */
void tui_live_finished(struct tui_live *l, const char *state);
/* Wait for the user to quit, restore the terminal. Returns 0. */
int tui_live_wait(struct tui_live *l);
void tui_live_free(struct tui_live *l);

/* Header text for a sandbox spec printed as JSON by policy_dump() (NULL: "none"). */
void tui_sandbox_text(const char *spec_json, char *buf, size_t size);

/* Whether the UI can run: stdin and stdout are terminals and TERM is usable. */
bool tui_available(void);

#endif
