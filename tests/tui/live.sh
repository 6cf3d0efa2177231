#!/usr/bin/env bash
# forktop's live screen in a real terminal (tmux): the tree of a running workload, the signal
# menu, freeze, follow, clear, quit (with its question), the workload's console (an
# interactive shell whose children appear in the tree, window size changes, zoom), and a
# replay of the recorded run showing the same tree.
# Screens are read with single-quoted commands and patterns on purpose.
# shellcheck disable=SC2016,SC2031
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/tui/tmux.bash
. "$(dirname "$0")/tmux.bash"

# live W H ARGS...: forktop ARGS in a W x H pane, C locale (ASCII tree lines)
live() {
	local w=$1 h=$2
	shift 2
	tui_start "$w" "$h" env LC_ALL=C "$FORKTOP" "$@"
}

# the tree pane's rows without the AGE column (it moves with time) and the USER column (a
# name read from the live processes' /etc/passwd, a number in a replay)
tree_rows() {
	tui_screen | sed -n '3,$p' | grep -E '^ +[0-9]+ +[0-9]+ ' | cut -c1-15,25-32,40-
}
# USER of the tree pane's rows
tree_users() {
	tui_screen | sed -n '3,$p' | grep -E '^ +[0-9]+ +[0-9]+ ' | cut -c16-24 | sort -u
}

test_tree_appears_for_a_known_workload() {
	live 100 30 --no-sandbox -- /bin/sh -c '/bin/sh -c "exec sleep 30.1" & sleep 30.2 & wait'
	tui_wait 'running +[0-9.]+s - +/bin/sh -c'
	tui_wait '[|`]-(/bin/sh -c "exec sleep 30.1"|sleep 30.1)'
	tui_wait '[|`]-sleep 30\.2'
	tui_wait 'live 3 exited 0 total 3 \| tracing'
	assert_match '^    PID  NSPID USER     STATE      AGE EXIT     COMMAND' "$(tui_line 1)"
	# the console pane shows the workload's terminal; the status bar says who has the keys
	tui_wait '^ Console \[F2/Tab: focus\]'
	tui_wait '^\[tree\] \?:help'
	tui_keys q
	tui_wait 'Quit and kill it\? \(y/n\)'
	tui_keys y
	tui_wait '^\[exit=137\]'
	wait_until 5 eval '! pgrep -f "sleep 30\.[12]" >/dev/null' || fail "workload left running"
}

test_sandboxed_workload_shows_the_sandbox() {
	live 120 30 -- /bin/sh -c 'sleep 30.3 & wait'
	tui_wait 'sandbox: shell: user,pid,net,ipc,uts'
	# the sandbox's init is pid 1 of its pid namespace, the command pid 2, its child pid 3
	tui_wait '^ +[0-9]+ +1 +[a-z0-9]+ +running '
	tui_wait '^ +[0-9]+ +2 +[a-z0-9]+ +running .*`-/bin/sh -c'
	tui_wait '^ +[0-9]+ +3 +[a-z0-9]+ +running .*  `-sleep 30\.3'
	tui_keys q y
	tui_wait '^\[exit=137\]'
}

test_signal_menu_sends_the_signal() {
	live 100 30 --no-sandbox -- /bin/sh -c 'sleep 30.4; sleep 30.5'
	tui_wait '`-sleep 30\.4'
	tui_keys Down x
	tui_wait 'Send signal:'
	tui_keys Down Enter
	tui_wait 'sent SIGKILL to [0-9]+'
	tui_wait 'exited +[0-9.]+s SIGKILL +\|-sleep 30\.4'
	tui_wait '`-sleep 30\.5'
	tui_keys q y
	tui_wait '^\[exit=137\]'
}

test_freeze_and_thaw_a_subtree() {
	live 100 30 --no-sandbox -- /bin/sh -c 'sleep 30.6 & sleep 30.7 & wait'
	# both children, whatever order they ran in: the tracer reports a fork child at its
	# first event, so 30.7 can be on screen before 30.6 exists there (the cause of this
	# case's failures when it pressed Z on seeing 30.7 alone)
	tui_wait '[|`]-sleep 30\.6'
	tui_wait '[|`]-sleep 30\.7'
	tui_keys Z
	tui_wait 'froze 3 processes under'
	tui_wait 'stopped .*[|`]-sleep 30\.6'
	tui_wait 'stopped .*[|`]-sleep 30\.7'
	tui_keys Z
	tui_wait 'thawed 3 processes under'
	tui_wait 'running .*[|`]-sleep 30\.7'
	tui_wait_gone 'stopped'
	tui_keys q y
	tui_wait '^\[exit=137\]'
}

# A workload whose first child spawns three more when told (through a fifo), above its
# last child in the tree (the pause makes the order of first sight certain).
follow_workload() {
	mkfifo "$T_TMP/go"
	live 100 30 --no-sandbox -- /bin/sh -c "(read x <'$T_TMP/go'; sleep 30.81 & sleep 30.82 & sleep 30.83 & wait) & sleep 0.2; sleep 30.9 & wait"
	tui_wait '`-sleep 30\.9'
	tui_keys End d
	tui_wait 'argv +sleep 30\.9'
}

test_follow_keeps_the_process() {
	follow_workload
	tui_keys f
	tui_wait 'follow on'
	echo go >"$T_TMP/go"
	tui_wait 'sleep 30\.83'
	tui_wait 'argv +sleep 30\.9'
	tui_keys q y
	tui_wait '^\[exit=137\]'
}

test_without_follow_the_row_stays() {
	follow_workload
	echo go >"$T_TMP/go"
	tui_wait 'sleep 30\.83'
	# the selection kept its row, which now shows one of the new processes
	tui_wait 'argv +sleep 30\.8[123]'
	tui_keys q y
	tui_wait '^\[exit=137\]'
}

test_clear_exited() {
	live 100 30 --no-sandbox -- /bin/sh -c '/bin/true; sleep 31.1'
	tui_wait 'exited +[0-9.]+s 0 +\|-/bin/true'
	tui_wait 'live 2 exited 1 total 3'
	tui_keys c
	tui_wait_gone 'exited.*/bin/true'
	tui_wait '`-sleep 31\.1'
	tui_keys q
	tui_wait 'Quit and kill it'
	tui_keys n
	tui_wait_gone 'Quit and kill it'
	tui_wait 'tracing'
	tui_keys q y
	tui_wait '^\[exit=137\]'
}

test_exited_for_hides_exited_processes() {
	live 100 30 --no-sandbox --exited-for 1 -- /bin/sh -c '/bin/true; sleep 31.8'
	tui_wait '`-sleep 31\.8'
	# shown dimmed first (unless the screen came up late), then gone; still counted
	tui_wait_gone 'exited.*/bin/true' 5
	tui_wait 'live 2 exited 1 total 3'
	tui_keys q y
	tui_wait '^\[exit=137\]'
}

test_details_read_the_permissions_again() {
	# no_new_privs set at run time, without an exec: the details pane sees it
	mkfifo "$T_TMP/go"
	live 160 40 --no-sandbox -- /usr/bin/python3 -c "
import ctypes, time
open('$T_TMP/go').read()
ctypes.CDLL(None).prctl(38, 1, 0, 0, 0)
time.sleep(31.9)"
	tui_wait 'python3 -c'
	tui_keys d
	tui_wait 'seccomp +disabled, 0 filters, no_new_privs no'
	echo go >"$T_TMP/go"
	tui_wait 'seccomp +disabled, 0 filters, no_new_privs yes' 5
	tui_keys q y
	tui_wait '^\[exit=137\]'
}

test_user_names_and_maps_from_the_sandbox() {
	# the sandbox's own /etc/passwd and /etc/group name its ids, not the host's
	mkdir etc
	printf 'sbroot:x:0:0::/:/bin/sh\nsbnobody:x:65534:65534::/:/bin/sh\n' >etc/passwd
	printf 'sbwheel:x:0:\nsbnogrp:x:65534:\n' >etc/group
	local user=sbroot group=sbwheel map='0 0 1'
	if [ "$T_MODE" = user ]; then
		user=sbnobody group=sbnogrp map='65534 65534 1'
	fi
	live 120 40 --events "$T_TMP/ev.jsonl" --profile shell --ro-bind "$T_TMP/etc" /etc \
		-- /bin/sh -c 'sleep 32.2 & wait'
	tui_wait "^ +[0-9]+ +3 $user +running .*sleep 32\\.2"
	tui_keys End d
	tui_wait "^ uid +[0-9/]+  in ns [0-9/]+ \\($user\\)"
	tui_wait "^ gid +[0-9/]+  in ns [0-9/]+ \\($group\\)"
	tui_wait "^ uid map +$map"
	tui_wait "^ gid map +$map"
	tui_keys q y
	tui_wait '^\[exit=137\]'
	# the maps are recorded too
	assert_eq "$map" "$(json_get "$T_TMP/ev.jsonl" \
		'[x["perms"]["uid_map"] for x in d if x.get("perms") and x["nspid"] == 2][-1]')"
}

test_user_names_never_read_outside_the_sandbox() {
	# the sandbox's /etc/passwd links to a host path, its /etc/group is a FIFO: forktop
	# resolves the link inside the sandbox (where it leads nowhere) and reads no FIFO
	printf 'leaked:x:0:0::/:/bin/sh\nleaked:x:65534:65534::/:/bin/sh\n' >hostpw
	mkdir etc run
	ln -s "$T_TMP/hostpw" etc/passwd
	mkfifo etc/group
	local uid=0
	[ "$T_MODE" = user ] && uid=65534
	# from run/: the shell profile binds the working directory, and hostpw must not be
	# visible inside
	cd run
	live 120 40 --profile shell --ro-bind "$T_TMP/etc" /etc -- /bin/sh -c 'sleep 32.3 & wait'
	cd ..
	tui_wait "^ +[0-9]+ +3 $uid +running .*sleep 32\\.3"
	tui_keys End d
	tui_wait "^ gid +[0-9/]+  in ns [0-9/]+ *$"
	tui_wait_gone leaked
	tui_keys q y
	tui_wait '^\[exit=137\]'
}

test_the_screen_stays_after_the_workload_ends() {
	live 100 30 --no-sandbox -- /bin/sh -c 'echo from-the-workload; exit 3'
	tui_wait 'finished: exit 3'
	tui_wait '^from-the-workload'
	tui_keys q
	tui_wait '^\[exit=3\]'
}

test_interactive_shell_in_the_console() {
	live 100 30 --no-sandbox --focus console -- /bin/bash --norc --noprofile -i
	tui_wait '^\[console\] F2: tree'
	tui_wait '^bash-[0-9.]+[#$] *$'
	tui_text 'echo typed-$((6 * 7))'
	tui_keys Enter
	tui_wait '^typed-42$'
	tui_text 'sleep 31.2 &'
	tui_keys Enter
	tui_wait '`-sleep 31\.2'
	tui_wait '^\[1\] [0-9]+$'
	# F2: the keys go to the tree again
	tui_keys F2
	tui_wait '^\[tree\] \?:help'
	tui_keys d
	tui_wait 'Details: pid'
	tui_keys Tab
	tui_wait '^\[console\]'
	tui_text 'kill $!; exit'
	tui_keys Enter
	tui_wait 'exited .*SIGTERM .*sleep 31\.2'
	tui_wait 'finished: exit 0'
	tui_keys F2 q
	tui_wait '^\[exit=0\]'
}

test_console_size_follows_the_window() {
	live 100 30 --no-sandbox --focus console -- /bin/bash --norc --noprofile -i
	tui_wait '^bash-[0-9.]+[#$] *$'
	tui_text 'stty size'
	tui_keys Enter
	tui_wait '^[0-9]+ 100$'
	tui_resize 120 40
	# the UI has taken the new size when its status bar is on the new last line
	wait_until 5 eval 'tui_line 39 | grep -q "^\[console\]"' || fail "not redrawn at 120x40"
	tui_text 'clear; stty size'
	tui_keys Enter
	tui_wait '^[0-9]+ 120$'
	# zoom: the console takes the whole screen, less the header and status bar
	tui_keys F11
	tui_wait_gone 'PID +NSPID'
	tui_text 'clear; stty size'
	tui_keys Enter
	tui_wait '^37 120$'
	tui_keys F11
	tui_wait 'PID +NSPID'
	tui_text 'exit'
	tui_keys Enter
	tui_wait 'finished'
	tui_keys F2 q
	tui_wait '^\[exit=0\]'
}

test_a_burst_shows_within_a_second() {
	# 2,000 short processes (about 8,000 events), then a marker file
	cat >burst.sh <<'SH'
i=0
while [ $i -lt 2000 ]; do /bin/true; i=$((i + 1)); done
: >"$1"
sleep 31.7
SH
	live 100 30 --no-sandbox -- /bin/sh burst.sh "$T_TMP/done"
	wait_until 120 test -e "$T_TMP/done" || fail "the burst never ended"
	# every process of the burst is on the screen within a second of its end
	wait_until 1 _tui_has 'live 2 exited 2000 total 2002' || {
		tui_screen >&2
		fail "the screen did not catch up within a second"
	}
	tui_keys q y
	tui_wait '^\[exit=137\]'
}

test_attach_then_quit_detaches() {
	sleep 31.6 &
	local pid=$!
	kill_later "$pid"
	live 100 30 -p "$pid"
	tui_wait "forktop attached \| live 1 exited 0 total 1 \| tracing"
	tui_wait "^ +$pid +$pid .* running .* sleep 31\.6"
	# no console pane in attach mode: the process keeps its own terminal
	tui_wait_gone 'Console'
	tui_keys q
	tui_wait '^\[exit=0\]'
	# detached, still running
	[ "$(awk '/^TracerPid/ {print $2}' "/proc/$pid/status")" = 0 ] || fail "still traced"
	kill -0 "$pid" || fail "the attached process died"
}

test_replay_shows_what_the_live_run_showed() {
	live 100 30 --no-sandbox --events "$T_TMP/rec.jsonl" -- \
		/bin/sh -c '/bin/sh -c "exit 4"; /bin/true & sleep 0.2; exit 0'
	tui_wait 'finished: exit 0'
	tui_wait 'live 0 exited 4 total 4'
	tree_rows >live.txt
	# --no-sandbox: the host's name for our uid
	assert_eq "$(id -un)" "$(tree_users | tr -d ' ')" "USER in the live run"
	tui_keys q
	tui_wait '^\[exit=0\]'
	[ -s live.txt ] || fail "no rows captured"
	live 100 30 --replay "$T_TMP/rec.jsonl"
	tui_wait 'live 0 exited 4 total 4'
	tree_rows >replay.txt
	# a recording has no names: the number
	assert_eq "$(id -u)" "$(tree_users | tr -d ' ')" "USER in the replay"
	diff live.txt replay.txt >&2 || fail "replay differs from the live run"
	tui_keys q
	tui_wait '^\[exit=0\]'
}

run_tests
