#!/usr/bin/env bash
# forktop [cordon options] -- CMD: the sandbox's first process is seized before any setup, so
# every process of the sandbox and the very first exec are seen; pids inside (NSpid); the
# header carries the sandbox spec; setup errors and exit codes are cordon's.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

H=$T_ROOT/build/tests/helpers

check() {
	PYTHONPATH=$T_ROOT/tests/forktop python3 - "$1" <<PY || fail "events check failed"
from ev import *
E = load("ev.jsonl")
S = E.summary
$1
PY
}

# the sandbox used here: the system, the helpers, a new pid namespace
SB=("${T_NS[@]}" "${T_SYS[@]}" --ro-bind "$T_ROOT/build" "$T_ROOT/build" --proc /proc --dev /dev
	--unshare-pid)

test_first_exec_seen_with_pids_inside() {
	RC=0
	"$FORKTOP" --headless --quiet --events ev.jsonl "${SB[@]}" -- /bin/sh -c '/bin/true; exit 4' || RC=$?
	assert_eq 4 "$RC" "exit status"
	check '
sh = [e for e in E.of("exec") if e["argv"][:2] == ["/bin/sh", "-c"]]
eq(1, len(sh), "the first exec of the command was recorded")
true = [e for e in E.of("exec") if e["argv"] == ["/bin/true"]]
eq(1, len(true), "its child")
assert sh[0]["nspid"] in (1, 2), "pid inside the sandbox: %d" % sh[0]["nspid"]
eq(sh[0]["nspid"] + 1, true[0]["nspid"], "child pid inside")
assert true[0]["pid"] != true[0]["nspid"], "host pid differs"
root = E.root()
eq(1, root["nspid"], "the sandbox first process is pid 1 inside")
eq(4, E.of("exit", pid=sh[0]["pid"])[0]["exit_code"], "command exit")
assert E.header["sandbox"] is not None, "sandbox spec in the header"
eq(True, E.header["sandbox"]["namespaces"]["pid"], "pid namespace in the spec")
p = E.perms(sh[0])
eq(True, p["no_new_privs"], "no_new_privs inside")
import os
host_pidns = os.stat("/proc/self/ns/pid").st_ino
assert p["ns"]["pid"] != host_pidns, "the command runs in a new pid namespace"
'
}

test_workload_inside_sandbox() {
	RC=0
	"$FORKTOP" --headless --quiet --events ev.jsonl "${SB[@]}" -- "$H/wl_stop" || RC=$?
	assert_eq 0 "$RC" "exit status"
	check '
w = [e for e in E.of("exec") if e["argv"][0].endswith("wl_stop")][0]
c = [p for p in E.procs() if p["ppid"] == w["pid"]][0]
seq = [e["type"] for e in E.by_pid(c["pid"]) if e["type"] in ("stop", "continue")]
eq(["stop", "continue"], seq, "group stop inside the sandbox")
'
}

test_tree_inside_sandbox() {
	RC=0
	"$FORKTOP" --headless --quiet --events ev.jsonl "${SB[@]}" -- "$H/wl_tree" 200 || RC=$?
	assert_eq 0 "$RC" "exit status"
	check '
w = [e for e in E.of("exec") if e["argv"][0].endswith("wl_tree")][0]
n = 0
pids = {w["pid"]}
for p in E.procs():
    if p["ppid"] in pids:
        pids.add(p["pid"])
eq(200, len(pids), "the workload tree")
eq(200, len([p for p in E.procs() if p["pid"] in pids and p["nspid"] < 300]), "pids inside")
'
}

test_setup_error_is_cordons() {
	run_raw "$FORKTOP" --headless --quiet "${T_NS[@]}" --ro-bind /nonexistent /x -- /bin/true
	assert_eq 1 "$RC" "exit code"
	assert_contains "/nonexistent" "$ERR" "message names the source"
	assert_match "^forktop: " "$ERR" "prefix"
}

test_command_not_found_inside() {
	run_raw "$FORKTOP" --headless --quiet "${SB[@]}" -- /nonexistent/cmd
	assert_eq 127 "$RC" "exit code (stderr: $ERR)"
}

test_default_profile_is_shell() {
	RC=0
	"$FORKTOP" --headless --quiet --events ev.jsonl -- /bin/sh -c 'exit 0' || RC=$?
	assert_eq 0 "$RC" "exit status"
	check '
eq("shell", E.header["sandbox"]["profile"], "profile")
'
}

test_unknown_option() {
	run_raw "$FORKTOP" --headless --bogus -- true
	expect_error 1 "forktop: Unknown option --bogus"
}

test_cli_errors() {
	run_raw "$FORKTOP" --headless
	expect_error 1 "forktop: No command specified"
	run_raw "$FORKTOP" --headless -p abc
	expect_error 1 "forktop: -p abc: not a number"
	run_raw "$FORKTOP" --headless -p 1 -- true
	expect_error 1 "forktop: -p 1: no COMMAND with -p"
	run_raw "$FORKTOP" --headless --events
	expect_error 1 "forktop: --events takes an argument"
	run_raw "$FORKTOP" --headless --no-sandbox --events /nonexistent/dir/x -- true
	expect_error 1 "forktop: --events /nonexistent/dir/x: No such file or directory"
}

# --no-sandbox and -p start no sandbox: a sandbox option with them is refused, never ignored
test_sandbox_options_need_a_sandbox() {
	run_raw "$FORKTOP" --headless --no-sandbox --rlimit nofile=64 -- true
	expect_error 1 "forktop: --rlimit: needs a sandbox, and --no-sandbox starts none"
	run_raw "$FORKTOP" --headless --no-sandbox --landlock-ro /usr -- true
	expect_error 1 "forktop: --landlock: needs a sandbox, and --no-sandbox starts none"
	run_raw "$FORKTOP" --headless --no-sandbox --ro-bind / / -- true
	expect_error 1 "forktop: --ro-bind: needs a sandbox, and --no-sandbox starts none"
	run_raw "$FORKTOP" --headless --no-sandbox --unshare-net -- true
	expect_error 1 "forktop: --unshare-net: needs a sandbox, and --no-sandbox starts none"
	run_raw "$FORKTOP" --headless --no-sandbox --profile minimal -- true
	expect_error 1 "forktop: --profile: needs a sandbox, and --no-sandbox starts none"
	run_raw "$FORKTOP" --headless -p 1 --setenv A B
	expect_error 1 "forktop: --setenv/--unsetenv: needs a sandbox, and -p starts none"
	run_raw "$FORKTOP" --headless -p 1 --no-sandbox
	expect_error 1 "forktop: -p 1: --no-sandbox only applies to a launched COMMAND"
}

# --net-pasta: pasta is forktop's child but not a tracee; forktop still ends with the
# workload (it used to wait for pasta forever) and leaves no pasta behind
test_net_pasta_ends_with_the_workload() {
	command -v pasta >/dev/null || fail "pasta not installed (make deps)"
	local mark=ft$((RANDOM % 1000))x$((RANDOM % 100000))
	RC=0
	timeout 20 "$FORKTOP" --headless --quiet --events ev.jsonl "${SB[@]}" --unshare-net \
		--net-pasta --net-pasta-args "--ns-ifname=$mark" -- /bin/sh -c 'exit 3' || RC=$?
	assert_eq 3 "$RC" "exit status (124: forktop hung after the workload)"
	[ -z "$(pgrep -f -- "--ns-ifname=$mark" || true)" ] || fail "pasta left running"
}

run_tests
