#!/usr/bin/env bash
# forktop's live screen costs the traced workload nothing more than headless tracing (issue 4,
# Speed). Two workloads, each run untraced, under `forktop --headless --no-sandbox` and under
# the live TUI (`forktop --no-sandbox`) in a 120x40 tmux pane:
#   loop   tests/helpers/wl_loop 2000 /bin/true (as bench_forktop.sh): 2,000 fork+exec+exit
#   burst  tests/helpers/wl_tree 5000: 5,000 processes forked as a tree as fast as the machine
#          can, 10,000 spawn/exit events (plus reaps and SIGCHLDs) in well under a second
# The workload times itself: it runs as `sh -c 'date +%s%N >STAMP; CMD; date +%s%N >>STAMP'`
# in every configuration, so forktop's start-up and the screen's polling are not in it.
# Catch-up: from the workload's final timestamp until capture-pane shows the header's
# "total N | finished" with N the process count that headless forktop reported in the same
# round (polled with capture-pane as fast as tmux answers; an upper bound).
# Also headless with --events /dev/null (recording costs the tracer a copy of each event, as
# the TUI's feed does). Medians over BENCH_TUI_ROUNDS interleaved rounds (untraced, headless,
# headless+events, TUI, then again). forktop's own CPU time is shown for each mode.
# Targets: TUI/headless close to 1.00 (<= 1.05 here), catch-up < 1 s.
# Exits non-zero when something could not be measured; prints "over target" otherwise.
#   BENCH_TUI_ROUNDS (default 5), FORKTOP (default build/forktop)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
top=$(pwd)
FORKTOP=${FORKTOP:-$top/build/forktop}
ROUNDS=${BENCH_TUI_ROUNDS:-5}
HELPERS=$top/build/tests/helpers
W=120
H=40
# a workload that hangs must not hang `make bench` (seconds)
RUN_TIMEOUT=120
CATCHUP_TIMEOUT=20

for tool in tmux python3; do
	command -v "$tool" >/dev/null || { echo "bench_forktop_tui: $tool not found (make deps)" >&2; exit 1; }
done
[ -x "$FORKTOP" ] || { echo "bench_forktop_tui: $FORKTOP missing (make)" >&2; exit 1; }
for h in wl_loop wl_tree; do
	[ -x "$HELPERS/$h" ] || { echo "bench_forktop_tui: $HELPERS/$h missing (make helpers)" >&2; exit 1; }
done

work=$(mktemp -d /tmp/bench_forktop_tui.XXXXXX) || exit 1
# shellcheck source=bench/lib.bash
. "$top/bench/lib.bash"
bench_tmux_setup "$work" bench_tui.$$

# one detached tmux server of our own; a placeholder window keeps the session alive
SHELL=/bin/sh tmux -L "$sock" -f /dev/null new-session -d -s bench -n idle -x $W -y $H \
	"exec sleep 100000" || { echo "bench_forktop_tui: cannot start tmux" >&2; exit 1; }
tmux -L "$sock" set-option -g status off >/dev/null
tmux -L "$sock" set-option -g default-size "${W}x$H" >/dev/null
tmux -L "$sock" set-option -g default-shell /bin/sh >/dev/null

run=()
declare -A cmd=(
	[loop]="$HELPERS/wl_loop 2000 /bin/true"
	[burst]="$HELPERS/wl_tree 5000"
)
workloads=(loop burst)
# the workload timing itself: STAMP gets its start and end in ns
# wrapped STAMP W: sets `run` to the command line that runs workload W timing itself into STAMP
wrapped() {
	local -a wl
	read -ra wl <<<"${cmd[$2]}"
	# shellcheck disable=SC2016 # the script is for sh, quoted as is
	run=(sh -c 'o=$1; shift; date +%s%N >"$o"; "$@"; date +%s%N >>"$o"' sh "$1" "${wl[@]}")
}

# stamp_ms FILE: the workload's own wall time in ms, or nothing
stamp_ms() {
	local -a s
	mapfile -t s 2>/dev/null <"$1"
	[ ${#s[@]} = 2 ] && awk -v a="${s[0]}" -v b="${s[1]}" 'BEGIN { printf "%.1f\n", (b - a) / 1e6 }'
}

failed=0
note() { echo "  $*"; failed=1; }

run_untraced() {
	local w=$1 st=$work/stamp
	rm -f "$st"
	wrapped "$st" "$w"
	if ! timeout $RUN_TIMEOUT "${run[@]}" </dev/null >/dev/null 2>&1 ||
		! stamp_ms "$st" >>"$work/$w.untraced"; then
		note "$w: untraced run failed"
	fi
}

# run_headless W [rec]: headless forktop; with rec, recording events to /dev/null too (what
# bench_forktop.sh measures: it costs the tracer the events' copies, like the TUI's feed)
run_headless() {
	local w=$1 st=$work/stamp cfg=headless ev=()
	[ "${2:-}" = rec ] && cfg=headless_rec && ev=(--events /dev/null)
	rm -f "$st" "$work/summary.json"
	wrapped "$st" "$w"
	if ! timeout $RUN_TIMEOUT "$FORKTOP" --headless --no-sandbox --quiet "${ev[@]}" \
		--summary "$work/summary.json" -- "${run[@]}" </dev/null >/dev/null 2>&1 ||
		! stamp_ms "$st" >>"$work/$w.$cfg"; then
		note "$w: $cfg run failed"
		return
	fi
	python3 -c 'import json, sys
s = json.load(open(sys.argv[1]))
print(s["processes"])
print(s["forktop_cpu_ms"], file=open(sys.argv[2], "a"))' "$work/summary.json" "$work/$w.cpu_$cfg" \
		>"$work/$w.count"
}

pane_alive() { tmux -L "$sock" list-windows -t bench -F '#W' 2>/dev/null | grep -qx tui; }
header() { tmux -L "$sock" capture-pane -p -t bench:tui 2>/dev/null | head -n 1; }

# run_tui W: the workload under the live screen; its wall time and the catch-up in ms
run_tui() {
	local w=$1 st=$work/stamp n t_end t_seen deadline i pid
	n=$(cat "$work/$w.count" 2>/dev/null) || { note "$w: TUI run skipped (no count)"; return; }
	rm -f "$st"
	wrapped "$st" "$w"
	printf 'exec env LANG=C.UTF-8 %q --no-sandbox -- %s\n' "$FORKTOP" "$(printf '%q ' "${run[@]}")" \
		>"$work/tui.sh"
	tmux -L "$sock" new-window -d -t bench: -n tui "exec sh $work/tui.sh" || { note "$w: tmux new-window failed"; return; }
	# wait for the workload's end stamp (no fork while it runs, apart from a rare liveness check)
	deadline=$((SECONDS + RUN_TIMEOUT))
	i=0
	while :; do
		local -a s=()
		mapfile -t s 2>/dev/null <"$st"
		[ ${#s[@]} = 2 ] && break
		if [ $SECONDS -ge $deadline ] || { [ $((++i % 50)) = 0 ] && ! pane_alive; }; then
			note "$w: TUI run did not finish; screen: $(header)"
			tmux -L "$sock" kill-window -t bench:tui 2>/dev/null
			return
		fi
		nap 0.02
	done
	t_end=${s[1]}
	stamp_ms "$st" >>"$work/$w.tui"
	# then poll the screen until it shows the final count
	deadline=$((SECONDS + CATCHUP_TIMEOUT))
	until header | grep -qE "total $n \\| finished"; do
		if [ $SECONDS -ge $deadline ]; then
			note "$w: screen never showed \"total $n | finished\": $(header)"
			tmux -L "$sock" kill-window -t bench:tui 2>/dev/null
			return
		fi
	done
	t_seen=$(now_ns)
	awk -v a="$t_end" -v b="$t_seen" 'BEGIN { printf "%.1f\n", (b - a) / 1e6 }' >>"$work/$w.catchup"
	# forktop's own CPU time (all its threads, not the workload's): the pane runs it by exec
	pid=$(tmux -L "$sock" display-message -p -t bench:tui '#{pane_pid}')
	sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null |
		awk -v hz="$(getconf CLK_TCK)" '{ printf "%.0f\n", ($12 + $13) * 1000 / hz }' >>"$work/$w.cpu_tui"
	tmux -L "$sock" send-keys -t bench:tui q
	for _ in $(seq 200); do pane_alive || break; nap 0.01; done
	tmux -L "$sock" kill-window -t bench:tui 2>/dev/null
}

size=$(tmux -L "$sock" display-message -p -t bench:idle '#{window_width}x#{window_height}')
echo "bench_forktop_tui: $($FORKTOP --version 2>/dev/null | head -n 1), TUI in a $size tmux pane, $ROUNDS rounds"
for ((r = 1; r <= ROUNDS; r++)); do
	for w in "${workloads[@]}"; do
		run_untraced "$w"
		run_headless "$w"
		run_headless "$w" rec
		run_tui "$w"
	done
done

python3 - "$work" "${workloads[@]}" <<'PY' || failed=1
import statistics, sys
work, names = sys.argv[1], sys.argv[2:]
cfgs = ("untraced", "headless", "headless_rec", "tui")
def vals(name, cfg):
    try:
        return [float(v) for v in open(f"{work}/{name}.{cfg}").read().split()]
    except OSError:
        return []
def med(name, cfg):
    v = vals(name, cfg)
    return statistics.median(v) if v else None
def ratio(a, b):
    return f"{a / b:.2f}" if a is not None and b else "-"
bad = False
print("workload's own wall time, median (x untraced):")
print(f"{'workload':9} {'procs':>6} {'untraced':>16} {'headless':>16} {'headless+events':>16} {'TUI':>16}")
for n in names:
    try:
        procs = open(f"{work}/{n}.count").read().strip()
    except OSError:
        procs = "?"
    u = med(n, "untraced")
    cells = []
    for c in cfgs:
        v = med(n, c)
        cells.append(f"{v:7.0f}ms {ratio(v, u):>5}x" if v is not None else "FAILED")
    print(f"{n:9} {procs:>6} " + " ".join(f"{x:>16}" for x in cells))
print()
print(f"{'workload':9} {'TUI/headless':>12} {'TUI/headless+events':>19} {'catch-up median':>15} {'worst':>7} "
      f"{'forktop CPU ms: headless':>24} {'+events':>7} {'TUI':>5}")
notes = []
for n in names:
    h, hr, t = med(n, "headless"), med(n, "headless_rec"), med(n, "tui")
    c = vals(n, "catchup")
    cpu = [med(n, "cpu_" + k) for k in ("headless", "headless_rec", "tui")]
    cm = f"{statistics.median(c):13.0f}ms" if c else "FAILED"
    cw = f"{max(c):5.0f}ms" if c else "-"
    print(f"{n:9} {ratio(t, h):>12} {ratio(t, hr):>19} {cm:>15} {cw:>7} "
          + f"{'':13}" + " ".join(f"{x:>{w}.0f}" if x is not None else f"{'-':>{w}}"
                                 for x, w in zip(cpu, (10, 7, 5))))
    if None in (h, t) or not c:
        bad = True
        continue
    if round(t / h, 2) > 1.05:
        notes.append(f"{n}: TUI/headless {t / h:.2f}: over target (<= 1.05)")
    if max(c) >= 1000:
        notes.append(f"{n}: catch-up {max(c):.0f} ms: over target (< 1000 ms)")
for x in notes:
    print("  " + x)
print("wall times: the workload's own (date +%s%N at its start and end); catch-up: workload end ->")
print("header shows the final total and 'finished'; forktop CPU: all its threads, medians")
print("targets: TUI/headless <= 1.05, catch-up < 1000 ms")
sys.exit(1 if bad else 0)
PY
exit $failed
