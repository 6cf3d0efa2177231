#include "tui.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/procfs.h"
#include "console.h"
#include "enter_check.h"
#include "idnames.h"
#include "render.h"
#include "shell.h"
#include "tui_feed.h"

#define FRAME_NS (1000000000 / 30) /* at most ~30 redraws a second */
#define KEY_CTRL(c) ((c)&0x1f)
#define UI_NICE 10

enum {
	CP_TITLE = 1,
	CP_NEW,
	CP_ERROR,
	CP_CHANGED,
	CP_STOPPED,
	CP_MATCH,
};

struct tui {
	struct view v;
	struct trows rows;
	struct rlines lines;
	struct evlog log;
	struct model *m;
	struct replay *rp;     /* replay mode */
	struct tui_live *live; /* live mode */
	struct console *con;
	SCREEN *scr;
	int w, h;
	bool color, quit, dirty;
	bool term_gone; /* the terminal hung up: no keys, no drawing */
	int64_t last_draw;
	int sel_index; /* index of the selection in rows (kept without follow) */
	struct idset frozen;
	char sandbox[128];
	char state[128];
	/* replay playback */
	bool playing;
	int speed;	   /* playback speed is 2^speed, -10 .. 10 */
	int64_t play_t;	   /* recorded time shown (absolute monotonic ns) */
	int64_t play_wall; /* wall clock of the last playback step */
	/* event rate */
	uint64_t rate_n;
	int64_t rate_t;
};

struct tui_live {
	struct tui t;
	struct tui_opts o;
	struct tui_feed feed;
	struct model model;
	pthread_t thread;
	bool started;
	pid_t root;
	atomic_bool finished;
	pthread_mutex_t lock; /* finished_state */
	char finished_state[128];
	bool killing;
	bool finish_seen;      /* UI thread: the end has been shown */
	struct procfs *pfs;    /* UI thread: fresh snapshots for the details pane */
	struct idnames *names; /* UI thread: user and group names inside the sandbox */
	int saved[3];	       /* forktop's fds 0-2 while the workload is started */
	/* s / S: the shell being started or run (UI thread) */
	int sh_master, sh_slave; /* its pty, -1 when none */
	struct shell_strv sh_env, sh_paths;
	bool sh_join;
	pid_t sh_target;
	char sh_comm[32];
	/* V: the comparison shown over the screen, taken when the last shell started (its
	 * permissions are final once it exec'd) or, while a shell lives, when V is pressed */
	bool verify_on, verify_have;
	pid_t verify_shell, verify_target;
	bool verify_join;
	struct enter_table verify;
};

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

bool tui_available(void)
{
	const char *term = getenv("TERM");
	return isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) && term && *term &&
	       strcmp(term, "dumb") != 0;
}

void tui_sandbox_text(const char *spec_json, char *buf, size_t size)
{
	json_t *spec = spec_json ? json_loads(spec_json, 0, NULL) : NULL;
	json_t *h = json_object();
	if (spec)
		json_object_set_new(h, "sandbox", spec);
	replay_sandbox_text(h, buf, size);
	json_decref(h);
}

/* ---- terminal ---- */

static void colors_init(struct tui *t)
{
	const char *nc = getenv("NO_COLOR");
	t->color = has_colors() && !(nc && *nc);
	if (!t->color)
		return;
	start_color();
	use_default_colors();
	init_pair(CP_TITLE, COLOR_WHITE, COLOR_BLUE);
	init_pair(CP_NEW, COLOR_GREEN, -1);
	init_pair(CP_ERROR, COLOR_RED, -1);
	init_pair(CP_CHANGED, COLOR_MAGENTA, -1);
	init_pair(CP_STOPPED, COLOR_YELLOW, -1);
	init_pair(CP_MATCH, COLOR_CYAN, -1);
}

static int screen_init(struct tui *t, struct err *e)
{
	const char *cs;
	setlocale(LC_ALL, "");
	cs = nl_langinfo(CODESET);
	t->v.ascii = !(cs && strcmp(cs, "UTF-8") == 0) || getenv("FORKTOP_ASCII");
	t->scr = newterm(NULL, stdout, stdin);
	if (!t->scr)
		return err_setx(e, "cannot initialise the terminal (TERM=%s)",
				getenv("TERM") ? getenv("TERM") : "");
	set_term(t->scr);
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	/* keys are read only when poll() says there are some; a short timeout lets curses
	 * collect the rest of an escape or mouse sequence split over two reads */
	timeout(10);
	set_escdelay(25);
	curs_set(0);
	mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
	mouseinterval(0);
	colors_init(t);
	getmaxyx(stdscr, t->h, t->w);
	return 0;
}

static void screen_end(struct tui *t)
{
	if (!t->scr)
		return;
	endwin();
	delscreen(t->scr);
	t->scr = NULL;
}

static attr_t curses_attr(const struct tui *t, unsigned a)
{
	attr_t c = A_NORMAL;
	if (a & RA_BOLD)
		c |= A_BOLD;
	if (a & RA_REVERSE)
		c |= A_REVERSE;
	if (a & RA_DIM)
		c |= A_DIM;
	if (!t->color) {
		/* monochrome: what colour would say, attributes say */
		if (a & RA_TITLE)
			c |= A_REVERSE;
		if (a & (RA_ERROR | RA_CHANGED))
			c |= A_BOLD;
		if (a & RA_MATCH)
			c |= A_UNDERLINE;
		if (a & RA_NEW)
			c |= A_BOLD;
		return c;
	}
	if (a & RA_TITLE)
		c |= COLOR_PAIR(CP_TITLE);
	else if (a & RA_ERROR)
		c |= COLOR_PAIR(CP_ERROR);
	else if (a & RA_CHANGED)
		c |= COLOR_PAIR(CP_CHANGED) | A_BOLD;
	else if (a & RA_STOPPED)
		c |= COLOR_PAIR(CP_STOPPED);
	else if (a & RA_MATCH)
		c |= COLOR_PAIR(CP_MATCH) | A_UNDERLINE;
	else if (a & RA_NEW)
		c |= COLOR_PAIR(CP_NEW) | A_BOLD;
	return c;
}

static unsigned attr_at(const struct rline *l, int col)
{
	unsigned a = l->attr;
	for (int i = 0; i < l->nspans; i++)
		if (col >= l->spans[i].col && col < l->spans[i].col + l->spans[i].len) {
			/* a span replaces the line's colour, keeps its selection */
			a = (a & (RA_REVERSE | RA_DIM)) | l->spans[i].attr;
		}
	return a;
}

/* Draw one line: runs of the same attribute, UTF-8 handed to curses as is. */
static void draw_line(const struct tui *t, int y, const struct rline *l)
{
	const char *s = l->text;
	int col = 0;
	move(y, 0);
	while (*s && col < t->w) {
		unsigned a = attr_at(l, col);
		const char *start = s;
		while (*s && col < t->w && attr_at(l, col) == a) {
			unsigned char u = (unsigned char)*s;
			size_t k = u < 0x80		? 1
				   : (u & 0xe0) == 0xc0 ? 2
				   : (u & 0xf0) == 0xe0 ? 3
							: 4;
			while (k > 1 && !s[k - 1])
				k--;
			s += k;
			col++;
		}
		attrset(curses_attr(t, a));
		addnstr(start, (int)(s - start));
	}
	attrset(A_NORMAL);
}

/* ---- model views ---- */

static void rows_update(struct tui *t)
{
	int idx;
	render_tree_rows(t->m, &t->v, &t->rows);
	idx = trows_find(&t->rows, t->v.selected);
	if (t->rows.n == 0) {
		t->v.selected = 0;
		t->sel_index = 0;
		return;
	}
	if (idx < 0 || (!t->v.follow && idx != t->sel_index)) {
		/* without follow the selection keeps its place and takes what is there now */
		idx = t->sel_index < t->rows.n ? t->sel_index : t->rows.n - 1;
		if (idx < 0)
			idx = 0;
		t->v.selected = t->rows.v[idx].p->id;
	}
	t->sel_index = idx;
}

static struct proc *selected(const struct tui *t)
{
	int i = trows_find(&t->rows, t->v.selected);
	return i >= 0 ? t->rows.v[i].p : NULL;
}

static void select_index(struct tui *t, int idx)
{
	int old = t->sel_index;
	if (t->rows.n == 0)
		return;
	if (idx >= t->rows.n)
		idx = t->rows.n - 1;
	if (idx < 0)
		idx = 0;
	t->v.selected = t->rows.v[idx].p->id;
	t->v.sel_row += idx - old;
	t->sel_index = idx;
	t->dirty = true;
}

static void message(struct tui *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void message(struct tui *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->v.message, sizeof(t->v.message), fmt, ap);
	va_end(ap);
	t->dirty = true;
}

/* ---- drawing ---- */

static int tree_rows_visible(const struct tui *t)
{
	struct layout lay;
	render_layout(&t->v, t->w, t->h, &lay);
	return lay.tree_rows > 0 ? lay.tree_rows : 1;
}

/* ---- V: a shell's permissions against its target's ---- */

/* Over the screen, centred: the table cordon-enter --check prints. */
static void verify_draw(struct tui *t)
{
	const struct tui_live *l = t->live;
	const struct enter_table *tab = &l->verify;
	int w = t->w < 110 ? t->w : 110, h = (int)tab->n + 4;
	int cw = (w - 30) / 2, y0, x0;
	char line[512];
	if (h > t->h)
		h = t->h;
	if (cw < 8)
		cw = 8;
	y0 = (t->h - h) / 2;
	x0 = (t->w - w) / 2;
	for (int i = 0; i < h; i++) {
		const struct enter_row *row = i >= 2 && (size_t)(i - 2) < tab->n ? &tab->rows[i - 2]
										 : NULL;
		attr_t a = A_REVERSE;
		if (i == 0)
			snprintf(line, sizeof(line),
				 " Verify: shell %d, %s of %d: %zu of %zu fields equal",
				 (int)l->verify_shell, l->verify_join ? "join" : "hijack",
				 (int)l->verify_target, tab->nequal, tab->n);
		else if (i == 1)
			snprintf(line, sizeof(line), " %-16s %-9s %-*.*s %-*.*s", "FIELD", "RESULT",
				 cw, cw, "TARGET", cw, cw, "SHELL");
		else if (row)
			snprintf(line, sizeof(line), " %-16s %-9s %-*.*s %-*.*s", row->name,
				 row->equal ? "equal" : "DIFFERENT", cw, cw, row->target, cw, cw,
				 row->command);
		else
			snprintf(line, sizeof(line), " Press any key to close.");
		if (i == 0 || (row && !row->equal))
			a |= A_BOLD;
		attrset(a);
		mvprintw(y0 + i, x0, "%-*.*s", w, w, line);
	}
	attrset(A_NORMAL);
}

static void draw(struct tui *t)
{
	struct layout lay;
	int cy = -1, cx = -1;
	getmaxyx(stdscr, t->h, t->w);
	rows_update(t);
	rlines_clear(&t->lines);
	if (render_screen(t->m, &t->log, &t->v, &t->rows, t->w, t->h, &t->lines) < 0)
		return;
	erase();
	for (int i = 0; i < t->lines.n && i < t->h; i++)
		draw_line(t, i, &t->lines.v[i]);
	render_layout(&t->v, t->w, t->h, &lay);
	if (t->con && lay.console.h > 0 && t->v.overlay == OV_NONE) {
		console_resize(t->con, lay.console.h - 1, lay.console.w);
		console_draw(t->con, lay.console.y, lay.console.x, lay.console.h, lay.console.w,
			     t->v.focus == VF_CONSOLE, t->color, &cy, &cx);
	}
	if (t->live && t->live->verify_on)
		verify_draw(t);
	if (cy >= 0 && t->v.focus == VF_CONSOLE) {
		curs_set(1);
		move(cy, cx);
	} else {
		curs_set(0);
	}
	refresh();
	t->dirty = false;
	t->last_draw = mono_ns();
}

/* ---- actions ---- */

static bool is_live(const struct tui *t)
{
	return t->live != NULL;
}

/* Send sig to p, or to every live process of p's subtree. */
static int send_signal(struct tui *t, struct proc *p, int sig, bool subtree)
{
	int n = 0;
	struct proc *q = p;
	if (!is_live(t)) {
		message(t, "replay: recorded processes cannot be signalled");
		return 0;
	}
	while (q) {
		if (q->state < PROC_ZOMBIE && kill(q->pid, sig) == 0)
			n++;
		if (!subtree)
			break;
		/* pre-order walk of p's subtree */
		if (q->first_child) {
			q = q->first_child;
		} else {
			while (q != p && !q->next_sibling)
				q = q->parent;
			q = q == p ? NULL : q->next_sibling;
		}
	}
	return n;
}

static void signal_menu_send(struct tui *t)
{
	struct proc *p = selected(t);
	const struct signal_item *s = &render_signals[t->v.menu_sel];
	t->v.overlay = OV_NONE;
	if (!p)
		return;
	if (!is_live(t)) {
		message(t, "replay: recorded processes cannot be signalled");
		return;
	}
	if (p->state >= PROC_ZOMBIE) {
		message(t, "process %d has exited", (int)p->pid);
		return;
	}
	if (kill(p->pid, s->sig) < 0)
		message(t, "kill -%s %d: %s", s->name, (int)p->pid, strerror(errno));
	else
		message(t, "sent SIG%s to %d", s->name, (int)p->pid);
}

static void freeze_toggle(struct tui *t)
{
	struct proc *p = selected(t);
	bool frozen;
	int n;
	if (!p)
		return;
	frozen = idset_has(&t->frozen, p->id);
	n = send_signal(t, p, frozen ? SIGCONT : SIGSTOP, true);
	if (!is_live(t))
		return;
	if (frozen)
		idset_del(&t->frozen, p->id);
	else
		idset_add(&t->frozen, p->id);
	message(t, "%s %d process%s under %d", frozen ? "thawed" : "froze", n, n == 1 ? "" : "es",
		(int)p->pid);
}

/* The shell's pty and request data, once it is over (or could not start). */
static void shell_cleanup(struct tui_live *l)
{
	if (l->sh_slave >= 0)
		close(l->sh_slave);
	if (l->sh_master >= 0)
		close(l->sh_master);
	l->sh_slave = l->sh_master = -1;
	shell_strv_free(&l->sh_env);
	shell_strv_free(&l->sh_paths);
}

static void comm_of(pid_t pid, char *buf, size_t size)
{
	char path[64];
	ssize_t n = -1;
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		n = read(fd, buf, size - 1);
	buf[n > 0 ? n : 0] = '\0';
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
}

/* s / S: open a pty for the shell and hand the request to the tracer thread; the answer
 * comes in shell_poll(). */
static void shell_key(struct tui *t, bool join)
{
	struct tui_live *l = t->live;
	struct proc *p = selected(t);
	struct shell_req r;
	struct err e;
	err_clear(&e);
	if (!l || !l->o.shells) {
		message(t, "shell into the process (%s): not available %s",
			join ? "join" : "hijack", l ? "here" : "in a replay");
		return;
	}
	if (!p || p->state >= PROC_ZOMBIE) {
		message(t, "no running process selected");
		return;
	}
	if (p->state == PROC_STOPPED) {
		message(t, "process %d is stopped (job control): continue it first (x: SIGCONT)",
			(int)p->pid);
		return;
	}
	if (l->sh_master >= 0) {
		message(t, "a shell is already starting");
		return;
	}
	if (atomic_load(&l->finished)) { /* no tracer left to do it */
		message(t, "the tracer has finished: no process to shell into");
		return;
	}
	if (shell_env(p->pid, join, &l->sh_env, &e) < 0 ||
	    shell_paths(&l->sh_env, &l->sh_paths, &e) < 0 ||
	    shell_pty_open(STDOUT_FILENO, &l->sh_master, &l->sh_slave, &e) < 0)
		goto fail;
	r = (struct shell_req){ .pid = p->pid,
				.join = join,
				.fd = l->sh_slave,
				.envp = l->sh_env.v,
				.paths = l->sh_paths.v };
	if (shell_box_post(l->o.shells, &r, &e) < 0)
		goto fail;
	l->sh_join = join;
	l->sh_target = p->pid;
	comm_of(p->pid, l->sh_comm, sizeof(l->sh_comm));
	message(t, "%s %d: starting a shell...", join ? "join" : "hijack", (int)p->pid);
	return;
fail:
	shell_cleanup(l);
	message(t, "%s %d: %s", join ? "join" : "hijack", (int)p->pid, e.msg);
}

/* The live injected shell to compare for selection p: p itself, or the newest one started
 * on p; for a join, the shell its helper (A) runs rather than A. */
static struct proc *verify_shell_of(struct model *m, struct proc *p)
{
	struct proc *sh = NULL;
	if (p->injected) {
		sh = p;
	} else {
		for (struct proc *c = p->first_child; c; c = c->next_sibling)
			if (c->injected && c->mirrors == p->pid)
				sh = c;
	}
	while (sh)
		for (struct proc *c = sh->first_child;; c = c->next_sibling) {
			if (!c)
				return sh;
			if (c->injected) {
				sh = c;
				break;
			}
		}
	(void)m;
	return NULL;
}

/* Snapshot shell sh (host pid) and its target now into the V table. */
static int verify_take(struct tui_live *l, pid_t sh, pid_t target, bool join, struct err *e)
{
	struct enter_snap a, b;
	if (enter_snapshot(target, &a, e) < 0 || enter_snapshot(sh, &b, e) < 0)
		return -1;
	enter_compare(&a, &b, &l->verify);
	l->verify_shell = sh;
	l->verify_target = target;
	l->verify_join = join;
	l->verify_have = true;
	return 0;
}

/* V: snapshot the shell and its target now, compare field by field (enter_check.h). */
static void verify_key(struct tui *t)
{
	struct tui_live *l = t->live;
	struct proc *p = selected(t), *sh;
	struct err e;
	err_clear(&e);
	if (!l || !p) {
		message(t, "V: %s", l ? "no process selected" : "not available in a replay");
		return;
	}
	sh = verify_shell_of(&l->model, p);
	if (!sh) {
		message(t, "V: no injected shell for process %d (start one with s or S)",
			(int)p->pid);
		return;
	}
	/* a live shell is read now; an exited one shows what it had when it started */
	if (sh->state < PROC_ZOMBIE &&
	    verify_take(l, sh->pid, sh->mirrors, sh->injected == PINJ_JOIN, &e) < 0 &&
	    (!l->verify_have || l->verify_shell != sh->pid)) {
		message(t, "V: %s", e.msg);
		return;
	}
	if (!l->verify_have || l->verify_shell != sh->pid) {
		message(t, "V: shell %d: its permissions were not read", (int)sh->pid);
		return;
	}
	l->verify_on = true;
	t->dirty = true;
}

static void search_next(struct tui *t, int dir, bool include_current)
{
	int n = t->rows.n, start = trows_find(&t->rows, t->v.selected);
	if (!t->v.search[0] || n == 0)
		return;
	if (start < 0)
		start = 0;
	for (int k = include_current ? 0 : 1; k <= n; k++) {
		int i = ((start + dir * k) % n + n) % n;
		if (render_proc_matches(t->rows.v[i].p, t->v.search)) {
			select_index(t, i);
			return;
		}
	}
	message(t, "no match for \"%s\"", t->v.search);
}

static void collapse(struct tui *t, int how) /* 1 fold, -1 unfold, 0 toggle */
{
	struct proc *p = selected(t);
	bool has;
	if (!p || !p->first_child)
		return;
	has = idset_has(&t->v.collapsed, p->id);
	if (how == 1 || (how == 0 && !has))
		idset_add(&t->v.collapsed, p->id);
	else
		idset_del(&t->v.collapsed, p->id);
	t->dirty = true;
}

/* ---- replay playback ---- */

static void evlog_rebuild(struct tui *t)
{
	size_t first = t->rp->pos > EVLOG_MAX ? t->rp->pos - EVLOG_MAX : 0;
	evlog_clear(&t->log);
	t->log.total = 0;
	for (size_t i = first; i < t->rp->pos; i++)
		evlog_push(&t->log, &t->rp->evs[i].ev);
	t->log.total = t->rp->pos;
}

static void replay_state(struct tui *t)
{
	int64_t rel = t->play_t - t->rp->t0;
	char sp[16];
	if (t->speed >= 0)
		snprintf(sp, sizeof(sp), "x%d", 1 << t->speed);
	else
		snprintf(sp, sizeof(sp), "x1/%d", 1 << -t->speed);
	snprintf(t->state, sizeof(t->state), "%s %s %zu/%zu %lld.%03llds",
		 t->playing ? "playing" : "paused", sp, t->rp->pos, t->rp->n,
		 (long long)(rel / 1000000000), (long long)(rel / 1000000 % 1000));
	t->v.state = t->state;
	t->v.now_ns = t->play_t;
}

static void replay_goto(struct tui *t, size_t pos)
{
	struct err e;
	size_t old = t->rp->pos;
	if (replay_seek(t->rp, pos, &e) < 0) {
		message(t, "%s", e.msg);
		return;
	}
	t->m = &t->rp->model;
	rows_update(t); /* a rebuilt model: the rows' pointers are stale */
	if (pos < old || pos - old > EVLOG_MAX) {
		evlog_rebuild(t);
	} else {
		for (size_t i = old; i < t->rp->pos; i++)
			evlog_push(&t->log, &t->rp->evs[i].ev);
	}
	t->play_t = replay_now(t->rp);
	replay_state(t);
	t->dirty = true;
}

static void replay_tick(struct tui *t)
{
	int64_t now = mono_ns(), dt = now - t->play_wall;
	size_t pos;
	t->play_wall = now;
	if (now - t->rate_t >= 1000000000) {
		t->v.event_rate = (double)t->rate_n * 1e9 / (double)(now - t->rate_t);
		t->rate_n = 0;
		t->rate_t = now;
		t->dirty = true;
	}
	if (!t->playing)
		return;
	dt = t->speed >= 0 ? dt << t->speed : dt >> -t->speed;
	t->play_t += dt;
	pos = replay_pos_at(t->rp, t->play_t - t->rp->t0);
	if (pos != t->rp->pos) {
		int64_t keep = t->play_t;
		if (pos > t->rp->pos)
			t->rate_n += pos - t->rp->pos; /* events played per second */
		replay_goto(t, pos);
		t->play_t = keep;
	}
	if (t->rp->pos >= t->rp->n) {
		t->playing = false;
		t->play_t = replay_now(t->rp); /* not beyond the last event */
	}
	replay_state(t);
	t->dirty = true;
}

static bool replay_key(struct tui *t, int ch)
{
	switch (ch) {
	case 'p':
		t->playing = !t->playing;
		if (t->playing && t->rp->pos >= t->rp->n)
			replay_goto(t, 0);
		t->play_wall = mono_ns();
		break;
	case '.':
	case KEY_RIGHT:
		t->playing = false;
		replay_goto(t, t->rp->pos + 1);
		break;
	case ',':
	case KEY_LEFT:
		t->playing = false;
		replay_goto(t, t->rp->pos ? t->rp->pos - 1 : 0);
		break;
	case '>':
		if (t->speed < 10)
			t->speed++;
		break;
	case '<':
		if (t->speed > -10)
			t->speed--;
		break;
	case 'g':
		t->v.prompt = VP_JUMP;
		t->v.prompt_buf[0] = '\0';
		break;
	default:
		return false;
	}
	replay_state(t);
	t->dirty = true;
	return true;
}

/* ---- keys ---- */

static void prompt_done(struct tui *t, bool ok)
{
	enum view_prompt p = t->v.prompt;
	t->v.prompt = VP_NONE;
	switch (p) {
	case VP_SEARCH:
		if (ok)
			snprintf(t->v.search, sizeof(t->v.search), "%s", t->v.prompt_buf);
		else
			t->v.search[0] = '\0';
		break;
	case VP_FILTER:
		snprintf(t->v.filter, sizeof(t->v.filter), "%s", ok ? t->v.prompt_buf : "");
		break;
	case VP_EVFILTER:
		snprintf(t->v.evfilter, sizeof(t->v.evfilter), "%s", ok ? t->v.prompt_buf : "");
		break;
	case VP_JUMP:
		if (ok && t->rp) {
			double s = strtod(t->v.prompt_buf, NULL);
			t->playing = false;
			replay_goto(t, replay_pos_at(t->rp, (int64_t)(s * 1e9)));
		}
		break;
	case VP_NONE:
		break;
	}
	t->dirty = true;
}

static void prompt_key(struct tui *t, int ch, bool is_key)
{
	size_t n = strlen(t->v.prompt_buf);
	if (!is_key && (ch == '\r' || ch == '\n')) {
		prompt_done(t, true);
		return;
	}
	if (!is_key && ch == 27) {
		prompt_done(t, false);
		return;
	}
	if ((is_key && ch == KEY_BACKSPACE) || (!is_key && (ch == 127 || ch == 8))) {
		if (n)
			t->v.prompt_buf[n - 1] = '\0';
	} else if (!is_key && ch >= 0x20 && ch < 0x7f && n + 1 < sizeof(t->v.prompt_buf)) {
		t->v.prompt_buf[n] = (char)ch;
		t->v.prompt_buf[n + 1] = '\0';
	}
	if (t->v.prompt == VP_SEARCH) {
		/* incremental: the first match from the selection on */
		snprintf(t->v.search, sizeof(t->v.search), "%s", t->v.prompt_buf);
		rows_update(t);
		search_next(t, 1, true);
		t->v.message[0] = '\0';
	}
	t->dirty = true;
}

static void start_prompt(struct tui *t, enum view_prompt p)
{
	t->v.prompt = p;
	t->v.prompt_buf[0] = '\0';
	t->dirty = true;
}

static bool workload_running(const struct tui *t);
static void quit_request(struct tui *t)
{
	if (is_live(t) && !t->live->o.attach && workload_running(t)) {
		t->v.overlay = OV_QUIT;
		t->dirty = true;
		return;
	}
	t->quit = true;
}

static void overlay_key(struct tui *t, int ch, bool is_key)
{
	switch (t->v.overlay) {
	case OV_HELP:
		t->v.overlay = OV_NONE;
		break;
	case OV_QUIT:
		if (!is_key && (ch == 'y' || ch == 'Y') && t->live) {
			t->live->killing = true;
			message(t, "killing the workload...");
		}
		t->v.overlay = OV_NONE;
		break;
	case OV_SIGNALS:
		if ((is_key && ch == KEY_UP) || ch == 'k')
			t->v.menu_sel = (t->v.menu_sel + render_nsignals - 1) % render_nsignals;
		else if ((is_key && ch == KEY_DOWN) || ch == 'j')
			t->v.menu_sel = (t->v.menu_sel + 1) % render_nsignals;
		else if (!is_key && (ch == '\r' || ch == '\n'))
			signal_menu_send(t);
		else if (!is_key && (ch == 27 || ch == 'q' || ch == 'x'))
			t->v.overlay = OV_NONE;
		break;
	case OV_NONE:
		break;
	}
	t->dirty = true;
}

static void mouse_event(struct tui *t)
{
	MEVENT me;
	struct layout lay;
	if (getmouse(&me) != OK)
		return;
	render_layout(&t->v, t->w, t->h, &lay);
	if (me.bstate & BUTTON4_PRESSED) {
		if (t->con && me.y >= lay.console.y && me.y < lay.console.y + lay.console.h)
			console_scroll(t->con, 3);
		else
			select_index(t, t->sel_index - 3);
	} else if (me.bstate & BUTTON5_PRESSED) {
		if (t->con && me.y >= lay.console.y && me.y < lay.console.y + lay.console.h)
			console_scroll(t->con, -3);
		else
			select_index(t, t->sel_index + 3);
	} else if (me.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED)) {
		if (t->con && lay.console.h && me.y >= lay.console.y &&
		    me.y < lay.console.y + lay.console.h) {
			t->v.focus = VF_CONSOLE;
		} else if (me.y > lay.tree.y && me.y < lay.tree.y + lay.tree.h &&
			   me.x < lay.tree.x + lay.tree.w) {
			t->v.focus = VF_TREE;
			select_index(t, t->v.top + me.y - lay.tree.y - 1);
		}
	}
	t->dirty = true;
}

static void toggle_focus(struct tui *t)
{
	if (!t->con)
		return;
	t->v.focus = t->v.focus == VF_TREE ? VF_CONSOLE : VF_TREE;
	if (t->v.focus == VF_TREE)
		t->v.zoom = false;
	t->v.message[0] = '\0';
	t->dirty = true;
}

/* Function keys, arrows and the mouse in the tree. */
static void tree_special_key(struct tui *t, int ch)
{
	int page = tree_rows_visible(t);
	switch (ch) {
	case KEY_UP:
		select_index(t, t->sel_index - 1);
		break;
	case KEY_DOWN:
		select_index(t, t->sel_index + 1);
		break;
	case KEY_PPAGE:
		select_index(t, t->sel_index - page);
		break;
	case KEY_NPAGE:
		select_index(t, t->sel_index + page);
		break;
	case KEY_HOME:
		select_index(t, 0);
		break;
	case KEY_END:
		select_index(t, t->rows.n - 1);
		break;
	case KEY_F(2):
		toggle_focus(t);
		break;
	case KEY_F(11):
		if (t->con) {
			t->v.zoom = !t->v.zoom;
			t->v.focus = t->v.zoom ? VF_CONSOLE : t->v.focus;
		}
		break;
	case KEY_MOUSE:
		mouse_event(t);
		break;
	default:
		break;
	}
	t->dirty = true;
}

static void tree_key(struct tui *t, int ch, bool is_key)
{
	if (is_key) {
		if (t->rp && (ch == KEY_LEFT || ch == KEY_RIGHT))
			replay_key(t, ch);
		else
			tree_special_key(t, ch);
		return;
	}
	t->v.message[0] = '\0';
	if (t->rp && ch < 0x80 && replay_key(t, ch))
		return;
	switch (ch) {
	case 'k':
		select_index(t, t->sel_index - 1);
		break;
	case 'j':
		select_index(t, t->sel_index + 1);
		break;
	case '\r':
	case '\n':
	case 'd':
		t->v.details = !t->v.details;
		break;
	case 'e':
		t->v.events = !t->v.events;
		break;
	case ' ':
		collapse(t, 0);
		break;
	case '-':
		collapse(t, 1);
		break;
	case '+':
		collapse(t, -1);
		break;
	case '*':
		idset_clear(&t->v.collapsed);
		break;
	case '/':
		start_prompt(t, VP_SEARCH);
		break;
	case 'n':
		search_next(t, 1, false);
		break;
	case 'N':
		search_next(t, -1, false);
		break;
	case '\\':
		start_prompt(t, VP_FILTER);
		break;
	case 'E':
		start_prompt(t, VP_EVFILTER);
		break;
	case 'f':
		t->v.follow = !t->v.follow;
		message(t, "follow %s", t->v.follow ? "on" : "off");
		break;
	case 'c':
		model_clear_exited(t->m);
		rows_update(t); /* the rows pointed at the freed nodes */
		break;
	case 'x':
		if (selected(t)) {
			t->v.overlay = OV_SIGNALS;
			t->v.menu_sel = 0;
		}
		break;
	case 'Z':
		freeze_toggle(t);
		break;
	case 's':
	case 'S':
		shell_key(t, ch == 'S');
		break;
	case 'V':
		verify_key(t);
		break;
	case '\t':
		toggle_focus(t);
		break;
	case 'z':
		if (t->con) {
			t->v.zoom = !t->v.zoom;
			if (t->v.zoom)
				t->v.focus = VF_CONSOLE;
		}
		break;
	case '?':
		t->v.overlay = OV_HELP;
		break;
	case 'q':
	case KEY_CTRL('c'):
		quit_request(t);
		break;
	default:
		break;
	}
	t->dirty = true;
}

static void console_focus_key(struct tui *t, int ch, bool is_key)
{
	if (is_key && ch == KEY_F(2)) {
		toggle_focus(t);
		return;
	}
	if (is_key && ch == KEY_F(11)) {
		t->v.zoom = !t->v.zoom;
		t->dirty = true;
		return;
	}
	if (is_key && ch == KEY_MOUSE) {
		mouse_event(t);
		return;
	}
	console_scroll(t->con, 0);
	console_key(t->con, ch, is_key);
}

static void key(struct tui *t, int ch, bool is_key)
{
	if (is_key && ch == KEY_RESIZE) {
		getmaxyx(stdscr, t->h, t->w);
		/* the terminal may have moved lines around (tmux pushes them into its history):
		 * repaint everything rather than trust curses's idea of the screen */
		clearok(curscr, TRUE);
		t->dirty = true;
		return;
	}
	if (t->live && t->live->verify_on) { /* any key closes the V table */
		t->live->verify_on = false;
		t->dirty = true;
		return;
	}
	if (t->v.overlay != OV_NONE) {
		overlay_key(t, ch, is_key);
		return;
	}
	if (t->v.prompt != VP_NONE) {
		prompt_key(t, ch, is_key);
		return;
	}
	if (t->con && t->v.focus == VF_CONSOLE) {
		console_focus_key(t, ch, is_key);
		return;
	}
	tree_key(t, ch, is_key);
	/* the next key sees the rows this one made (folds, filters) */
	rows_update(t);
}

static void read_keys(struct tui *t)
{
	wint_t wc;
	int r;
	while ((r = get_wch(&wc)) != ERR)
		key(t, (int)wc, r == KEY_CODE_YES);
}

/* ---- the loop ---- */

static bool workload_running(const struct tui *t)
{
	return t->live && !atomic_load(&t->live->finished);
}

/* A process that appears under a frozen subtree is stopped too: the tracer reports a fork
 * child at its first event or within 10 ms, so one forked just before Z escaped the freeze
 * (a frozen process forks nothing later). */
static void freeze_newcomer(struct tui *t, const struct proc *p)
{
	for (const struct proc *a = p->parent; a; a = a->parent)
		if (idset_has(&t->frozen, a->id)) {
			kill(p->pid, SIGSTOP);
			return;
		}
}

static void live_drain(struct tui *t)
{
	struct tui_live *l = t->live;
	struct feed_item *list = tui_feed_take(&l->feed);
	struct err e;
	uint64_t n = 0;
	for (struct feed_item *x = list; x; x = x->next, n++) {
		struct proc *p = NULL;
		replay_apply(&l->model, &x->ev, &p, &e);
		if (p && x->ev.type == EV_SPAWN && !x->ev.thread && t->frozen.n)
			freeze_newcomer(t, p);
		evlog_push(&t->log, &x->ev);
	}
	tui_feed_recycle(&l->feed, list);
	if (n) {
		/* rows point into the model, which may have freed nodes (pruned exited ones) */
		rows_update(t);
		t->dirty = true;
	}
	t->rate_n += n;
}

/* ---- s / S: the shell on the real terminal ---- */

static void shell_tick(void *data)
{
	live_drain(data); /* the model follows, nothing is drawn */
}

/* The shell runs: suspend the screen, say what it is, hand it the terminal until its side of
 * the pty hangs up, restore the screen (the shell now in the tree as exited). */
static void shell_run(struct tui *t, const struct shell_res *res)
{
	struct tui_live *l = t->live;
	struct err e;
	err_clear(&e);
	close(l->sh_slave); /* the shell has its own: its exit ends the relay */
	l->sh_slave = -1;
	l->verify_have = false;
	if (verify_take(l, res->child, l->sh_target, l->sh_join, &e) < 0)
		err_clear(&e); /* V will say so */
	live_drain(t);
	def_prog_mode();
	endwin();
	/* one line before anything the shell prints (a test or bench waits for it) */
	if (l->sh_join)
		printf("\r\nforktop: shell in %d (%s) by join: %s, not copied: %s; exit to "
		       "return\r\n",
		       (int)l->sh_target, l->sh_comm, res->path, res->missing);
	else
		printf("\r\nforktop: shell in %d (%s) by hijack: %s, paused it %.1f ms; exit to "
		       "return\r\n",
		       (int)l->sh_target, l->sh_comm, res->path, res->pause_ms);
	fflush(stdout);
	shell_relay(STDIN_FILENO, STDOUT_FILENO, l->sh_master, shell_tick, t, &e);
	shell_cleanup(l); /* if our terminal went first: the shell gets its hangup */
	shell_box_finish(l->o.shells);
	reset_prog_mode();
	clearok(curscr, TRUE);
	live_drain(t);
	if (e.msg[0])
		message(t, "shell in %d: %s", (int)l->sh_target, e.msg);
	else
		message(t, "the shell in %d (%s) ended", (int)l->sh_target,
			l->sh_join ? "join" : "hijack");
	t->dirty = true;
}

/* A shell requested: has the tracer answered? */
static void shell_poll(struct tui *t)
{
	struct tui_live *l = t->live;
	struct shell_res res;
	if (!shell_box_result(l->o.shells, &res))
		return;
	if (res.rc < 0) {
		shell_cleanup(l);
		message(t, "%s: %s", l->sh_join ? "join" : "hijack", res.e.msg);
		return;
	}
	shell_run(t, &res);
}

/* The details pane shows the selected process's permissions as they are now (read once a
 * second), not only as of its last exec. */
static void refresh_details(struct tui *t)
{
	struct tui_live *l = t->live;
	struct proc *p = selected(t);
	struct procfs_perms perms;
	struct err e;
	if (!t->v.details || !p || p->state >= PROC_ZOMBIE || !l->pfs)
		return;
	if (procfs_perms(l->pfs, p->pid, &perms, &e) == 0 &&
	    (!p->has_perms || !procfs_perms_equal(&p->perms, &perms)))
		model_set_perms(&l->model, p, &perms);
}

static void live_tick(struct tui *t)
{
	struct tui_live *l = t->live;
	int64_t now = mono_ns();
	t->v.now_ns = now;
	if (now - t->rate_t >= 1000000000) {
		t->v.event_rate = (double)t->rate_n * 1e9 / (double)(now - t->rate_t);
		t->rate_n = 0;
		t->rate_t = now;
		t->dirty = true; /* ages move */
		if (!atomic_load(&l->finished))
			refresh_details(t);
	}
	if (atomic_load(&l->finished)) {
		if (!l->finish_seen) {
			/* the tracer is done: no process of the tree is left, so a zombie it did
			 * not see reaped (its reaper was faster than the last look) is gone */
			for (struct proc *p = l->model.exited_head; p; p = p->fnext)
				if (p->state == PROC_ZOMBIE)
					model_reaped(&l->model, p);
			l->finish_seen = true;
			t->dirty = true;
		}
		pthread_mutex_lock(&l->lock);
		snprintf(t->state, sizeof(t->state), "%s", l->finished_state);
		pthread_mutex_unlock(&l->lock);
		if (l->killing) {
			t->quit = true;
		}
	} else if (l->killing) {
		/* until the tracer reports the end: every process seen gets SIGKILL */
		for (struct proc *p = l->model.first_root; p; p = p->next_sibling)
			send_signal(t, p, SIGKILL, true);
		if (l->root > 0)
			kill(l->root, SIGKILL);
	}
}

static int poll_timeout(const struct tui *t)
{
	int64_t since = mono_ns() - t->last_draw;
	if (t->dirty)
		return since >= FRAME_NS ? 0 : (int)((FRAME_NS - since) / 1000000) + 1;
	/* live: look at the queue every frame even if the tracer never paused to wake us */
	if (t->playing || (t->live && !atomic_load(&t->live->finished)))
		return FRAME_NS / 1000000;
	return 1000;
}

/* The terminal hung up (its window closed): nobody is left to answer "kill it?" or to read
 * the console, so a launched workload is killed, as a hangup ends a shell's jobs, and forktop
 * quits once the tracer has seen the tree end; -p detaches (ui_main). */
static void terminal_gone(struct tui *t)
{
	t->term_gone = true;
	if (t->live && !t->live->o.attach && workload_running(t))
		t->live->killing = true;
	else
		t->quit = true;
}

static void loop(struct tui *t)
{
	t->dirty = true;
	while (!t->quit) {
		struct pollfd fds[3] = { { .fd = t->term_gone ? -1 : STDIN_FILENO,
					   .events = POLLIN } };
		int n = 1, timeout = poll_timeout(t), rc;
		if (t->live)
			fds[n++] = (struct pollfd){ .fd = t->live->feed.efd, .events = POLLIN };
		if (t->con)
			fds[n++] = (struct pollfd){ .fd = console_master_fd(t->con),
						    .events = POLLIN };
		rc = poll(fds, (nfds_t)n, timeout);
		if (rc < 0 && errno != EINTR)
			break;
		/* EINTR: SIGWINCH, which curses turns into KEY_RESIZE */
		if ((rc < 0 && !t->term_gone) || (fds[0].revents & (POLLIN | POLLHUP)))
			read_keys(t);
		if (fds[0].revents & (POLLHUP | POLLERR | POLLNVAL))
			terminal_gone(t);
		if (t->live) {
			live_drain(t);
			live_tick(t);
			if (t->live->sh_master >= 0)
				shell_poll(t);
		}
		if (t->con && console_pump(t->con) != 0)
			t->dirty = true;
		if (t->rp)
			replay_tick(t);
		if (t->dirty && !t->term_gone && mono_ns() - t->last_draw >= FRAME_NS)
			draw(t);
	}
}

static int tui_init(struct tui *t, const struct tui_opts *o, struct err *e)
{
	memset(t, 0, sizeof(*t));
	view_init(&t->v);
	rlines_init(&t->lines);
	if (evlog_init(&t->log) < 0)
		return err_set(e, ENOMEM, "event log");
	snprintf(t->sandbox, sizeof(t->sandbox), "%s", o->sandbox ? o->sandbox : "none");
	t->v.sandbox = t->sandbox;
	t->v.exited_ttl_ns = o->exited_ttl_ns;
	t->v.state = t->state;
	t->speed = 0;
	t->rate_t = mono_ns();
	return 0;
}

static void tui_destroy(struct tui *t)
{
	screen_end(t);
	trows_free(&t->rows);
	rlines_free(&t->lines);
	evlog_free(&t->log);
	idset_free(&t->frozen);
	view_free(&t->v);
}

/* ---- replay ---- */

int tui_replay(struct replay *r, const struct tui_opts *o, struct err *e)
{
	struct tui t;
	char sb[128];
	if (tui_init(&t, o, e) < 0)
		return -1;
	replay_sandbox_text(r->header, sb, sizeof(sb));
	snprintf(t.sandbox, sizeof(t.sandbox), "%s", sb);
	t.rp = r;
	t.m = &r->model;
	t.v.mode = "replay";
	t.v.t0_ns = r->t0;
	t.play_t = r->t0;
	t.play_wall = mono_ns();
	if (screen_init(&t, e) < 0) {
		tui_destroy(&t);
		return -1;
	}
	/* start at the end: the whole run, as the live view showed it last */
	replay_goto(&t, r->n);
	loop(&t);
	tui_destroy(&t);
	return 0;
}

/* ---- live ---- */

/* view.id_name: the names in the process's own /etc/passwd and /etc/group, read here in the
 * UI thread (cached per mount namespace), never by the tracer. Files are read through a live
 * process that has exec'd (or was attached): a sandbox's processes before their first exec
 * may not have pivoted into its root yet, and the host's files would be taken for the
 * sandbox's; they show what the others found. */
static const char *live_id_name(void *data, const struct proc *p, bool group, uint32_t id)
{
	struct tui_live *l = data;
	pid_t pid = p->state < PROC_ZOMBIE && (p->execs > 0 || l->o.attach) ? p->pid : 0;
	return idnames_get(l->names, p->perms.ns[PROCFS_NS_MNT], pid, group, id);
}

int tui_live_new(struct tui_live **out, const struct tui_opts *o, struct err *e)
{
	struct tui_live *l = calloc(1, sizeof(*l));
	if (!l)
		return err_set(e, ENOMEM, "tui");
	l->o = *o;
	l->feed.efd = -1;
	l->saved[0] = l->saved[1] = l->saved[2] = -1;
	l->sh_master = l->sh_slave = -1;
	pthread_mutex_init(&l->lock, NULL);
	if (tui_init(&l->t, o, e) < 0 || tui_feed_init(&l->feed, e) < 0 ||
	    model_init(&l->model, o->keep_exited, e) < 0) {
		tui_live_free(l);
		return -1;
	}
	l->t.live = l;
	l->t.m = &l->model;
	if (procfs_new(&l->pfs, e) < 0)
		l->pfs = NULL; /* the details show the snapshots the tracer took */
	if (idnames_new(&l->names, e) == 0) {
		l->t.v.id_name = live_id_name;
		l->t.v.id_name_data = l;
	}
	l->t.v.mode = o->attach ? "attached" : "live";
	snprintf(l->t.state, sizeof(l->t.state), "tracing");
	if (o->console && !o->attach) {
		struct winsize ws = { 0 };
		int rows = 10, cols = 80;
		if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 8) {
			rows = ws.ws_row * 2 / 5;
			cols = ws.ws_col;
		}
		if (console_open(&l->t.con, rows, cols, e) < 0) {
			tui_live_free(l);
			return -1;
		}
		l->t.v.console = true;
		l->t.v.focus = o->focus_console ? VF_CONSOLE : VF_TREE;
	}
	*out = l;
	return 0;
}

void tui_live_sink(struct tui_live *l, const struct event_sink *next, struct event_sink *out)
{
	if (next)
		l->feed.next = *next;
	out->emit = tui_feed_emit;
	out->idle = tui_feed_idle;
	out->data = &l->feed;
}

int tui_live_redirect(struct tui_live *l, struct err *e)
{
	int fd;
	if (!l->t.con)
		return 0;
	fd = console_slave_fd(l->t.con);
	for (int i = 0; i < 3; i++) {
		l->saved[i] = fcntl(i, F_DUPFD_CLOEXEC, 3);
		if (l->saved[i] < 0 || dup2(fd, i) < 0) {
			err_set(e, errno, "console: fd %d", i);
			tui_live_restore(l);
			return -1;
		}
	}
	return 0;
}

void tui_live_restore(struct tui_live *l)
{
	for (int i = 0; i < 3; i++)
		if (l->saved[i] >= 0) {
			dup2(l->saved[i], i);
			close(l->saved[i]);
			l->saved[i] = -1;
		}
	if (l->t.con)
		console_close_slave(l->t.con);
}

static void *ui_main(void *data)
{
	struct tui_live *l = data;
	sigset_t winch;
	/* SIGWINCH reaches this thread only (blocked in the others, see tui_live_start) */
	sigemptyset(&winch);
	sigaddset(&winch, SIGWINCH);
	pthread_sigmask(SIG_UNBLOCK, &winch, NULL);
	/* the tracer and the workload come first: on a busy machine the screen lags a
	 * little rather than the traced processes (Linux: a thread has its own nice value) */
	setpriority(PRIO_PROCESS, (id_t)gettid(), UI_NICE);
	loop(&l->t);
	screen_end(&l->t);
	/* -p: quitting detaches, which the tracer does on SIGTERM (every tracee resumes) */
	if (l->o.attach && !atomic_load(&l->finished))
		kill(getpid(), SIGTERM);
	return NULL;
}

int tui_live_start(struct tui_live *l, pid_t root, struct err *e)
{
	sigset_t winch;
	int rc;
	l->root = root;
	l->t.v.t0_ns = mono_ns();
	if (screen_init(&l->t, e) < 0)
		return -1;
	sigemptyset(&winch);
	sigaddset(&winch, SIGWINCH);
	pthread_sigmask(SIG_BLOCK, &winch, NULL);
	rc = pthread_create(&l->thread, NULL, ui_main, l);
	if (rc != 0) {
		screen_end(&l->t);
		return err_set(e, rc, "UI thread");
	}
	l->started = true;
	return 0;
}

void tui_live_finished(struct tui_live *l, const char *state)
{
	uint64_t one = 1;
	ssize_t w;
	pthread_mutex_lock(&l->lock);
	snprintf(l->finished_state, sizeof(l->finished_state), "%s", state);
	pthread_mutex_unlock(&l->lock);
	atomic_store(&l->finished, true);
	w = write(l->feed.efd, &one, sizeof(one)); /* wake the UI */
	(void)w;
}

int tui_live_wait(struct tui_live *l)
{
	if (l->started) {
		pthread_join(l->thread, NULL);
		l->started = false;
	}
	return 0;
}

void tui_live_free(struct tui_live *l)
{
	if (!l)
		return;
	tui_live_wait(l);
	tui_live_restore(l);
	shell_cleanup(l);
	if (l->t.con)
		console_free(l->t.con);
	tui_destroy(&l->t);
	tui_feed_destroy(&l->feed);
	if (l->pfs)
		procfs_free(l->pfs);
	idnames_free(l->names);
	if (l->model.buckets)
		model_destroy(&l->model);
	pthread_mutex_destroy(&l->lock);
	free(l);
}
