#!/usr/bin/env bash
# forktop's memory stays flat however many processes it traces: exited processes are kept in
# a bounded list (--keep-exited) and counted beyond it, nodes and task records are recycled.
# (The recorder's queue is bounded separately: at most 16,384 events wait for the writer.)
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

H=$T_ROOT/build/tests/helpers
# On the ASan build (make SANITIZE=1 check), ASan's quarantine keeps freed blocks out of reuse
# by design (up to 256 MiB), which would read as growth: switch it off so that reuse shows.
# The plain build ignores the variable.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0:thread_local_quarantine_size_kb=0

rss_after() {
	"$FORKTOP" --headless --no-sandbox --quiet --keep-exited 100 --summary s.json -- \
		"$H/wl_loop" "$1" - || fail "forktop failed"
	python3 -c 'import json; print(json.load(open("s.json"))["forktop_max_rss_kb"])'
}

test_peak_rss_flat_over_processes() {
	local small big
	small=$(rss_after 2000)
	big=$(rss_after 20000)
	echo "peak RSS: $small KiB after 2,000 processes, $big KiB after 20,000"
	[ $((big - small)) -lt 512 ] || fail "peak RSS grew by $((big - small)) KiB"
	assert_eq 20001 "$(python3 -c 'import json; print(json.load(open("s.json"))["processes"])')" "processes"
}

test_every_event_recorded_with_a_small_model() {
	"$FORKTOP" --headless --no-sandbox --quiet --keep-exited 100 --events ev.jsonl -- \
		"$H/wl_loop" 5000 - || fail "forktop failed"
	# per child: spawn, exit, SIGCHLD to the parent, reap; root: spawn, exec, exit
	assert_eq 20005 "$(wc -l <ev.jsonl)" "events (header, 4 per child, 3 for the root, summary)"
	assert_contains '"events_lost":0' "$(tail -n 1 ev.jsonl)"
}

run_tests
