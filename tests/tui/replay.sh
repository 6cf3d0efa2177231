#!/usr/bin/env bash
# forktop --replay FILE in a real terminal (tmux): the recorded tree, stepping through time,
# and the keys of the tree view (collapse, search, filter, details, events, signal menu, help,
# quit, resize, mouse, ASCII/UTF-8, NO_COLOR). The recording is tests/expected/tui_run.jsonl.
# Screens are read with single-quoted commands and patterns on purpose.
# shellcheck disable=SC2016,SC2031
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/tui/tmux.bash
. "$(dirname "$0")/tmux.bash"

FIX=$T_ROOT/tests/expected/tui_run.jsonl

# start_replay [ENV=VALUE...]: forktop --replay in a W x H pane (80x24 by default), ASCII
# (C locale) unless told otherwise, waiting for the tree.
W=80 H=24
start_replay() {
	tui_start "$W" "$H" env LC_ALL=C "$@" "$FORKTOP" --replay "$FIX"
	tui_wait 'sh -c build'
}

test_replay_shows_the_recorded_tree() {
	W=120 start_replay
	assert_match '^forktop replay \| live 0 exited 5 total 5 \| paused x1 25/25 1\.100s \| 0 ev/s \| sandbox: shell: user,pid *$' \
		"$(tui_line 0)" header
	tui_resize 80 24
	# the redraw is complete once the column header and the last row are back (tmux may show
	# the old status line at the bottom before forktop has redrawn anything)
	wait_until 5 eval '[ "$(tui_screen | wc -l)" = 24 ] && tui_line 23 | grep -q "^?:help" &&
		tui_line 1 | grep -q "^    PID  NSPID" && tui_line 6 | grep -q "false"' ||
		fail "no 80x24 screen"
	assert_eq "    PID  NSPID USER     STATE      AGE EXIT     COMMAND" "$(tui_line 1)"
	assert_eq "    100      1 1000     exited    1.1s 2        sh -c build" "$(tui_line 2)"
	assert_eq "    101      2 1000     exited    1.0s 0        |-sleep 1" "$(tui_line 3)"
	assert_eq "    102      3 1000     exited    0.5s 2        \`-make -j2" "$(tui_line 4)"
	assert_eq "    103      4 0        exited    0.4s SIGTERM    |-cc -c x.c" "$(tui_line 5)"
	assert_eq "    104      5 1000     exited    0.0s 1          \`-false" "$(tui_line 6)"
	assert_match '^\?:help q:quit' "$(tui_line 23)" "status bar"
	tui_keys q
	tui_wait '^\[exit=0\]'
}

test_replay_utf8_box_drawing() {
	tui_start 80 24 env LC_ALL=C.UTF-8 "$FORKTOP" --replay "$FIX"
	tui_wait 'sh -c build'
	tui_wait '├─sleep 1'
	tui_wait '  └─false'
	tui_keys q
	tui_wait '^\[exit=0\]'
}

test_replay_steps_through_time() {
	start_replay
	# jump to 0.3 s: sleep is stopped, cc runs, false has exited
	tui_keys g
	tui_wait '^jump to \(s\): '
	tui_text 0.3
	tui_keys Enter
	tui_wait 'paused x1 16/25 0\.201s'
	tui_wait '^    101 .* stopped .*\|-sleep 1'
	tui_wait '^    103 .* running .*\|-cc -c x\.c'
	tui_wait '^    104 .* exited .* 1 .*`-false'
	assert_match 'live 4 exited 1 total 5' "$(tui_line 0)"
	# forward: the continue at 0.4 s
	tui_keys .
	tui_wait 'paused x1 17/25 0\.400s'
	tui_wait '^    101 .* running .*\|-sleep 1'
	# and back, and the arrows do the same
	tui_keys ,
	tui_wait '^    101 .* stopped .*\|-sleep 1'
	tui_keys Right
	tui_wait 'paused x1 17/25 0\.400s'
	tui_keys Left
	tui_wait 'paused x1 16/25 0\.201s'
	# to the very start: one process, no command yet
	tui_keys g
	tui_text 0
	tui_keys Enter
	tui_wait 'live 1 exited 0 total 1 \| paused x1 1/25 0\.000s'
	# play to the end at x1024
	for _ in 1 2 3 4 5 6 7 8 9 10; do tui_keys '>'; done
	tui_keys p
	tui_wait 'paused x1024 25/25 1\.100s'
}

test_collapse_and_expand_all() {
	start_replay
	tui_keys Down Down Space
	tui_wait '`-\[\+\]make -j2 \.\.\.'
	tui_wait_gone 'cc -c x\.c'
	tui_wait_gone 'false'
	tui_keys '*'
	tui_wait 'cc -c x\.c'
	tui_wait '`-false'
	tui_keys -- -
	tui_wait_gone 'cc -c x\.c'
	tui_keys +
	tui_wait 'cc -c x\.c'
}

test_search_selects_the_match() {
	start_replay
	tui_keys /
	tui_wait '^/'
	tui_text false
	tui_keys Enter
	tui_keys d
	tui_wait 'Details: pid 104 \(ns 5\), parent 102'
	tui_wait 'exe +/usr/bin/false'
	# n wraps around to the same single match
	tui_keys n
	tui_wait 'Details: pid 104'
	# a search for make finds 102, then N goes back to it from 104
	tui_keys /
	tui_text make
	tui_keys Enter
	tui_wait 'Details: pid 102'
}

test_filter_keeps_ancestors() {
	start_replay
	tui_keys "\\"
	tui_text cc
	tui_keys Enter
	tui_wait '\[filter: cc\]'
	tui_wait_gone 'sleep 1'
	tui_wait_gone 'false'
	assert_match 'sh -c build' "$(tui_line 2)"
	assert_match '`-make -j2' "$(tui_line 3)"
	assert_match '`-cc -c x\.c' "$(tui_line 4)"
	# an empty filter shows everything again
	tui_keys "\\" Enter
	tui_wait 'sleep 1'
	tui_wait_gone '\[filter'
}

test_details_show_permission_changes() {
	H=40 start_replay
	tui_keys Down Down Down Enter
	tui_wait 'Details: pid 103 \(ns 4\), parent 102'
	tui_wait 'uid +0/0/0/0  in ns 0/0/0/0  \(changed\)'
	tui_wait 'cap eff +net_admin'
	tui_wait 'gained +net_admin'
	tui_keys d
	tui_wait_gone 'Details:'
}

test_event_log_pane() {
	start_replay
	tui_keys e
	tui_wait ' Events \(25\)'
	tui_wait '1\.100 exit +100 code 2'
	tui_wait '0\.600 exit +102 code 2'
	# the event log's own filter
	tui_keys E
	tui_wait '^event filter: '
	tui_text SIGTERM
	tui_keys Enter
	tui_wait 'Events \(25\) filter: SIGTERM'
	tui_wait '0\.500 signal +103 SIGTERM'
	tui_wait '0\.501 exit +103 SIGTERM'
	tui_wait_gone '1\.100 exit'
	tui_keys e
	tui_wait_gone 'Events \('
}

test_help_signal_menu_shell_keys() {
	start_replay
	tui_keys '?'
	tui_wait 'forktop keys'
	tui_wait 'signal menu'
	tui_keys Space
	tui_wait_gone 'forktop keys'
	tui_keys x
	tui_wait 'Send signal:'
	tui_wait ' > 15 SIGTERM'
	tui_keys Down
	tui_wait ' >  9 SIGKILL'
	tui_keys Enter
	tui_wait 'replay: recorded processes cannot be signalled'
	tui_keys s
	tui_wait 'shell into the process \(hijack\): not available in a replay'
	tui_keys S
	tui_wait 'shell into the process \(join\): not available in a replay'
}

# the screen is w x h: a header, a status bar at the bottom, nothing beyond
check_screen_size() {
	local lines
	lines=$(tui_screen | wc -l)
	assert_eq "$2" "$lines" "lines at $1x$2"
	assert_match '^forktop replay' "$(tui_line 0)" "header at $1x$2"
	assert_match '^\?:help' "$(tui_line $(($2 - 1)))" "status at $1x$2"
	[ "$(tui_screen | awk '{ if (length($0) > m) m = length($0) } END { print m }')" -le "$1" ] ||
		fail "line wider than $1"
}

# screen_is W H: the pane shows a W x H screen (header on top, status bar at the bottom)
screen_is() {
	[ "$(tui_screen | wc -l)" = "$2" ] && tui_line 0 | grep -q '^forktop replay' &&
		tui_line $(($2 - 1)) | grep -q '^?:help'
}

test_resize_keeps_a_valid_screen() {
	start_replay
	for size in "132 40" "80 24" "60 12" "200 60" "80 24"; do
		# shellcheck disable=SC2086
		tui_resize $size
		# shellcheck disable=SC2086
		wait_until 5 screen_is $size || {
			tui_screen >&2
			fail "no valid screen at $size"
		}
		# shellcheck disable=SC2086
		check_screen_size $size
	done
	tui_keys q
	tui_wait '^\[exit=0\]'
}

test_mouse_click_and_wheel() {
	start_replay
	tui_keys d
	tui_wait 'Details: pid 100'
	# X10 mouse reports (what TERM=screen announces), press and release in one write as a
	# terminal sends them: button 1 at column 10, row 5 (pid 103)
	tui_text $'\e[M +&\e[M#+&'
	tui_wait 'Details: pid 103'
	# wheel up: three rows up
	tui_text $'\e[M`+&'
	tui_wait 'Details: pid 100'
	# wheel down: three rows down
	tui_text $'\e[Ma+&'
	tui_wait 'Details: pid 103'
}

test_no_color_means_no_colour() {
	start_replay
	tui_screen_esc | grep -qE $'\e\\[([0-9;]*;)?(3[0-7]|4[0-7])(;[0-9;]*)?m' ||
		fail "no colour without NO_COLOR (the check below could not fail)"
	tui_keys q
	tui_wait '^\[exit=0\]'
	start_replay NO_COLOR=1
	! tui_screen_esc | grep -qE $'\e\\[([0-9;]*;)?(3[0-7]|4[0-7])(;[0-9;]*)?m' ||
		fail "colours with NO_COLOR=1"
	# still readable: the title bar is reverse video
	tui_screen_esc | head -n 1 | grep -q $'\e\\[7m' || fail "no reverse title bar"
}

test_moving_the_selection() {
	start_replay
	tui_keys d
	tui_wait 'Details: pid 100 '
	tui_keys j
	tui_wait 'Details: pid 101 '
	tui_keys k
	tui_wait 'Details: pid 100 '
	tui_keys End
	tui_wait 'Details: pid 104 '
	tui_keys Home
	tui_wait 'Details: pid 100 '
	tui_keys NPage
	tui_wait 'Details: pid 104 '
	tui_keys PPage
	tui_wait 'Details: pid 100 '
	tui_keys Down
	tui_wait 'Details: pid 101 '
	tui_keys Up
	tui_wait 'Details: pid 100 '
	# "c" matches sh -c build (100) and cc -c x.c (103) only: n forward, N back, both wrap
	tui_keys /
	tui_text c
	tui_keys Enter
	tui_wait 'Details: pid 100 '
	tui_keys n
	tui_wait 'Details: pid 103 '
	tui_keys N
	tui_wait 'Details: pid 100 '
	tui_keys N
	tui_wait 'Details: pid 103 '
	# Ctrl-C quits like q (a recording has nothing to kill: no question)
	tui_keys C-c
	tui_wait '^\[exit=0\]'
}

test_monochrome_terminal() {
	# a terminal without colours: attributes only, the title bar in reverse video
	start_replay TERM=vt100
	! tui_screen_esc | grep -qE $'\e\\[([0-9;]*;)?(3[0-7]|4[0-7])(;[0-9;]*)?m' ||
		fail "colours on a monochrome terminal"
	tui_screen_esc | head -n 1 | grep -q $'\e\\[7m' || fail "no reverse title bar"
	tui_keys q
	tui_wait '^\[exit=0\]'
}

test_ascii_on_request_in_a_utf8_locale() {
	tui_start 80 24 env LC_ALL=C.UTF-8 FORKTOP_ASCII=1 "$FORKTOP" --replay "$FIX"
	tui_wait 'sh -c build'
	tui_wait '\|-sleep 1'
	tui_wait '  `-false'
	tui_wait_gone '├─|└─'
	tui_keys q
	tui_wait '^\[exit=0\]'
}

test_bad_file_is_an_error() {
	run_raw "$FORKTOP" --replay /nonexistent.jsonl
	expect_error 1 "forktop: --replay /nonexistent.jsonl: No such file or directory"
}

run_tests
