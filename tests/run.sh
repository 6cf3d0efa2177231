#!/usr/bin/env bash
# Runs every test: cmocka unit tests (plain and ASan+UBSan builds), then each integration script
# in tests/*/ as root and again as an unprivileged user (uid/gid 65534 through setpriv), then the
# cordon integration suite against the ASan build. Ends with "N passed, N failed, N skipped".
#   tests/run.sh [REGEX]   only integration scripts whose path matches REGEX (unit tests always)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
top=$(pwd)
filter=${1:-}
# BUILD=build/asan (make SANITIZE=1 check): the whole run uses the ASan+UBSan binaries
build=${BUILD:-build}
# The tests run programs as uid 65534 and inside sandboxes from this tree, so every directory
# above it must be searchable by others. A checkout under a private directory (mktemp -d, a
# 0700 home) is copied to a 0755 temporary directory and the run happens there.
if [ "$(id -u)" = 0 ] && [ -z "${T_COPIED:-}" ] &&
	! setpriv --reuid=65534 --regid=65534 --clear-groups test -r "$top/tests/run.sh"; then
	copy=$(mktemp -d /tmp/forktop-check.XXXXXX)
	echo "run.sh: $top is not reachable by uid 65534; running from a copy in $copy"
	cp -a "$top/." "$copy/"
	chmod 755 "$copy" # cp -a gave it the private directory's mode
	rc=0
	(cd "$copy" && T_COPIED=1 tests/run.sh "$@") || rc=$?
	rm -rf "$copy"
	exit "$rc"
fi
results=$(mktemp)
trap 'rm -f "$results"' EXIT

# cmocka: one TAP line per case
run_unit() {
	local bin=$1 tag=$2 out
	out=$(CMOCKA_MESSAGE_OUTPUT=TAP ASAN_OPTIONS=detect_leaks=1 "$bin" 2>&1)
	echo "$out" | while IFS= read -r line; do
		case $line in
		"ok "*"# SKIP"* | "not ok "*"# SKIP"*) # cmocka's skip(): the caller lacks a privilege
			echo "SKIP unit/$(basename "$bin"):${line##*# SKIP } [$tag]" ;;
		"ok "*) echo "PASS unit/$(basename "$bin"):${line#ok * - } [$tag]" ;;
		"not ok "*) echo "FAIL unit/$(basename "$bin"):${line#not ok * - } [$tag]" ;;
		esac
	done
	if ! echo "$out" | grep -q '^ok \|^not ok '; then
		echo "FAIL unit/$(basename "$bin") [$tag]: no test ran"
		echo "$out" | sed 's/^/    | /' | tail -n 20
	elif echo "$out" | grep -v '# SKIP' | grep -q '^not ok '; then
		echo "$out" | grep -v '^ok ' | sed 's/^/    | /' | tail -n 30
	fi
}

units="build/tests/test_* build/asan/tests/test_*"
[ "$build" = build/asan ] && units="build/asan/tests/test_*"
for bin in $units; do
	[ -x "$bin" ] || continue
	case $bin in build/asan/*) tag=asan ;; *) tag=plain ;; esac
	run_unit "$bin" "$tag" | tee -a "$results"
done

# Integration scripts. The unprivileged run needs a tree that uid 65534 can read.
scripts=$(find tests -mindepth 2 -name '*.sh' -not -path 'tests/unit/*' | sort)
user_ok=1
if [ "$(id -u)" = 0 ]; then
	if ! setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$top/$build/cordon"; then
		echo "FAIL run: uid 65534 cannot reach $top/$build/cordon; unprivileged runs impossible" | tee -a "$results"
		user_ok=0
	fi
fi
for s in $scripts; do
	[ -n "$filter" ] && ! [[ "$s" =~ $filter ]] && continue
	if [ "$(id -u)" = 0 ]; then
		T_MODE=root CORDON=$top/$build/cordon FORKTOP=$top/$build/forktop ENTER=$top/$build/cordon-enter bash "$s" | tee -a "$results"
		if [ $user_ok = 1 ]; then
			setpriv --reuid=65534 --regid=65534 --clear-groups --reset-env \
				env T_MODE=user CORDON="$top/$build/cordon" FORKTOP="$top/$build/forktop" ENTER="$top/$build/cordon-enter" \
				PATH=/usr/local/bin:/usr/bin:/bin bash "$s" | tee -a "$results"
		fi
	else
		T_MODE=user CORDON=$top/$build/cordon FORKTOP=$top/$build/forktop ENTER=$top/$build/cordon-enter bash "$s" | tee -a "$results"
	fi
done

# The cordon, forktop (headless) and cordon-enter suites once more against the ASan+UBSan
# build (as the caller only: it is the same code). The TUI suite stays on the plain build.
if [ "$build" != build/asan ] && [ -x build/asan/cordon ]; then
	for s in $(echo "$scripts" | grep -E '^tests/(cordon|forktop|enter)/' || true); do
		[ -n "$filter" ] && ! [[ "$s" =~ $filter ]] && continue
		T_MODE=$([ "$(id -u)" = 0 ] && echo root || echo user) CORDON=$top/build/asan/cordon \
			FORKTOP=$top/build/asan/forktop ENTER=$top/build/asan/cordon-enter \
			ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
			bash "$s" | sed 's/\]$/ asan]/; s/\] /, asan] /' | tee -a "$results"
	done
fi

pass=$(grep -c '^PASS ' "$results")
fail=$(grep -c '^FAIL ' "$results")
skip=$(grep -c '^SKIP ' "$results")
echo
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
