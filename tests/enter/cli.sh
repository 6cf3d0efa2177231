#!/usr/bin/env bash
# shellcheck disable=SC2119,SC2016,SC2031 # expect_ok with any output; $VARS for the command; T_TMP set per case
# cordon-enter's command line: --help, --version, usage errors (one line, exit 1).
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/enter/lib_enter.bash
. "$(dirname "$0")/lib_enter.bash"

test_help_version() {
	run_raw "$ENTER" --help
	expect_ok
	assert_contains "usage: cordon-enter [--hijack]" "$OUT"
	run_raw "$ENTER" --version
	expect_ok
	assert_match '^cordon-enter [0-9]+\.[0-9]+\.[0-9]+$' "$OUT"
}

test_usage_errors() {
	run_raw "$ENTER"
	expect_error 1 "cordon-enter: missing PID (see --help)"
	run_raw "$ENTER" abc
	expect_error 1 "cordon-enter: PID abc: not a process id"
	run_raw "$ENTER" --bogus 1
	expect_error 1 "cordon-enter: --bogus: unknown option (see --help)"
	run_raw "$ENTER" --shell
	expect_error 1 "cordon-enter: --shell: needs a path"
	run_raw "$ENTER" --shell sh 1
	expect_error 1 "cordon-enter: --shell sh: not an absolute path"
	run_raw "$ENTER" --check 1 -- /bin/true
	expect_error 1 "cordon-enter: --check: takes no COMMAND"
}

run_tests
