#!/usr/bin/env bash
# shellcheck disable=SC2119,SC2016,SC2031 # expect_ok with any output; $VARS for the command; T_TMP set per case
# cordon-enter --hijack: the command is a fork of the target made by syscall injection; the
# target's own work must complete correctly (no -ERESTARTSYS / -ERESTART_RESTARTBLOCK leaking
# out of an interrupted read or sleep), it keeps no zombie, and a target whose seccomp filter
# forbids fork is refused before anything is injected.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/enter/lib_enter.bash
. "$(dirname "$0")/lib_enter.bash"

# hijack_during MODE ARGS...: hijack a plain target 300 ms into MODE and check its result
hijack_during() {
	start_target plain -- "$@"
	sleep 0.3
	run_raw "$ENTER" --hijack "$TPID" -- /bin/sh -c 'echo in $CORDON_ENTER'
	expect_ok "in $TPID:hijack"
	target_done
	assert_eq 0 "$TRC" "target status (output: $TRES)"
	assert_match "^$1 ok" "$TRES" "target result"
}

test_sleep_restarts() {
	hijack_during sleep 1500
	# nanosleep restarted through restart_syscall: full duration, no EINTR / errno 516
	local took=${TRES#sleep ok }
	if [ "$took" -lt 1500 ] || [ "$took" -ge 2500 ]; then fail "slept $took ms"; fi
}

test_read_restarts() {
	mkfifo "$T_TMP/fifo"
	exec 7<>"$T_TMP/fifo"
	start_target plain "$T_TMP/fifo" -- read
	sleep 0.3
	run_raw "$ENTER" --hijack "$TPID" -- /bin/true
	expect_ok ""
	echo hello >&7
	exec 7>&-
	target_done
	assert_eq "read ok hello" "$TRES" "target read (errno 512 means ERESTARTSYS leaked)"
}

test_busy_loop() {
	hijack_during busy 1000
}

test_wait_sees_no_injected_child() {
	# the target's own wait() must see its own child only, and no zombie may be left
	hijack_during wait 1000
}

test_threads() {
	hijack_during threads 6 1000
}

test_no_zombie_left() {
	start_target plain -- pause
	run_raw "$ENTER" --hijack "$TPID" -- /bin/true
	expect_ok ""
	sleep 0.2
	assert_eq "" "$(ps -o pid= --ppid "$TPID")" "children of the target"
	[ "$(awk '{print $3}' "/proc/$TPID/stat")" = S ] || fail "target not sleeping"
}

test_exit_status() {
	start_target plain -- pause
	run_raw "$ENTER" --hijack "$TPID" -- /bin/sh -c 'exit 7'
	assert_eq 7 "$RC" "exit status"
	run_raw "$ENTER" --hijack "$TPID" -- /bin/sh -c 'kill -TERM $$'
	assert_eq 143 "$RC" "killed by SIGTERM"
}

test_stdio_passed() {
	start_target plain -- pause
	local out
	out=$(echo abc | "$ENTER" --hijack "$TPID" -- /bin/cat)
	assert_eq abc "$out" "stdin to stdout through the command"
	# no command: the shell reads its commands from stdin (not a terminal here)
	out=$(echo 'echo shell $CORDON_ENTER' | "$ENTER" --hijack "$TPID")
	assert_eq "shell $TPID:hijack" "$out" "shell"
}

test_identity_equals_target() {
	start_target ns -- pause
	run_raw "$ENTER" --hijack "$TPID" -- /bin/sh -c "$SELF_REPORT"
	expect_ok
	assert_eq "$(expected_report "$TPID")
cwd $(readlink "/proc/$TPID/cwd")" "$OUT" "command's view of itself vs the target"
	run_raw "$ENTER" --check --hijack "$TPID"
	expect_ok
	assert_contains "19 of 19 fields equal (hijack" "$OUT"
}

test_seccomp_filter_kept() {
	local force=()
	[ "$T_MODE" = user ] && force=(--force) # the filter cannot be read unprivileged
	start_target plain -- --seccomp errno-mkdir pause
	run_raw "$ENTER" --hijack "${force[@]}" "$TPID" -- /bin/sh -c \
		"grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status; mkdir $T_TMP/x"
	assert_eq 1 "$RC" "mkdir under the target's filter must fail"
	assert_contains "Seccomp:	2" "$OUT"
	assert_contains "NoNewPrivs:	1" "$OUT"
	assert_contains "Operation not permitted" "$ERR"
	[ ! -e "$T_TMP/x" ] || fail "mkdir succeeded"
}

test_refuses_fork_forbidding_filter() {
	start_target plain -- --seccomp deny-fork sleep 1000
	run_raw "$ENTER" --hijack "$TPID" -- /bin/true
	assert_eq 1 "$RC" "exit code"
	if [ "$T_MODE" = root ]; then
		assert_eq "cordon-enter: process $TPID: under its seccomp filter, clone in the process itself kills the process; nothing was injected: use join mode instead" "$ERR"
	else
		assert_contains "cordon-enter: process $TPID has a seccomp filter that cannot be read" "$ERR"
	fi
	target_done
	assert_eq 0 "$TRC" "target survived"
	assert_match "^sleep ok" "$TRES"
}

test_no_shell_inside() {
	start_target plain -- pause
	run_raw "$ENTER" --hijack --shell /nonexistent/sh "$TPID"
	expect_error 127 "cordon-enter: shell: not executable inside process $TPID (tried /nonexistent/sh): No such file or directory"
	run_raw "$ENTER" --hijack "$TPID" -- /no/such-command
	expect_error 127 "cordon-enter: /no/such-command: not executable inside process $TPID (tried /no/such-command): No such file or directory"
	[ -e "/proc/$TPID" ] || fail "target gone"
}

test_already_traced() {
	command -v strace >/dev/null || fail "strace not installed (make deps)"
	local h
	h=$(need_helper enter_target)
	chmod 0777 "$T_TMP"
	strace -o /dev/null "$h" --ready "$T_TMP/ready" pause </dev/null >/dev/null 2>&1 &
	kill_later $!
	wait_until 10 test -e "$T_TMP/ready" || fail "target did not start"
	TPID=$(pgrep -f "^$h --ready $T_TMP/ready")
	# killing strace only detaches it: the target must be killed too
	on_exit "kill -KILL $TPID 2>/dev/null"
	local tracer
	tracer=$(status_field "$TPID" TracerPid)
	run_raw "$ENTER" --hijack "$TPID" -- /bin/true
	expect_error 1 "cordon-enter: process $TPID: already traced by process $tracer: Operation not permitted"
}

# An interactive shell gets a new terminal of its own (a pty cordon-enter relays), with job
# control: it leads its own session with that terminal as controlling tty.
test_interactive_tty() {
	command -v script >/dev/null || fail "script (util-linux) not installed"
	start_target plain -- pause
	local out
	out=$( (sleep 0.5; printf 'ps -o sid=,tty=,stat= -p $$; exit 3\n'; sleep 2) |
		SHELL=/bin/sh timeout 10 script -qec "$ENTER --hijack --shell /bin/sh $TPID" /dev/null | tr -d '\r' ||
		true)
	assert_contains "cordon-enter: shell in process $TPID by hijack" "$out"
	assert_match "[0-9]+ pts/[0-9]+ +Ss" "$out" "session leader with a controlling tty"
	out=$( (sleep 0.5; printf 'exit 5\n'; sleep 2) |
		SHELL=/bin/sh timeout 10 script -qec "$ENTER --hijack --shell /bin/sh $TPID; echo rc=\$?" /dev/null | tr -d '\r')
	assert_contains "rc=5" "$out"
}

state_is() {
	[ "$(awk '{print $3}' "/proc/$1/stat")" = "$2" ]
}

test_stopped_target_refused() {
	start_target plain -- pause
	kill -STOP "$TPID"
	run_raw "$ENTER" --hijack "$TPID" -- /bin/true
	expect_error 1 "cordon-enter: process $TPID is stopped (job control); send it SIGCONT first"
	# still stopped (nothing resumed it), and resumable
	state_is "$TPID" T || fail "target not stopped any more"
	kill -CONT "$TPID"
	wait_until 5 state_is "$TPID" S || fail "target not resumed"
}

test_signals_forwarded() {
	start_target plain -- pause
	"$ENTER" --hijack "$TPID" -- /bin/sleep 30 </dev/null >/dev/null 2>&1 &
	local e=$! rc=0
	kill_later $e
	sleep 0.5
	kill -TERM $e
	wait $e || rc=$?
	assert_eq 143 "$rc" "status of the command killed by the forwarded SIGTERM"
}

test_dead_pid() {
	run_raw "$ENTER" --hijack 999999999
	assert_eq 1 "$RC"
	assert_match "^cordon-enter: process 999999999" "$ERR"
}

run_tests
