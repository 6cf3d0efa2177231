#!/usr/bin/env bash
# Namespace options, checked from inside the sandbox by comparing /proc/self/ns/* with the
# test's own namespaces: each --unshare-* gives a new namespace of that kind (and only that
# kind), --unshare-all gives all of them, --share-net keeps the host network, --userns/--userns2
# /--pidns join namespaces held open by a helper process the test starts (and kills), and
# --disable-userns/--assert-userns-disabled stop the sandbox from making user namespaces.
# Every option is also fed bad input (bad fds, missing requirements, a flag given a value),
# checking the exact message and exit status 1.
# Scripts run inside the sandbox are single-quoted on purpose (they expand there), and T_TMP
# is set per case by run_tests.
# shellcheck disable=SC2016,SC2031
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

KINDS=(user ipc pid net uts cgroup)

# inside_ns OPTS...: prints "kind:[id]" for each of KINDS as seen inside a sandbox with OPTS.
inside_ns() {
	run_cordon "$@" "${T_SYS[@]}" --proc /proc -- /bin/sh -c \
		'for k in user ipc pid net uts cgroup; do readlink /proc/self/ns/$k; done'
	expect_ok
}
# host_ns KIND
host_ns() {
	readlink "/proc/$$/ns/$1"
}
# ns_line KIND: the line for KIND in $OUT (from inside_ns)
ns_line() {
	grep "^$1:" <<<"$OUT"
}
# check_only_new OPTS...: the options give new namespaces of exactly the kinds in $NEW (plus
# user in user mode, where a user namespace is always needed).
check_only_new() {
	inside_ns "$@"
	local k want
	for k in "${KINDS[@]}"; do
		want=same
		[[ " $NEW " == *" $k "* ]] && want=new
		[ "$k" = user ] && [ "$T_MODE" = user ] && want=new
		if [ "$want" = new ]; then
			[ "$(ns_line "$k")" != "$(host_ns "$k")" ] || fail "$*: $k namespace is the host's"
		else
			assert_eq "$(host_ns "$k")" "$(ns_line "$k")" "$*: $k namespace"
		fi
	done
}

test_no_unshare_shares_everything() {
	NEW="" check_only_new
}
test_unshare_ipc() { NEW="ipc" check_only_new --unshare-ipc; }
test_unshare_uts() { NEW="uts" check_only_new --unshare-uts; }
test_unshare_cgroup() { NEW="cgroup" check_only_new --unshare-cgroup; }
test_unshare_cgroup_try() { NEW="cgroup" check_only_new --unshare-cgroup-try; }
test_unshare_user() { NEW="user" check_only_new --unshare-user; }
test_unshare_user_try() { NEW="user" check_only_new --unshare-user-try; }

test_unshare_pid() {
	NEW="pid" check_only_new --unshare-pid
	# the command is pid 2 under the reaper, and /proc shows only the sandbox's processes
	run_cordon --unshare-pid "${T_SYS[@]}" --proc /proc -- /bin/sh -c \
		'echo $$; ls /proc | grep "^[0-9]*$" | sort -n | tr "\n" " "'
	expect_ok
	assert_eq 2 "$(head -n 1 <<<"$OUT")" "pid of the command"
	assert_match '^1 2 [0-9 ]*$' "$(tail -n 1 <<<"$OUT")" "pids in /proc"
}

test_unshare_net() {
	NEW="net" check_only_new --unshare-net
	# only the loopback interface, and it is up
	run_cordon --unshare-net "${T_SYS[@]}" --proc /proc -- /bin/sh -c \
		'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "'
	expect_ok lo
}

test_unshare_all() {
	NEW="user ipc pid net uts cgroup" check_only_new --unshare-all
}

test_share_net() {
	NEW="user ipc pid uts cgroup" check_only_new --unshare-all --share-net
	# --share-net after --unshare-net also keeps the host network (last one wins)
	NEW="" check_only_new --unshare-net --share-net
}

test_flags_take_no_value() {
	local f
	for f in --unshare-all --share-net --unshare-user --unshare-user-try --unshare-ipc \
		--unshare-pid --unshare-net --unshare-uts --unshare-cgroup --unshare-cgroup-try \
		--disable-userns --assert-userns-disabled; do
		run_raw "$CORDON" "$f=1" "${T_SYS[@]}" -- /bin/true
		expect_error 1 "cordon: Unknown option $f=1"
	done
}

test_unprivileged_implies_userns() {
	# no --unshare-user at all: as a user one is implied (bwrap does the same), as root not
	run_raw "$CORDON" "${T_SYS[@]}" --proc /proc -- readlink /proc/self/ns/user
	expect_ok
	if [ "$T_MODE" = user ]; then
		[ "$OUT" != "$(host_ns user)" ] || fail "no user namespace as an unprivileged user"
	else
		assert_eq "$(host_ns user)" "$OUT" "user namespace as root"
	fi
}

test_userns_disabled_message() {
	# inside a sandbox that may not create user namespaces, --unshare-user fails cleanly
	run_raw bwrap --unshare-user --disable-userns --ro-bind / / --dev /dev --proc /proc -- \
		"$CORDON" --unshare-user "${T_SYS[@]}" -- /bin/true
	assert_eq 1 "$RC" "exit code (stderr: $ERR)"
	assert_match '^cordon: [^
]*namespace[^
]*$' "$ERR" "message (one line, about namespaces)"
}

test_userns_refused_exact_message() {
	# where creating user namespaces is refused (here: a user namespace whose
	# max_user_namespaces is 0), --unshare-user says so in the documented words
	run_raw unshare --user --map-root-user /bin/sh -c \
		'echo 0 >/proc/sys/user/max_user_namespaces && exec "$0" --unshare-user "$@"' \
		"$CORDON" "${T_SYS[@]}" -- /bin/true
	expect_error 1 "cordon: --unshare-user: user namespaces are disabled here (kernel.unprivileged_userns_clone=0 or an AppArmor restriction): run as root or enable them"
}

# start_userns_holder VAR [EXTRA_UNSHARE_OPTS...]: a process in a new user namespace (root
# mapped to the caller), pid in VAR; killed when the case ends.
start_userns_holder() {
	local var=$1
	shift
	unshare --user --map-root-user "$@" /bin/sh -c 'exec sleep 1000' &
	local pid=$!
	kill_later "$pid"
	wait_until 5 exe_is "$pid" /usr/bin/sleep ||
		fail "user namespace holder did not start"
	printf -v "$var" %s "$pid"
}

test_userns_fd() {
	local h
	start_userns_holder h
	run_raw "$CORDON" --userns 5 "${T_SYS[@]}" --proc /proc -- readlink /proc/self/ns/user \
		5<"/proc/$h/ns/user"
	expect_ok "$(ns_of "$h" user)"
}

test_userns_bad() {
	run_raw "$CORDON" --userns 55 "${T_SYS[@]}" -- /bin/true
	expect_error 1 "cordon: --userns 55: Bad file descriptor"
	run_raw "$CORDON" --userns abc "${T_SYS[@]}" -- /bin/true
	expect_error 1 "cordon: --userns abc: not a number"
	run_raw "$CORDON" --unshare-user --userns 5 "${T_SYS[@]}" -- /bin/true 5</proc/self/ns/user
	expect_error 1 "cordon: --userns 5: cannot be combined with --unshare-user"
	# an fd that is not a user namespace
	run_raw "$CORDON" --userns 5 "${T_SYS[@]}" -- /bin/true 5</proc/self/ns/net
	expect_error 1 "cordon: --userns 5: cannot join it (not a user namespace, or not a descendant of the current one)"
}

test_userns2_fd() {
	local a b
	start_userns_holder a
	# b: a user namespace nested in a's
	nsenter --preserve-credentials --user="/proc/$a/ns/user" \
		unshare --user --map-root-user /bin/sh -c 'exec sleep 1000' &
	b=$!
	kill_later "$b"
	wait_until 5 exe_is "$b" /usr/bin/sleep ||
		fail "nested user namespace holder did not start"
	run_raw "$CORDON" --userns 5 --userns2 6 "${T_SYS[@]}" --proc /proc -- \
		readlink /proc/self/ns/user 5<"/proc/$a/ns/user" 6<"/proc/$b/ns/user"
	expect_ok "$(ns_of "$b" user)"
}

test_userns2_bad() {
	local a
	start_userns_holder a
	run_raw "$CORDON" --userns 5 --userns2 55 "${T_SYS[@]}" -- /bin/true 5<"/proc/$a/ns/user"
	expect_error 1 "cordon: --userns2 55: Bad file descriptor"
	# the caller's own user namespace is no place to switch to after setup
	run_raw "$CORDON" --userns2 5 "${T_SYS[@]}" -- /bin/true 5</proc/self/ns/user
	if [ "$T_MODE" = root ]; then
		expect_error 1 "cordon: --userns2 5: Invalid argument"
	else
		expect_error 1 "cordon: --userns2 5: Operation not permitted"
	fi
}

test_pidns_fd() {
	local h p opts=()
	if [ "$T_MODE" = user ]; then
		unshare --user --map-root-user --pid --fork /bin/sh -c 'exec sleep 1000' &
	else
		unshare --pid --fork /bin/sh -c 'exec sleep 1000' &
	fi
	h=$!
	kill_later "$h"
	wait_until 5 eval 'p=$(pgrep -P "$h" sleep)' || fail "pid namespace holder did not start"
	kill_later "$p"
	[ "$T_MODE" = user ] && exec 5<"/proc/$p/ns/user" && opts=(--userns 5)
	run_raw "$CORDON" "${opts[@]}" --pidns 6 "${T_SYS[@]}" --proc /proc -- \
		/bin/sh -c 'readlink /proc/self/ns/pid; cat /proc/1/comm' 6<"/proc/$p/ns/pid"
	expect_ok "$(ns_of "$p" pid)
sleep"
}

test_pidns_bad() {
	run_raw "$CORDON" --pidns 55 "${T_SYS[@]}" -- /bin/true
	expect_error 1 "cordon: --pidns 55: Bad file descriptor"
	run_raw "$CORDON" --pidns abc "${T_SYS[@]}" -- /bin/true
	expect_error 1 "cordon: --pidns abc: not a number"
}

test_disable_userns() {
	run_cordon --unshare-user --disable-userns "${T_SYS[@]}" --proc /proc --dev /dev -- \
		/bin/sh -c 'unshare --user /bin/true 2>/dev/null && echo created || echo refused'
	expect_ok refused
	# control: without it the sandbox can make one
	run_cordon --unshare-user "${T_SYS[@]}" --proc /proc --dev /dev -- \
		/bin/sh -c 'unshare --user /bin/true 2>/dev/null && echo created || echo refused'
	expect_ok created
}

test_disable_userns_bad() {
	run_raw "$CORDON" --disable-userns "${T_SYS[@]}" -- /bin/true
	expect_error 1 "cordon: --disable-userns: requires --unshare-user"
}

test_assert_userns_disabled() {
	run_cordon --unshare-user --disable-userns --assert-userns-disabled "${T_SYS[@]}" -- \
		/bin/sh -c 'echo ran'
	expect_ok ran
}

test_assert_userns_disabled_bad() {
	run_cordon --unshare-user --assert-userns-disabled "${T_SYS[@]}" -- /bin/sh -c 'echo ran'
	expect_error 1 "cordon: --assert-userns-disabled: creating a user namespace still works inside the sandbox"
	assert_eq "" "$OUT" "the command must not run"
}

run_tests
