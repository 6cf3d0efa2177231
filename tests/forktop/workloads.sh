#!/usr/bin/env bash
# forktop's tracer on the deterministic workload programs (tests/helpers/wl_*.c): each is run
# under `forktop --headless --no-sandbox --events` and the recorded events are checked exactly
# against what the program did (counts, parentage, exit codes, threads, signals).
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

H=$T_ROOT/build/tests/helpers

# trace NAME [ARGS...]: run workload NAME traced into ev.jsonl; RC = forktop's exit code
trace() {
	local w=$1
	shift
	[ -x "$H/$w" ] || fail "$H/$w missing: run make helpers"
	RC=0
	timeout 60 "$FORKTOP" --headless --no-sandbox --quiet --events ev.jsonl -- "$H/$w" "$@" \
		2>err.txt || RC=$?
}

# check PYTHON: run PYTHON with E = the loaded events (see ev.py)
check() {
	PYTHONPATH=$T_ROOT/tests/forktop python3 - "$1" <<PY || fail "events check failed"
from ev import *
E = load("ev.jsonl")
S = E.summary
$1
PY
}

# the parts every traced run must satisfy
check_common() {
	check '
r = E.root()
eq(1, len(E.of("exec", pid=r["pid"])) >= 1, "root exec")
for p in E.procs():
    eq(1, len(E.of("exit", pid=p["pid"], thread=False, id=p["id"])), "one exit for %d" % p["pid"])
eq(len(E.procs()), S["processes"], "summary processes")
eq(len(E.of("exec")), S["execs"], "summary execs")
'
}

test_fork() {
	trace wl_fork
	assert_eq 0 "$RC" "exit status"
	check_common
	check '
r = E.root()
kids = [p for p in E.procs() if p["ppid"] == r["pid"]]
eq(3, len(kids), "children")
codes = sorted(E.of("exit", pid=k["pid"])[0]["exit_code"] for k in kids)
eq([0, 1, 2], codes, "children exit codes")
eq(4, S["processes"], "processes")
eq({"1": 1, "2": 1}, S["failures"], "failures")
eq(1, S["max_depth"], "max depth")
eq(0, E.of("exit", pid=r["pid"])[0]["exit_code"], "root exit")
'
}

# A caller that leaves SIGCHLD ignored (inherited across exec) would have the kernel reap
# forktop's children itself, and forktop waited forever. The command still inherits the
# caller's SIG_IGN, as without forktop (wl_fork's own waitpid fails: 98); forktop sees every
# exit.
test_sigchld_ignored_by_the_caller() {
	local direct=0
	timeout 60 env --ignore-signal=CHLD "$H/wl_fork" || direct=$?
	assert_eq 98 "$direct" "wl_fork with SIGCHLD ignored, untraced"
	RC=0
	timeout 60 env --ignore-signal=CHLD "$FORKTOP" --headless --no-sandbox --quiet \
		--events ev.jsonl -- "$H/wl_fork" 2>err.txt || RC=$?
	assert_eq "$direct" "$RC" "exit status: the command's own"
	check_common
	check '
r = E.root()
kids = [p for p in E.procs() if p["ppid"] == r["pid"]]
eq([0], [E.of("exit", pid=k["pid"])[0]["exit_code"] for k in kids], "its one child (then it gave up)")
eq(98, E.of("exit", pid=r["pid"])[0]["exit_code"], "root exit")
'
}

test_vfork() {
	trace wl_vfork
	assert_eq 0 "$RC" "exit status"
	check_common
	check '
r = E.root()
kids = [p for p in E.procs() if p["ppid"] == r["pid"]]
eq(2, len(kids), "children")
ex = E.of("exec", pid=kids[0]["pid"])
eq(1, len(ex), "first child execs")
eq(["true", "from-vfork"], ex[0]["argv"], "argv read at exec")
eq(5, E.of("exit", pid=kids[1]["pid"])[0]["exit_code"], "second child exit code")
'
}

test_posix_spawn() {
	trace wl_spawn
	assert_eq 0 "$RC" "exit status"
	check_common
	check '
r = E.root()
kids = [p for p in E.procs() if p["ppid"] == r["pid"]]
eq(2, len(kids), "children")
argv = sorted(E.of("exec", pid=k["pid"])[0]["argv"][0] for k in kids)
eq(["false", "true"], argv, "spawned commands")
eq({"1": 1}, S["failures"], "false failed")
'
}

test_threads() {
	trace wl_threads
	assert_eq 0 "$RC" "exit status"
	check_common
	check '
r = E.root()
ts = E.of("spawn", thread=True)
eq(4, len(ts), "thread spawns")
eq({r["pid"]}, {t["pid"] for t in ts}, "threads belong to the process")
eq(4, len({t["tid"] for t in ts}), "distinct tids")
eq(5, max(t["threads"] for t in ts), "thread count peak")
te = E.of("exit", thread=True)
eq(sorted(t["tid"] for t in ts), sorted(t["tid"] for t in te), "every thread exits")
eq(1, S["processes"], "one process")
eq(4, S["threads"], "summary threads")
'
}

test_exec_from_thread() {
	trace wl_thread_exec
	assert_eq 7 "$RC" "exit status (sh -c exit 7)"
	check_common
	check '
r = E.root()
ts = E.of("spawn", thread=True)
eq(2, len(ts), "thread spawns")
ex = E.of("exec", pid=r["pid"])
eq(2, len(ex), "execs")
eq(["sh", "-c", "exit 7"], ex[1]["argv"], "argv of the exec")
tids = sorted(t["tid"] for t in ts)
eq(tids[1], ex[1]["old_tid"], "exec came from the second thread")
eq(r["pid"], ex[1]["tid"], "tid is now the pid")
eq(1, ex[1]["threads"], "one thread left")
ends = E.of("exit", pid=r["pid"], thread=False)
eq(7, ends[0]["exit_code"], "exit code")
eq([tids[0]], [e["tid"] for e in E.of("exit", thread=True)], "only the idle thread dies")
'
}

test_orphan_reparented() {
	trace wl_orphan
	assert_eq 0 "$RC" "exit status"
	check_common
	check '
r = E.root()
child = [p for p in E.procs() if p["ppid"] == r["pid"]][0]
gc = [p for p in E.procs() if p["ppid"] == child["pid"]][0]
rp = E.of("reparent", pid=gc["pid"])
eq(1, len(rp), "grandchild reparented once")
assert rp[0]["ppid"] != child["pid"], "new parent differs"
i_exit = E.ev.index(E.of("exit", pid=child["pid"])[0])
assert E.ev.index(rp[0]) > i_exit, "reparent after the parent exit"
eq(2, S["max_depth"], "max depth")
'
}

test_stop_continue() {
	trace wl_stop
	assert_eq 0 "$RC" "exit status (the stop was real: WUNTRACED saw it)"
	check_common
	check '
r = E.root()
c = [p for p in E.procs() if p["ppid"] == r["pid"]][0]
seq = [(e["type"], e.get("signal_name")) for e in E.by_pid(c["pid"]) if e["type"] in ("signal", "stop", "continue")]
eq([("signal", "SIGSTOP"), ("stop", "SIGSTOP"), ("continue", None), ("signal", "SIGCONT")], seq, "stop sequence")
eq(0, E.of("exit", pid=c["pid"])[0]["exit_code"], "child exit")
'
}

test_signals() {
	trace wl_signals
	assert_eq 0 "$RC" "exit status (every signal arrived untouched)"
	check_common
	check '
r = E.root()
kids = [p for p in E.procs() if p["ppid"] == r["pid"]]
eq(3, len(kids), "children")
ex = [E.of("exit", pid=k["pid"])[0] for k in kids]
eq([42, None, None], [e["exit_code"] for e in ex], "exit codes")
eq([None, "SIGTERM", "SIGKILL"], [e["signal_name"] for e in ex], "killing signals")
eq(1, len(E.of("signal", pid=kids[0]["pid"], signal_name="SIGUSR1")), "SIGUSR1 delivered")
eq({"SIGTERM": 1, "SIGKILL": 1}, S["signals"], "summary signals")
'
}

test_tree_1000() {
	trace wl_tree 1000
	assert_eq 0 "$RC" "exit status"
	check_common
	check '
eq(1000, S["processes"], "processes")
eq(1000, len(E.procs()), "spawn events")
ids = {p["pid"]: p for p in E.procs()}
r = E.root()
for p in E.procs()[1:]:
    assert p["ppid"] in ids, "parent of %d traced" % p["pid"]
eq(999, len(E.of("exit", exit_code=0)) - 1, "all exit 0")
assert 9 <= S["max_depth"] <= 12, "depth %d" % S["max_depth"]
'
}

test_pid_namespace_init() {
	trace wl_pidns
	[ "$RC" = 77 ] && skip "namespaces refused"
	assert_eq 0 "$RC" "exit status"
	check_common
	check '
r = E.root()
init = [p for p in E.procs() if p["ppid"] == r["pid"]][0]
eq(1, init["nspid"], "init is pid 1 inside")
assert init["pid"] != 1, "host pid differs"
assert "pid" in init["ns_changed"], "pid namespace flagged as changed"
gc = [p for p in E.procs() if p["ppid"] == init["pid"]][0]
eq(2, gc["nspid"], "its child is pid 2 inside")
eq(3, E.of("exit", pid=gc["pid"])[0]["exit_code"], "child exit code")
'
}

test_exit_status_passthrough() {
	RC=0
	"$FORKTOP" --headless --no-sandbox --quiet -- sh -c 'exit 42' || RC=$?
	assert_eq 42 "$RC" "exit code"
	RC=0
	"$FORKTOP" --headless --no-sandbox --quiet -- sh -c 'kill -TERM $$' || RC=$?
	assert_eq 143 "$RC" "killed by SIGTERM"
	RC=0
	"$FORKTOP" --headless --no-sandbox --quiet -- /nonexistent/cmd 2>err.txt || RC=$?
	assert_eq 127 "$RC" "not found"
	assert_eq "forktop: /nonexistent/cmd: No such file or directory" "$(cat err.txt)" "message"
}

test_summary_line() {
	local out
	out=$("$FORKTOP" --headless --no-sandbox -- sh -c '/bin/true; /bin/false; exit 0' 2>&1 >/dev/null)
	assert_match '^forktop: 3 processes, 0 threads, 3 execs, max depth 1, max concurrent 2, 1 failed \(exit 1: 1\), 0 killed; exit status 0; [0-9.]+ s$' "$out" "summary"
}

test_events_header() {
	"$FORKTOP" --headless --no-sandbox --quiet --events ev.jsonl -- true
	check '
h = E.header
eq("forktop-events", h["format"], "format")
eq("launch", h["mode"], "mode")
eq(["true"], h["command"], "command")
import os
eq(os.uname().release, h["kernel"], "kernel")
eq(0, S["exit_status"], "summary exit status")
p = E.perms(E.of("exec")[0])
eq(os.getuid(), p["uid"]["effective"], "euid")
assert p["ns"]["pid"] > 0 and p["seccomp"]["mode"] == "disabled", "perms"
'
}

test_perms_change_recorded() {
	"$FORKTOP" --headless --no-sandbox --quiet --events ev.jsonl -- \
		setpriv --no-new-privs /bin/sh -c '/bin/true; exit 0'
	check '
ex = E.of("exec")
eq(["setpriv", "/bin/sh", "/bin/true"], [e["argv"][0] for e in ex], "execs")
eq(True, ex[0].get("perms_unchanged"), "setpriv: same snapshot as at spawn, not repeated")
eq(False, E.perms(ex[0])["no_new_privs"], "before setpriv")
eq(True, ex[1]["perms"]["no_new_privs"], "sh after setpriv")
assert "no_new_privs_set" in ex[1]["changes"], ex[1]["changes"]
import os
for ns in ("mnt", "pid", "net", "ipc", "uts", "user", "cgroup"):
    eq(os.stat("/proc/self/ns/" + ns).st_ino, ex[1]["perms"]["ns"][ns], "exec snapshot ns " + ns)
eq(os.getuid(), ex[1]["perms"]["uid"]["real"], "exec snapshot uid")
true_spawn = [p for p in E.procs() if p["ppid"] == ex[1]["pid"]][0]
eq(True, true_spawn.get("perms_inherited"), "fork child: copy of its parent")
eq(True, E.perms(true_spawn)["no_new_privs"], "inherited snapshot")
'
}

test_events_stdout() {
	local out
	out=$("$FORKTOP" --headless --no-sandbox --quiet --events - -- true)
	assert_eq 5 "$(echo "$out" | wc -l)" "lines (header, spawn, exec, exit, summary)"
	assert_contains '"type":"header"' "$(echo "$out" | head -n 1)"
	assert_contains '"type":"summary"' "$(echo "$out" | tail -n 1)"
}

run_tests
