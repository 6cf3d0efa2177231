#!/usr/bin/env bash
# cordon-enter's two costs (issue 5 targets: < 50 ms each):
#   time to a usable command: start-to-exit of `cordon-enter [--hijack] PID -- /bin/true`
#     (median and worst of BENCH_ENTER_RUNS runs), hijack and join;
#   the pause the target sees: a target running a 1 ms periodic timer reports its worst
#     wake-up latency while it is hijacked BENCH_ENTER_RUNS times (next to its latency over the
#     same time without any hijack: the machine's noise floor).
# Runs as the calling user against a target of the same user. Exits non-zero when a target is
# missed or something could not be measured.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
ENTER=${ENTER:-build/cordon-enter}
HELPER=build/tests/helpers/enter_target
RUNS=${BENCH_ENTER_RUNS:-30}
LIMIT_MS=50
for f in "$ENTER" "$HELPER"; do
	[ -x "$f" ] || { echo "bench_enter: $f not built (make all helpers)" >&2; exit 1; }
done
work=$(mktemp -d /tmp/bench_enter.XXXXXX) || exit 1
pids=()
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	local p
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	rm -rf "$work"
}
trap cleanup EXIT

now_ns() { date +%s%N; }

# start_target NAME ARGS...: enter_target ARGS in the background; sets TPID when ready
start_target() {
	local name=$1
	shift
	"$HELPER" --ready "$work/$name.ready" "$@" </dev/null >"$work/$name.out" 2>&1 &
	TPID=$!
	pids+=("$TPID")
	for _ in $(seq 500); do [ -e "$work/$name.ready" ] && return 0; sleep 0.01; done
	echo "bench_enter: target $name did not start" >&2
	return 1
}

# time_runs FILE CMD...: run CMD RUNS times, one start-to-exit time (ms) per line in FILE
time_runs() {
	local file=$1 t0 t1
	shift
	: >"$file"
	for _ in $(seq "$RUNS"); do
		t0=$(now_ns)
		if ! timeout 5 "$@" </dev/null >/dev/null 2>"$work/err"; then
			echo "bench_enter: $* failed: $(head -n 1 "$work/err")" >&2
			return 1
		fi
		t1=$(now_ns)
		awk -v d=$((t1 - t0)) 'BEGIN { printf "%.2f\n", d / 1e6 }' >>"$file"
		sleep 0.02
	done
}
median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
worst() { sort -n "$1" | tail -n 1; }
maxlat_ms() { awk '/maxlat_us/ { printf "%.2f", $NF / 1000 }' "$1"; }

failed=0
over() { awk -v a="$1" -v l=$LIMIT_MS 'BEGIN { exit !(a >= l) }'; }

# the noise floor: the same timer, left alone
dur_ms=$((RUNS * 60 + 1000))
start_target idle timer 1000 "$dur_ms" || exit 1
wait "$TPID"
idle=$(maxlat_ms "$work/idle.out")

# hijack while the timer runs
start_target timer timer 1000 "$dur_ms" || exit 1
sleep 0.2
time_runs "$work/hijack.ms" "$ENTER" --hijack "$TPID" -- /bin/true || failed=1
wait "$TPID" || failed=1
pause=$(maxlat_ms "$work/timer.out")

# join (the target is not stopped at all)
start_target pause pause || exit 1
time_runs "$work/join.ms" "$ENTER" "$TPID" -- /bin/true || failed=1

echo "cordon-enter as $(id -un), $RUNS runs each (target: < $LIMIT_MS ms)"
printf '%-34s %10s %10s\n' measure median worst
for m in hijack join; do
	[ -s "$work/$m.ms" ] || { printf '%-34s %10s\n' "$m: start to usable command" FAILED; continue; }
	printf '%-34s %10s %10s\n' "$m: start to usable command (ms)" "$(median "$work/$m.ms")" "$(worst "$work/$m.ms")"
	over "$(median "$work/$m.ms")" && failed=1
done
printf '%-34s %10s %10s\n' "hijack: target's timer latency (ms)" - "${pause:-FAILED}"
printf '%-34s %10s %10s\n' "  same timer, no hijack (ms)" - "${idle:-FAILED}"
[ -n "$pause" ] || failed=1
[ -n "$pause" ] && over "$pause" && failed=1
[ $failed = 0 ] && echo "bench_enter: within target" || echo "bench_enter: FAILED or over target"
exit $failed
