#!/usr/bin/env bash
# --net-pasta (cordon's addition): the sandbox gets a new network namespace that pasta (package
# passt) connects to the outside. Checked from inside: an interface besides lo with an address
# and a default route; a TCP and a UDP listener the test starts on the host's loopback are
# reached through the gateway address (pasta maps it to the host); the sandbox's own 127.0.0.1
# is not the host's (no automatic forwarding); --net-pasta-args passes options through (a port
# forward from the host's loopback into the sandbox, the interface name). Plain --unshare-net
# keeps only lo and reaches nothing. No pasta process survives cordon: normal exit, setup
# failure, SIGTERM and SIGKILL to cordon. Bad input: refused pasta options, missing
# --net-pasta, a later --share-net, pasta's own complaint, no pasta binary, policy keys.
# Only addresses of this machine are ever contacted.
# Scripts run inside the sandbox are single-quoted on purpose (they expand there), and T_TMP
# is set per case by run_tests.
# shellcheck disable=SC2016,SC2031
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

IP_PATH=PATH=/usr/sbin:/usr/bin:/sbin:/bin

# A TCP listener (answers "hello") and a UDP echo on the host's 127.0.0.1; writes
# "TCPPORT UDPPORT" to argv[1] once both are bound.
LISTENER_PY='
import os, socket, sys, threading
t = socket.socket(); t.bind(("127.0.0.1", 0)); t.listen(8)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
def echo():
    while True:
        data, peer = u.recvfrom(100)
        u.sendto(b"echo " + data, peer)
threading.Thread(target=echo, daemon=True).start()
tmp = sys.argv[1] + ".tmp"
with open(tmp, "w") as f:
    f.write("%d %d\n" % (t.getsockname()[1], u.getsockname()[1]))
os.rename(tmp, sys.argv[1])
while True:
    c, _ = t.accept(); c.sendall(b"hello"); c.close()
'
# Inside: connect to argv[1] (host) on TCP argv[2] and UDP argv[3]; one line per protocol.
CONNECT_PY='
import socket, sys
host, tport, uport = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
try:
    s = socket.create_connection((host, tport), timeout=5)
    print("tcp connected", s.recv(100).decode())
except OSError as e:
    print("tcp failed", e.strerror)
try:
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.settimeout(5)
    u.sendto(b"ping", (host, uport))
    print("udp", u.recv(100).decode())
except OSError as e:
    print("udp failed", e.strerror or "timed out")
'

file_has_content() {
	[ -s "$1" ]
}
start_listener() {
	"$PY" -c "$LISTENER_PY" "$T_TMP/ports" &
	kill_later $!
	wait_until 10 file_has_content "$T_TMP/ports" || fail "listener did not start"
	read -r TPORT UPORT <"$T_TMP/ports"
}
# A name no other process has: pasta's command line carries it (--ns-ifname), so the test
# can find exactly the pasta it caused. At most 15 characters (an interface name).
new_mark() {
	MARK=ct$((RANDOM % 1000))x$((RANDOM % 100000))
}
pasta_of_mark() {
	pgrep -f -- "^pasta .*--ns-ifname $MARK( |$)" || true
}
no_pasta_of_mark() {
	[ -z "$(pasta_of_mark)" ]
}

test_pasta_interface_address_route() {
	run_cordon --net-pasta "${T_SYS[@]}" --proc /proc -- /bin/sh -c \
		"$IP_PATH"'; ip -o -4 addr show scope global; ip -4 route show default; ip -o link show | grep -c ": "'
	expect_ok
	# one global IPv4 address on a non-lo interface, a default route through it, and
	# exactly two interfaces (lo and pasta's)
	assert_match '^[0-9]+: ([a-z0-9]+) +inet [0-9.]+/[0-9]+ ' "$(sed -n 1p <<<"$OUT")" "address"
	local ifname
	ifname=$(sed -n 1p <<<"$OUT" | awk '{print $2}')
	[ "$ifname" != lo ] || fail "the address is on lo"
	assert_match "^default via [0-9.]+ dev $ifname" "$(sed -n 2p <<<"$OUT")" "default route"
	assert_eq 2 "$(sed -n 3p <<<"$OUT")" "interface count"
	# a new network namespace, not the host's
	run_cordon --net-pasta "${T_SYS[@]}" --proc /proc -- /bin/readlink /proc/self/ns/net
	expect_ok
	[ "$OUT" != "$(readlink /proc/$$/ns/net)" ] || fail "--net-pasta shares the host's network"
}

test_unshare_net_without_pasta_has_only_lo() {
	run_cordon --unshare-net "${T_SYS[@]}" -- /bin/sh -c \
		"$IP_PATH"'; ip -o link show | cut -d: -f2 | tr -d " "; ip -4 route show default'
	expect_ok "lo"
}

test_pasta_reaches_host_listener_through_gateway() {
	start_listener
	run_cordon --net-pasta "${T_SYS[@]}" -- /bin/sh -c \
		"$IP_PATH"'; gw=$(ip -4 route show default | cut -d" " -f3); "$0" -c "$1" "$gw" "$2" "$3"' \
		"$PY" "$CONNECT_PY" "$TPORT" "$UPORT"
	expect_ok "tcp connected hello
udp echo ping"
}

test_pasta_loopback_is_the_sandboxs_own() {
	start_listener
	# no automatic forwarding (-T/-U none): 127.0.0.1 inside is not the host's
	run_cordon --net-pasta "${T_SYS[@]}" -- "$PY" -c "$CONNECT_PY" 127.0.0.1 "$TPORT" "$UPORT"
	assert_eq 0 "$RC" "exit code (stderr: $ERR)"
	assert_eq "tcp failed Connection refused" "$(sed -n 1p <<<"$OUT")" "tcp to 127.0.0.1"
	assert_match '^udp failed ' "$(sed -n 2p <<<"$OUT")" "udp to 127.0.0.1"
}

test_unshare_net_cannot_reach_host_listener() {
	start_listener
	local gw
	gw=$(PATH=/usr/sbin:/usr/bin:/sbin:/bin ip -4 route show default | cut -d" " -f3 | head -n 1)
	[ -n "$gw" ] || gw=127.0.0.1
	run_cordon --unshare-net "${T_SYS[@]}" -- "$PY" -c "$CONNECT_PY" "$gw" "$TPORT" "$UPORT"
	assert_eq 0 "$RC" "exit code (stderr: $ERR)"
	assert_match '^tcp failed (Network is unreachable|Connection refused)$' \
		"$(sed -n 1p <<<"$OUT")" "tcp"
	assert_match '^udp failed ' "$(sed -n 2p <<<"$OUT")" "udp"
}

test_pasta_args_forward_a_port_into_the_sandbox() {
	local port
	port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	new_mark
	# only on the host's loopback: nothing is published on the network
	"$CORDON" "${T_NS[@]}" --net-pasta --net-pasta-args "-t 127.0.0.1/$port --ns-ifname $MARK" \
		"${T_SYS[@]}" -- "$PY" -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", int(sys.argv[1]))); s.listen(1)
c, _ = s.accept(); c.sendall(b"from the sandbox"); c.close()
' "$port" </dev/null >"$T_TMP/out" 2>&1 &
	local cpid=$!
	kill_later $cpid
	local got="" _
	for _ in $(seq 100); do
		got=$("$PY" -c '
import socket, sys
try:
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=2)
    print(s.recv(100).decode())
except OSError:
    pass
' "$port")
		[ -z "$got" ] || break
		sleep 0.05
	done
	assert_eq "from the sandbox" "$got" "reply through the forwarded port"
	local rc=0
	wait $cpid || rc=$?
	assert_eq 0 "$rc" "cordon's exit status ($(cat "$T_TMP/out"))"
	wait_until 5 no_pasta_of_mark || fail "pasta still runs after cordon ended"
}

test_pasta_args_name_the_interface() {
	new_mark
	run_cordon --net-pasta --net-pasta-args "--ns-ifname $MARK" "${T_SYS[@]}" --proc /proc -- \
		/bin/cat /proc/net/dev
	expect_ok
	assert_match "(^|[[:space:]])$MARK:" "$OUT" "interface $MARK in /proc/net/dev"
}

pasta_of_mark_found() {
	[ -n "$(pasta_of_mark)" ]
}
# the sandbox's first process has exec'd sleep
sleep_runs() {
	[ -n "$(pgrep -P "$CPID" -x sleep)" ]
}

test_pasta_ends_with_the_sandbox() {
	new_mark
	"$CORDON" "${T_NS[@]}" --net-pasta --net-pasta-args "--ns-ifname $MARK" "${T_SYS[@]}" \
		-- /bin/sleep 1 </dev/null >"$T_TMP/out" 2>&1 &
	CPID=$!
	kill_later "$CPID"
	wait_until 10 pasta_of_mark_found || fail "no pasta started ($(cat "$T_TMP/out"))"
	PASTA=$(pasta_of_mark)
	on_exit "kill -KILL $PASTA 2>/dev/null"
	assert_eq "$CPID" "$(awk '{print $4}' "/proc/$PASTA/stat")" "pasta's parent"
	local rc=0
	wait "$CPID" || rc=$?
	assert_eq 0 "$rc" "cordon's exit status ($(cat "$T_TMP/out"))"
	# cordon reaped it before exiting: gone, not even a zombie
	[ ! -e "/proc/$PASTA" ] || fail "pasta $PASTA is still there"
}

test_pasta_ends_on_sigterm_to_cordon() {
	new_mark
	"$CORDON" "${T_NS[@]}" --net-pasta --net-pasta-args "--ns-ifname $MARK" "${T_SYS[@]}" \
		-- /bin/sleep 60 </dev/null >"$T_TMP/out" 2>&1 &
	CPID=$!
	kill_later "$CPID"
	wait_until 10 pasta_of_mark_found || fail "no pasta started ($(cat "$T_TMP/out"))"
	PASTA=$(pasta_of_mark)
	on_exit "kill -KILL $PASTA 2>/dev/null"
	# the command runs (cordon forwards SIGTERM to it from then on)
	wait_until 10 sleep_runs || fail "the command did not start ($(cat "$T_TMP/out"))"
	kill -TERM "$CPID"
	local rc=0
	wait "$CPID" || rc=$?
	assert_eq 143 "$rc" "cordon's exit status ($(cat "$T_TMP/out"))"
	[ ! -e "/proc/$PASTA" ] || fail "pasta $PASTA is still there"
}

test_pasta_ends_on_sigkill_to_cordon() {
	new_mark
	"$CORDON" "${T_NS[@]}" --die-with-parent --unshare-pid --net-pasta \
		--net-pasta-args "--ns-ifname $MARK" "${T_SYS[@]}" -- /bin/sleep 60 \
		</dev/null >"$T_TMP/out" 2>&1 &
	CPID=$!
	kill_later "$CPID"
	wait_until 10 pasta_of_mark_found || fail "no pasta started ($(cat "$T_TMP/out"))"
	PASTA=$(pasta_of_mark)
	on_exit "kill -KILL $PASTA 2>/dev/null"
	kill -KILL "$CPID"
	wait "$CPID" || true
	# nobody can reap it for cordon: it must end by itself (its parent-death signal)
	wait_until 5 no_pasta_of_mark || fail "pasta $PASTA outlived a killed cordon"
}

test_pasta_ends_on_setup_failure() {
	new_mark
	run_cordon --net-pasta --net-pasta-args "--ns-ifname $MARK" "${T_SYS[@]}" \
		--chdir /nonexistent -- /bin/true
	expect_error 1 "cordon: --chdir /nonexistent: No such file or directory"
	no_pasta_of_mark || fail "pasta still runs after a failed setup: $(pasta_of_mark)"
}

test_pasta_bad_input() {
	run_cordon --net-pasta --net-pasta-args "-t 80 --netns /x" "${T_SYS[@]}" -- /bin/true
	expect_error 1 "cordon: --net-pasta-args -t 80 --netns /x: --netns: cordon sets --netns itself"
	run_cordon --net-pasta --net-pasta-args "-qf" "${T_SYS[@]}" -- /bin/true
	expect_error 1 "cordon: --net-pasta-args -qf: -qf: cordon sets --foreground itself"
	run_cordon --net-pasta --net-pasta-args "--pid=/tmp/x" "${T_SYS[@]}" -- /bin/true
	expect_error 1 "cordon: --net-pasta-args --pid=/tmp/x: --pid=/tmp/x: cordon sets --pid itself"
	run_cordon --net-pasta --net-pasta-args " " "${T_SYS[@]}" -- /bin/true
	expect_error 1 "cordon: --net-pasta-args ' ': no pasta options given"
	run_cordon --net-pasta --net-pasta-args
	expect_error 1 "cordon: --net-pasta-args takes an argument"
	run_cordon --net-pasta-args "-t 80" "${T_SYS[@]}" -- /bin/true
	expect_error 1 "cordon: --net-pasta-args: requires --net-pasta"
	run_cordon --net-pasta --share-net "${T_SYS[@]}" -- /bin/true
	expect_error 1 "cordon: --net-pasta: needs a new network namespace, but a later --share-net (or \"namespaces\": {\"net\": false}) dropped it"
	# pasta's own complaint, without its usage text and syslog noise
	run_cordon --net-pasta --net-pasta-args "-t 99999" "${T_SYS[@]}" -- /bin/true
	expect_error 1 "cordon: --net-pasta: pasta: Invalid port specifier 99999"
	run_cordon --net-pasta --net-pasta-args "--no-such-pasta-option" "${T_SYS[@]}" -- /bin/true
	expect_error 1 "cordon: --net-pasta: pasta: unrecognized option '--no-such-pasta-option'"
}

test_pasta_not_installed() {
	RC=0
	env PATH=/nonexistent "$CORDON" "${T_NS[@]}" --net-pasta "${T_SYS[@]}" -- /bin/true \
		>"$T_TMP/o" 2>"$T_TMP/e" </dev/null || RC=$?
	ERR=$(cat "$T_TMP/e")
	expect_error 1 "cordon: --net-pasta: pasta not found (install the passt package)"
}

test_pasta_policy() {
	run_raw "$CORDON" --net-pasta --net-pasta-args "-t 127.0.0.1/8080" --print-policy -- /bin/true
	expect_ok
	echo "$OUT" >"$T_TMP/p.json"
	assert_eq "pasta" "$(json_get "$T_TMP/p.json" 'd[0]["net"]')" '"net"'
	assert_eq "['-t', '127.0.0.1/8080']" "$(json_get "$T_TMP/p.json" 'd[0]["net-pasta-args"]')" \
		'"net-pasta-args"'
	assert_eq "True" "$(json_get "$T_TMP/p.json" 'd[0]["namespaces"]["net"]')" "namespaces.net"
	# the exact round trip
	run_raw "$CORDON" --policy "$T_TMP/p.json" --print-policy
	expect_ok "$(cat "$T_TMP/p.json")"
	# without --net-pasta there is no "net" key
	run_raw "$CORDON" --unshare-net --print-policy -- /bin/true
	expect_ok
	assert_not_contains '"net": "' "$OUT"
	# "net" overrides "namespaces"."net"; "host" and "loopback" turn pasta off
	printf '{"version": 1, "namespaces": {"net": false}, "net": "pasta"}' >"$T_TMP/a.json"
	run_cordon --policy "$T_TMP/a.json" "${T_SYS[@]}" --proc /proc -- /bin/cat /proc/net/route
	expect_ok
	assert_match $'\n''[a-z0-9]+[[:space:]]+00000000[[:space:]]' "$OUT" "a default route"
	printf '{"version": 1, "net": "loopback"}' >"$T_TMP/b.json"
	run_raw "$CORDON" --net-pasta --policy "$T_TMP/b.json" --print-policy -- /bin/true
	expect_ok
	assert_not_contains '"net": "' "$OUT"
	assert_eq "True" "$(echo "$OUT" >"$T_TMP/c.json"; json_get "$T_TMP/c.json" 'd[0]["namespaces"]["net"]')"
	printf '{"version": 1, "net": "host"}' >"$T_TMP/b.json"
	run_raw "$CORDON" --net-pasta --policy "$T_TMP/b.json" --print-policy -- /bin/true
	expect_ok
	assert_eq "False" "$(echo "$OUT" >"$T_TMP/c.json"; json_get "$T_TMP/c.json" 'd[0]["namespaces"]["net"]')"
	# bad values
	printf '{"version": 1, "net": "slirp"}' >"$T_TMP/d.json"
	run_raw "$CORDON" --policy "$T_TMP/d.json" -- /bin/true
	expect_error 1 "cordon: $T_TMP/d.json: net: slirp: expected \"host\", \"loopback\" or \"pasta\""
	printf '{"version": 1, "net": true}' >"$T_TMP/d.json"
	run_raw "$CORDON" --policy "$T_TMP/d.json" -- /bin/true
	expect_error 1 "cordon: $T_TMP/d.json: net: expected a string"
	printf '{"version": 1, "net": "pasta", "net-pasta-args": ["-t", "80", "--userns"]}' >"$T_TMP/d.json"
	run_raw "$CORDON" --policy "$T_TMP/d.json" -- /bin/true
	expect_error 1 "cordon: $T_TMP/d.json: net-pasta-args[2]: --userns: cordon sets --userns itself"
	printf '{"version": 1, "net": "pasta", "net-pasta-args": [""]}' >"$T_TMP/d.json"
	run_raw "$CORDON" --policy "$T_TMP/d.json" -- /bin/true
	expect_error 1 "cordon: $T_TMP/d.json: net-pasta-args[0]: empty argument"
}

run_tests
