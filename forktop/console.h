/* The workload's terminal: a pseudo-terminal owned by forktop, rendered by libvterm into a
 * pane of the TUI, with scrollback. The workload gets the slave side as its stdin, stdout and
 * stderr; forktop reads the master, feeds the emulator and draws its cells with curses.
 * Window size changes reach the workload through TIOCSWINSZ (the kernel sends SIGWINCH to
 * the terminal's foreground process group). Used by the UI thread only. */
#ifndef FORKTOP_CONSOLE_H
#define FORKTOP_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>

#include "../common/err.h"

struct console;

/* Open a pty of rows x cols and its emulator. */
int console_open(struct console **out, int rows, int cols, struct err *e);
void console_free(struct console *c);
/* The slave side (for the workload's fds 0, 1, 2) and the master (for poll). */
int console_slave_fd(const struct console *c);
int console_master_fd(const struct console *c);
/* Close forktop's copy of the slave once the workload holds it (so that EOF is seen when
 * the workload's last process closes it). */
void console_close_slave(struct console *c);
/* Read what the workload wrote (non-blocking) into the emulator. Returns 1 if the screen
 * changed, 0 if nothing was there, -1 on EOF or error (the pty has no writer left). */
int console_pump(struct console *c);
/* New size of the pane: the emulator and the pty (TIOCSWINSZ). */
void console_resize(struct console *c, int rows, int cols);
/* A key from curses (wget_wch: `is_key` true for KEY_* codes) sent to the workload. */
void console_key(struct console *c, int ch, bool is_key);
/* Scroll the view into the scrollback: delta lines up (positive) or down; 0 resets. */
void console_scroll(struct console *c, int delta);
/* Draw into the curses rectangle (y, x, h, w); the cursor position is returned in *cy, *cx
 * (screen coordinates, -1 when hidden or scrolled back). */
void console_draw(struct console *c, int y, int x, int h, int w, bool focused, bool color, int *cy,
		  int *cx);
/* Text of screen row `row` (UTF-8, trailing blanks dropped) into buf. */
void console_row_text(const struct console *c, int row, char *buf, size_t size);
/* Lines kept in the scrollback (tests). */
size_t console_scrollback_lines(const struct console *c);

#endif
