#!/usr/bin/env bash
# cordon's command-line surface: --help and --version, behaviour under the name "bwrap" (every
# message starts with "bwrap:"), --args FD (NUL-separated arguments read from a file descriptor),
# --level-prefix (syslog "<N>" before each message), unknown options and a missing command, and
# the exit status contract: the command's own status, 128+N when it is killed by signal N, 126
# when the command exists but cannot be executed, 127 when it does not exist, 1 for setup errors.
# Scripts run inside the sandbox are single-quoted on purpose (they expand there), and T_TMP
# is set per case by run_tests.
# shellcheck disable=SC2016,SC2031
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

ALL_OPTIONS=(--help --version --args --unshare-all --share-net --unshare-user --unshare-user-try
	--unshare-ipc --unshare-pid --unshare-net --unshare-uts --unshare-cgroup --unshare-cgroup-try
	--userns --userns2 --disable-userns --assert-userns-disabled --pidns --uid --gid --hostname
	--chdir --clearenv --setenv --unsetenv --lock-file --sync-fd --bind --bind-try --dev-bind
	--dev-bind-try --ro-bind --ro-bind-try --bind-fd --ro-bind-fd --remount-ro --overlay-src
	--overlay --tmp-overlay --ro-overlay --exec-label --file-label --proc --dev --tmpfs --mqueue
	--dir --file --bind-data --ro-bind-data --symlink --seccomp --add-seccomp-fd --block-fd
	--userns-block-fd --info-fd --json-status-fd --new-session --die-with-parent --as-pid-1
	--cap-add --cap-drop --perms --size --chmod --argv0 --level-prefix
	--profile --policy --print-policy --deny-syscall --rlimit --landlock --landlock-ro --landlock-rw
	--net-pasta --net-pasta-args)

test_help_lists_every_option() {
	run_raw "$CORDON" --help
	expect_ok
	assert_eq "" "$ERR" "stderr of --help"
	assert_eq "usage: cordon [OPTIONS...] [--] COMMAND [ARGS...]" "$(head -n 1 <<<"$OUT")" "first line"
	local o
	for o in "${ALL_OPTIONS[@]}"; do
		grep -qE -- "(^|[[:space:]])$o([[:space:]]|$)" <<<"$OUT" || fail "--help does not list $o"
	done
}

test_help_as_bwrap() {
	ln -s "$CORDON" "$T_TMP/bwrap"
	run_raw "$T_TMP/bwrap" --help
	expect_ok
	assert_eq "usage: bwrap [OPTIONS...] [--] COMMAND [ARGS...]" "$(head -n 1 <<<"$OUT")" "first line"
	# scripts that check bwrap's version see a bubblewrap 0.11 they can rely on
	local v
	v=$(sed -n 's/^VERSION *:= *//p' "$T_ROOT/Makefile")
	run_raw "$T_TMP/bwrap" --version
	expect_ok "bubblewrap 0.11.0 (cordon $v)"
}

test_version() {
	local v
	v=$(sed -n 's/^VERSION *:= *//p' "$T_ROOT/Makefile")
	run_raw "$CORDON" --version
	expect_ok "cordon $v"
	assert_eq "" "$ERR" "stderr of --version"
}

test_unknown_option() {
	run_raw "$CORDON" --bogus-option -- /bin/true
	expect_error 1 "cordon: Unknown option --bogus-option"
	# flags take no value: "--name=value" is not a spelling of the flag
	run_raw "$CORDON" --unshare-ipc=1 -- /bin/true
	expect_error 1 "cordon: Unknown option --unshare-ipc=1"
	run_raw "$CORDON" --level-prefix=1 -- /bin/true
	expect_error 1 "cordon: Unknown option --level-prefix=1"
	run_raw "$CORDON" --help=1
	expect_error 1 "cordon: Unknown option --help=1"
	run_raw "$CORDON" --version=1
	expect_error 1 "cordon: Unknown option --version=1"
}

test_no_command() {
	run_raw "$CORDON" --unshare-pid
	expect_error 1 "cordon: No command specified"
}

test_missing_argument() {
	run_raw "$CORDON" --bind /usr
	expect_error 1 "cordon: --bind takes two arguments"
	run_raw "$CORDON" --overlay a b
	expect_error 1 "cordon: --overlay takes three arguments"
	run_raw "$CORDON" --chdir
	expect_error 1 "cordon: --chdir takes an argument"
}

test_bwrap_name_prefixes_messages() {
	run_cordon_as_bwrap "${T_SYS[@]}" --ro-bind /nope /x -- /bin/true
	expect_error 1 "bwrap: --ro-bind /nope /x: No such file or directory"
	run_cordon_as_bwrap --uid abc -- /bin/true
	expect_error 1 "bwrap: --uid abc: not a number"
	run_cordon_as_bwrap "${T_SYS[@]}" -- /nope
	assert_eq 127 "$RC" "exit code"
	assert_match '^bwrap: ' "$ERR" "command-not-found message"
	# a sandbox that works as bwrap works the same
	run_cordon_as_bwrap "${T_SYS[@]}" -- /bin/sh -c 'echo ok'
	expect_ok ok
}

test_args_fd() {
	printf -- '--setenv\0FROM_ARGS\0a b\0--chdir\0/usr\0' >"$T_TMP/args"
	run_cordon "${T_SYS[@]}" --args 5 -- /bin/sh -c 'echo "$FROM_ARGS|$(pwd)"' 5<"$T_TMP/args"
	expect_ok "a b|/usr"
	# the command itself can come from --args, and options after --args still apply
	printf -- '--\0/bin/sh\0-c\0echo "$X from args"\0' >"$T_TMP/args2"
	run_cordon "${T_SYS[@]}" --setenv X cmd --args 6 6<"$T_TMP/args2"
	expect_ok "cmd from args"
}

test_args_bad() {
	run_raw "$CORDON" --args 55 -- /bin/true
	expect_error 1 "cordon: --args 55: Bad file descriptor"
	run_raw "$CORDON" --args abc -- /bin/true
	expect_error 1 "cordon: --args abc: not a number"
	# a bad option inside the --args data is reported like one on the command line
	printf -- '--uid\0abc\0' >"$T_TMP/args"
	run_raw "$CORDON" --args 5 -- /bin/true 5<"$T_TMP/args"
	expect_error 1 "cordon: --uid abc: not a number"
}

test_level_prefix() {
	run_cordon --level-prefix "${T_SYS[@]}" --ro-bind /nope /x -- /bin/true
	expect_error 1 "<3>cordon: --ro-bind /nope /x: No such file or directory"
	# without it there is no prefix
	run_cordon "${T_SYS[@]}" --ro-bind /nope /x -- /bin/true
	expect_error 1 "cordon: --ro-bind /nope /x: No such file or directory"
	run_cordon_as_bwrap --level-prefix "${T_SYS[@]}" -- /nope
	assert_eq 127 "$RC" "exit code"
	assert_match '^<3>bwrap: ' "$ERR" "prefixed command-not-found message"
}

test_exit_status_passthrough() {
	run_cordon "${T_SYS[@]}" -- /bin/sh -c 'exit 42'
	assert_eq 42 "$RC" "exit code"
	run_cordon --unshare-pid "${T_SYS[@]}" -- /bin/sh -c 'exit 7'
	assert_eq 7 "$RC" "exit code with a pid namespace"
	run_cordon --unshare-pid --as-pid-1 "${T_SYS[@]}" -- /bin/sh -c 'exit 9'
	assert_eq 9 "$RC" "exit code as pid 1"
	run_cordon "${T_SYS[@]}" -- /bin/true
	expect_ok ""
}

test_exit_signal() {
	run_cordon "${T_SYS[@]}" -- /bin/sh -c 'kill -TERM $$'
	assert_eq 143 "$RC" "killed by SIGTERM"
	run_cordon --unshare-pid "${T_SYS[@]}" -- /bin/sh -c 'kill -KILL $$'
	assert_eq 137 "$RC" "killed by SIGKILL in a pid namespace"
	run_cordon --unshare-pid "${T_SYS[@]}" -- /bin/sh -c 'kill -USR1 $$'
	assert_eq 138 "$RC" "killed by SIGUSR1 in a pid namespace"
}

test_exit_126_not_executable() {
	printf 'plain data\n' >"$T_TMP/data"
	chmod 0644 "$T_TMP/data"
	run_cordon "${T_SYS[@]}" --ro-bind "$T_TMP/data" /data -- /data
	assert_eq 126 "$RC" "exit code (stderr: $ERR)"
	assert_eq "cordon: execvp /data: Permission denied" "$ERR" "message"
	# a directory is not executable either
	run_cordon "${T_SYS[@]}" -- /usr
	assert_eq 126 "$RC" "exit code for a directory (stderr: $ERR)"
}

test_exit_127_not_found() {
	run_cordon "${T_SYS[@]}" -- /nope/cmd
	assert_eq 127 "$RC" "exit code"
	assert_eq "cordon: execvp /nope/cmd: No such file or directory" "$ERR" "message"
	# PATH lookup failure is 127 too
	run_cordon "${T_SYS[@]}" -- no-such-command-here
	assert_eq 127 "$RC" "exit code for a PATH lookup"
}

test_exit_1_on_setup_error() {
	run_cordon "${T_SYS[@]}" --chdir /nope -- /bin/true
	expect_error 1 "cordon: --chdir /nope: No such file or directory"
}

run_tests
