#include "console.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>
#include <vterm.h>

#define SB_MAX 2000  /* scrollback lines */
#define PAIR_BASE 32 /* colour pairs 32.. are the console's (tui.c uses the first few) */

struct sb_line {
	int cols;
	VTermScreenCell *cells;
};

struct console {
	int master, slave;
	VTerm *vt;
	VTermScreen *vs;
	int rows, cols;
	struct sb_line *sb; /* ring, oldest at sb_head */
	size_t sb_head, sb_n;
	int scroll; /* lines scrolled back into sb */
	bool eof;
	unsigned char pairs_done[81];
};

/* ---- libvterm callbacks ---- */

static int cb_pushline(int cols, const VTermScreenCell *cells, void *user)
{
	struct console *c = user;
	struct sb_line *l;
	VTermScreenCell *copy = malloc((size_t)cols * sizeof(*copy));
	if (!copy)
		return 0;
	memcpy(copy, cells, (size_t)cols * sizeof(*copy));
	if (c->sb_n == SB_MAX) {
		l = &c->sb[c->sb_head];
		free(l->cells);
		c->sb_head = (c->sb_head + 1) % SB_MAX;
	} else {
		l = &c->sb[(c->sb_head + c->sb_n) % SB_MAX];
		c->sb_n++;
	}
	l->cols = cols;
	l->cells = copy;
	return 1;
}

static int cb_popline(int cols, VTermScreenCell *cells, void *user)
{
	struct console *c = user;
	struct sb_line *l;
	if (c->sb_n == 0)
		return 0;
	l = &c->sb[(c->sb_head + c->sb_n - 1) % SB_MAX];
	for (int i = 0; i < cols; i++) {
		if (i < l->cols) {
			cells[i] = l->cells[i];
		} else {
			memset(&cells[i], 0, sizeof(cells[i]));
			cells[i].width = 1;
			cells[i].fg = l->cols ? l->cells[0].fg : cells[i].fg;
			cells[i].bg = l->cols ? l->cells[0].bg : cells[i].bg;
		}
	}
	free(l->cells);
	l->cells = NULL;
	c->sb_n--;
	return 1;
}

static void cb_output(const char *s, size_t len, void *user)
{
	struct console *c = user;
	while (len > 0 && !c->eof) {
		ssize_t n = write(c->master, s, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return; /* the workload does not read: drop the keys rather than hang */
		s += n;
		len -= (size_t)n;
	}
}

static const VTermScreenCallbacks screen_cbs = {
	.sb_pushline = cb_pushline,
	.sb_popline = cb_popline,
};

/* ---- life ---- */

int console_open(struct console **out, int rows, int cols, struct err *e)
{
	struct console *c = calloc(1, sizeof(*c));
	struct winsize ws = { .ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols };
	if (!c)
		return err_set(e, ENOMEM, "console");
	c->slave = -1;
	c->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (c->master < 0) {
		free(c);
		return err_set(e, errno, "console: posix_openpt");
	}
	if (grantpt(c->master) < 0 || unlockpt(c->master) < 0 ||
	    (c->slave = open(ptsname(c->master), O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) {
		err_set(e, errno, "console: pty");
		console_free(c);
		return -1;
	}
	fcntl(c->master, F_SETFL, fcntl(c->master, F_GETFL) | O_NONBLOCK);
	ioctl(c->master, TIOCSWINSZ, &ws);
	c->sb = calloc(SB_MAX, sizeof(*c->sb));
	c->vt = vterm_new(rows, cols);
	if (!c->sb || !c->vt) {
		console_free(c);
		return err_set(e, ENOMEM, "console");
	}
	c->rows = rows;
	c->cols = cols;
	vterm_set_utf8(c->vt, 1);
	vterm_output_set_callback(c->vt, cb_output, c);
	c->vs = vterm_obtain_screen(c->vt);
	vterm_screen_set_callbacks(c->vs, &screen_cbs, c);
	vterm_screen_enable_altscreen(c->vs, 1);
	vterm_screen_reset(c->vs, 1);
	*out = c;
	return 0;
}

void console_free(struct console *c)
{
	if (!c)
		return;
	if (c->vt)
		vterm_free(c->vt);
	for (size_t i = 0; c->sb && i < c->sb_n; i++)
		free(c->sb[(c->sb_head + i) % SB_MAX].cells);
	free(c->sb);
	if (c->master >= 0)
		close(c->master);
	if (c->slave >= 0)
		close(c->slave);
	free(c);
}

int console_slave_fd(const struct console *c)
{
	return c->slave;
}

int console_master_fd(const struct console *c)
{
	return c->eof ? -1 : c->master; /* poll() skips -1: no busy loop on a hung-up pty */
}

void console_close_slave(struct console *c)
{
	if (c->slave >= 0) {
		close(c->slave);
		c->slave = -1;
	}
}

void console_row_text(const struct console *c, int row, char *buf, size_t size)
{
	VTermRect r = { .start_row = row, .end_row = row + 1, .start_col = 0, .end_col = c->cols };
	size_t n = 0;
	if (size == 0)
		return;
	if (row >= 0 && row < c->rows)
		n = vterm_screen_get_text(c->vs, buf, size - 1, r);
	while (n > 0 && buf[n - 1] == ' ')
		n--;
	buf[n] = '\0';
}

size_t console_scrollback_lines(const struct console *c)
{
	return c->sb_n;
}

int console_pump(struct console *c)
{
	char buf[16384];
	int changed = 0;
	for (int i = 0; i < 8 && !c->eof; i++) {
		ssize_t n = read(c->master, buf, sizeof(buf));
		if (n > 0) {
			vterm_input_write(c->vt, buf, (size_t)n);
			changed = 1;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		/* EIO: no process holds the slave any more */
		c->eof = true;
		return changed ? 1 : -1;
	}
	if (changed)
		vterm_screen_flush_damage(c->vs);
	return changed;
}

void console_resize(struct console *c, int rows, int cols)
{
	struct winsize ws;
	if (rows < 1 || cols < 1 || (rows == c->rows && cols == c->cols))
		return;
	c->rows = rows;
	c->cols = cols;
	vterm_set_size(c->vt, rows, cols);
	vterm_screen_flush_damage(c->vs);
	ws = (struct winsize){ .ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols };
	/* the kernel sends SIGWINCH to the terminal's foreground process group */
	ioctl(c->master, TIOCSWINSZ, &ws);
}

void console_scroll(struct console *c, int delta)
{
	if (delta == 0) {
		c->scroll = 0;
		return;
	}
	c->scroll += delta;
	if (c->scroll > (int)c->sb_n)
		c->scroll = (int)c->sb_n;
	if (c->scroll < 0)
		c->scroll = 0;
}

/* ---- keys ---- */

static const struct {
	int curses;
	VTermKey vt;
} keymap[] = {
	{ KEY_UP, VTERM_KEY_UP },
	{ KEY_DOWN, VTERM_KEY_DOWN },
	{ KEY_LEFT, VTERM_KEY_LEFT },
	{ KEY_RIGHT, VTERM_KEY_RIGHT },
	{ KEY_HOME, VTERM_KEY_HOME },
	{ KEY_END, VTERM_KEY_END },
	{ KEY_PPAGE, VTERM_KEY_PAGEUP },
	{ KEY_NPAGE, VTERM_KEY_PAGEDOWN },
	{ KEY_IC, VTERM_KEY_INS },
	{ KEY_DC, VTERM_KEY_DEL },
	{ KEY_BACKSPACE, VTERM_KEY_BACKSPACE },
	{ KEY_ENTER, VTERM_KEY_ENTER },
	{ KEY_BTAB, VTERM_KEY_TAB },
};

void console_key(struct console *c, int ch, bool is_key)
{
	if (is_key) {
		for (size_t i = 0; i < sizeof(keymap) / sizeof(keymap[0]); i++)
			if (keymap[i].curses == ch) {
				vterm_keyboard_key(c->vt, keymap[i].vt,
						   ch == KEY_BTAB ? VTERM_MOD_SHIFT
								  : VTERM_MOD_NONE);
				return;
			}
		if (ch >= KEY_F(1) && ch <= KEY_F(12))
			vterm_keyboard_key(c->vt, VTERM_KEY_FUNCTION(ch - KEY_F0), VTERM_MOD_NONE);
		return;
	}
	if (ch < 0x20 || ch == 0x7f) {
		char b = (char)ch;
		/* control characters go as they are: the pty's line discipline makes ^C a SIGINT */
		cb_output(&b, 1, c);
		return;
	}
	vterm_keyboard_unichar(c->vt, (uint32_t)ch, VTERM_MOD_NONE);
}

/* ---- drawing ---- */

static int basic_color(VTermScreen *vs, VTermColor col)
{
	if (VTERM_COLOR_IS_DEFAULT_FG(&col) || VTERM_COLOR_IS_DEFAULT_BG(&col))
		return -1;
	if (VTERM_COLOR_IS_INDEXED(&col))
		return col.indexed.idx < 16 ? col.indexed.idx & 7 : -1;
	vterm_screen_convert_color_to_rgb(vs, &col);
	return (col.rgb.red > 127 ? 1 : 0) | (col.rgb.green > 127 ? 2 : 0) |
	       (col.rgb.blue > 127 ? 4 : 0);
}

static short cell_pair(struct console *c, const VTermScreenCell *cell)
{
	int fg = basic_color(c->vs, cell->fg), bg = basic_color(c->vs, cell->bg);
	int k = (fg + 1) * 9 + (bg + 1);
	if (fg < 0 && bg < 0)
		return 0;
	if (PAIR_BASE + k >= COLOR_PAIRS)
		return 0;
	if (!c->pairs_done[k]) {
		init_pair((short)(PAIR_BASE + k), (short)fg, (short)bg);
		c->pairs_done[k] = 1;
	}
	return (short)(PAIR_BASE + k);
}

static void draw_cell(struct console *c, int y, int x, const VTermScreenCell *cell, bool color)
{
	wchar_t wc[VTERM_MAX_CHARS_PER_CELL + 1];
	cchar_t cc;
	attr_t a = A_NORMAL;
	int n = 0;
	for (; n < VTERM_MAX_CHARS_PER_CELL && cell->chars[n]; n++)
		wc[n] = (wchar_t)cell->chars[n];
	if (n == 0)
		wc[n++] = L' ';
	wc[n] = L'\0';
	if (cell->attrs.bold)
		a |= A_BOLD;
	if (cell->attrs.underline)
		a |= A_UNDERLINE;
	if (cell->attrs.reverse)
		a |= A_REVERSE;
	if (cell->attrs.blink)
		a |= A_BLINK;
	setcchar(&cc, wc, a, color ? cell_pair(c, cell) : 0, NULL);
	mvadd_wch(y, x, &cc);
}

static void draw_sb_line(struct console *c, const struct sb_line *l, int y, int x, int w,
			 bool color)
{
	for (int col = 0; col < w; col++) {
		if (col < l->cols) {
			draw_cell(c, y, x + col, &l->cells[col], color);
			if (l->cells[col].width == 2)
				col++;
		} else {
			mvaddch(y, x + col, ' ');
		}
	}
}

static void draw_title(const struct console *c, int y, int x, int w, bool focused)
{
	char buf[256];
	snprintf(buf, sizeof(buf), " Console %s%s%s",
		 focused ? "[focus: keys go to the workload, F2: tree]" : "[F2/Tab: focus]",
		 c->scroll ? " [scrollback]" : "", c->eof ? " [closed]" : "");
	attrset(A_REVERSE | (focused ? A_BOLD : A_NORMAL));
	mvaddnstr(y, x, buf, w);
	for (int i = (int)strlen(buf); i < w; i++)
		addch(' ');
	attrset(A_NORMAL);
}

void console_draw(struct console *c, int y, int x, int h, int w, bool focused, bool color, int *cy,
		  int *cx)
{
	VTermPos cur;
	*cy = *cx = -1;
	if (h < 1 || w < 1)
		return;
	draw_title(c, y, x, w, focused);
	for (int row = 0; row < h - 1; row++) {
		int src = row - c->scroll; /* < 0: a scrollback line */
		if (src < 0) {
			size_t k = c->sb_n + (size_t)src;
			draw_sb_line(c, &c->sb[(c->sb_head + k) % SB_MAX], y + 1 + row, x, w,
				     color);
			continue;
		}
		for (int col = 0; col < w; col++) {
			VTermScreenCell cell;
			VTermPos pos = { .row = src, .col = col };
			if (src >= c->rows || col >= c->cols ||
			    !vterm_screen_get_cell(c->vs, pos, &cell)) {
				mvaddch(y + 1 + row, x + col, ' ');
				continue;
			}
			draw_cell(c, y + 1 + row, x + col, &cell, color);
			if (cell.width == 2)
				col++;
		}
	}
	attrset(A_NORMAL);
	vterm_state_get_cursorpos(vterm_obtain_state(c->vt), &cur);
	if (c->scroll == 0 && cur.row + 1 < h && cur.col < w) {
		*cy = y + 1 + cur.row;
		*cx = x + cur.col;
	}
}
