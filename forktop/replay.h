/* Replay of a recorded run (docs/events.md, JSON Lines): the events are read into memory
 * once, and a process model is rebuilt from them up to any position, forward one event at a
 * time or backward (rebuilt from the start: a model cannot be undone in place).
 *
 * replay_apply() is the one place where an event updates a model on the view side: the live
 * TUI feeds the tracer's events through it into its own copy of the model, so that live and
 * replayed runs give the same tree. Single-threaded. */
#ifndef FORKTOP_REPLAY_H
#define FORKTOP_REPLAY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/err.h"
#include "event.h"
#include "model.h"

/* One recorded event, owning its strings and snapshot. */
struct replay_ev {
	struct event ev;
	struct procfs_perms *perms; /* NULL when the line had none */
	char *blob;		    /* argv, exe\0, cwd\0 */
};

struct replay {
	json_t *header;	 /* the first line */
	json_t *summary; /* the last line, if the recording was closed properly */
	struct replay_ev *evs;
	size_t n, cap;
	size_t pos; /* events applied to model: evs[0..pos) */
	struct model model;
	size_t keep_exited;
	int64_t t0; /* header mono_ns (or the first event's) */
};

/* Read FILE ("-" is stdin). Errors name the option, file and line:
 * "--replay run.jsonl: line 3: not a JSON object". */
int replay_open(struct replay *r, const char *opt, const char *path, size_t keep_exited,
		struct err *e);
void replay_close(struct replay *r);
/* Rebuild the model with exactly the first pos events applied (pos clamped to n). */
int replay_seek(struct replay *r, size_t pos, struct err *e);
/* Index of the first event later than t0 + rel_ns: seeking there shows the run at that time. */
size_t replay_pos_at(const struct replay *r, int64_t rel_ns);
/* Time of the last applied event (t0 before any). */
int64_t replay_now(const struct replay *r);
/* "shell: user,pid,net" (profile: namespaces), "none" (no sandbox), from the header's
 * sandbox spec. */
void replay_sandbox_text(const json_t *header, char *buf, size_t size);

/* Apply one event to m. *out (may be NULL) gets the process it concerned, NULL if it refers
 * to a process the model does not hold (nothing changed then). -1 only on ENOMEM. */
int replay_apply(struct model *m, const struct event *ev, struct proc **out, struct err *e);
/* Parse one event line (type other than header/summary) into x. */
int replay_parse_event(const json_t *o, struct replay_ev *x, struct err *e);
void replay_ev_free(struct replay_ev *x);
/* Copy a live event (borrowed pointers) into x, owning everything. */
int replay_ev_copy(struct replay_ev *x, const struct event *ev);

#endif
