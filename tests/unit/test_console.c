/* Unit tests for forktop/console.c: the workload's pty rendered by libvterm (text, scrollback,
 * window size, keys, end of the workload), without a screen. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../forktop/console.h"

static int setup(void **state)
{
	struct console *c = NULL;
	struct err e;
	struct termios tio;
	if (console_open(&c, 5, 20, &e) < 0) {
		fprintf(stderr, "%s\n", e.msg);
		return -1;
	}
	/* raw: what is written reaches the master byte for byte, keys are not echoed */
	tcgetattr(console_slave_fd(c), &tio);
	cfmakeraw(&tio);
	tcsetattr(console_slave_fd(c), TCSANOW, &tio);
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	console_free(*state);
	return 0;
}

static void put(struct console *c, const char *s)
{
	assert_int_equal(write(console_slave_fd(c), s, strlen(s)), (ssize_t)strlen(s));
}

/* Pump until the master has nothing left. */
static void pump_all(struct console *c)
{
	struct pollfd p = { .fd = console_master_fd(c), .events = POLLIN };
	while (poll(&p, 1, 100) > 0 && console_pump(c) > 0)
		;
}

static void test_text_reaches_the_screen(void **state)
{
	struct console *c = *state;
	char row[64];
	put(c, "hello\r\n\x1b[1mworld\x1b[0m \xc3\xa9t\xc3\xa9");
	pump_all(c);
	console_row_text(c, 0, row, sizeof(row));
	assert_string_equal(row, "hello");
	console_row_text(c, 1, row, sizeof(row));
	assert_string_equal(row, "world \xc3\xa9t\xc3\xa9");
	/* a full-screen program's cursor movement */
	put(c, "\x1b[4;3Hxy");
	pump_all(c);
	console_row_text(c, 3, row, sizeof(row));
	assert_string_equal(row, "  xy");
}

static void test_scrollback_keeps_what_scrolled_off(void **state)
{
	struct console *c = *state;
	char row[64], line[32];
	for (int i = 0; i < 12; i++) {
		snprintf(line, sizeof(line), "line %d\r\n", i);
		put(c, line);
	}
	pump_all(c);
	/* 12 lines and an empty one on a 5-row screen: 8 went to the scrollback */
	assert_int_equal(console_scrollback_lines(c), 8);
	console_row_text(c, 0, row, sizeof(row));
	assert_string_equal(row, "line 8");
	console_row_text(c, 3, row, sizeof(row));
	assert_string_equal(row, "line 11");
}

static void test_resize_reaches_the_workload(void **state)
{
	struct console *c = *state;
	struct winsize ws;
	char row[128];
	assert_int_equal(ioctl(console_slave_fd(c), TIOCGWINSZ, &ws), 0);
	assert_int_equal(ws.ws_row, 5);
	assert_int_equal(ws.ws_col, 20);
	console_resize(c, 12, 70);
	assert_int_equal(ioctl(console_slave_fd(c), TIOCGWINSZ, &ws), 0);
	assert_int_equal(ws.ws_row, 12);
	assert_int_equal(ws.ws_col, 70);
	put(c, "\x1b[12;65Hend");
	pump_all(c);
	console_row_text(c, 11, row, sizeof(row));
	assert_int_equal(strlen(row), 67);
	assert_string_equal(row + 64, "end");
}

static void test_keys_reach_the_workload(void **state)
{
	struct console *c = *state;
	char buf[16] = "";
	size_t got = 0;
	console_key(c, 'a', false);
	console_key(c, 0xe9, false); /* é, sent as UTF-8 */
	console_key(c, 3, false);    /* ^C goes as the byte */
	/* the pty may hand the bytes over in several reads */
	while (got < 4) {
		struct pollfd p = { console_slave_fd(c), POLLIN, 0 };
		ssize_t n;
		assert_int_equal(poll(&p, 1, 5000), 1);
		n = read(console_slave_fd(c), buf + got, sizeof(buf) - 1 - got);
		assert_true(n > 0);
		got += (size_t)n;
	}
	assert_int_equal(got, 4);
	assert_memory_equal(buf, "a\xc3\xa9\x03", 4);
}

static void test_end_of_the_workload(void **state)
{
	struct console *c = *state;
	pid_t pid;
	int status;
	/* the workload holds the only other copy of the slave; forktop closes its own */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		ssize_t w = write(console_slave_fd(c), "bye\r\n", 5);
		_exit(w == 5 ? 0 : 1);
	}
	console_close_slave(c);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(status, 0);
	pump_all(c);
	assert_int_equal(console_master_fd(c), -1); /* poll() skips it from now on */
	assert_int_equal(console_pump(c), 0);
	char row[16];
	console_row_text(c, 0, row, sizeof(row));
	assert_string_equal(row, "bye");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_text_reaches_the_screen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scrollback_keeps_what_scrolled_off, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_resize_reaches_the_workload, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keys_reach_the_workload, setup, teardown),
		cmocka_unit_test_setup_teardown(test_end_of_the_workload, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
