# shellcheck shell=bash
# Sourced by every integration test script (tests/<area>/*.sh). A script defines functions named
# test_*; run_tests runs each in its own subshell with `set -euo pipefail`, in a fresh temp dir,
# and prints one line per case: "PASS|FAIL|SKIP <script>:<case> [<mode>]". A case passes by
# returning 0, skips by exiting 77 (only when the kernel truly lacks a feature), fails otherwise.
#
# Environment (set by tests/run.sh):
#   CORDON    path of the cordon binary under test
#   FORKTOP   path of the forktop binary under test
#   T_MODE    "root" or "user" (run through setpriv as uid/gid 65534 with no groups)
#   T_ONLY    optional: run only cases whose name matches this regex
set -uo pipefail

T_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
: "${CORDON:=$T_ROOT/build/cordon}"
: "${FORKTOP:=$T_ROOT/build/forktop}"
: "${T_MODE:=$([ "$(id -u)" = 0 ] && echo root || echo user)}"
export CORDON FORKTOP T_MODE T_ROOT

# The minimal set of binds most cases need to run anything from the host inside.
T_SYS=(--ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/lib /lib
	--symlink usr/lib64 /lib64 --symlink usr/sbin /sbin)
# ...when the host's /bin etc. are real dirs, bind them instead.
for d in bin lib lib64 sbin; do
	if [ -d "/$d" ] && [ ! -L "/$d" ]; then
		T_SYS=(--ro-bind /usr /usr)
		for x in bin lib lib64 sbin; do
			[ -e "/$x" ] && T_SYS+=(--ro-bind "/$x" "/$x")
		done
		break
	fi
done
# Namespaces to ask for: as an unprivileged user a user namespace is required.
T_NS=()
[ "$T_MODE" = user ] && T_NS=(--unshare-user)

fail() {
	echo "FAIL: $*" >&2
	exit 1
}
skip() {
	echo "SKIP: $*" >&2
	exit 77
}

# assert_eq EXPECTED ACTUAL [WHAT]
assert_eq() {
	[ "$1" == "$2" ] || fail "${3:-value}: expected [$1], got [$2]"
}
# assert_match REGEX ACTUAL [WHAT]
assert_match() {
	[[ "$2" =~ $1 ]] || fail "${3:-value}: [$2] does not match /$1/"
}
assert_contains() {
	[[ "$2" == *"$1"* ]] || fail "${3:-output}: [$2] does not contain [$1]"
}
assert_not_contains() {
	[[ "$2" != *"$1"* ]] || fail "${3:-output}: [$2] contains [$1]"
}

# run_cordon ARGS...: runs "$CORDON" with the base namespaces and system binds first.
# Sets OUT (stdout), ERR (stderr) and RC; never fails by itself. A run that hangs is killed
# after T_RUN_TIMEOUT seconds (default 30; RC 124, a note on the case's log).
run_cordon() {
	local o e
	o=$(mktemp) e=$(mktemp)
	# "|| RC=$?": the cases run under set -e, and a failing command must not end the case
	RC=0
	timeout -k 5 "${T_RUN_TIMEOUT:-30}" "$CORDON" "${T_NS[@]}" "$@" >"$o" 2>"$e" </dev/null || RC=$?
	[ "$RC" != 124 ] || echo "run_cordon: timed out after ${T_RUN_TIMEOUT:-30}s: $CORDON $*" >&2
	OUT=$(cat "$o") ERR=$(cat "$e")
	rm -f "$o" "$e"
	return 0
}
# run_raw CMD ARGS...: same, with no arguments added.
run_raw() {
	local o e
	o=$(mktemp) e=$(mktemp)
	RC=0
	timeout -k 5 "${T_RUN_TIMEOUT:-30}" "$@" >"$o" 2>"$e" </dev/null || RC=$?
	[ "$RC" != 124 ] || echo "run_raw: timed out after ${T_RUN_TIMEOUT:-30}s: $*" >&2
	OUT=$(cat "$o") ERR=$(cat "$e")
	rm -f "$o" "$e"
	return 0
}
# expect_error RC MESSAGE: the last run failed with exit code RC and this exact stderr line.
expect_error() {
	assert_eq "$1" "$RC" "exit code (stderr: $ERR)"
	assert_eq "$2" "$ERR" "error message"
}
# expect_ok [STDOUT]: the last run succeeded (and printed exactly STDOUT if given).
expect_ok() {
	assert_eq 0 "$RC" "exit code (stderr: $ERR)"
	[ $# -eq 0 ] || assert_eq "$1" "$OUT" "stdout"
}

# --- additions for the cordon suite (helper D) ---------------------------------------------
# The host's python3 without pyenv shims (same binary inside a sandbox that binds /usr).
PY=/usr/bin/python3
# Test helper programs (tests/helpers/*.c, built by `make helpers`).
T_HELPERS=$T_ROOT/build/tests/helpers
# need_helper NAME: path of a built helper; fails the case when it was not built.
need_helper() {
	[ -x "$T_HELPERS/$1" ] || fail "helper $1 not built: run make helpers"
	echo "$T_HELPERS/$1"
}

# Cleanup registry: every case runs t_cleanup on exit (pass, fail or Ctrl-C).
# on_exit CMD...: run CMD (eval'd) when the case ends, latest first.
on_exit() {
	T_CLEANUP=("$*" "${T_CLEANUP[@]}")
}
# kill_later PID...: SIGKILL these pids (if still alive) when the case ends, and reap children.
kill_later() {
	local p
	for p in "$@"; do on_exit "kill -KILL $p 2>/dev/null; wait $p 2>/dev/null"; done
}
t_cleanup() {
	local c
	for c in "${T_CLEANUP[@]}"; do eval "$c" || true; done
	T_CLEANUP=()
}

# wait_until TIMEOUT_SECONDS CMD...: poll CMD every 10 ms until it succeeds; 1 on timeout.
wait_until() {
	local end=$(($(date +%s%N) / 1000000 + $1 * 1000))
	shift
	while ! "$@"; do
		[ $(($(date +%s%N) / 1000000)) -lt "$end" ] || return 1
		sleep 0.01
	done
}
# pid_gone PID: the process does not exist any more (or is a zombie).
pid_gone() {
	[ ! -e "/proc/$1" ] || [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ]
}
# exe_is PID PATH: the process runs PATH (e.g. a helper has exec'd its final program).
exe_is() {
	[ "$(readlink "/proc/$1/exe" 2>/dev/null)" = "$2" ]
}
# ns_of PID KIND: namespace id of a host process, "net:[4026...]".
ns_of() {
	readlink "/proc/$1/ns/$2"
}
# json_get FILE EXPR: print a python expression over the JSON documents in FILE (as list `d`).
json_get() {
	"$PY" -c '
import json, sys
text = open(sys.argv[1]).read()
dec = json.JSONDecoder()
d, i = [], 0
while True:
    while i < len(text) and text[i].isspace():
        i += 1
    if i >= len(text):
        break
    obj, i = dec.raw_decode(text, i)
    d.append(obj)
print(eval(sys.argv[2]))
' "$1" "$2"
}
# run_cordon_as_bwrap ARGS...: like run_cordon, through a symlink named "bwrap" in $T_TMP.
run_cordon_as_bwrap() {
	ln -sf "$CORDON" "$T_TMP/bwrap"
	local save=$CORDON
	CORDON=$T_TMP/bwrap
	run_cordon "$@"
	CORDON=$save
}

run_tests() {
	local script name rc log
	script=$(basename "$(dirname "$0")")/$(basename "$0" .sh)
	for name in $(declare -F | awk '{print $3}' | grep '^test_'); do
		if [ -n "${T_ONLY:-}" ] && ! [[ "$name" =~ $T_ONLY ]]; then continue; fi
		log=$(mktemp)
		(
			set -euo pipefail
			T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/cordon-test.XXXXXX")
			export T_TMP
			T_CLEANUP=()
			trap 't_cleanup; cd /; rm -rf "$T_TMP"' EXIT
			cd "$T_TMP"
			"$name"
		) >"$log" 2>&1
		rc=$?
		case $rc in
		0) echo "PASS $script:$name [$T_MODE]" ;;
		77) echo "SKIP $script:$name [$T_MODE]: $(tail -n 1 "$log")" ;;
		*)
			echo "FAIL $script:$name [$T_MODE] (exit $rc)"
			sed 's/^/    | /' "$log" | tail -n 30
			;;
		esac
		rm -f "$log"
	done
}
