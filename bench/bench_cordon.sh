#!/usr/bin/env bash
# cordon's start-up cost: the median start-to-exit time of `cordon ARGS -- /bin/true` against
# `bwrap ARGS -- /bin/true` (the same arguments) and against unshare(1) with the same namespaces,
# measured with hyperfine. Two cases:
#   minimal      the minimal profile spelled out as bwrap arguments
#   unshare-all  --unshare-all --ro-bind / /
# plus `cordon --profile minimal` beside the first case. As root it prints one table for root
# and one for uid 65534 (how most people run it); otherwise one table for the calling user.
# Exits non-zero when any command could not be measured (e.g. build/cordon not working yet),
# after printing every row it could. Needs no terminal; takes well under a minute.
#   BENCH_RUNS (default 200), BENCH_ROUNDS (default 4), BENCH_WARMUP (default 10),
#   CORDON (default build/cordon)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
top=$(pwd)
CORDON=${CORDON:-$top/build/cordon}
RUNS=${BENCH_RUNS:-200}
WARMUP=${BENCH_WARMUP:-10}
ROUNDS=${BENCH_ROUNDS:-4}
NOBODY=65534
# a run that hangs must not hang `make bench`: per-command limits
CHECK_TIMEOUT=5
HYPERFINE_TIMEOUT=15

for tool in hyperfine bwrap unshare setpriv timeout; do
	if ! command -v "$tool" >/dev/null; then
		echo "bench_cordon: $tool not found (make deps installs it)" >&2
		exit 1
	fi
done
# JSON from hyperfine is read with python3, or jq when there is no python3
if command -v python3 >/dev/null && python3 -c 'import json' 2>/dev/null; then
	json_tool=python3
elif command -v jq >/dev/null; then
	json_tool=jq
else
	echo "bench_cordon: need python3 or jq to read hyperfine's JSON" >&2
	exit 1
fi
case $CORDON in /*) ;; *) CORDON=$top/$CORDON ;; esac

work=$(mktemp -d /tmp/bench_cordon.XXXXXX) || exit 1
trap 'rm -rf "$work"' EXIT
chmod 0755 "$work"

# The minimal profile (docs/cordon.1, PROFILES) as explicit bwrap arguments: /bin /lib /lib64
# /sbin as the host has them, symlinks into /usr on a merged-/usr system, read-only binds otherwise.
minimal_args=(--ro-bind /usr /usr)
for d in bin lib lib64 sbin; do
	if [ -L "/$d" ]; then
		minimal_args+=(--symlink "$(readlink "/$d")" "/$d")
	elif [ -d "/$d" ]; then
		minimal_args+=(--ro-bind "/$d" "/$d")
	fi
done
minimal_args+=(--proc /proc --dev /dev --tmpfs /tmp
	--unshare-user --unshare-pid --unshare-ipc --unshare-uts --unshare-net --unshare-cgroup)
all_args=(--unshare-all --ro-bind / /)
# unshare(1) with the namespaces both cases create (--unshare-all means user-try, ipc, pid, net,
# uts, cgroup-try; user namespaces work here, so the same set). --map-current-user: bwrap maps
# the caller's uid to itself as well.
unshare_cmd=(unshare --user --map-current-user --mount --pid --fork --ipc --uts --net --cgroup)

# one command line for hyperfine -N (it splits words itself, shell-style quoting)
quote() {
	local a out=""
	for a in "$@"; do out+="$(printf '%q' "$a") "; done
	printf '%s' "${out% }"
}

# as_mode MODE CMD...: run CMD as root (MODE=self) or as uid/gid 65534 (MODE=nobody)
as_mode() {
	local mode=$1
	shift
	if [ "$mode" = nobody ]; then
		setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups --reset-env \
			env PATH=/usr/local/bin:/usr/bin:/bin "$@"
	else
		"$@"
	fi
}

# first line of whatever a failed command said, or its status
first_line() {
	local file=$1 rc=$2 line
	line=$(grep -v '^[[:space:]]*$' "$file" | head -n 1)
	if [ "$rc" = 124 ]; then
		line="timed out${line:+: $line}"
	elif [ -z "$line" ]; then
		line="exit status $rc"
	fi
	printf '%s' "$line"
}

# median_ms FILE...: the median of every timed run in hyperfine's JSON files, in ms
median_ms() {
	if [ "$json_tool" = python3 ]; then
		python3 -c 'import json, statistics, sys
t = [x for f in sys.argv[1:] for x in json.load(open(f))["results"][0]["times"]]
print("%.2f" % (statistics.median(t) * 1000))' "$@"
	else
		jq -s -r '[.[].results[0].times[]] | sort | length as $n
			| (if $n % 2 == 1 then .[($n - 1) / 2] else (.[$n / 2 - 1] + .[$n / 2]) / 2 end)
			| . * 100000 | round / 100' "$@"
	fi
}

# prepare MODE KEY CMD...: one plain run first, so that a command that fails says why
# (hyperfine would only say that it failed); error[KEY] is set when it fails, else the command
# joins the list that measure_all times.
declare -A result=() error=() cmdline=()
keys=()
prepare() {
	local mode=$1 key=$2 rc
	shift 2
	local out=$work/$key.out
	(cd / && as_mode "$mode" timeout -k 2 $CHECK_TIMEOUT "$@" </dev/null >"$out" 2>&1)
	rc=$?
	if [ $rc != 0 ]; then
		error[$key]=$(first_line "$out" $rc)
		return 1
	fi
	cmdline[$key]=$(quote "$@")
	keys+=("$key")
}

# measure_all MODE: time every prepared command in ROUNDS interleaved rounds (cordon, bwrap,
# unshare, cordon, ...), so that a burst of load on the machine hits all of them alike; sets
# result[KEY] to the median of all runs, or error[KEY].
measure_all() {
	local mode=$1 r key rc warm=$WARMUP per=$(((RUNS + ROUNDS - 1) / ROUNDS))
	for ((r = 1; r <= ROUNDS; r++)); do
		for key in "${keys[@]}"; do
			[ -n "${error[$key]:-}" ] && continue
			local out=$work/$key.out
			(cd / && as_mode "$mode" timeout -k 2 $HYPERFINE_TIMEOUT hyperfine -N \
				--style none --warmup "$warm" --runs "$per" \
				--export-json "$work/$key.$r.json" "${cmdline[$key]}" </dev/null >"$out" 2>&1)
			rc=$?
			[ $rc != 0 ] && error[$key]="hyperfine: $(first_line "$out" $rc)"
		done
		warm=2
	done
	for key in "${keys[@]}"; do
		[ -n "${error[$key]:-}" ] && continue
		if ! result[$key]=$(median_ms "$work/$key".*.json 2>"$work/$key.out"); then
			error[$key]="reading hyperfine's results: $(first_line "$work/$key.out" 1)"
			unset "result[$key]"
		fi
	done
	keys=()
}

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "-" }'
}

failed=0
# table MODE TITLE
table() {
	local mode=$1 title=$2 c tool key
	local -a cases=(minimal unshare-all profile) notes=()
	[ "$mode" = nobody ] && chown $NOBODY:$NOBODY "$work"

	for c in minimal unshare-all; do
		local -a args=("${minimal_args[@]}")
		[ $c = unshare-all ] && args=("${all_args[@]}")
		prepare "$mode" "$mode.$c.cordon" "$CORDON" "${args[@]}" -- /bin/true
		prepare "$mode" "$mode.$c.bwrap" bwrap "${args[@]}" -- /bin/true
	done
	prepare "$mode" "$mode.profile.cordon" "$CORDON" --profile minimal -- /bin/true
	prepare "$mode" "$mode.ns.unshare" "${unshare_cmd[@]}" /bin/true
	measure_all "$mode"
	for key in "${!error[@]}"; do
		[[ $key == "$mode".* ]] && failed=1
	done

	echo
	echo "$title: median start-to-exit of ... -- /bin/true, $RUNS runs each in $ROUNDS rounds"
	printf '%-19s %10s %10s %11s %13s %15s\n' case "cordon ms" "bwrap ms" "unshare ms" \
		cordon/bwrap cordon/unshare
	for c in "${cases[@]}"; do
		local bkey=$mode.$c.bwrap label=$c
		[ "$c" = profile ] && bkey=$mode.minimal.bwrap && label="--profile minimal"
		local cm=${result[$mode.$c.cordon]:-} bm=${result[$bkey]:-} um=${result[$mode.ns.unshare]:-}
		local rb=- ru=-
		[ -n "$cm" ] && [ -n "$bm" ] && rb=$(ratio "$cm" "$bm")
		[ -n "$cm" ] && [ -n "$um" ] && ru=$(ratio "$cm" "$um")
		printf '%-19s %10s %10s %11s %13s %15s\n' "$label" "${cm:-FAILED}" "${bm:-FAILED}" \
			"${um:-FAILED}" "$rb" "$ru"
		for tool in cordon bwrap; do
			key=$mode.$c.$tool
			[ "$c" = profile ] && [ $tool = bwrap ] && continue
			[ -n "${error[$key]:-}" ] && notes+=("$label: $tool: FAILED (${error[$key]})")
		done
	done
	[ -n "${error[$mode.ns.unshare]:-}" ] &&
		notes+=("unshare: FAILED (${error[$mode.ns.unshare]})")
	local n
	for n in "${notes[@]}"; do echo "  $n"; done
	return 0
}

echo "bench_cordon: $(timeout -k 1 $CHECK_TIMEOUT "$CORDON" --version 2>/dev/null </dev/null | head -n 1 || echo "cordon ?")" \
	"vs $(bwrap --version 2>/dev/null) vs $(unshare --version 2>/dev/null | head -n 1)"
echo "unshare runs: ${unshare_cmd[*]} /bin/true"
if [ "$(id -u)" = 0 ]; then
	table self "as root (uid 0)"
	if setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups test -x "$CORDON"; then
		table nobody "as an unprivileged user (uid $NOBODY, setpriv)"
	else
		echo
		echo "as uid $NOBODY: FAILED ($CORDON is not reachable by uid $NOBODY)"
		failed=1
	fi
else
	table self "as uid $(id -u)"
fi
echo
echo "target: cordon/bwrap <= 1.00 for both cases"
exit $failed
