#!/usr/bin/env bash
# forktop -p PID: attaching to a running tree (all descendants and threads), following new
# processes, detaching cleanly (every tracee resumed, untraced) on SIGTERM, clear errors for
# ptrace denials; and for launched trees: signals forwarded, EXITKILL when forktop dies.
# shellcheck disable=SC2031 # T_TMP is set per test case, in its subshell
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

# wait_for FILE PYTHON-CONDITION: poll (10 s max) until the events file satisfies it
wait_for() {
	for _ in $(seq 200); do
		if [ -s "$1" ] && PYTHONPATH=$T_ROOT/tests/forktop python3 -c "
import json
L = [json.loads(l) for l in open('$1') if l.endswith('\n')]
import sys; sys.exit(0 if ($2) else 1)" 2>/dev/null; then
			return 0
		fi
		sleep 0.05
	done
	fail "timed out waiting for: $2"
}

tracer_of() {
	awk '/^TracerPid:/ {print $2}' "/proc/$1/status"
}

test_attach_tree_and_detach() {
	mkfifo go
	# a shell with two sleeping children, then one more child once "go" is written
	sh -c 'sleep 60 & sleep 60 & read x < go; /bin/true follow-me; wait' &
	sh=$!
	trap 'pkill -P $sh 2>/dev/null || true; kill $sh 2>/dev/null || true; cd /; rm -rf "$T_TMP"' EXIT
	for _ in $(seq 100); do [ "$(pgrep -c -P $sh)" = 2 ] && break; sleep 0.05; done
	"$FORKTOP" --headless --quiet -p $sh --events ev.jsonl &
	ft=$!
	wait_for ev.jsonl "len([e for e in L if e['type'] == 'attach']) == 3"
	echo go >go
	wait_for ev.jsonl "any(e['type'] == 'exec' and e['argv'] == ['/bin/true', 'follow-me'] for e in L)"
	wait_for ev.jsonl "any(e['type'] == 'exit' and e.get('exit_code') == 0 and e['ppid'] == $sh for e in L)"
	kill -TERM $ft
	wait $ft || fail "forktop exit status $?"
	check "
at = E.of('attach')
eq(3, len(at), 'attached processes')
eq($sh, at[0]['pid'], 'the target first')
eq(['sh', '-c'], at[0]['argv'][:2], 'argv of the target')
eq(sorted(['sleep', 'sleep']), sorted(a['argv'][0] for a in at[1:]), 'children')
eq({$sh}, {a['ppid'] for a in at[1:]}, 'their parent')
sp = [e for e in E.procs() if e['type'] == 'spawn']
eq(1, len(sp), 'one process spawned after attach')
eq(3, len(E.of('detach')), 'every live process detached')
eq('attach', E.header['mode'], 'mode')
"
	for p in $sh $(pgrep -P $sh); do
		assert_eq 0 "$(tracer_of "$p")" "TracerPid of $p after detach"
		assert_match '^[SR]' "$(awk '/^State:/ {print $2}' /proc/"$p"/status)" "state of $p"
	done
}

test_attach_threads() {
	"$H/wl_threads" 3000 &
	w=$!
	trap 'kill $w 2>/dev/null || true; cd /; rm -rf "$T_TMP"' EXIT
	for _ in $(seq 100); do [ "$(find /proc/$w/task -mindepth 1 -maxdepth 1 | wc -l)" = 5 ] && break; sleep 0.05; done
	"$FORKTOP" --headless --quiet -p $w --events ev.jsonl
	wait $w || fail "workload failed: $?"
	check "
at = E.of('attach')
eq(1, len(at), 'one process')
eq(4, E.summary['threads'], 'threads attached')
eq(4, len(E.of('exit', thread=True)), 'thread exits seen')
eq(0, E.of('exit', thread=False)[0]['exit_code'], 'process exit')
"
}

test_detach_leaves_a_stopped_process_stopped() {
	sleep 60 &
	s=$!
	trap 'kill -KILL $s 2>/dev/null || true; cd /; rm -rf "$T_TMP"' EXIT
	for _ in $(seq 100); do [ "$(cat "/proc/$s/comm")" = sleep ] && break; sleep 0.05; done
	kill -STOP $s
	for _ in $(seq 100); do grep -q '^State:.*T' "/proc/$s/status" && break; sleep 0.05; done
	"$FORKTOP" --headless --quiet -p $s --events ev.jsonl &
	ft=$!
	wait_for ev.jsonl "any(e['type'] == 'stop' for e in L)"
	kill -CONT $s
	wait_for ev.jsonl "any(e['type'] == 'continue' for e in L)"
	kill -STOP $s
	wait_for ev.jsonl "len([e for e in L if e['type'] == 'stop']) == 2"
	kill -TERM $ft
	wait $ft || fail "forktop exit status $?"
	assert_match '^T' "$(awk '/^State:/ {print $2}' "/proc/$s/status")" "still stopped"
	assert_eq 0 "$(tracer_of $s)" "TracerPid"
	kill -CONT $s
	for _ in $(seq 100); do grep -q '^State:.*S' "/proc/$s/status" && break; sleep 0.05; done
	assert_match '^S' "$(awk '/^State:/ {print $2}' "/proc/$s/status")" "running again"
	check "
eq(['attach', 'stop', 'continue', 'signal', 'signal', 'stop', 'detach'], [e['type'] for e in E.ev], 'events')
"
}

test_attach_already_traced() {
	sleep 60 &
	s=$!
	trap 'kill $ft $s 2>/dev/null || true; cd /; rm -rf "$T_TMP"' EXIT
	"$FORKTOP" --headless --quiet -p $s &
	ft=$!
	for _ in $(seq 100); do [ "$(tracer_of $s)" = "$ft" ] && break; sleep 0.05; done
	run_raw "$FORKTOP" --headless --quiet -p $s
	expect_error 1 "forktop: -p $s: already traced by process $ft"
}

# only an unprivileged tracer can be denied
[ "$T_MODE" = user ] && test_attach_denied() {
	run_raw "$FORKTOP" --headless --quiet -p 1
	assert_eq 1 "$RC" "exit code"
	assert_match "^forktop: -p 1: " "$ERR" "message"
}

test_attach_no_such_process() {
	run_raw "$FORKTOP" --headless --quiet -p 999999999
	expect_error 1 "forktop: -p 999999999: No such process"
}

test_sigterm_forwarded_to_launched_tree() {
	local ft
	"$FORKTOP" --headless --quiet --no-sandbox --events ev.jsonl -- sleep 60 &
	ft=$!
	wait_for ev.jsonl "any(e['type'] == 'exec' for e in L)"
	kill -TERM $ft
	RC=0
	wait $ft || RC=$?
	assert_eq 143 "$RC" "exit status (sleep killed by SIGTERM)"
}

test_exitkill_when_forktop_dies() {
	local ft pid
	"$FORKTOP" --headless --quiet --no-sandbox --events ev.jsonl -- sh -c 'sleep 60; exit 0' &
	ft=$!
	wait_for ev.jsonl "any(e['type'] == 'exec' and e['argv'][0] == 'sleep' for e in L)"
	pid=$(python3 -c "
import json
print([json.loads(l) for l in open('ev.jsonl') if '\"sleep\"' in l][-1]['pid'])")
	kill -KILL $ft
	wait $ft || true
	for _ in $(seq 100); do [ -e "/proc/$pid" ] || break; sleep 0.05; done
	[ ! -e "/proc/$pid" ] || fail "traced sleep $pid survived forktop"
}

run_tests
