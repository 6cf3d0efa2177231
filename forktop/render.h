/* forktop's screen renderer: a pure function of a model snapshot, the view state and the
 * screen size, giving lines of text with attributes. No curses here: tui.c draws the lines,
 * tests compare them. Everything is computed from its arguments (no clock, no /proc, no
 * environment), so the same model and view always give the same screen.
 *
 * Text is UTF-8; every line is exactly `width` display columns (padded with spaces). With
 * view.ascii the tree lines and separators are plain ASCII. Not thread-safe by itself: the
 * caller owns the model while rendering. */
#ifndef FORKTOP_RENDER_H
#define FORKTOP_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "model.h"

/* Attributes: how tui.c shows a line or a span (colour pairs and curses attributes). */
enum rattr {
	RA_NONE = 0,
	RA_BOLD = 1u << 0,
	RA_DIM = 1u << 1,     /* exited processes */
	RA_REVERSE = 1u << 2, /* selection */
	RA_NEW = 1u << 3,     /* a process that appeared recently */
	RA_CHANGED = 1u << 4, /* differs from the parent (gained capability, new ns, uid) */
	RA_TITLE = 1u << 5,   /* header, column titles, status bar */
	RA_MATCH = 1u << 6,   /* search match */
	RA_ERROR = 1u << 7,   /* failed exit, kill signal */
	RA_STOPPED = 1u << 8, /* group-stopped process */
};

#define RSPAN_MAX 6

struct rspan {
	int col, len; /* display columns */
	unsigned attr;
};

struct rline {
	char *text;    /* UTF-8, exactly `width` columns */
	unsigned attr; /* for the whole line, spans add to it */
	struct rspan spans[RSPAN_MAX];
	int nspans;
};

struct rlines {
	struct rline *v;
	int n, cap;
};

void rlines_init(struct rlines *l);
void rlines_free(struct rlines *l);
void rlines_clear(struct rlines *l);

/* A set of process ids (collapsed subtrees, frozen subtrees). */
struct idset {
	uint64_t *v; /* open addressing, 0 = empty */
	size_t cap, n;
};
bool idset_has(const struct idset *s, uint64_t id);
int idset_add(struct idset *s, uint64_t id);
void idset_del(struct idset *s, uint64_t id);
void idset_clear(struct idset *s);
void idset_free(struct idset *s);

/* The event log: the last EVLOG_MAX events as formatted text. */
#define EVLOG_MAX 2000
#define EVLOG_TEXT 160
struct evlog_entry {
	int64_t mono_ns;
	uint64_t id;
	enum ev_type type;
	char text[EVLOG_TEXT]; /* "exec    1234 bash -c ..." (without the time) */
};
struct evlog {
	struct evlog_entry *v; /* EVLOG_MAX entries, ring */
	size_t head, n;	       /* oldest at head */
	uint64_t total;
};
int evlog_init(struct evlog *l);
void evlog_free(struct evlog *l);
void evlog_clear(struct evlog *l);
void evlog_push(struct evlog *l, const struct event *ev);
/* i-th entry, 0 = oldest kept */
const struct evlog_entry *evlog_get(const struct evlog *l, size_t i);

enum view_overlay {
	OV_NONE,
	OV_HELP,
	OV_SIGNALS, /* x: the signal menu */
	OV_QUIT,    /* q while the workload runs: kill it? */
};

enum view_prompt {
	VP_NONE,
	VP_SEARCH,   /* / */
	VP_FILTER,   /* \ */
	VP_EVFILTER, /* filter of the event log pane */
	VP_JUMP,     /* replay: jump to time */
};

enum view_focus { VF_TREE, VF_CONSOLE };

/* Everything about the screen that is not the model. Owned by the TUI. */
struct view {
	uint64_t selected; /* model id of the selected process, 0 = none */
	int sel_row;	   /* screen row of the selection inside the tree pane (kept stable) */
	int top;	   /* index of the first tree row shown */
	struct idset collapsed;
	char search[64];
	char filter[64]; /* \ filter: only matches and their ancestors */
	char evfilter[64];
	char prompt_buf[64];
	enum view_prompt prompt;
	enum view_overlay overlay;
	int menu_sel; /* signal menu selection */
	bool details; /* details pane shown */
	bool events;  /* event log pane shown */
	bool follow;
	bool ascii;   /* no UTF-8 box drawing */
	bool console; /* a console pane exists (launched with a pty) */
	bool zoom;    /* console full screen */
	enum view_focus focus;
	int64_t now_ns;	       /* "now" for AGE and the new-process highlight (monotonic) */
	int64_t t0_ns;	       /* start of the run (event log times are relative to it) */
	int64_t highlight_ns;  /* how long a new process stays highlighted */
	int64_t exited_ttl_ns; /* exited processes shown this long (0: until cleared) */
	/* header facts */
	const char *mode;    /* "live", "attached", "replay" */
	const char *sandbox; /* "shell: user,pid,net" or "none" */
	const char *state;   /* "tracing", "finished (exit 0)", "paused 12/80" ... */
	double event_rate;   /* events per second */
	char message[320];   /* status bar message (errors, refusals with their reason) */
	/* User and group names as process p sees them (tui.c: from its own /etc/passwd and
	 * /etc/group); NULL, or NULL returned: the number is shown. The one way in for
	 * anything outside the arguments: tests pass a table. */
	const char *(*id_name)(void *data, const struct proc *p, bool group, uint32_t id);
	void *id_name_data;
};

void view_init(struct view *v);
void view_free(struct view *v);

/* One visible row of the tree pane. */
struct trow {
	struct proc *p;
	int depth; /* in the displayed tree */
	bool has_children;
	bool collapsed;	  /* has children and they are hidden */
	bool match;	  /* search or filter matches this process */
	char prefix[128]; /* tree lines before the command, UTF-8 */
};
struct trows {
	struct trow *v;
	int n, cap;
};
void trows_free(struct trows *r);
/* The rows of the tree pane in display order: collapsed subtrees hidden; with a filter only
 * matching processes and their ancestors; exited processes older than exited_ttl_ns only as
 * ancestors of shown ones. Returns -1 on ENOMEM. */
int render_tree_rows(const struct model *m, const struct view *v, struct trows *out);
/* Index of the row showing id, -1 if none. */
int trows_find(const struct trows *r, uint64_t id);
/* Does p match s (a substring of its command line, exe, or pid as text)? */
bool render_proc_matches(const struct proc *p, const char *s);

/* Pane rectangles for a screen of w x h (rows/cols; h0 = 0 means the pane is not shown). */
struct rect {
	int y, x, h, w;
};
struct layout {
	struct rect header, tree, details, events, console, status;
	int tree_rows; /* process rows in the tree pane (its height minus the column titles) */
};
void render_layout(const struct view *v, int width, int height, struct layout *lay);

/* Individual panes, each exactly r.h lines of r.w columns appended to out. */
int render_header(const struct model *m, const struct view *v, int width, struct rlines *out);
int render_tree(const struct trows *rows, const struct view *v, int width, int height,
		struct rlines *out);
int render_details(const struct proc *p, const struct view *v, int width, int height,
		   struct rlines *out);
int render_events(const struct evlog *l, const struct view *v, int width, int height,
		  struct rlines *out);
int render_status(const struct view *v, int width, struct rlines *out);
int render_help(const struct view *v, int width, int height, struct rlines *out);

/* The signal menu: labels and numbers, in order. */
struct signal_item {
	const char *name;
	int sig;
};
extern const struct signal_item render_signals[];
extern const int render_nsignals;

/* The whole screen (every pane of the layout, overlays on top), height lines of width
 * columns. The console pane's rectangle is left blank (tui.c draws the terminal there).
 * Adjusts v->top so that the selection is visible. */
int render_screen(const struct model *m, const struct evlog *log, struct view *v,
		  const struct trows *rows, int width, int height, struct rlines *out);

/* Small text helpers shared with the timeline. */
/* argv blob -> "a b 'c d'" into buf. */
void render_argv(const char *argv, size_t len, char *buf, size_t size);
/* "0", "1", "SIGKILL", "SIGSEGV (core)", "-" */
void render_exit(const struct proc *p, char *buf, size_t size);
/* "12.3s", "5m03s", "2h04m", "3d02h" */
void render_age(int64_t ns, char *buf, size_t size);

#endif
