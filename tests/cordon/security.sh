#!/usr/bin/env bash
# Lockdown options, checked from inside through /proc/self/status and failing syscalls:
# no_new_privs always on, the default capability sets (root: the caller's; a user: none),
# --cap-add/--cap-drop (names, "ALL", and the numbers libcap takes like bwrap), --new-session
# (a new session id), --seccomp and --add-seccomp-fd with BPF programs made by the
# cordon_bpf helper (a syscall fails with a chosen errno), cordon's --deny-syscall (EPERM),
# and --exec-label/--file-label (applied under SELinux, else a clear error). Each option is
# also fed bad input with the exact message and exit status 1.
# Scripts run inside the sandbox are single-quoted on purpose (they expand there), and T_TMP
# is set per case by run_tests.
# shellcheck disable=SC2016,SC2031
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

STATUS=(--proc /proc -- /bin/grep -E '^(CapEff|CapBnd|NoNewPrivs):' /proc/self/status)
host_cap() {
	sed -n "s/^$1:\t//p" /proc/$$/status
}

test_no_new_privs() {
	run_cordon "${T_SYS[@]}" "${STATUS[@]}"
	expect_ok
	assert_contains "NoNewPrivs:	1" "$OUT"
}

test_caps_default() {
	run_cordon "${T_SYS[@]}" "${STATUS[@]}"
	expect_ok
	if [ "$T_MODE" = root ]; then
		assert_contains "CapEff:	$(host_cap CapEff)" "$OUT"
	else
		assert_contains "CapEff:	0000000000000000" "$OUT"
	fi
}

test_cap_add() {
	run_cordon --cap-drop ALL --cap-add CAP_NET_ADMIN "${T_SYS[@]}" "${STATUS[@]}"
	expect_ok
	assert_contains "CapEff:	0000000000001000" "$OUT"
	# lower case, as libcap takes them
	run_cordon --cap-drop ALL --cap-add cap_net_admin --cap-add cap_chown "${T_SYS[@]}" "${STATUS[@]}"
	expect_ok
	assert_contains "CapEff:	0000000000001001" "$OUT"
	# bwrap passes the name to cap_from_name(), which also takes numbers
	run_cordon --cap-drop ALL --cap-add 12 "${T_SYS[@]}" "${STATUS[@]}"
	expect_ok
	assert_contains "CapEff:	0000000000001000" "$OUT"
}

test_cap_add_bad() {
	run_cordon --cap-add CAP_BOGUS "${T_SYS[@]}" -- /bin/true
	expect_error 1 "cordon: --cap-add CAP_BOGUS: unknown capability"
}

test_cap_drop() {
	run_cordon --cap-drop ALL "${T_SYS[@]}" "${STATUS[@]}"
	expect_ok
	assert_contains "CapEff:	0000000000000000" "$OUT"
	if [ "$T_MODE" = root ]; then
		run_cordon --cap-drop CAP_SYS_ADMIN "${T_SYS[@]}" "${STATUS[@]}"
		expect_ok
		local want
		want=$(printf '%016x' $((0x$(host_cap CapEff) & ~(1 << 21))))
		assert_contains "CapEff:	$want" "$OUT"
	fi
}

test_cap_drop_bad() {
	run_cordon --cap-drop nonsense "${T_SYS[@]}" -- /bin/true
	expect_error 1 "cordon: --cap-drop nonsense: unknown capability"
}

test_new_session() {
	local host_sid
	host_sid=$(cut -d' ' -f6 /proc/$$/stat)
	run_cordon "${T_SYS[@]}" --proc /proc -- /bin/sh -c 'cut -d" " -f6 /proc/$$/stat'
	expect_ok "$host_sid"
	run_cordon --new-session "${T_SYS[@]}" --proc /proc -- /bin/sh -c 'cut -d" " -f6 /proc/$$/stat; echo $$'
	expect_ok
	assert_eq "$(tail -n 1 <<<"$OUT")" "$(head -n 1 <<<"$OUT")" "session id (= own pid after setsid)"
	[ "$(head -n 1 <<<"$OUT")" != "$host_sid" ] || fail "same session as the caller"
}

test_new_session_bad() {
	run_cordon --new-session=yes "${T_SYS[@]}" -- /bin/true
	expect_error 1 "cordon: Unknown option --new-session=yes"
}

# bpf NAME SYSCALL ERRNO: a program in $T_TMP/NAME.bpf
bpf() {
	"$(need_helper cordon_bpf)" "${@:2}" >"$T_TMP/$1.bpf" || fail "cordon_bpf $*"
}

test_seccomp() {
	bpf uname uname 26 # ETXTBSY: unmistakable
	run_cordon "${T_SYS[@]}" --seccomp 5 -- /bin/sh -c 'uname -s; echo after' 5<"$T_TMP/uname.bpf"
	assert_eq 0 "$RC" "exit code (stderr: $ERR)"
	assert_eq after "$OUT" "stdout"
	assert_contains "Text file busy" "$ERR"
	# bwrap: when given twice, only the last one is used
	bpf chdir chdir 18 # EXDEV
	run_cordon "${T_SYS[@]}" --seccomp 5 --seccomp 6 -- /bin/sh -c 'uname -s; env -C /usr true' \
		5<"$T_TMP/uname.bpf" 6<"$T_TMP/chdir.bpf"
	assert_eq 125 "$RC" "exit code of env (stderr: $ERR)"
	assert_eq Linux "$OUT" "uname allowed (first program not used)"
	assert_contains "Invalid cross-device link" "$ERR"
}

test_seccomp_bad() {
	run_cordon "${T_SYS[@]}" --seccomp 55 -- /bin/true
	expect_error 1 "cordon: --seccomp 55: Bad file descriptor"
	bpf garbage garbage
	run_cordon "${T_SYS[@]}" --seccomp 5 -- /bin/true 5<"$T_TMP/garbage.bpf"
	expect_error 1 "cordon: --seccomp 5: not a compiled BPF program (17 bytes, not a non-zero multiple of 8)"
	run_cordon "${T_SYS[@]}" --seccomp 5 --add-seccomp-fd 6 -- /bin/true 5</dev/null 6</dev/null
	expect_error 1 "cordon: --add-seccomp-fd 6: cannot be combined with --seccomp"
}

test_add_seccomp_fd() {
	bpf uname uname 26
	bpf chdir chdir 18
	run_cordon "${T_SYS[@]}" --add-seccomp-fd 5 --add-seccomp-fd 6 -- \
		/bin/sh -c 'uname -s || echo uname-denied; env -C /usr true || echo chdir-denied' \
		5<"$T_TMP/uname.bpf" 6<"$T_TMP/chdir.bpf"
	expect_ok "uname-denied
chdir-denied"
	assert_contains "Text file busy" "$ERR"
	assert_contains "Invalid cross-device link" "$ERR"
}

test_add_seccomp_fd_bad() {
	run_cordon "${T_SYS[@]}" --add-seccomp-fd 55 -- /bin/true
	expect_error 1 "cordon: --add-seccomp-fd 55: Bad file descriptor"
	run_cordon "${T_SYS[@]}" --add-seccomp-fd 5 --seccomp 6 -- /bin/true 5</dev/null 6</dev/null
	expect_error 1 "cordon: --seccomp 6: cannot be combined with --add-seccomp-fd"
	# a filter that would kill everything must be refused or fail setup, never run the command
	bpf kill kill-all
	run_cordon "${T_SYS[@]}" --add-seccomp-fd 5 -- /bin/sh -c 'echo ran' 5<"$T_TMP/kill.bpf"
	assert_eq "" "$OUT" "the command must not run"
	[ "$RC" -ne 0 ] || fail "exit code 0 with a kill-all filter"
}

test_deny_syscall() {
	run_cordon "${T_SYS[@]}" --deny-syscall uname --deny-syscall chdir -- \
		/bin/sh -c 'uname -s || echo uname-denied; env -C /usr true || echo chdir-denied; echo ok'
	expect_ok "uname-denied
chdir-denied
ok"
	assert_contains "Operation not permitted" "$ERR"
	assert_not_contains "Text file busy" "$ERR"
}

test_deny_syscall_bad() {
	run_cordon "${T_SYS[@]}" --deny-syscall nosuchcall -- /bin/true
	expect_error 1 "cordon: --deny-syscall nosuchcall: unknown system call"
}

selinux_enabled() {
	[ -e /sys/fs/selinux/enforce ]
}

label_effect() {
	local opt=$1
	selinux_enabled || skip "SELinux is not enabled in this kernel: $opt cannot take effect"
	local ctx
	ctx=$(cat /proc/self/attr/current)
	if [ "$opt" = --exec-label ]; then
		run_cordon "${T_SYS[@]}" --proc /proc "$opt" "$ctx" -- /bin/cat /proc/self/attr/current
	else
		run_cordon "${T_SYS[@]}" "$opt" "$ctx" --tmpfs /t -- /usr/bin/stat -c %C /t
	fi
	expect_ok "$ctx"
}

label_bad() {
	local opt=$1
	if selinux_enabled; then
		run_cordon "${T_SYS[@]}" "$opt" not-a-context -- /bin/true
		expect_error 1 "cordon: $opt not-a-context: not a valid SELinux context"
	else
		run_cordon "${T_SYS[@]}" "$opt" system_u:object_r:container_t:s0 -- /bin/true
		expect_error 1 "cordon: $opt system_u:object_r:container_t:s0: no LSM here takes labels (SELinux is not enabled)"
	fi
}

test_exec_label() { label_effect --exec-label; }
test_exec_label_bad() { label_bad --exec-label; }
test_file_label() { label_effect --file-label; }
test_file_label_bad() { label_bad --file-label; }

run_tests
