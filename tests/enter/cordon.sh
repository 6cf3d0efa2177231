#!/usr/bin/env bash
# shellcheck disable=SC2119,SC2016,SC2031 # expect_ok with any output; $VARS for the command; T_TMP set per case
# Both modes against a target inside a sandbox made by build/cordon (all namespaces, no
# capabilities, cordon's seccomp filter): the command's view of itself equals the target's
# (hijack: every field; join: every field but the seccomp filter when it cannot be read), and
# the target's sleep completes untouched.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/enter/lib_enter.bash
. "$(dirname "$0")/lib_enter.bash"

# the filter cannot be read unprivileged: hijack needs --force there (cordon's filter is known
# to allow what the hijack injects)
force() { if [ "$T_MODE" = user ]; then echo --force; fi; }

test_hijack_in_cordon() {
	start_target cordon -- sleep 1500
	sleep 0.3
	# shellcheck disable=SC2046
	run_raw "$ENTER" --hijack $(force) "$TPID" -- /bin/sh -c "$SELF_REPORT"
	expect_ok
	assert_eq "$(expected_report "$TPID")
cwd $(readlink "/proc/$TPID/cwd")" "$OUT" "command's view of itself vs the target"
	target_done
	assert_eq 0 "$TRC" "target status ($TRES)"
	assert_match "^sleep ok" "$TRES"
}

test_check_in_cordon() {
	start_target cordon -- pause
	# shellcheck disable=SC2046
	run_raw "$ENTER" --check --hijack $(force) "$TPID"
	expect_ok
	assert_contains "19 of 19 fields equal (hijack" "$OUT"
	run_raw "$ENTER" --check "$TPID"
	if [ "$T_MODE" = root ]; then
		expect_ok
		assert_contains "19 of 19 fields equal (join" "$OUT"
	else
		assert_eq 2 "$RC" "exit code (stderr: $ERR)"
		assert_eq "Seccomp Seccomp_filters" "$(echo "$OUT" | awk '$2 == "DIFFERENT" { print $1 }' | xargs)"
	fi
}

run_tests
