#!/usr/bin/env bash
# cordon's own options: --profile minimal|shell (the exact root they build, their namespaces,
# applied at their position among the filesystem ops), --policy FILE (JSON policies giving the
# same spec as the command line, with errors naming the file and the bad key), --print-policy
# (prints the spec, runs nothing, and round-trips: running the printed policy behaves like the
# original command line) and policy-only fields such as deny-syscalls. Each is also fed bad
# input (unknown profile, cwd of /, unknown keys, bad JSON, missing file) with the exact message
# and exit status 1.
# Scripts run inside the sandbox are single-quoted on purpose (they expand there), and T_TMP
# is set per case by run_tests.
# shellcheck disable=SC2016,SC2031
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

host_ns() {
	readlink "/proc/$$/ns/$1"
}

test_profile_minimal() {
	run_cordon --profile minimal -- /bin/sh -c '
		ls / | tr "\n" " "; echo
		readlink /bin
		touch /usr/x 2>&- || echo usr-ro
		echo x >/tmp/f && echo tmp-rw
		echo x >/dev/null && echo dev-ok
		echo "pid $$"
		tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "
		for k in user ipc uts net pid; do readlink /proc/self/ns/$k; done
		echo "sid $(cut -d" " -f6 /proc/$$/stat)"'
	expect_ok
	assert_eq "bin dev lib lib64 proc sbin tmp usr " "$(sed -n 1p <<<"$OUT")" "root directory"
	assert_eq "usr/bin" "$(sed -n 2p <<<"$OUT")" "/bin"
	assert_eq "usr-ro
tmp-rw
dev-ok
pid 2
lo" "$(sed -n 3,7p <<<"$OUT")" "mounts, pid and network"
	local k
	for k in user ipc uts net pid; do
		[ "$(grep "^$k:" <<<"$OUT")" != "$(host_ns "$k")" ] || fail "minimal: $k namespace is the host's"
	done
	assert_eq "sid 1" "$(tail -n 1 <<<"$OUT")" "new session (setsid in pid 1, as bwrap)"
}

test_profile_shell() {
	mkdir -p "$T_TMP/work" "$T_TMP/home"
	echo home-file >"$T_TMP/home/h"
	cd "$T_TMP/work" || fail "cd"
	HOME=$T_TMP/home run_cordon --profile shell -- /bin/sh -c '
		pwd; echo w >inside && echo cwd-rw
		cat "$HOME/h"; touch "$HOME/x" 2>&- || echo home-ro
		[ -e /etc/passwd ] && echo etc-visible; echo done'
	expect_ok "$T_TMP/work
cwd-rw
home-file
home-ro
done"
	assert_eq w "$(cat "$T_TMP/work/inside")" "file written in the cwd"
	[ ! -e "$T_TMP/home/x" ] || fail "written into the read-only home"
}

test_profile_position() {
	# the profile's ops apply where --profile stands: its /tmp tmpfs hides a dir made before
	run_cordon --dir /tmp/before --profile minimal --dir /tmp/after -- \
		/bin/sh -c 'ls /tmp | tr "\n" " "'
	expect_ok "after "
}

test_profile_bad() {
	run_cordon --profile nosuch -- /bin/true
	expect_error 1 "cordon: --profile nosuch: unknown profile (minimal, shell)"
	cd /
	run_cordon --profile shell -- /bin/true
	expect_error 1 "cordon: --profile shell: the current directory is /: refusing to bind the whole host read-write (cd somewhere else)"
}

test_policy() {
	cat >p.json <<'EOF'
{
  "version": 1,
  "profile": "minimal",
  "namespaces": {"uts": true},
  "hostname": "policy-host",
  "env": [{"set": "PV", "value": "x y"}, {"unset": "HOME"}],
  "ops": [{"type": "dir", "dest": "/tmp/d", "perms": "0700"},
          {"type": "symlink", "src": "/tmp/d", "dest": "/tmp/link"}],
  "deny-syscalls": ["chdir"],
  "command": ["/bin/sh", "-c", "uname -n; echo \"$PV ${HOME-nohome}\"; stat -c %a /tmp/d; readlink /tmp/link; env -C /tmp true || echo chdir-denied"]
}
EOF
	HOME=/root run_cordon --policy p.json
	expect_ok "policy-host
x y nohome
700
/tmp/d
chdir-denied"
	assert_contains "Operation not permitted" "$ERR"
}

test_policy_bad() {
	echo '{"version": 1, "bogus": 1}' >p.json
	run_cordon --policy p.json -- /bin/true
	expect_error 1 "cordon: p.json: bogus: unknown key"
	echo '{"version": 1, "ops": [{"type": "tmpfs", "dest": "/t", "bogus": 2}]}' >p.json
	run_cordon --policy p.json -- /bin/true
	expect_error 1 "cordon: p.json: ops[0].bogus: unknown key"
	echo '{"version": 1, "ops": [{"type": "proc", "dest": 5}]}' >p.json
	run_cordon --policy p.json -- /bin/true
	expect_error 1 "cordon: p.json: ops[0].dest: expected a string"
	echo '{"version": 2}' >p.json
	run_cordon --policy p.json -- /bin/true
	expect_error 1 "cordon: p.json: version: 2: unsupported (expected 1)"
	run_cordon --policy nope.json -- /bin/true
	expect_error 1 "cordon: nope.json: No such file or directory"
	printf '{"version": 1,\n  "uid": }\n' >bad.json
	run_cordon --policy bad.json -- /bin/true
	assert_eq 1 "$RC" "exit code"
	assert_match '^cordon: bad\.json: line 2 column [0-9]+: [^
]+$' "$ERR" "message"
}

test_print_policy() {
	run_cordon --unshare-pid "${T_SYS[@]}" --setenv A B --perms 0700 --tmpfs /t --print-policy -- \
		/bin/sh -c "touch $T_TMP/ran"
	expect_ok
	[ ! -e "$T_TMP/ran" ] || fail "--print-policy ran the command"
	echo "$OUT" >printed.json
	assert_eq True "$(json_get printed.json 'd[0]["namespaces"]["pid"]')" "namespaces.pid"
	assert_eq "{'type': 'ro-bind', 'src': '/usr', 'dest': '/usr'}" \
		"$(json_get printed.json '{k: d[0]["ops"][0][k] for k in ("type", "src", "dest")}')" "ops[0]"
	assert_eq "['tmpfs', '0700']" "$(json_get printed.json '[d[0]["ops"][-1]["type"], d[0]["ops"][-1]["perms"]]')" "last op"
	assert_eq "[{'set': 'A', 'value': 'B'}]" "$(json_get printed.json 'd[0]["env"]')" "env"
	assert_eq "['/bin/sh', '-c', 'touch $T_TMP/ran']" "$(json_get printed.json 'd[0]["command"]')" "command"
}

test_print_policy_round_trip() {
	local opts=(--unshare-uts --hostname rt "${T_SYS[@]}" --setenv A B --dir /x --perms 0700 --tmpfs /t
		--symlink /x /l --chdir /x)
	local cmd=(/bin/sh -c 'uname -n; echo "$A"; stat -c %a /x /t; readlink /l; pwd')
	run_cordon "${opts[@]}" -- "${cmd[@]}"
	expect_ok "rt
B
755
700
/x
/x"
	local direct=$OUT
	run_cordon "${opts[@]}" --print-policy -- "${cmd[@]}"
	expect_ok
	echo "$OUT" >rt.json
	run_raw "$CORDON" --policy rt.json
	expect_ok "$direct"
}

test_print_policy_bad() {
	run_cordon --print-policy --uid abc -- /bin/true
	expect_error 1 "cordon: --uid abc: not a number"
	run_cordon --print-policy=1 -- /bin/true
	expect_error 1 "cordon: Unknown option --print-policy=1"
}

run_tests
