#!/usr/bin/env bash
# forktop --timeline: a recorded run drawn as SVG (one bar per process, nested by parentage)
# and as a self-contained HTML page that headless Chromium renders without errors.
# Screens are read with single-quoted commands and patterns on purpose.
# shellcheck disable=SC2016,SC2031,SC2119
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

# record WORKLOAD...: a real run, recorded headless and without a sandbox, into rec.jsonl
record() {
	run_raw "$FORKTOP" --headless --no-sandbox --quiet --events rec.jsonl -- "$@"
	[ -s rec.jsonl ] || fail "nothing recorded (rc $RC: $ERR)"
}

# check_svg FILE: every process of rec.jsonl has exactly one bar, inside its parent's group
check_svg() {
	"$PY" - "$1" rec.jsonl <<'PY'
import json, sys
import xml.etree.ElementTree as ET
svg, rec = sys.argv[1], sys.argv[2]
NS = '{http://www.w3.org/2000/svg}'
# the recording: every process and its parent (by pid, as seen when it appeared)
procs = {}
for line in open(rec):
    ev = json.loads(line)
    if ev.get('type') in ('spawn', 'attach') and not ev.get('thread'):
        procs[ev['pid']] = ev['ppid']
root = ET.parse(svg).getroot()
assert root.tag == NS + 'svg', root.tag
seen = {}
def walk(el, parent_pid):
    for g in el:
        if g.tag != NS + 'g':
            continue
        if 'proc' in g.get('class', '').split():
            pid = int(g.get('data-pid'))
            assert pid not in seen, 'two groups for pid %d' % pid
            seen[pid] = parent_pid
            assert int(g.get('data-parent')) == parent_pid, (pid, g.get('data-parent'), parent_pid)
            bars = [r for r in g if r.tag == NS + 'rect' and 'bar' in r.get('class', '').split()]
            assert len(bars) == 1, 'pid %d has %d bars' % (pid, len(bars))
            walk(g, pid)
        else:
            walk(g, parent_pid)
walk(root, 0)
assert set(seen) == set(procs), (sorted(seen), sorted(procs))
for pid, parent in seen.items():
    # nested under its recorded parent when that parent was traced, else a root
    want = procs[pid] if procs[pid] in procs else 0
    assert parent == want, 'pid %d under %d, recorded parent %d' % (pid, parent, want)
assert int(root.get('data-processes')) == len(procs)
print(len(procs))
PY
}

test_svg_has_one_nested_bar_per_process() {
	record /bin/sh -c '/bin/sh -c "/bin/true; (exit 3)"; /bin/true & wait; /bin/sh -c "kill -TERM \$\$"; exit 0'
	run_raw "$FORKTOP" --timeline rec.jsonl -o out.svg
	expect_ok
	n=$(check_svg out.svg) || fail "bad SVG structure"
	[ "$n" -ge 5 ] || fail "only $n processes recorded"
	xmllint --noout out.svg || fail "not well-formed XML"
	# coloured by exit status: the killed shell and the failed subshell
	grep -q 'class="bar killed"' out.svg || fail "no bar for the killed process"
	grep -q 'class="bar failed"' out.svg || fail "no bar for exit 3"
	grep -q 'class="mark sig"' out.svg || fail "no signal marker"
}

test_svg_of_a_deep_tree() {
	record /bin/sh -c 'sh -c "sh -c \"sh -c true\""'
	run_raw "$FORKTOP" --timeline rec.jsonl -o - 
	expect_ok
	printf '%s\n' "$OUT" >out.svg
	check_svg out.svg >/dev/null || fail "bad SVG structure"
}

test_html_renders_in_chromium() {
	local chromium
	chromium=$(command -v chromium || command -v chromium-browser || true)
	[ -n "$chromium" ] || skip "chromium is not installed (apt-get install chromium)"
	record /bin/sh -c '/bin/true; /bin/sh -c "exit 2"; sleep 0.01'
	run_raw "$FORKTOP" --timeline rec.jsonl -o page.html
	expect_ok
	n=$("$PY" -c 'import json,sys; print(sum(1 for l in open(sys.argv[1]) if json.loads(l).get("type") == "spawn" and not json.loads(l).get("thread")))' rec.jsonl)
	# no external resource of any kind
	! grep -qE '(src|href)=|@import|url\(' page.html || fail "external resource in the page"
	mkdir -p "$T_TMP/profile"
	HOME=$T_TMP timeout 60 "$chromium" --headless --no-sandbox --disable-gpu --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$T_TMP/profile" --dump-dom "file://$T_TMP/page.html" \
		>dom.html 2>chromium.log || fail "chromium failed: $(tail -n 3 chromium.log)"
	# the page's script ran to its end (data-ready = the number of process groups) and
	# window.onerror saw nothing
	body=$(grep -o '<body[^>]*>' dom.html)
	assert_contains "data-ready=\"$n\"" "$body" "body after the script ran"
	assert_contains 'data-errors="0"' "$body" "script errors"
	assert_not_contains 'Uncaught' "$(cat chromium.log)" "chromium log"
}

test_timeline_errors() {
	run_raw "$FORKTOP" --timeline /nonexistent.jsonl -o x.svg
	expect_error 1 "forktop: --timeline /nonexistent.jsonl: No such file or directory"
	printf '{"type":"spawn","pid":1}\n' >bad.jsonl
	run_raw "$FORKTOP" --timeline bad.jsonl -o x.svg
	expect_error 1 "forktop: --timeline bad.jsonl: line 1: not a forktop events header"
}

run_tests
