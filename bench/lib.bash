# Shared by the benchmarks that drive forktop in tmux (sourced, not run by run.sh).
# bench_tmux_setup WORKDIR SOCKET: remember both, kill the tmux server and remove WORKDIR on
# exit, and open the FIFO that nap() reads.
bench_tmux_setup() {
	work=$1
	sock=$2
	trap bench_tmux_cleanup EXIT
	mkfifo "$work/nap"
	exec {napfd}<>"$work/nap"
}
# shellcheck disable=SC2317 # run by the EXIT trap
bench_tmux_cleanup() {
	tmux -L "$sock" kill-server 2>/dev/null
	rm -rf "$work"
}
# nap SECONDS: a sleep without a fork (a read with a timeout on a FIFO nobody writes), so that
# polling adds no process to the traced tree's machine
nap() { read -r -t "$1" -u "$napfd" _; }
# now_ns: the wall clock in nanoseconds, without a fork
now_ns() {
	local t=$EPOCHREALTIME
	echo "${t/./}000"
}
