#!/usr/bin/env bash
# Overlay options (bubblewrap 0.11; bwrap 0.8 on this machine lacks them, so these run against
# cordon only): --overlay-src layers stacked with the last one on top, --tmp-overlay (writes go
# to an invisible tmpfs and vanish), --ro-overlay (read-only, needs two layers) and --overlay
# RWSRC WORKDIR DEST (writes land in RWSRC on the host). The lower layers on the host must be
# unchanged after every run. Bad input: missing or too few --overlay-src, an --overlay-src not
# followed by an overlay op, missing arguments, sources that do not exist.
# Scripts run inside the sandbox are single-quoted on purpose (they expand there), and T_TMP
# is set per case by run_tests.
# shellcheck disable=SC2016,SC2031
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

mk_layers() {
	mkdir -p "$T_TMP/l1" "$T_TMP/l2"
	echo l1 >"$T_TMP/l1/a"
	echo l1 >"$T_TMP/l1/both"
	echo l2 >"$T_TMP/l2/b"
	echo l2 >"$T_TMP/l2/both"
	LAYERS_BEFORE=$(cd "$T_TMP" && find l1 l2 -printf '%p %s %m\n' | sort && cat l1/* l2/*)
}
layers_unchanged() {
	assert_eq "$LAYERS_BEFORE" "$(cd "$T_TMP" && find l1 l2 -printf '%p %s %m\n' | sort && cat l1/* l2/*)" \
		"lower layers on the host"
}

test_tmp_overlay() {
	mk_layers
	run_cordon "${T_SYS[@]}" --overlay-src "$T_TMP/l1" --overlay-src "$T_TMP/l2" --tmp-overlay /o -- \
		/bin/sh -c 'cat /o/a /o/b /o/both; echo new >/o/new && echo changed >/o/a && cat /o/new /o/a'
	expect_ok "l1
l2
l2
new
changed"
	layers_unchanged
	# nothing persists into the next run
	run_cordon "${T_SYS[@]}" --overlay-src "$T_TMP/l1" --tmp-overlay /o -- \
		/bin/sh -c 'ls /o; cat /o/a'
	expect_ok "a
both
l1"
}

test_tmp_overlay_bad() {
	run_cordon "${T_SYS[@]}" --tmp-overlay /o -- /bin/true
	expect_error 1 "cordon: --tmp-overlay /o: requires at least one --overlay-src"
	run_cordon "${T_SYS[@]}" --overlay-src /nope --tmp-overlay /o -- /bin/true
	assert_eq 1 "$RC" "exit code"
	assert_match '^cordon: [^
]*/nope[^
]*: No such file or directory$' "$ERR" "message"
}

test_ro_overlay() {
	mk_layers
	run_cordon "${T_SYS[@]}" --overlay-src "$T_TMP/l1" --overlay-src "$T_TMP/l2" --ro-overlay /o -- \
		/bin/sh -c 'cat /o/a /o/b /o/both; touch /o/new 2>&- || echo ro; echo x 2>&- >>/o/a || echo ro'
	expect_ok "l1
l2
l2
ro
ro"
	layers_unchanged
}

test_ro_overlay_bad() {
	mk_layers
	run_cordon "${T_SYS[@]}" --overlay-src "$T_TMP/l1" --ro-overlay /o -- /bin/true
	expect_error 1 "cordon: --ro-overlay /o: requires at least two --overlay-src"
}

test_overlay() {
	mk_layers
	mkdir "$T_TMP/up" "$T_TMP/work"
	echo upper >"$T_TMP/up/both"
	run_cordon "${T_SYS[@]}" --overlay-src "$T_TMP/l1" --overlay-src "$T_TMP/l2" \
		--overlay "$T_TMP/up" "$T_TMP/work" /o -- \
		/bin/sh -c 'cat /o/a /o/b /o/both; echo new >/o/new; echo changed >/o/a'
	expect_ok "l1
l2
upper"
	# writes went to the upper dir on the host, the lower layers are untouched
	assert_eq new "$(cat "$T_TMP/up/new")" "new file in RWSRC"
	assert_eq changed "$(cat "$T_TMP/up/a")" "copied-up file in RWSRC"
	layers_unchanged
}

test_overlay_bad() {
	mk_layers
	mkdir "$T_TMP/up"
	run_cordon "${T_SYS[@]}" --overlay "$T_TMP/up" "$T_TMP/work" /o -- /bin/true
	expect_error 1 "cordon: --overlay $T_TMP/up $T_TMP/work /o: requires at least one --overlay-src"
	run_cordon "${T_SYS[@]}" --overlay-src "$T_TMP/l1" --overlay "$T_TMP/up" "$T_TMP/nowork" /o -- /bin/true
	assert_eq 1 "$RC" "exit code"
	assert_match '^cordon: [^
]*/nowork[^
]*: No such file or directory$' "$ERR" "message"
	run_raw "$CORDON" --overlay-src "$T_TMP/l1" --overlay a b
	expect_error 1 "cordon: --overlay takes three arguments"
}

test_overlay_src_bad() {
	run_cordon "${T_SYS[@]}" --overlay-src /a --bind /usr /x -- /bin/true
	expect_error 1 "cordon: --overlay-src /a: must be followed by another --overlay-src or by --overlay, --tmp-overlay or --ro-overlay, not --bind"
	run_cordon "${T_SYS[@]}" --overlay-src "" --tmp-overlay /o -- /bin/true
	expect_error 1 "cordon: --overlay-src '': empty path"
}

test_overlay_src_order() {
	# --overlay-src applies only to the overlay op right after it
	mk_layers
	run_cordon "${T_SYS[@]}" --overlay-src "$T_TMP/l1" --tmp-overlay /o1 \
		--overlay-src "$T_TMP/l2" --tmp-overlay /o2 -- /bin/sh -c 'ls /o1 | tr "\n" " "; ls /o2 | tr "\n" " "'
	expect_ok "a both b both "
}

run_tests
