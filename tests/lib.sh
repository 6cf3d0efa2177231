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
# Sets OUT (stdout), ERR (stderr) and RC; never fails by itself.
run_cordon() {
	local o e
	o=$(mktemp) e=$(mktemp)
	"$CORDON" "${T_NS[@]}" "$@" >"$o" 2>"$e" </dev/null
	RC=$?
	OUT=$(cat "$o") ERR=$(cat "$e")
	rm -f "$o" "$e"
	return 0
}
# run_raw CMD ARGS...: same, with no arguments added.
run_raw() {
	local o e
	o=$(mktemp) e=$(mktemp)
	"$@" >"$o" 2>"$e" </dev/null
	RC=$?
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
			trap 'cd /; rm -rf "$T_TMP"' EXIT
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
