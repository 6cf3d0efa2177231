#!/usr/bin/env bash
# Identity and environment options, seen from inside the sandbox: --uid/--gid (ids and the
# one-line uid/gid maps), --hostname, --chdir (and the default working directory: the caller's
# cwd when it exists inside, else $HOME, else /), --clearenv (keeps only PWD, applied at its
# position like bwrap, so --setenv before it is lost), --setenv, --unsetenv and --argv0; and
# for each one, bad input with the exact message and exit status 1.
# Scripts run inside the sandbox are single-quoted on purpose (they expand there), and T_TMP
# is set per case by run_tests.
# shellcheck disable=SC2016,SC2031
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

test_uid_gid() {
	run_cordon --unshare-user --uid 1234 --gid 5678 "${T_SYS[@]}" --proc /proc -- \
		/bin/sh -c 'id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map'
	expect_ok
	local me
	me=$(id -u)
	assert_eq "1234
5678
1234 $me 1
5678 $(id -g) 1" "$(tr -s ' ' <<<"$OUT" | sed 's/^ //')" "ids and maps"
}

test_uid_default() {
	# no --uid: the caller's uid, as root without a user namespace too
	run_cordon "${T_SYS[@]}" -- /bin/sh -c 'id -u; id -g'
	expect_ok "$(id -u)
$(id -g)"
}

test_uid_bad() {
	run_cordon --unshare-user --uid abc "${T_SYS[@]}" -- /bin/true
	expect_error 1 "cordon: --uid abc: not a number"
	run_cordon --unshare-user --uid -5 "${T_SYS[@]}" -- /bin/true
	expect_error 1 "cordon: --uid -5: out of range"
	run_cordon --unshare-user --uid 12x "${T_SYS[@]}" -- /bin/true
	expect_error 1 "cordon: --uid 12x: not a number"
}

test_uid_needs_userns_as_root() {
	[ "$T_MODE" = root ] || {
		# unprivileged, a user namespace is implied (as bwrap does when not setuid)
		run_raw "$CORDON" --uid 1234 "${T_SYS[@]}" -- /bin/sh -c 'id -u'
		expect_ok 1234
		return 0
	}
	run_raw "$CORDON" --uid 1234 "${T_SYS[@]}" -- /bin/true
	expect_error 1 "cordon: --uid 1234: requires --unshare-user or --userns"
	run_raw "$CORDON" --gid 1234 "${T_SYS[@]}" -- /bin/true
	expect_error 1 "cordon: --gid 1234: requires --unshare-user or --userns"
}

test_gid_bad() {
	run_cordon --unshare-user --gid abc "${T_SYS[@]}" -- /bin/true
	expect_error 1 "cordon: --gid abc: not a number"
}

test_hostname() {
	run_cordon --unshare-uts --hostname sandbox-host "${T_SYS[@]}" -- /bin/uname -n
	expect_ok sandbox-host
	# the host's name is untouched
	assert_eq "$(cat /proc/sys/kernel/hostname)" "$(uname -n)" "host name"
	[ "$(uname -n)" != sandbox-host ] || fail "host name changed"
}

test_hostname_bad() {
	run_cordon --hostname sandbox-host "${T_SYS[@]}" -- /bin/true
	expect_error 1 "cordon: --hostname sandbox-host: requires --unshare-uts"
	run_cordon --unshare-uts --hostname "$(printf 'x%.0s' {1..70})" "${T_SYS[@]}" -- /bin/true
	expect_error 1 "cordon: --hostname $(printf 'x%.0s' {1..70}): Invalid argument"
}

test_chdir() {
	run_cordon "${T_SYS[@]}" --dir /work/sub --chdir /work/sub -- /bin/sh -c 'pwd; echo "$PWD"'
	expect_ok "/work/sub
/work/sub"
}

test_chdir_bad() {
	run_cordon "${T_SYS[@]}" --chdir /nope -- /bin/true
	expect_error 1 "cordon: --chdir /nope: No such file or directory"
	echo x >"$T_TMP/file"
	run_cordon "${T_SYS[@]}" --ro-bind "$T_TMP/file" /file --chdir /file -- /bin/true
	expect_error 1 "cordon: --chdir /file: Not a directory"
}

test_default_cwd() {
	mkdir "$T_TMP/here"
	cd "$T_TMP/here" || fail "cd"
	# the caller's cwd exists inside: start there
	run_cordon "${T_SYS[@]}" --bind "$T_TMP" "$T_TMP" -- /bin/sh -c 'pwd; echo "$PWD"'
	expect_ok "$T_TMP/here
$T_TMP/here"
	# it does not: fall back to $HOME when that exists inside...
	HOME=/usr run_cordon "${T_SYS[@]}" -- /bin/sh -c 'pwd; echo "$PWD"'
	expect_ok "/usr
/usr"
	# ...else /
	HOME=/nope run_cordon "${T_SYS[@]}" -- /bin/sh -c 'pwd; echo "$PWD"'
	expect_ok "/
/"
}

test_clearenv() {
	FOO=host-value run_cordon "${T_SYS[@]}" --chdir /usr --clearenv -- /usr/bin/env
	expect_ok "PWD=/usr"
	# without it the environment is inherited
	FOO=host-value run_cordon "${T_SYS[@]}" -- /usr/bin/printenv FOO
	expect_ok host-value
	# applied at its position: a --setenv before it is cleared, one after it stays
	run_cordon "${T_SYS[@]}" --setenv EARLY 1 --clearenv --setenv LATE 2 -- /usr/bin/env
	expect_ok "LATE=2
PWD=/"
}

test_clearenv_bad() {
	run_cordon "${T_SYS[@]}" --clearenv=yes -- /usr/bin/env
	expect_error 1 "cordon: Unknown option --clearenv=yes"
}

test_setenv() {
	FOO=old run_cordon "${T_SYS[@]}" --setenv FOO 'a b=c' --setenv EMPTY '' -- \
		/bin/sh -c 'echo "[$FOO]"; [ "${EMPTY+set}" = set ] && echo "empty-set[$EMPTY]"'
	expect_ok "[a b=c]
empty-set[]"
	# later wins
	run_cordon "${T_SYS[@]}" --setenv X 1 --setenv X 2 -- /usr/bin/printenv X
	expect_ok 2
}

test_setenv_bad() {
	run_cordon "${T_SYS[@]}" --setenv 'A=B' value -- /bin/true
	expect_error 1 "cordon: --setenv A=B value: invalid variable name"
	run_raw "$CORDON" --setenv ONLYNAME
	expect_error 1 "cordon: --setenv takes two arguments"
}

test_unsetenv() {
	GONE=1 KEPT=2 run_cordon "${T_SYS[@]}" --unsetenv GONE -- \
		/bin/sh -c 'echo "${GONE-unset} ${KEPT-unset}"'
	expect_ok "unset 2"
	# in order with --setenv
	run_cordon "${T_SYS[@]}" --setenv Y 1 --unsetenv Y -- /bin/sh -c 'echo "${Y-unset}"'
	expect_ok unset
	run_cordon "${T_SYS[@]}" --unsetenv Y --setenv Y 3 -- /bin/sh -c 'echo "${Y-unset}"'
	expect_ok 3
}

test_unsetenv_bad() {
	run_cordon "${T_SYS[@]}" --unsetenv 'A=B' -- /bin/true
	expect_error 1 "cordon: --unsetenv A=B: invalid variable name"
	run_raw "$CORDON" --unsetenv
	expect_error 1 "cordon: --unsetenv takes an argument"
}

test_argv0() {
	run_cordon "${T_SYS[@]}" --proc /proc --argv0 renamed -- /bin/sh -c 'tr "\0" " " </proc/$$/cmdline'
	expect_ok "renamed -c tr \"\\0\" \" \" </proc/\$\$/cmdline "
}

test_argv0_bad() {
	run_raw "$CORDON" --argv0
	expect_error 1 "cordon: --argv0 takes an argument"
}

run_tests
