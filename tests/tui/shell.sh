#!/usr/bin/env bash
# forktop's s / S / V keys in a real terminal (tmux): a shell in a sandboxed process by hijack
# and by join, with the process's permissions (compared with the host's view of the target),
# job control inside it, the tree back afterwards with the shell marked and its commands under
# it, the target's own work intact, V's table, and a refusal when the target's seccomp filter
# forbids what a hijack needs.
# Screens are read with single-quoted commands and patterns on purpose.
# shellcheck disable=SC2016,SC2031
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/tui/tmux.bash
. "$(dirname "$0")/tmux.bash"

PROBE="cat /proc/self/status | grep -E 'Seccomp|CapEff|NoNewPrivs'; readlink /proc/self/ns/pid"

# start_target ARGS...: forktop (default sandbox) on enter_target ARGS in a 200 x 50 pane; sets
# TPID (host pid) once the target is set up, and selects it in the tree.
start_target() {
	local tgt
	# the sandbox sees the current directory ($T_TMP), not the checkout
	cp "$(need_helper enter_target)" "$T_TMP/enter_target"
	tgt=$T_TMP/enter_target
	tui_start 200 50 env LC_ALL=C "$FORKTOP" -- "$tgt" --ready "$T_TMP/ready" "$@"
	wait_until 10 test -s "$T_TMP/ready" || fail "the target never got ready"
	TPID=$(pgrep -n -x enter_target)
	[ -n "$TPID" ] || fail "no enter_target process"
	tui_wait "^ +$TPID +2 "
	tui_keys /
	tui_text "$TPID"
	tui_keys Enter
}

# host_field NAME: the target's /proc status field, as the host sees it
host_field() {
	awk -v f="$1:" '$1 == f { print $2 }' "/proc/$TPID/status"
}
# shell_field NAME: the same field as the shell printed it on the screen
shell_field() {
	tui_screen | awk -v f="$1:" '$1 == f { print $2 }' | tail -n 1
}

# target_went_on SECONDS: the target is alive, its sleep ends in full within SECONDS
# ("sleep ok"), the run finishes with its exit 0, and forktop quits with it
target_went_on() {
	kill -0 "$TPID" || fail "the target died"
	tui_wait 'sleep ok' "$1"
	tui_wait 'finished: exit 0' 10
	tui_keys q
	tui_wait '^\[exit=0\]'
}

# in_shell CMD: type CMD and Enter
in_shell() {
	tui_text "$1"
	tui_keys Enter
}

test_hijack_shell_has_the_targets_permissions() {
	start_target sleep 15000
	tui_keys s
	tui_wait "^forktop: shell in $TPID \\(enter_target\\) by hijack: .*; exit to return"
	in_shell "$PROBE"
	tui_wait '^pid:\['
	assert_eq "$(host_field Seccomp)" "$(shell_field Seccomp)"
	assert_eq "$(host_field Seccomp_filters)" "$(shell_field Seccomp_filters)"
	assert_eq "$(host_field CapEff)" "$(shell_field CapEff)"
	assert_eq "$(host_field NoNewPrivs)" "$(shell_field NoNewPrivs)"
	assert_eq "$(ns_of "$TPID" pid)" "$(tui_screen | grep '^pid:\[' | tail -n 1)"
	# job control: ^C reaches the shell's foreground job, not the shell
	in_shell 'sleep 100.5'
	wait_until 10 pgrep -x -f 'sleep 100.5' >/dev/null || fail 'sleep 100.5 never started'
	tui_keys C-c
	in_shell 'echo "after the interrupt: $?"'
	tui_wait '^after the interrupt: 130'
	in_shell exit
	# the tree is back: the shell under its target, marked, its commands under it
	tui_wait "^forktop live "
	tui_wait "^ +[0-9]+ +[0-9]+ .* exited .*\`-\\[hijack\\] /bin/sh"
	tui_wait 'SIGINT +.*`-sleep 100\.5'
	tui_wait '[|`]-cat /proc/self/status'
	# the target went on untouched: its nanosleep finished in full
	target_went_on 30
}

test_verify_shows_every_field_equal_for_a_hijack() {
	start_target sleep 30000
	tui_keys s
	tui_wait "^forktop: shell in $TPID .* by hijack"
	in_shell exit
	tui_wait ' exited .*\[hijack\] /bin/sh'
	tui_keys V
	tui_wait "Verify: shell [0-9]+, hijack of $TPID: [0-9]+ of [0-9]+ fields equal"
	local head n total
	head=$(tui_screen | grep -oE 'hijack of [0-9]+: [0-9]+ of [0-9]+ fields equal')
	n=$(echo "$head" | awk '{print $4}')
	total=$(echo "$head" | awk '{print $6}')
	[ "$n" -ge 10 ] || fail "too few fields compared: $head"
	assert_eq "$total" "$n"
	tui_wait 'Seccomp_filters +equal'
	tui_wait 'CapEff +equal'
	_tui_lacks 'DIFFERENT' || fail "a field differs"
	tui_keys Escape
	tui_wait_gone 'Verify: shell'
	tui_keys q y
	tui_wait '^\[exit=137\]'
}

test_join_shell_enters_the_target() {
	start_target sleep 15000
	tui_keys S
	tui_wait "^forktop: shell in $TPID \\(enter_target\\) by join: .*not copied: .*; exit to return"
	in_shell "$PROBE"
	tui_wait '^pid:\['
	assert_eq "$(host_field CapEff)" "$(shell_field CapEff)"
	assert_eq "$(host_field NoNewPrivs)" "$(shell_field NoNewPrivs)"
	assert_eq "$(ns_of "$TPID" pid)" "$(tui_screen | grep '^pid:\[' | tail -n 1)"
	in_shell exit
	tui_wait "^forktop live "
	tui_wait '`-\[join\] forktop join-helper'
	tui_wait '`-\[join\] /bin/sh'
	tui_wait '[|`]-cat /proc/self/status'
	target_went_on 30
}

test_join_copies_the_seccomp_filter_when_forktop_may_read_it() {
	local banner
	# the sandbox's filter and the target's own (mkdir fails with EPERM)
	start_target --seccomp errno-mkdir sleep 15000
	tui_keys S
	tui_wait "^forktop: shell in $TPID \\(enter_target\\) by join: .*; exit to return"
	banner=$(tui_screen | grep "^forktop: shell in $TPID ")
	in_shell "$PROBE"
	tui_wait '^pid:\['
	assert_eq 2 "$(host_field Seccomp)" "the target's seccomp mode"
	in_shell 'mkdir joined.d; echo "mkdir status $?"'
	tui_wait '^mkdir status [0-9]+'
	if [ "$T_MODE" = root ]; then
		# forktop, the target's tracer with CAP_SYS_ADMIN, reads the filters in an
		# interrupt-stop and join installs them all in the shell
		assert_not_contains seccomp "$banner" "the banner's not-copied list"
		assert_eq "$(host_field Seccomp)" "$(shell_field Seccomp)" Seccomp
		assert_eq "$(host_field Seccomp_filters)" "$(shell_field Seccomp_filters)" \
			Seccomp_filters
		tui_wait '^mkdir: .*Operation not permitted'
		tui_wait '^mkdir status 1'
		[ ! -e "$T_TMP/joined.d" ] || fail "mkdir got through the target's filter"
	else
		# the kernel gives the filters to a tracer with CAP_SYS_ADMIN only: not copied
		assert_contains 'seccomp filter (unreadable)' "$banner" "the banner"
		assert_eq 0 "$(shell_field Seccomp)" Seccomp
		assert_eq 0 "$(shell_field Seccomp_filters)" Seccomp_filters
		tui_wait '^mkdir status 0'
	fi
	in_shell exit
	tui_wait '`-\[join\] /bin/sh'
	target_went_on 30
}

test_hijack_is_refused_when_the_filter_forbids_fork() {
	start_target --seccomp deny-fork sleep 8000
	tui_keys s
	# as root the filter is read (it kills on clone); unprivileged it cannot be read
	tui_wait "hijack: process $TPID(: under its seccomp filter, clone .* kill| has a seccomp filter that cannot be read)"
	_tui_lacks '^forktop: shell in' || fail "a shell was started"
	target_went_on 20
}

test_a_stopped_process_is_refused() {
	start_target sleep 30000
	kill -STOP "$TPID"
	tui_wait "^ +$TPID +2 .* stopped "
	tui_keys s
	tui_wait "process $TPID is stopped \\(job control\\)"
	kill -CONT "$TPID"
	tui_keys q y
	tui_wait '^\[exit=137\]'
}

# V with no shell to compare, s on a process that has exited: a message, nothing started
test_verify_without_a_shell_and_shell_into_an_exited_process() {
	start_target sleep 30000
	tui_keys V
	tui_wait "V: no injected shell for process $TPID \\(start one with s or S\\)"
	kill -TERM "$TPID"
	tui_wait "^ +$TPID +2 .* exited "
	tui_keys s
	tui_wait 'no running process selected'
	tui_keys S
	tui_wait 'no running process selected'
	tui_wait_gone 'forktop: shell in'
	tui_keys q
	tui_wait '^\[exit='
}

test_hijack_without_a_sandbox() {
	cp "$(need_helper enter_target)" "$T_TMP/enter_target"
	tui_start 200 50 env LC_ALL=C "$FORKTOP" --no-sandbox -- "$T_TMP/enter_target" \
		--ready "$T_TMP/ready" sleep 8000
	wait_until 10 test -s "$T_TMP/ready" || fail "the target never got ready"
	TPID=$(pgrep -n -x enter_target)
	tui_wait "^ +$TPID +$TPID "
	tui_keys s
	tui_wait "^forktop: shell in $TPID \\(enter_target\\) by hijack"
	in_shell 'echo "shell of $CORDON_ENTER"'
	tui_wait "^shell of $TPID:hijack"
	in_shell exit
	tui_wait '`-\[hijack\] '
	tui_wait 'sleep ok' 20
	tui_wait 'finished: exit 0' 10
	tui_keys q
	tui_wait '^\[exit=0\]'
}

test_hijack_in_attach_mode() {
	local tgt
	tgt=$(need_helper enter_target)
	"$tgt" --ready "$T_TMP/ready" sleep 8000 >"$T_TMP/out" 2>&1 &
	TPID=$!
	kill_later "$TPID"
	wait_until 10 test -s "$T_TMP/ready" || fail "the target never got ready"
	tui_start 200 50 env LC_ALL=C "$FORKTOP" -p "$TPID"
	tui_wait "^ +$TPID +$TPID "
	tui_keys s
	tui_wait "^forktop: shell in $TPID \\(enter_target\\) by hijack"
	in_shell exit
	tui_wait '`-\[hijack\] '
	tui_keys q
	tui_wait '^\[exit=0\]'
	# detached and untouched: its sleep completes in full
	wait "$TPID" || fail "the target failed: $(cat "$T_TMP/out")"
	assert_match 'sleep ok' "$(cat "$T_TMP/out")"
}

run_tests
