#!/usr/bin/env bash
# The console pane is the workload's controlling terminal: an interactive shell there has job
# control (^C interrupts its foreground job, not the shell; `&` and `jobs` work), `tty` names
# the pty, and the shell leads its own session with the foreground job marked `+` by ps.
# Both with the default sandbox and with --no-sandbox.
# Screens are read with single-quoted commands and patterns on purpose.
# shellcheck disable=SC2016,SC2031
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/tui/tmux.bash
. "$(dirname "$0")/tmux.bash"

# shell_in_console [FORKTOP OPTIONS...]: bash -i in the console pane, keys going to it
shell_in_console() {
	tui_start 120 40 env LC_ALL=C "$FORKTOP" "$@" --focus console -- \
		/bin/bash --norc --noprofile -i
	tui_wait '^\[console\] F2: tree'
	tui_wait '^bash-[0-9.]+[#$] *$'
}

# type_line TEXT: TEXT then Enter into the console
type_line() {
	tui_text "$1"
	tui_keys Enter
}

# end_shell: exit the shell, quit forktop, check its exit status
end_shell() {
	type_line 'exit 0'
	tui_wait 'finished: exit 0'
	tui_keys F2 q
	tui_wait '^\[exit=0\]'
}

# The pid of the only host process whose command line is exactly $1.
pid_of() {
	pgrep -x -f "$1"
}

ctrl_c_interrupts_the_foreground_job() {
	type_line 'sleep 100.1'
	tui_wait '`-sleep 100\.1'
	wait_until 5 eval 'pid_of "sleep 100.1" >/dev/null' || fail "sleep 100.1 not found"
	# the sleep is in the terminal's foreground process group, bash leads the session
	local sleep_pid stat
	sleep_pid=$(pid_of 'sleep 100.1')
	stat=$(ps -o stat= -p "$sleep_pid")
	assert_match '\+' "$stat" "ps stat of the foreground sleep"
	tui_keys C-c
	# the sleep died of SIGINT, the shell is still there and prompts again
	tui_wait 'exited .*SIGINT .*sleep 100\.1'
	type_line 'echo still-$((40 + 2))'
	tui_wait '^still-42$'
	tui_wait 'live [0-9]+ .*\| tracing'
	pid_gone "$sleep_pid" || fail "sleep 100.1 survived ^C"
}

# jobs_and_the_session TTY_REGEX: what `tty` prints
jobs_and_the_session() {
	type_line 'sleep 100.2 &'
	tui_wait '^\[1\] [0-9]+$'
	type_line 'jobs'
	tui_wait '^\[1\]\+ +Running +sleep 100\.2 &$'
	# the sandbox's /dev/console is the pty (as bubblewrap binds the terminal there)
	type_line 'tty'
	tui_wait "^$1\$"
	# $$: bash leads the session (s); ps runs as the foreground job (+)
	type_line 'echo "bash=[$(ps -o stat= $$)]"; ps -o stat=,args= | grep "[p]s -o"'
	# (a lower-case t: bash was in a ptrace stop while ps read it, forking ps)
	tui_wait '^bash=\[[A-Za-z]s\+?\]$'
	tui_wait '^[A-Z]+\+ +ps -o stat=,args='
	type_line 'kill %1; wait'
	tui_wait 'exited .*SIGTERM .*sleep 100\.2'
}

test_job_control_in_the_sandbox() {
	shell_in_console --events "$T_TMP/ev.jsonl"
	tui_wait 'sandbox: shell'
	ctrl_c_interrupts_the_foreground_job
	jobs_and_the_session /dev/console
	end_shell
	# the controlling terminal is forktop's business, not a sandbox setting
	assert_eq False "$(json_get "$T_TMP/ev.jsonl" '"ctty" in json.dumps(d[0]["sandbox"])')"
	assert_eq True "$(json_get "$T_TMP/ev.jsonl" '"new-session" in d[0]["sandbox"]')"
}

test_job_control_without_a_sandbox() {
	shell_in_console --no-sandbox
	tui_wait 'sandbox: none'
	ctrl_c_interrupts_the_foreground_job
	jobs_and_the_session '/dev/pts/[0-9]+'
	end_shell
}

# The lowest number on a console line of its own.
lowest_number_shown() {
	tui_screen | grep -E '^[0-9]+$' | sort -n | head -n 1
}

test_scrollback_with_the_mouse_wheel() {
	shell_in_console --no-sandbox
	type_line 'seq 1 200'
	tui_wait '^200$'
	local top
	top=$(lowest_number_shown)
	[ "$top" -gt 10 ] || fail "the console shows $top: no scrollback needed"
	# X10 wheel up (button 64) at column 10, row 30: inside the console (rows 24-38)
	tui_text $'\e[M`+?'
	tui_wait "^$((top - 3))\$"
	tui_text $'\e[M`+?'
	tui_wait "^$((top - 6))\$"
	# wheel down, then any key: back to the live screen
	tui_text $'\e[Ma+?'
	tui_wait_gone "^$((top - 6))\$"
	type_line 'echo back-$((1 + 1))'
	tui_wait '^back-2$'
	tui_wait_gone "^$((top - 3))\$"
	end_shell
}

test_a_live_screen_at_80x24() {
	tui_start 80 24 env LC_ALL=C "$FORKTOP" --no-sandbox -- /bin/sh -c 'echo hello-80x24; sleep 33.1 & wait'
	tui_wait '`-sleep 33\.1'
	tui_wait '^hello-80x24$'
	assert_match '^forktop live \| live 2 exited 0 total 2 \| tracing' "$(tui_line 0)" header
	assert_eq '    PID  NSPID USER     STATE      AGE EXIT     COMMAND' "$(tui_line 1)" titles
	assert_match '^ Console \[F2/Tab: focus\]' "$(tui_screen | grep Console)" console
	assert_match '^\[tree\] \?:help' "$(tui_line 23)" "status bar"
	assert_eq 24 "$(tui_screen | wc -l)" lines
	[ "$(tui_screen | awk '{ if (length($0) > m) m = length($0) } END { print m }')" -le 80 ] ||
		fail "a line wider than 80 columns"
	# z zooms the console (and gives it the keys), F11 unzooms, F2 gives the keys back
	tui_keys z
	tui_wait_gone 'PID +NSPID'
	tui_wait '^\[console\] F2: tree'
	tui_keys F11
	tui_wait 'PID +NSPID'
	tui_keys F2
	tui_wait '^\[tree\] \?:help'
	tui_keys q
	tui_wait 'Quit and kill it\? \(y/n\)'
	tui_keys y
	tui_wait '^\[exit=137\]'
}

test_closing_the_terminal_ends_the_workload() {
	# a workload that ignores SIGHUP: only forktop can end it once the window is gone
	tui_start 100 30 env LC_ALL=C "$FORKTOP" --no-sandbox -- \
		/bin/sh -c 'trap "" HUP; sleep 33.31; :'
	tui_wait '`-sleep 33\.31'
	local fpid spid
	fpid=$(pgrep -f '^[^ ]*forktop --no-sandbox -- /bin/sh -c trap')
	spid=$(pid_of 'sleep 33.31')
	if [ -z "$fpid" ] || [ -z "$spid" ]; then
		fail "forktop ($fpid) or the sleep ($spid) not found"
	fi
	kill_later "$fpid" "$spid"
	tmux -S "$T_SOCK" kill-server
	wait_until 10 pid_gone "$spid" || fail "the workload outlived its terminal"
	wait_until 10 pid_gone "$fpid" || fail "forktop outlived its terminal"
}

# The live view puts the workload in a session (and scheduler autogroup) of its own; forktop
# raises its own autogroup's nice by 5 while it traces and puts it back when it exits
# (docs/forktop.1, SCHEDULING). The pane's shell shares forktop's autogroup and reports it.
test_autogroup_nice_raised_and_restored() {
	[ -w /proc/self/autogroup ] || fail "no /proc/self/autogroup (CONFIG_SCHED_AUTOGROUP)"
	tui_start 100 30 /bin/sh -c 'read -r _ _ n </proc/$$/autogroup; echo "$n" >"$0/before"
		env LC_ALL=C "$1" --no-sandbox -- /bin/sh -c "sleep 33.3"
		read -r _ _ n </proc/$$/autogroup; echo "$n" >"$0/after"; sleep 60' "$T_TMP" "$FORKTOP"
	tui_wait 'sleep 33\.3'
	local ft before during
	ft=$(pgrep -n -f -- "--no-sandbox -- /bin/sh -c sleep 33.3") || fail "no forktop"
	read -r _ _ during <"/proc/$ft/autogroup"
	before=$(cat "$T_TMP/before")
	assert_eq $((before + 5)) "$during" "nice while tracing"
	tui_keys q y
	wait_until 10 test -s "$T_TMP/after" || fail "forktop did not end"
	assert_eq "$before" "$(cat "$T_TMP/after")" "nice after forktop ended"
}

run_tests
