#!/usr/bin/env bash
# forktop's shell keys (issue 5, Benchmark; target < 50 ms each):
#   key press to a usable shell: forktop runs in a 120x40 tmux pane on a target
#     (bench/timer_target.c: a 1 ms periodic timer that logs its late wake-ups), the target's
#     row is selected; the script takes a timestamp, sends `s` (hijack) or `S` (join) and waits
#     for the shell (dash, through the target's SHELL=/bin/sh) to run its start-up file ($ENV,
#     set in the target's environment): `date +%s%N` there, just before the first prompt, ends
#     the measure. Also shown: until the prompt is on the screen (capture-pane polling, an
#     upper bound that includes the terminal relay and tmux). Each run then types `exit` and
#     waits for the tree to come back.
#   the target's pause (s): the worst late wake-up of the target's timer inside the windows
#     from each key press to the tree's return, next to the worst between those windows and on
#     the same target under forktop with no shell at all (the machine's own noise), and the
#     pause forktop's banner reports ("paused it N ms").
# Two tables: --no-sandbox, and forktop's default sandbox (BENCH_SHELL_SANDBOX=0 or 1: only
# the first or only the second).
# While forktop's s key only says "not available yet" (or "here"), prints
# "SKIPPED: forktop s key not available" and exits 0.
# Exits non-zero when something could not be measured or a median is over the target.
#   BENCH_SHELL_RUNS (default 10), BENCH_SHELL_SANDBOX, FORKTOP (default build/forktop)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
top=$(pwd)
FORKTOP=${FORKTOP:-$top/build/forktop}
TARGET=$top/build/bench/timer_target
RUNS=${BENCH_SHELL_RUNS:-10}
LIMIT_MS=50
W=120
H=40
MARK='BENCHSHELL'

for tool in tmux awk; do
	command -v "$tool" >/dev/null || { echo "bench_forktop_shell: $tool not found (make deps)" >&2; exit 1; }
done
[ -x "$FORKTOP" ] || { echo "bench_forktop_shell: $FORKTOP missing (make)" >&2; exit 1; }
case ${BENCH_SHELL_SANDBOX:-} in
0) modes=(nosandbox) ;;
1) modes=(sandbox) ;;
*) modes=(nosandbox sandbox) ;;
esac

# under the current directory: the default (shell) profile binds it, so the start-up file and
# the stamps are the same files inside and outside
mkdir -p build/bench
cc -O2 -Wall -Wextra -Werror -o "$TARGET" bench/timer_target.c || exit 1
work=$(mktemp -d "$top/build/bench/bench_forktop_shell.XXXXXX") || exit 1
chmod 0755 "$work"
# shellcheck source=bench/lib.bash
. "$top/bench/lib.bash"
bench_tmux_setup "$work" bench_shell.$$
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f\n", (b - a) / 1e6 }'; }
screen() { tmux -L "$sock" capture-pane -p -t bench:ft 2>/dev/null; }
lines() { local -a l=(); mapfile -t l 2>/dev/null <"$1"; echo ${#l[@]}; }
median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
worst() { sort -n "$1" | tail -n 1; }
over() { awk -v a="$1" -v l=$LIMIT_MS 'BEGIN { exit !(a >= l) }'; }

# the shell's start-up file: one timestamp, then a prompt the screen can be searched for
cat >"$work/rc" <<RC
date +%s%N >>$work/shell.stamp
PS1='$MARK\$ '
RC

SHELL=/bin/sh tmux -L "$sock" -f /dev/null new-session -d -s bench -n idle -x $W -y $H \
	"exec sleep 100000" || { echo "bench_forktop_shell: cannot start tmux" >&2; exit 1; }
tmux -L "$sock" set-option -g status off >/dev/null
tmux -L "$sock" set-option -g default-size "${W}x$H" >/dev/null
tmux -L "$sock" set-option -g default-shell /bin/sh >/dev/null

# start_ft MODE NAME MS: forktop on a timer target of MS ms (bench/timer_target.c: a 1 ms
# periodic timer), its report in $work/NAME.out; waits until the tree shows the target, then
# selects its row
start_ft() {
	local mode=$1 name=$2 dur=$3 up=0 sb=--no-sandbox
	[ "$mode" = sandbox ] && sb=
	printf 'exec env LANG=C.UTF-8 %q %s -- env SHELL=/bin/sh ENV=%q %q 1000 %d %q %q\n' \
		"$FORKTOP" "$sb" "$work/rc" "$TARGET" "$dur" "$work/$name.out" "$work/$name.ready" \
		>"$work/ft.sh"
	rm -f "$work/$name.ready" "$work/$name.out"
	tmux -L "$sock" new-window -d -t bench: -n ft "exec sh $work/ft.sh" || return 1
	for _ in $(seq 1000); do
		[ -e "$work/$name.ready" ] && screen | grep -q 'timer_target' && up=1 && break
		nap 0.01
	done
	if [ $up = 0 ]; then
		echo "  forktop on the target did not start: $(screen | grep -v '^ *$' | head -n 3)"
		return 1
	fi
	# select the target (in a sandbox, the first row is the sandbox's init): search for it,
	# until its row is the highlighted (reverse video) one
	tmux -L "$sock" send-keys -t bench:ft /
	tmux -L "$sock" send-keys -t bench:ft -l timer_target
	tmux -L "$sock" send-keys -t bench:ft Enter
	for _ in $(seq 300); do
		tmux -L "$sock" capture-pane -p -e -t bench:ft | grep -E '\[[0-9;]*7m' | grep -q timer_target &&
			return 0
		nap 0.01
	done
	echo "  could not select the target: $(screen | head -n 4)"
	return 1
}

# stop_ft NAME: wait for the target's report, quit forktop; prints the worst timer latency
stop_ft() {
	local name=$1
	for _ in $(seq 3000); do
		grep -q '^done' "$work/$name.out" 2>/dev/null && break
		nap 0.01
	done
	tmux -L "$sock" send-keys -t bench:ft q
	for _ in $(seq 100); do
		tmux -L "$sock" list-windows -t bench -F '#W' 2>/dev/null | grep -qx ft || break
		nap 0.01
	done
	tmux -L "$sock" kill-window -t bench:ft 2>/dev/null
	awk '/^done/ { printf "%.2f", $2 / 1000 }' "$work/$name.out"
}

# late_split NAME: the worst late wake-up (ms) inside the windows in $work/NAME.windows (key
# press to tree back, 5 ms after) and the worst outside them; "<1" when none was over 1 ms
late_split() {
	awk 'FNR == NR { a[NR] = $1; b[NR] = $2 + 5e6; n = NR; next }
		$1 == "done" { next }
		{ w = 0; for (i = 1; i <= n; i++) if ($1 >= a[i] && $1 <= b[i]) w = 1
		  if (w) { if ($2 > in_) in_ = $2 } else if ($2 > out) out = $2 }
		function f(x) { return x > 0 ? sprintf("%.2f", x / 1000) : "<1" }
		END { print f(in_), f(out) }' "$work/$1.windows" "$work/$1.out"
}

# one_shell KEY TAG: press KEY, time it, leave the shell; 0 ok, 1 failed, 2 key not available
one_shell() {
	local key=$1 tag=$2 t0 t1 t2 n=0 scr want
	want=$(($(lines "$work/shell.stamp") + 1))
	t0=$(now_ns)
	tmux -L "$sock" send-keys -t bench:ft "$key"
	while [ "$(lines "$work/shell.stamp")" -lt "$want" ]; do
		if [ $((++n % 20)) = 0 ]; then
			scr=$(screen)
			if grep -qE 'not available (yet|here)' <<<"$scr"; then
				grep -oE '[^]]*not available (yet|here)' <<<"$scr" | head -n 1 >"$work/skip"
				return 2
			fi
			if [ $n -ge 2000 ]; then
				echo "  no shell after $key: $(grep -v '^ *$' <<<"$scr" | tail -n 2 | tr -s ' ' | tr '\n' ' ')"
				return 1
			fi
		fi
		nap 0.005
	done
	t1=$(sed -n "${want}p" "$work/shell.stamp")
	until screen | grep -q "^$MARK\\$"; do
		if [ $((++n)) -ge 2000 ]; then
			echo "  the prompt never showed after $key: $(screen | grep -v '^ *$' | tail -n 2 | tr '\n' ' ')"
			return 1
		fi
	done
	t2=$(now_ns)
	ms "$t0" "$t1" >>"$work/$tag.shell.ms"
	ms "$t0" "$t2" >>"$work/$tag.prompt.ms"
	# the banner forktop printed for this shell (with the pause it measured itself)
	tmux -L "$sock" capture-pane -p -J -t bench:ft | grep -m1 'forktop: shell in [0-9]' >"$work/$tag.banner"
	sed -n 's/.*paused it \([0-9.]*\) ms.*/\1/p' "$work/$tag.banner" >>"$work/$tag.fpause.ms"
	tmux -L "$sock" send-keys -t bench:ft -l 'exit'
	tmux -L "$sock" send-keys -t bench:ft Enter
	for _ in $(seq 1000); do
		if screen | head -n 1 | grep -q '^forktop'; then
			echo "$t0 $(now_ns)" >>"$work/$tag.windows"
			return 0
		fi
		nap 0.01
	done
	echo "  the tree did not come back after exit: $(screen | head -n 2 | tr '\n' ' ')"
	return 1
}

skipped() {
	stop_ft "$1" >/dev/null
	echo "SKIPPED: forktop s key not available (forktop says:$(cat "$work/skip"))"
	exit 0
}

failed=0
# shells MODE KEY NAME: BENCH_SHELL_RUNS shells by KEY into one timer target; its worst
# latency in $work/MODE.KEY.lat
shells() {
	local mode=$1 key=$2 tag=$1.$2 rc i
	# long enough for every run (a run takes ~0.1-0.3 s)
	start_ft "$mode" "$tag" $((2000 + RUNS * 400)) || { failed=1; return; }
	for ((i = 1; i <= RUNS; i++)); do
		one_shell "$key" "$tag"
		rc=$?
		[ $rc = 2 ] && skipped "$tag"
		[ $rc = 0 ] || { failed=1; break; }
	done
	stop_ft "$tag" >/dev/null
	if ! grep -q '^done' "$work/$tag.out"; then
		echo "  the target did not finish ($key): $(head -n 1 "$work/$tag.out")"
		failed=1
	fi
	touch "$work/$tag.windows"
}

row() { printf '%-55s %9s %9s\n' "$@"; }
# row_of LABEL FILE [LIMITED]: median and worst of FILE; over the target fails when LIMITED
row_of() {
	if [ ! -s "$2" ]; then
		row "$1" FAILED -
		failed=1
		return
	fi
	row "$1" "$(median "$2")" "$(worst "$2")"
	[ -n "${3:-}" ] && over "$(median "$2")" && failed=1
}

for mode in "${modes[@]}"; do
	label="--no-sandbox"
	[ "$mode" = sandbox ] && label="forktop's default sandbox"
	idle=
	start_ft "$mode" "$mode.idle" $((2000 + RUNS * 400)) && idle=$(stop_ft "$mode.idle")
	shells "$mode" s
	shells "$mode" S
	pause='' between=''
	[ -s "$work/$mode.s.windows" ] && read -r pause between < <(late_split "$mode.s")
	echo "forktop shell keys, $label, as $(id -un), $RUNS runs each (target: < $LIMIT_MS ms)"
	row measure median worst
	row_of "s (hijack): key to shell's first command (ms)" "$work/$mode.s.shell.ms" limited
	row_of "  key to prompt on screen (ms, upper bound)" "$work/$mode.s.prompt.ms"
	row_of "S (join): key to shell's first command (ms)" "$work/$mode.S.shell.ms" limited
	row_of "  key to prompt on screen (ms, upper bound)" "$work/$mode.S.prompt.ms"
	row "s: target's worst timer latency, key to tree back (ms)" - "${pause:-FAILED}"
	row "  the same target between the shells (ms)" - "${between:-FAILED}"
	row "  same target under forktop, no shell at all (ms)" - "${idle:-FAILED}"
	row_of "s: pause forktop reports in its banner (ms)" "$work/$mode.s.fpause.ms"
	for k in s S; do
		[ -s "$work/$mode.$k.banner" ] && echo "  banner: $(tr -s ' ' <"$work/$mode.$k.banner")"
	done
	if [ -z "$pause" ]; then
		failed=1
	elif [ "$pause" != "<1" ] && over "$pause"; then
		echo "  s: the target's worst latency is over $LIMIT_MS ms (see the no-shell line for the machine's own noise)"
		failed=1
	fi
	echo
done
[ $failed = 0 ] && echo "bench_forktop_shell: within target" || echo "bench_forktop_shell: FAILED or over target"
exit $failed
