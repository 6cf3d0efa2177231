#!/usr/bin/env bash
# shellcheck disable=SC2119,SC2016,SC2031 # expect_ok with any output; $VARS for the command; T_TMP set per case
# cordon-enter PID (join): the command enters the target's namespaces and root, takes its
# ids, capability sets, no_new_privs and rlimits, and its seccomp filter where it can be read
# (as root). Unprivileged the filter cannot be read: exactly Seccomp and Seccomp_filters
# differ (the documented subset). The binary runs from a sealed memfd copy.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/enter/lib_enter.bash
. "$(dirname "$0")/lib_enter.bash"

test_identity_of_sandboxed_target() {
	start_target ns -- --seccomp errno-mkdir pause
	run_raw "$ENTER" "$TPID" -- /bin/sh -c "$SELF_REPORT"
	expect_ok
	local want
	want="$(expected_report "$TPID")
cwd $(readlink "/proc/$TPID/cwd")"
	if [ "$T_MODE" = user ]; then
		# the documented subset: no seccomp filter (unreadable without CAP_SYS_ADMIN)
		want=$(echo "$want" | sed 's/^Seccomp: 2$/Seccomp: 0/; s/^Seccomp_filters: 1$/Seccomp_filters: 0/')
	fi
	assert_eq "$want" "$OUT" "command's view of itself vs the target"
}

test_check_table() {
	start_target ns -- --seccomp errno-mkdir pause
	run_raw "$ENTER" --check "$TPID"
	if [ "$T_MODE" = root ]; then
		expect_ok
		assert_contains "19 of 19 fields equal (join" "$OUT"
	else
		assert_eq 2 "$RC" "exit code of --check with differences (stderr: $ERR)"
		assert_eq "Seccomp Seccomp_filters" "$(echo "$OUT" | awk '$2 == "DIFFERENT" { print $1 }' | xargs)"
		assert_contains "17 of 19 fields equal (join" "$OUT"
	fi
}

test_runs_inside_the_sandbox() {
	start_target ns -- pause
	run_raw "$ENTER" "$TPID" -- /bin/sh -c 'hostname; ls /proc | grep -c "^[0-9]"; echo $$'
	expect_ok
	# its own pid namespace: init shell, target, our command (and ls, grep)
	local n
	n=$(echo "$OUT" | sed -n 2p)
	[ "$n" -lt 10 ] || fail "sees $n processes: not the sandbox's pid namespace"
	[ "$(echo "$OUT" | sed -n 3p)" -lt 10 ] || fail "pid not from the sandbox"
}

test_seccomp_filter_applied_as_root() {
	[ "$T_MODE" = root ] || return 0 # unprivileged: documented as not copied (see above)
	start_target plain -- --seccomp errno-mkdir pause
	run_raw "$ENTER" "$TPID" -- /bin/mkdir "$T_TMP/x"
	assert_eq 1 "$RC"
	assert_contains "Operation not permitted" "$ERR"
}

test_exit_status() {
	start_target ns -- pause
	run_raw "$ENTER" "$TPID" -- /bin/sh -c 'exit 9'
	assert_eq 9 "$RC"
	run_raw "$ENTER" "$TPID" -- /bin/sh -c 'kill -KILL $$'
	assert_eq 137 "$RC"
	run_raw "$ENTER" "$TPID" -- /no/such-command
	expect_error 127 "cordon-enter: /no/such-command: not executable inside the process's root: No such file or directory"
}

test_runs_from_sealed_copy() {
	start_target ns -- pause
	"$ENTER" "$TPID" -- /bin/sleep 5 </dev/null >/dev/null 2>&1 &
	local e=$!
	kill_later $e
	wait_until 5 exe_is_memfd $e || fail "exe: $(readlink /proc/$e/exe)"
	# the sealed copy cannot be written, not even by its owner
	if (echo x >>"/proc/$e/exe") 2>/dev/null; then fail "exe writable"; fi
	kill $e
}
exe_is_memfd() {
	[[ "$(readlink "/proc/$1/exe" 2>/dev/null)" == /memfd:cordon-enter-sealed* ]]
}

test_dead_pid() {
	run_raw "$ENTER" 999999999 -- /bin/true
	expect_error 1 "cordon-enter: process 999999999: No such process"
}

test_stdio_passed() {
	start_target ns -- pause
	local out
	out=$(echo abc | "$ENTER" "$TPID" -- /bin/cat)
	assert_eq abc "$out"
	out=$(echo 'echo shell $CORDON_ENTER' | "$ENTER" "$TPID")
	assert_eq "shell $TPID:join" "$out"
}

run_tests
