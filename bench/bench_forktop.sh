#!/usr/bin/env bash
# forktop's tracing cost on two fork/exec-heavy workloads:
#   loop   a loop of 2,000 short processes (tests/helpers/wl_loop 2000 /bin/true)
#   make   `make -j2` of a small generated C project (40 files)
# each run untraced, under `forktop --headless --no-sandbox --events /dev/null`, under
# `strace -f -e trace=process -o /dev/null` (with and without --seccomp-bpf) and under
# bench/tracer_floor.c (the least a correct event tracer does: same ptrace options, reads each
# exec'd command line). Prints median wall times over interleaved rounds, ratios to untraced,
# forktop/floor (target <= 1.10) and strace's added time over forktop's (target >= 2.5); the
# ptrace calls and context switches each column costs per traced process (perf, when usable:
# shows that plain strace stops at every system call, bench/README.md); then forktop's peak
# RSS after 1,000 and after BENCH_MEM_PROCS (default 100,000) traced processes (flat = no
# per-process growth).
#   BENCH_RUNS (default 5), BENCH_MEM_PROCS (default 100000), FORKTOP (default build/forktop)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
top=$(pwd)
FORKTOP=${FORKTOP:-$top/build/forktop}
RUNS=${BENCH_RUNS:-5}
MEM_PROCS=${BENCH_MEM_PROCS:-100000}
LOOP=$top/build/tests/helpers/wl_loop
FLOOR=$top/build/bench/tracer_floor

if ! command -v strace >/dev/null; then
	if [ "$(id -u)" = 0 ]; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq strace >/dev/null 2>&1
	fi
fi
for tool in strace python3 cc make; do
	if ! command -v "$tool" >/dev/null; then
		echo "bench_forktop: $tool not found (make deps installs it)" >&2
		exit 1
	fi
done
[ -x "$FORKTOP" ] || { echo "bench_forktop: $FORKTOP missing (make)" >&2; exit 1; }
[ -x "$LOOP" ] || { echo "bench_forktop: $LOOP missing (make helpers)" >&2; exit 1; }
# the workloads' make must not join `make bench`'s own jobserver or take its flags
unset MAKEFLAGS MFLAGS MAKELEVEL
mkdir -p build/bench
cc -O2 -Wall -Wextra -Werror -o "$FLOOR" bench/tracer_floor.c || exit 1

work=$(mktemp -d /tmp/bench_forktop.XXXXXX) || exit 1
trap 'rm -rf "$work"' EXIT

# the generated C project: 40 small translation units and a Makefile
proj=$work/proj
mkdir -p "$proj"
for i in $(seq 40); do
	cat >"$proj/f$i.c" <<C
#include <stdio.h>
int f$i(int x);
int f$i(int x) { int s = 0; for (int k = 0; k < x; k++) s += k * $i; return s; }
C
done
{
	echo '#include <stdio.h>'
	for i in $(seq 40); do echo "int f$i(int x);"; done
	echo 'int main(void) { long s = 0;'
	for i in $(seq 40); do echo "s += f$i(10);"; done
	# shellcheck disable=SC2028 # C source text, printed as is
	echo 'printf("%ld\n", s); return 0; }'
} >"$proj/main.c"
cat >"$proj/Makefile" <<'MK'
SRC := $(wildcard *.c)
OBJ := $(SRC:.c=.o)
prog: $(OBJ)
	$(CC) -o $@ $(OBJ)
%.o: %.c
	$(CC) -O1 -c $< -o $@
clean:
	rm -f *.o prog
MK

configs=(untraced forktop strace strace-seccomp floor)
echo "bench_forktop: $("$FORKTOP" --version 2>/dev/null | head -n 1), $(strace -V | head -n 1)," \
	"$RUNS rounds"
prefix() {
	case $1 in
	untraced) echo "" ;;
	forktop) echo "$FORKTOP --headless --no-sandbox --quiet --events /dev/null --" ;;
	strace) echo "strace -f -e trace=process -o /dev/null" ;;
	strace-seccomp) echo "strace -f --seccomp-bpf -e trace=process -o /dev/null" ;;
	floor) echo "$FLOOR" ;;
	esac
}

status=0
# run_once CONFIG CMD: wall seconds of one run, or FAILED
run_once() {
	local p t0 t1 rc
	p=$(prefix "$1")
	t0=$(date +%s%N)
	# shellcheck disable=SC2086 # the prefix and command are word lists
	$p $2 >/dev/null 2>"$work/run.err"
	rc=$?
	if [ $rc != 0 ]; then
		# why, for the end of the report (the run's last line of stderr)
		echo "$1: $2: exit $rc: $(tail -n 1 "$work/run.err")" >>"$work/failures"
		echo FAILED
		return
	fi
	t1=$(date +%s%N)
	echo "$(((t1 - t0) / 1000))e-6"
}

# Rounds interleave the configurations (untraced, forktop, strace, ... then again), so that
# background load on a small machine weighs on all of them alike; the median is kept.
for round in $(seq "$RUNS"); do
	for cfg in "${configs[@]}"; do
		run_once "$cfg" "$LOOP 2000 /bin/true" >>"$work/loop.$cfg"
		make -s -C "$proj" clean >/dev/null 2>&1
		run_once "$cfg" "make -s -j2 -C $proj" >>"$work/make.$cfg"
	done
	[ "$round" = 1 ] && grep -l FAILED "$work"/*.* 2>/dev/null | sed 's|.*/|FAILED: |' >&2
done
grep -q FAILED "$work"/loop.* "$work"/make.* && status=1
[ -s "$work/failures" ] && sed 's/^/FAILED run: /' "$work/failures" >&2

python3 - "$work" "${configs[@]}" <<'PY'
import sys
work, configs = sys.argv[1], sys.argv[2:]
def get(name, cfg):
    try:
        vals = open(f"{work}/{name}.{cfg}").read().split()
    except OSError:
        return None
    if not vals or "FAILED" in vals:
        return None
    vals = sorted(float(v) for v in vals)
    return vals[len(vals) // 2]
print(f"{'workload':10} " + " ".join(f"{c:>15}" for c in configs))
for name in ("loop", "make"):
    base = get(name, "untraced")
    row = []
    for c in configs:
        v = get(name, c)
        if v is None:
            row.append(f"{'FAILED':>15}")
        else:
            row.append(f"{v*1000:9.0f}ms {v/base if base else 0:4.2f}x")
    print(f"{name:10} " + " ".join(row))
print()
for name in ("loop", "make"):
    base, ft, fl = get(name, "untraced"), get(name, "forktop"), get(name, "floor")
    st, ss = get(name, "strace"), get(name, "strace-seccomp")
    if None in (base, ft, fl, st):
        print(f"{name}: incomplete")
        continue
    added = ft - base
    # forktop's added time can be zero or negative on `make` (see bench/README.md): no ratio then
    def over(x):
        return f"{(x - base) / added:.2f}" if added > 0 else "n/a"
    print(f"{name}: forktop/floor = {ft/fl:.2f} (target <= 1.10); "
          f"strace added / forktop added = {over(st)} "
          f"(target >= 2.5)" + (f"; with --seccomp-bpf {over(ss)}" if ss else "")
          + (f" (forktop added {added * 1000:.0f} ms: not above the noise)" if added <= 0 else ""))
    # the same ratio for the floor: the most any tracer that stops at every event reaches here
    if fl - base > 0:
        print(f"{'':{len(name)}}  for scale, strace added / floor added = "
              f"{(st - base) / (fl - base):.2f} (the floor: the least such a tracer does)")
PY

# What each column makes the kernel do per traced process: the tracer's ptrace(2) calls and
# the context switches of tracer and tracees together, counted by perf over `wl_loop 200
# /bin/true`. It shows what the strace column really costs: without --seccomp-bpf, strace
# stops every tracee at the entry and exit of every system call (about 32 for /bin/true) and
# filters by name afterwards. Skipped when perf or its syscall tracepoints are not usable.
stop_counts() {
	local cfg p
	command -v perf >/dev/null || return 0
	if ! perf stat -o /dev/null -e syscalls:sys_enter_ptrace,context-switches true >/dev/null 2>&1; then
		echo "(perf cannot count system calls here: per-process counts skipped)"
		return 0
	fi
	echo
	printf '%-26s' "per process (perf stat)"
	printf ' %15s' "${configs[@]}"
	echo
	for cfg in "${configs[@]}"; do
		p=$(prefix "$cfg")
		# shellcheck disable=SC2086 # the prefix is a word list
		perf stat -x, -o "$work/perf.$cfg" -e syscalls:sys_enter_ptrace,context-switches \
			-- $p "$LOOP" 200 /bin/true >/dev/null 2>&1 || echo "FAILED" >"$work/perf.$cfg"
	done
	python3 - "$work" "${configs[@]}" <<'PY'
import sys
work, configs = sys.argv[1], sys.argv[2:]
counts = {}
for c in configs:
    d = {}
    for line in open(f"{work}/perf.{c}"):
        f = line.strip().split(",")
        if len(f) > 2 and f[0].isdigit():
            d[f[2]] = int(f[0]) / 200
    counts[c] = d
for ev, label in (("syscalls:sys_enter_ptrace", "ptrace calls by the tracer"),
                  ("context-switches", "context switches")):
    print(f"{label:26}" + "".join(f" {counts[c][ev]:15.1f}" if ev in counts[c] else f" {'FAILED':>15}"
                                   for c in configs))
PY
}
stop_counts

# memory: forktop's peak RSS after 1,000 and MEM_PROCS short processes (fork only)
rss() {
	"$FORKTOP" --headless --no-sandbox --quiet --keep-exited 1000 --events /dev/null \
		--summary "$work/s.json" -- "$LOOP" "$1" - >/dev/null 2>&1 || { echo FAILED; return; }
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["forktop_max_rss_kb"])' "$work/s.json"
}
small=$(rss 1000)
big=$(rss "$MEM_PROCS")
echo
echo "forktop peak RSS: $small KiB after 1,000 processes, $big KiB after $MEM_PROCS (--keep-exited 1000)"
if [ "$small" != FAILED ] && [ "$big" != FAILED ]; then
	python3 -c "import sys; s, b, n = map(int, sys.argv[1:]); print(f'growth: {(b - s) * 1024 / (n - 1000):.2f} bytes per extra process')" "$small" "$big" "$MEM_PROCS"
else
	status=1
fi
exit $status
