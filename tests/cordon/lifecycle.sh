#!/usr/bin/env bash
# Lifecycle options, driven from the host side: --info-fd and --json-status-fd (the JSON records
# parsed with python3, key sets compared with what bwrap writes for the same arguments,
# namespace ids compared with what the sandbox sees, no exit-code record when setup fails or
# the command never ran), --block-fd and --userns-block-fd (the command does not start until
# the fd is written; the user namespace exists while blocked and the caller can write its
# maps), --sync-fd (open while the sandbox runs, EOF after), --lock-file (a POSIX read lock the
# host sees while the sandbox runs), --die-with-parent, --as-pid-1, the pid-1 reaper (reaps
# orphans, forwards signals, exits with the command's status) and SIGTERM to cordon leaving no
# process behind. Every process started here is killed and reaped, also on failure.
# Scripts run inside the sandbox are single-quoted on purpose (they expand there), and T_TMP
# is set per case by run_tests.
# shellcheck disable=SC2016,SC2031
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

# --- info-fd / json-status-fd ------------------------------------------------------------------

# Key sets bwrap writes for the same arguments (the reference), when bwrap is installed.
bwrap_keys() {
	local f=$T_TMP/bwrap-keys
	command -v bwrap >/dev/null || return 1
	bwrap "${T_NS[@]}" "$@" 5>"$f" </dev/null >/dev/null 2>&1 || true
	json_get "$f" '[sorted(x) for x in d]'
}

NS_SCRIPT='for k in cgroup ipc mnt net pid uts user; do readlink /proc/self/ns/$k; done'

test_info_fd() {
	local args=(--unshare-all "${T_SYS[@]}" --proc /proc)
	run_cordon "${args[@]}" --info-fd 5 -- /bin/sh -c "$NS_SCRIPT" 5>"$T_TMP/info"
	expect_ok
	assert_eq 1 "$(json_get "$T_TMP/info" 'len(d)')" "number of JSON documents"
	local keys
	keys=$(json_get "$T_TMP/info" 'sorted(d[0])')
	assert_eq "['cgroup-namespace', 'child-pid', 'ipc-namespace', 'mnt-namespace', 'net-namespace', 'pid-namespace', 'uts-namespace']" \
		"$keys" "info keys"
	if ref=$(bwrap_keys "${args[@]}" --info-fd 5 -- /bin/true); then
		assert_eq "[$keys]" "$ref" "info keys compared with bwrap"
	fi
	# the ids are the namespaces the command ran in
	local k
	for k in cgroup ipc mnt net pid uts; do
		assert_eq "$k:[$(json_get "$T_TMP/info" "d[0]['$k-namespace']")]" "$(grep "^$k:" <<<"$OUT")" "$k id"
	done
	assert_match '^[0-9]+$' "$(json_get "$T_TMP/info" "d[0]['child-pid']")" "child-pid"
	[ "$(json_get "$T_TMP/info" "d[0]['child-pid']")" -gt 1 ] || fail "child-pid is not a host pid"
	# without namespaces: only the mount namespace
	run_cordon "${T_SYS[@]}" --info-fd 5 -- /bin/true 5>"$T_TMP/info2"
	expect_ok
	assert_eq "['child-pid', 'mnt-namespace']" "$(json_get "$T_TMP/info2" 'sorted(d[0])')" \
		"info keys without namespaces"
}

test_info_fd_bad() {
	run_cordon "${T_SYS[@]}" --info-fd 55 -- /bin/true
	expect_error 1 "cordon: --info-fd 55: Bad file descriptor"
	run_cordon "${T_SYS[@]}" --info-fd x5 -- /bin/true
	expect_error 1 "cordon: --info-fd x5: not a number"
}

test_json_status_fd() {
	local args=(--unshare-pid --unshare-net "${T_SYS[@]}" --proc /proc)
	run_cordon "${args[@]}" --json-status-fd 5 -- /bin/sh -c "$NS_SCRIPT; exit 3" 5>"$T_TMP/st"
	assert_eq 3 "$RC" "exit code (stderr: $ERR)"
	assert_eq 2 "$(json_get "$T_TMP/st" 'len(d)')" "number of JSON documents"
	local keys
	keys=$(json_get "$T_TMP/st" '[sorted(x) for x in d]')
	assert_eq "[['child-pid', 'mnt-namespace', 'net-namespace', 'pid-namespace'], ['exit-code']]" "$keys" "status keys"
	if ref=$(bwrap_keys "${args[@]}" --json-status-fd 5 -- /bin/sh -c 'exit 3'); then
		assert_eq "$keys" "$ref" "status keys compared with bwrap"
	fi
	assert_eq 3 "$(json_get "$T_TMP/st" "d[1]['exit-code']")" "exit-code"
	assert_eq "net:[$(json_get "$T_TMP/st" "d[0]['net-namespace']")]" "$(grep '^net:' <<<"$OUT")" "net id"
	# killed by a signal: 128+N, like the exit status
	run_cordon --unshare-pid "${T_SYS[@]}" --json-status-fd 5 -- /bin/sh -c 'kill -TERM $$' 5>"$T_TMP/st2"
	assert_eq 143 "$RC" "exit code"
	assert_eq 143 "$(json_get "$T_TMP/st2" "d[-1]['exit-code']")" "exit-code after SIGTERM"
}

test_json_status_no_exit_code_on_setup_failure() {
	# setup fails inside the sandbox: whatever was written, no exit-code record
	run_cordon "${T_SYS[@]}" --chdir /nope --json-status-fd 5 -- /bin/true 5>"$T_TMP/st"
	assert_eq 1 "$RC" "exit code"
	assert_eq "[]" "$(json_get "$T_TMP/st" "[x for x in d if 'exit-code' in x]")" "exit-code records"
	# the command was never executed: none either
	run_cordon "${T_SYS[@]}" --json-status-fd 5 -- /nope 5>"$T_TMP/st2"
	assert_eq 127 "$RC" "exit code"
	assert_eq "[]" "$(json_get "$T_TMP/st2" "[x for x in d if 'exit-code' in x]")" "exit-code records"
	# setup failing before the sandbox exists: nothing at all
	run_cordon "${T_SYS[@]}" --ro-bind /nope /x --json-status-fd 5 -- /bin/true 5>"$T_TMP/st3"
	assert_eq 1 "$RC" "exit code"
	assert_eq "[]" "$(json_get "$T_TMP/st3" "[x for x in d if 'exit-code' in x]")" "exit-code records"
}

test_json_status_fd_bad() {
	run_cordon "${T_SYS[@]}" --json-status-fd 55 -- /bin/true
	expect_error 1 "cordon: --json-status-fd 55: Bad file descriptor"
	# a read-only fd cannot take the records
	run_cordon "${T_SYS[@]}" --json-status-fd 5 -- /bin/true 5</dev/null
	expect_error 1 "cordon: --json-status-fd 5: Bad file descriptor"
	assert_eq "" "$OUT" "stdout"
}

test_setup_failure_leaves_nothing() {
	local marker=cordon-leftover-$$-$RANDOM mounts
	mkdir "$T_TMP/tmpd"
	mounts=$(cat /proc/self/mountinfo)
	local fails=(
		"--uid abc"
		"--ro-bind /nope /x"
		"--chdir /nope"
		"--overlay-src /nope --tmp-overlay /o"
		"--tmpfs /t --remount-ro /t --dir /t/x"
		"--seccomp 0"
	)
	local f
	for f in "${fails[@]}"; do
		# shellcheck disable=SC2086
		TMPDIR=$T_TMP/tmpd run_cordon --unshare-pid "${T_SYS[@]}" $f -- /bin/sh -c "echo $marker"
		assert_eq 1 "$RC" "exit code for $f (stderr: $ERR)"
		assert_eq "" "$OUT" "the command must not run ($f)"
		assert_eq "" "$(ls -A "$T_TMP/tmpd")" "temporary files left by $f"
		assert_eq "$mounts" "$(cat /proc/self/mountinfo)" "host mounts after $f"
		! pgrep -f "$marker" >/dev/null || fail "processes left by $f: $(pgrep -af "$marker")"
	done
}

# --- block-fd / userns-block-fd / sync-fd: a python3 harness holds the pipes -----------------

# harness MODE MARKER CORDON-ARGS...: runs cordon with pipes in place of the words BLOCKFD,
# INFOFD and SYNCFD, and prints what it observes, one fact per line. Kills and reaps cordon and
# the sandbox whatever happens.
HARNESS='
import json, os, select, signal, subprocess, sys, time

mode, marker, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
blk_r, blk_w = os.pipe()
info_r, info_w = os.pipe()
sync_r, sync_w = os.pipe()
subst = {"BLOCKFD": str(blk_r), "INFOFD": str(info_w), "SYNCFD": str(sync_w)}
argv = [subst.get(a, a) for a in argv]
p = subprocess.Popen(argv, pass_fds=(blk_r, info_w, sync_w), stdin=subprocess.PIPE,
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
os.close(blk_r); os.close(info_w); os.close(sync_w)
if mode != "sync":
    p.stdin.close()
child = None

def out(*a):
    print(*a, flush=True)

def read_info(timeout=10):
    buf, end = b"", time.monotonic() + timeout
    while time.monotonic() < end:
        r, _, _ = select.select([info_r], [], [], end - time.monotonic())
        if not r:
            break
        chunk = os.read(info_r, 4096)
        if not chunk:
            break
        buf += chunk
        try:
            return json.loads(buf)
        except ValueError:
            pass
    out("no-info", buf, p.poll())
    sys.exit(1)

def marker_stays_absent(window=0.3):
    end = time.monotonic() + window
    while time.monotonic() < end:
        if os.path.exists(marker):
            return False
        time.sleep(0.01)
    return True

try:
    if mode in ("block", "userns-block"):
        info = read_info()
        child = info["child-pid"]
        out("info", sorted(info))
        out("blocked" if marker_stays_absent() else "ran-early")
        if mode == "userns-block":
            mine, theirs = os.readlink("/proc/self/ns/user"), os.readlink(f"/proc/{child}/ns/user")
            out("userns-exists" if mine != theirs else "userns-missing")
            uid, gid = os.getuid(), os.getgid()
            try:
                with open(f"/proc/{child}/uid_map", "w") as f: f.write(f"4321 {uid} 1\n")
                with open(f"/proc/{child}/setgroups", "w") as f: f.write("deny")
                with open(f"/proc/{child}/gid_map", "w") as f: f.write(f"4321 {gid} 1\n")
                out("maps-written")
            except OSError as e:
                out("maps-failed", e)
        os.write(blk_w, b"x")
    elif mode == "sync":
        line = p.stdout.readline().decode().strip()
        out("command", line)
        r, _, _ = select.select([sync_r], [], [], 0)
        out("sync-open" if not r else "sync-closed-early")
        p.stdin.write(b"go\n"); p.stdin.close()  # the command waits for a line on stdin
    rc = p.wait(timeout=20)
    out("rc", rc)
    if mode == "sync":
        r, _, _ = select.select([sync_r], [], [], 5)
        out("sync-eof" if r and os.read(sync_r, 1) == b"" else "sync-still-open")
    out("stdout", p.stdout.read().decode().strip().replace("\n", "|"))
    out("stderr", p.stderr.read().decode().strip().replace("\n", "|"))
finally:
    if p.poll() is None:
        p.kill(); p.wait()
    if child:
        try: os.kill(child, signal.SIGKILL)
        except ProcessLookupError: pass
'
harness() {
	HOUT=$("$PY" -c "$HARNESS" "$@" 2>&1) || true
	echo "$HOUT"
}
hline() {
	grep "^$1" <<<"$HOUT" || true
}

test_block_fd() {
	harness block "$T_TMP/marker" "$CORDON" "${T_NS[@]}" "${T_SYS[@]}" --bind "$T_TMP" /s \
		--block-fd BLOCKFD --info-fd INFOFD -- /bin/sh -c 'echo ran >/s/marker; echo done'
	assert_eq blocked "$(hline blocked)" "before the fd is written"
	assert_eq "rc 0" "$(hline rc)" "exit"
	assert_eq "stdout done" "$(hline stdout)" "command output"
	assert_eq ran "$(cat "$T_TMP/marker")" "marker"
}

test_block_fd_bad() {
	run_cordon "${T_SYS[@]}" --block-fd 55 -- /bin/true
	expect_error 1 "cordon: --block-fd 55: Bad file descriptor"
	run_cordon "${T_SYS[@]}" --block-fd 5x -- /bin/true
	expect_error 1 "cordon: --block-fd 5x: not a number"
}

test_userns_block_fd() {
	harness userns-block "$T_TMP/marker" "$CORDON" --unshare-user "${T_SYS[@]}" --proc /proc \
		--bind "$T_TMP" /s --userns-block-fd BLOCKFD --info-fd INFOFD -- \
		/bin/sh -c 'echo ran >/s/marker; id -u; id -g'
	assert_eq blocked "$(hline blocked)" "before the fd is written"
	assert_eq userns-exists "$(hline userns)" "user namespace while blocked"
	assert_eq maps-written "$(hline maps)" "caller writes the id maps"
	assert_eq "rc 0" "$(hline rc)" "exit"
	assert_eq "stdout 4321|4321" "$(hline stdout)" "ids from the caller's maps"
}

test_userns_block_fd_bad() {
	run_raw "$CORDON" --userns-block-fd 5 --info-fd 6 "${T_SYS[@]}" -- /bin/true 5</dev/null 6>/dev/null
	if [ "$T_MODE" = root ]; then
		expect_error 1 "cordon: --userns-block-fd 5: requires --unshare-user"
	fi
	run_raw "$CORDON" --unshare-user --userns-block-fd 5 "${T_SYS[@]}" -- /bin/true 5</dev/null
	expect_error 1 "cordon: --userns-block-fd 5: requires --info-fd"
	run_raw "$CORDON" --unshare-user --userns-block-fd 55 --info-fd 1 "${T_SYS[@]}" -- /bin/true
	expect_error 1 "cordon: --userns-block-fd 55: Bad file descriptor"
}

test_sync_fd() {
	harness sync "$T_TMP/marker" "$CORDON" "${T_NS[@]}" "${T_SYS[@]}" --sync-fd SYNCFD -- \
		/bin/sh -c 'echo started; read x; echo "got $x"'
	assert_eq "command started" "$(hline command)" "command output"
	assert_eq sync-open "$(hline 'sync-\(open\|closed\)')" "sync fd while the sandbox runs"
	assert_eq "rc 0" "$(hline rc)" "exit"
	assert_eq "stdout got go" "$(hline stdout)" "command output"
	assert_eq sync-eof "$(hline sync-eof)" "sync fd after the sandbox ended"
}

test_sync_fd_bad() {
	run_cordon "${T_SYS[@]}" --sync-fd 55 -- /bin/true
	expect_error 1 "cordon: --sync-fd 55: Bad file descriptor"
	run_cordon "${T_SYS[@]}" --sync-fd -1 -- /bin/true
	expect_error 1 "cordon: --sync-fd -1: out of range"
}

# --- lock-file ------------------------------------------------------------------------------

# host_lock_state FILE: "locked" when another process holds a POSIX lock on FILE, else "free"
host_lock_state() {
	"$PY" -c '
import fcntl, sys
with open(sys.argv[1], "r+") as f:
    try:
        fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        print("free")
    except OSError:
        print("locked")
' "$1"
}

# start_bg VAR CORDON-ARGS...: cordon in the background (pid in VAR), killed at the end
start_bg() {
	local var=$1
	shift
	"$CORDON" "${T_NS[@]}" "$@" </dev/null >"$T_TMP/bg.out" 2>"$T_TMP/bg.err" &
	local pid=$!
	kill_later "$pid"
	printf -v "$var" %s "$pid"
}
file_has_content() {
	[ -s "$1" ]
}

test_lock_file() {
	touch "$T_TMP/lk"
	mkfifo "$T_TMP/go"
	assert_eq free "$(host_lock_state "$T_TMP/lk")" "lock before"
	local c
	start_bg c "${T_SYS[@]}" --bind "$T_TMP" /s --lock-file /s/lk -- \
		/bin/sh -c 'echo $$ >/s/ready; read x </s/go'
	wait_until 10 file_has_content "$T_TMP/ready" || fail "sandbox did not start: $(cat "$T_TMP/bg.err")"
	kill_later "$(cat "$T_TMP/ready")"
	assert_eq locked "$(host_lock_state "$T_TMP/lk")" "lock while the sandbox runs"
	exec 7<>"$T_TMP/go"
	echo go >&7
	local rc=0
	wait "$c" || rc=$?
	exec 7>&-
	assert_eq 0 "$rc" "exit code ($(cat "$T_TMP/bg.err"))"
	assert_eq free "$(host_lock_state "$T_TMP/lk")" "lock after"
}

test_lock_file_bad() {
	run_cordon "${T_SYS[@]}" --lock-file /nope -- /bin/true
	expect_error 1 "cordon: --lock-file /nope: No such file or directory"
	run_raw "$CORDON" --lock-file
	expect_error 1 "cordon: --lock-file takes an argument"
}

# --- die-with-parent, SIGTERM, signals, reaper, as-pid-1 ------------------------------------

# sandbox_cmd_pid: host pid of the command, from the file it wrote its $$ into (no pid ns)
test_die_with_parent() {
	local opt
	for opt in "" --unshare-pid; do
		rm -f "$T_TMP/info"
		# P: a parent shell that starts cordon and waits for it
		bash -c '"$@" & wait' _ "$CORDON" "${T_NS[@]}" $opt --die-with-parent "${T_SYS[@]}" \
			--info-fd 5 -- /bin/sleep 1000 5>"$T_TMP/info" </dev/null &
		local parent=$!
		kill_later "$parent"
		wait_until 10 file_has_content "$T_TMP/info" || fail "no info ($opt)"
		wait_until 10 json_get "$T_TMP/info" 'd[0]["child-pid"]' >/dev/null || fail "bad info ($opt)"
		local child cordon_pid sleeper
		child=$(json_get "$T_TMP/info" 'd[0]["child-pid"]')
		kill_later "$child"
		cordon_pid=$(pgrep -P "$parent" | head -n 1)
		kill_later "$cordon_pid"
		# the sleeper: the child itself, or pid 2 under the reaper
		wait_until 10 eval 'sleeper=$(pgrep -x sleep -P "$child" || { exe_is "$child" /usr/bin/sleep && echo "$child"; })' ||
			fail "command did not start ($opt)"
		kill_later "$sleeper"
		kill -KILL "$parent"
		wait "$parent" 2>/dev/null || true
		wait_until 10 pid_gone "$sleeper" || fail "command survived its parent's death ($opt)"
		wait_until 10 pid_gone "$child" || fail "sandbox survived its parent's death ($opt)"
	done
}

test_die_with_parent_bad() {
	run_cordon --die-with-parent=1 "${T_SYS[@]}" -- /bin/true
	expect_error 1 "cordon: Unknown option --die-with-parent=1"
}

# descendants PID: PID and every process below it
descendants() {
	echo "$1"
	local c
	for c in $(pgrep -P "$1"); do descendants "$c"; done
}

test_sigterm_leaves_nothing() {
	local opt
	for opt in "" --unshare-pid; do
		rm -f "$T_TMP/info" "$T_TMP/ready"
		local c
		start_bg c $opt "${T_SYS[@]}" --dev /dev --bind "$T_TMP" /s --info-fd 5 -- \
			/bin/sh -c '/bin/sleep 1000 & echo x >/s/ready; exec /bin/sleep 1000' 5>"$T_TMP/info"
		wait_until 10 file_has_content "$T_TMP/ready" || fail "not started ($opt): $(cat "$T_TMP/bg.err")"
		local child all p
		child=$(json_get "$T_TMP/info" 'd[0]["child-pid"]')
		all=$(descendants "$child")
		for p in $all; do kill_later "$p"; done
		[ "$(grep -c . <<<"$all")" -ge 2 ] || fail "expected the sandbox's processes below $child, got: $all"
		kill -TERM "$c"
		local rc=0
		wait "$c" || rc=$?
		assert_eq 143 "$rc" "cordon's exit status after SIGTERM ($opt; stderr: $(cat "$T_TMP/bg.err"))"
		for p in $all; do
			wait_until 5 pid_gone "$p" || fail "process $p ($(cat "/proc/$p/comm" 2>/dev/null)) survived SIGTERM to cordon ($opt)"
		done
	done
}

test_signals_forwarded() {
	local sig opt
	for opt in "" --unshare-pid; do
		for sig in INT TERM HUP QUIT USR1 USR2; do
			rm -f "$T_TMP/ready" "$T_TMP/info"
			# bash starts background jobs with SIGINT/SIGQUIT ignored: undo that for cordon
			"$PY" -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL); signal.signal(signal.SIGQUIT, signal.SIG_DFL)
os.execv(sys.argv[1], sys.argv[1:])' "$CORDON" "${T_NS[@]}" $opt "${T_SYS[@]}" --dev /dev --bind "$T_TMP" /s --info-fd 5 -- \
				/bin/sh -c 'trap "echo got-$1; kill \$!; exit 3" '"$sig"'; /bin/sleep 1000 & echo x >/s/ready; wait' _ "$sig" \
				</dev/null >"$T_TMP/out" 2>"$T_TMP/err" 5>"$T_TMP/info" &
			local c=$! p
			kill_later "$c"
			wait_until 10 file_has_content "$T_TMP/ready" || fail "not started ($opt $sig): $(cat "$T_TMP/err")"
			for p in $(descendants "$(json_get "$T_TMP/info" 'd[0]["child-pid"]')"); do kill_later "$p"; done
			kill -"$sig" "$c"
			local rc=0
			wait "$c" || rc=$?
			assert_eq 3 "$rc" "exit status after SIG$sig ($opt; stderr: $(cat "$T_TMP/err"))"
			assert_eq "got-$sig" "$(cat "$T_TMP/out")" "trap output ($opt)"
		done
	done
}

test_reaper_reaps_orphans() {
	run_cordon --unshare-pid "${T_SYS[@]}" --proc /proc --dev /dev -- /bin/sh -c '
		for i in 1 2 3 4 5; do (/bin/true &); done
		i=0
		while cat /proc/[0-9]*/stat 2>&- | grep -q "^[0-9]* ([^)]*) Z" && [ $i -lt 2000 ]; do i=$((i + 1)); done
		cat /proc/[0-9]*/stat 2>&- | grep -c "^[0-9]* ([^)]*) Z"; cat /proc/1/comm'
	assert_eq 0 "$RC" "exit code (stderr: $ERR)"
	assert_eq "0
$(basename "$(readlink -f "$CORDON")" | cut -c1-15)" "$OUT" "zombies left, and pid 1"
}

test_as_pid_1() {
	run_cordon --unshare-pid --as-pid-1 "${T_SYS[@]}" --proc /proc -- /bin/sh -c 'echo $$; cat /proc/1/comm'
	expect_ok "1
sh"
	run_cordon --unshare-pid "${T_SYS[@]}" --proc /proc -- /bin/sh -c 'echo $$'
	expect_ok 2
}

test_as_pid_1_bad() {
	run_cordon --as-pid-1 "${T_SYS[@]}" -- /bin/true
	expect_error 1 "cordon: --as-pid-1: requires --unshare-pid"
}

run_tests
