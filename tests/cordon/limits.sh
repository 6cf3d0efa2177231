#!/usr/bin/env bash
# cordon's own limits: --rlimit (resource limits, seen from inside in /proc/self/limits and
# through `ulimit`, and enforced: a file grows no further than fsize, fds stop at nofile) and
# Landlock (--landlock, --landlock-ro, --landlock-rw: an unlisted path cannot be read, an ro
# path cannot be written, an rw one can). Each option is fed bad input with the exact message
# and exit status 1, and the same settings are read from a policy file. A kernel without
# Landlock is simulated with a seccomp program (cordon_bpf) that fails landlock_create_ruleset
# with ENOSYS or EOPNOTSUPP, so that error path is tested on every kernel.
# Scripts run inside the sandbox are single-quoted on purpose (they expand there).
# shellcheck disable=SC2016,SC2031
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

# ---- --rlimit ----

test_rlimit_seen_inside() {
	run_cordon "${T_SYS[@]}" --proc /proc --rlimit nofile=64:128 --rlimit core=0 \
		--rlimit stack=unlimited --rlimit cpu=30:unlimited -- /bin/sh -c \
		'ulimit -Sn; ulimit -Hn; ulimit -c; grep -E "^Max (stack size|cpu time)" /proc/self/limits'
	expect_ok
	assert_eq "64
128
0
Max cpu time              30                   unlimited            seconds   
Max stack size            unlimited            unlimited            bytes     " "$OUT"
}

test_rlimit_last_wins_and_reaper() {
	# with --unshare-pid the command is forked by the pid-1 reaper: the limits are its own
	run_cordon "${T_SYS[@]}" --unshare-pid --rlimit nofile=64:128 --rlimit nofile=32 -- \
		/bin/sh -c 'ulimit -Sn; ulimit -Hn'
	expect_ok "32
32"
}

test_rlimit_nofile_enforced() {
	run_cordon "${T_SYS[@]}" --rlimit nofile=20 -- "$PY" -c '
import errno, os
last = -1
try:
    while True:
        last = os.open("/usr", os.O_RDONLY)
except OSError as e:
    print(errno.errorcode[e.errno], last)'
	expect_ok "EMFILE 19"
}

test_rlimit_fsize_enforced() {
	# the writer stops at the limit: killed by SIGXFSZ, or EFBIG when the caller ignores it
	run_cordon "${T_SYS[@]}" --dev /dev --bind "$T_TMP" /t --rlimit fsize=1024 -- /bin/sh -c \
		'head -c 4096 /dev/zero > /t/big; echo "status $?"'
	assert_eq 0 "$RC" "exit code (stderr: $ERR)"
	assert_match '^status (153|1)$' "$OUT" "status of the writer"
	assert_eq 1024 "$(stat -c %s "$T_TMP/big")" "size of the written file"
	# under the limit, nothing changes
	run_cordon "${T_SYS[@]}" --dev /dev --bind "$T_TMP" /t --rlimit fsize=8192 -- /bin/sh -c \
		'head -c 4096 /dev/zero > /t/small; echo "status $?"'
	expect_ok "status 0"
	assert_eq 4096 "$(stat -c %s "$T_TMP/small")" "size of the small file"
}

test_rlimit_raise_hard() {
	local hard want
	hard=$(ulimit -Hn)
	[ "$hard" != unlimited ] || skip "the hard nofile limit is already unlimited"
	want=$((hard + 1))
	run_cordon "${T_SYS[@]}" --rlimit "nofile=$want" -- /bin/sh -c 'ulimit -Hn'
	# raising a hard limit takes CAP_SYS_RESOURCE in the initial user namespace: only a
	# caller that could do it here may do it in the sandbox
	if [ "$T_MODE" = root ] && (ulimit -Hn "$want") 2>/dev/null; then
		expect_ok "$want"
	else
		expect_error 1 "cordon: --rlimit nofile=$want: Operation not permitted"
		# reported the same from under the pid-1 reaper
		run_cordon "${T_SYS[@]}" --unshare-pid --rlimit "nofile=$want" -- /bin/true
		expect_error 1 "cordon: --rlimit nofile=$want: Operation not permitted"
	fi
}

test_rlimit_hard_stays_lowered() {
	# without CAP_SYS_RESOURCE (dropped here even for root) the command cannot raise a hard
	# limit back; it can still move its soft limit below the hard one
	run_cordon "${T_SYS[@]}" --cap-drop ALL --rlimit nofile=100:200 -- /bin/sh -c \
		'ulimit -Sn 150 && ulimit -Sn; ulimit -Hn 300 2>/dev/null || echo refused; ulimit -Hn'
	expect_ok "150
refused
200"
}

test_rlimit_bad() {
	run_cordon "${T_SYS[@]}" --rlimit foo=1 -- /bin/true
	expect_error 1 "cordon: --rlimit foo=1: unknown resource"
	run_cordon "${T_SYS[@]}" --rlimit nofile=abc -- /bin/true
	expect_error 1 "cordon: --rlimit nofile=abc: not a number"
	run_cordon "${T_SYS[@]}" --rlimit nofile=10:5 -- /bin/true
	expect_error 1 "cordon: --rlimit nofile=10:5: soft limit above the hard limit"
	run_cordon "${T_SYS[@]}" --rlimit nofile=-1 -- /bin/true
	expect_error 1 "cordon: --rlimit nofile=-1: out of range"
	run_cordon "${T_SYS[@]}" --rlimit nofile -- /bin/true
	expect_error 1 "cordon: --rlimit nofile: expected NAME=SOFT[:HARD]"
	run_cordon --rlimit
	expect_error 1 "cordon: --rlimit takes an argument"
}

test_rlimit_policy() {
	cat >"$T_TMP/p.json" <<'EOF'
{"version": 1, "rlimits": {"nofile": [40, 50], "core": [0, "unlimited"]}}
EOF
	run_cordon "${T_SYS[@]}" --policy "$T_TMP/p.json" -- /bin/sh -c 'ulimit -Sn; ulimit -Hn; ulimit -Sc'
	expect_ok "40
50
0"
	run_cordon --policy "$T_TMP/p.json" --print-policy
	expect_ok
	assert_eq '[[0, "unlimited"], [40, 50]]' \
		"$(printf '%s' "$OUT" | "$PY" -c 'import json,sys; r=json.load(sys.stdin)["rlimits"]; print(json.dumps([r["core"], r["nofile"]]))')"
	echo '{"version": 1, "rlimits": {"nofile": [10, 5]}}' >"$T_TMP/bad.json"
	run_cordon "${T_SYS[@]}" --policy "$T_TMP/bad.json" -- /bin/true
	expect_error 1 "cordon: $T_TMP/bad.json: rlimits.nofile: soft limit above the hard limit"
}

# ---- Landlock ----

# Skip (77) only when the running kernel has no Landlock at all.
need_landlock() {
	run_cordon "${T_SYS[@]}" --landlock-ro /usr -- /bin/true
	case $ERR in
	*"Landlock is not supported by this kernel"*) skip "kernel without Landlock: $ERR" ;;
	esac
	expect_ok
}

# $T_TMP/data/{ro,rw,no}/f on /data; the Python probe prints one errno name (or "ok") per step.
LL_DATA=()
ll_setup() {
	mkdir -p "$T_TMP/data/ro" "$T_TMP/data/rw" "$T_TMP/data/no"
	echo ro >"$T_TMP/data/ro/f"
	echo rw >"$T_TMP/data/rw/f"
	echo secret >"$T_TMP/data/no/f"
	LL_DATA=(--bind "$T_TMP/data" /data)
}
LL_PROBE='
import errno, os, sys
def step(name, fn):
    try:
        r = fn()
        print(name, "ok" if r is None else r)
    except OSError as e:
        print(name, errno.errorcode[e.errno])
def write(path, mode="w"):
    with open(path, mode) as f:
        f.write("x")
for a in sys.argv[1:]:
    op, path = a.split(":", 1)
    if op == "read":
        step(a, lambda: open(path).read().strip())
    elif op == "write":
        step(a, lambda: write(path))
    elif op == "append":
        step(a, lambda: write(path, "a"))
    elif op == "list":
        step(a, lambda: ",".join(sorted(os.listdir(path))))
    elif op == "mkdir":
        step(a, lambda: os.mkdir(path))
    elif op == "unlink":
        step(a, lambda: os.unlink(path))
    elif op == "truncate":
        step(a, lambda: os.truncate(path, 0))
    elif op == "rename":
        src, dst = path.split(">")
        step(a, lambda: os.rename(src, dst))
'

test_landlock_rules() {
	need_landlock
	ll_setup
	run_cordon "${T_SYS[@]}" "${LL_DATA[@]}" --landlock-ro /usr --landlock-ro /data/ro \
		--landlock-rw /data/rw -- "$PY" -c "$LL_PROBE" \
		read:/data/ro/f read:/data/no/f list:/data/no list:/data list:/ \
		write:/data/ro/f write:/data/ro/new unlink:/data/ro/f \
		append:/data/rw/f read:/data/rw/f write:/data/rw/new mkdir:/data/rw/d \
		unlink:/data/rw/new list:/data/rw
	expect_ok "read:/data/ro/f ro
read:/data/no/f EACCES
list:/data/no EACCES
list:/data EACCES
list:/ EACCES
write:/data/ro/f EACCES
write:/data/ro/new EACCES
unlink:/data/ro/f EACCES
append:/data/rw/f ok
read:/data/rw/f rw
x
write:/data/rw/new ok
mkdir:/data/rw/d ok
unlink:/data/rw/new ok
list:/data/rw d,f"
	# the writes really reached the host, the denied ones did not
	assert_eq "rw
x" "$(cat "$T_TMP/data/rw/f")" "rw file on the host"
	[ -d "$T_TMP/data/rw/d" ] || fail "mkdir in the rw path did not reach the host"
	[ ! -e "$T_TMP/data/ro/new" ] || fail "a file was created in the ro path"
	assert_eq ro "$(cat "$T_TMP/data/ro/f")" "ro file on the host"
}

test_landlock_rename() {
	need_landlock
	ll_setup
	mkdir "$T_TMP/data/rw/sub" "$T_TMP/data/rw2"
	# moving between two rw trees needs the "refer" right (ABI 2), which rw grants; moving
	# into or out of an ro tree is refused
	run_cordon "${T_SYS[@]}" "${LL_DATA[@]}" --landlock-ro /usr --landlock-ro /data/ro \
		--landlock-rw /data/rw --landlock-rw /data/rw2 -- "$PY" -c "$LL_PROBE" \
		'rename:/data/rw/f>/data/rw/sub/f' 'rename:/data/rw/sub/f>/data/rw2/f' \
		'rename:/data/rw2/f>/data/ro/f2' 'rename:/data/ro/f>/data/rw/f3'
	expect_ok "rename:/data/rw/f>/data/rw/sub/f ok
rename:/data/rw/sub/f>/data/rw2/f ok
rename:/data/rw2/f>/data/ro/f2 EACCES
rename:/data/ro/f>/data/rw/f3 EACCES"
	assert_eq rw "$(cat "$T_TMP/data/rw2/f")" "moved file on the host"
}

test_landlock_file_rule() {
	need_landlock
	ll_setup
	# a single file: readable, its directory is not listable, its neighbours not readable
	echo other >"$T_TMP/data/ro/g"
	run_cordon "${T_SYS[@]}" "${LL_DATA[@]}" --landlock-ro /usr --landlock-rw /data/ro/f -- \
		"$PY" -c "$LL_PROBE" read:/data/ro/f read:/data/ro/g list:/data/ro truncate:/data/ro/f
	expect_ok "read:/data/ro/f ro
read:/data/ro/g EACCES
list:/data/ro EACCES
truncate:/data/ro/f ok"
	assert_eq "" "$(cat "$T_TMP/data/ro/f")" "file truncated through the rw rule"
}

test_landlock_exec_needs_a_rule() {
	need_landlock
	# the command itself is outside every rule: execve is refused
	run_cordon "${T_SYS[@]}" --landlock -- /usr/bin/true
	expect_error 126 "cordon: execvp /usr/bin/true: Permission denied"
	run_cordon "${T_SYS[@]}" --dir /w --landlock-rw /w -- /usr/bin/true
	expect_error 126 "cordon: execvp /usr/bin/true: Permission denied"
	# ro grants execute
	run_cordon "${T_SYS[@]}" --landlock-ro /usr -- /usr/bin/echo ran
	expect_ok ran
}

test_landlock_paths_are_inside() {
	need_landlock
	ll_setup
	# /data exists only inside the sandbox; the rule names it by its inside path, so what
	# the host has at /data (nothing) does not matter
	run_cordon "${T_SYS[@]}" --bind "$T_TMP/data/ro" /inside --landlock-ro /usr \
		--landlock-ro inside -- "$PY" -c "$LL_PROBE" read:/inside/f
	expect_ok "read:/inside/f ro"
}

test_landlock_policy() {
	need_landlock
	ll_setup
	cat >"$T_TMP/p.json" <<'EOF'
{"version": 1, "landlock": {"ro": ["/usr", "/data/ro"], "rw": ["/data/rw"]}}
EOF
	run_cordon "${T_SYS[@]}" "${LL_DATA[@]}" --policy "$T_TMP/p.json" -- "$PY" -c "$LL_PROBE" \
		read:/data/ro/f read:/data/no/f write:/data/rw/new
	expect_ok "read:/data/ro/f ro
read:/data/no/f EACCES
write:/data/rw/new ok"
	run_cordon --policy "$T_TMP/p.json" --landlock-rw /x --print-policy
	expect_ok
	assert_eq "{'ro': ['/usr', '/data/ro'], 'rw': ['/data/rw', '/x']}" \
		"$(printf '%s' "$OUT" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["landlock"])')"
}

test_landlock_bad() {
	run_cordon "${T_SYS[@]}" --landlock-ro /nope -- /bin/true
	case $ERR in
	*"Landlock is not supported by this kernel"*) skip "kernel without Landlock: $ERR" ;;
	esac
	expect_error 1 "cordon: --landlock-ro /nope: No such file or directory"
	# the same from the command's process under the pid-1 reaper
	run_cordon "${T_SYS[@]}" --unshare-pid --landlock-ro /nope -- /bin/true
	expect_error 1 "cordon: --landlock-ro /nope: No such file or directory"
	run_cordon "${T_SYS[@]}" --landlock-rw /usr/nope/x -- /bin/true
	expect_error 1 "cordon: --landlock-rw /usr/nope/x: No such file or directory"
	run_cordon "${T_SYS[@]}" --landlock-ro '' -- /bin/true
	expect_error 1 "cordon: --landlock-ro '': empty path"
	run_cordon "${T_SYS[@]}" --landlock-rw
	expect_error 1 "cordon: --landlock-rw takes an argument"
	echo '{"version": 1, "landlock": {"ro": "/usr"}}' >"$T_TMP/bad.json"
	run_cordon "${T_SYS[@]}" --policy "$T_TMP/bad.json" -- /bin/true
	expect_error 1 "cordon: $T_TMP/bad.json: landlock.ro: expected an array"
}

# A kernel without Landlock, made with seccomp around a nested cordon: landlock_create_ruleset
# fails with ENOSYS (not built in) or EOPNOTSUPP (disabled at boot). cordon must refuse to run.
ll_unsupported() {
	local errno=$1
	shift
	"$(need_helper cordon_bpf)" landlock_create_ruleset "$errno" >"$T_TMP/ll.bpf" ||
		fail "cordon_bpf"
	run_cordon --dev-bind / / --seccomp 5 -- \
		"$CORDON" "${T_NS[@]}" "${T_SYS[@]}" "$@" -- /usr/bin/echo ran-unrestricted \
		5<"$T_TMP/ll.bpf"
}

test_landlock_unsupported_kernel() {
	ll_unsupported 38 --landlock-ro /usr # ENOSYS
	expect_error 1 "cordon: --landlock-ro /usr: Landlock is not supported by this kernel"
	ll_unsupported 95 --landlock-rw /tmp --landlock-ro /usr/bin # EOPNOTSUPP
	expect_error 1 "cordon: --landlock-ro /usr/bin: Landlock is not supported by this kernel"
	ll_unsupported 95 --landlock
	expect_error 1 "cordon: --landlock: Landlock is not supported by this kernel"
	# another failure is reported with its errno text, and still nothing runs
	ll_unsupported 1 --landlock-rw /tmp
	expect_error 1 "cordon: --landlock-rw /tmp: asking the kernel for its Landlock version: Operation not permitted"
	# without Landlock options the same kernel runs the command
	ll_unsupported 38
	expect_ok ran-unrestricted
}

run_tests
