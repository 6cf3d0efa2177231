# shellcheck shell=bash disable=SC2034,SC2054 # variables for the sourcing script; --bounding-set lists
# Shared by tests/enter/*.sh (sourced after tests/lib.sh): start a target process (the
# enter_target helper) plain or in a sandbox, find its host pid, and run cordon-enter.
: "${ENTER:=$T_ROOT/build/cordon-enter}"
[ -x "$ENTER" ] || fail "cordon-enter not built: run make"

# The sandbox wrapper for "ns" targets: new mount/uts/ipc/net/pid namespaces, a pid-ns init
# shell that reaps (so the target is not init), capabilities dropped but one, no_new_privs.
# As root the target runs as uid 1000; unprivileged, a user namespace maps the caller to 0.
ns_wrap() {
	if [ "$T_MODE" = root ]; then
		NS_WRAP=(unshare --mount --uts --ipc --net --pid --fork --mount-proc
			setpriv --reuid 1000 --regid 1000 --clear-groups --inh-caps=-all
			--bounding-set=-all,+net_raw --no-new-privs)
	else
		NS_WRAP=(unshare -Ur --mount --uts --ipc --net --pid --fork --mount-proc
			setpriv --inh-caps=-all --bounding-set=-all,+net_raw --no-new-privs)
	fi
}

# start_target plain|ns|cordon [STDIN] -- ARGS...: start enter_target ARGS, wait until it is ready;
# sets TPID (its host pid) and TOUT (its stdout+stderr file). Killed when the case ends.
start_target() {
	local kind=$1 in=/dev/null h
	shift
	if [ "$1" != -- ]; then
		in=$1
		shift
	fi
	shift
	h=$(need_helper enter_target)
	chmod 0777 "$T_TMP"
	TOUT=$T_TMP/target.out
	if [ "$kind" = cordon ]; then
		# a real sandbox: cordon with every namespace, no capabilities, its own seccomp
		# filter; the helper and the case's temp dir bound at their host paths
		"$CORDON" "${T_SYS[@]}" --unshare-all --proc /proc --dev /dev --cap-drop ALL \
			--ro-bind "$(dirname "$h")" "$(dirname "$h")" --bind "$T_TMP" "$T_TMP" \
			--chdir "$T_TMP" -- /bin/sh -c '"$@" & wait' sh "$h" --ready "$T_TMP/ready" "$@" \
			<"$in" >"$TOUT" 2>&1 &
	elif [ "$kind" = ns ]; then
		ns_wrap
		# the pid-ns init is a shell that waits (and so reaps whatever is re-parented to it)
		"${NS_WRAP[@]}" sh -c '"$@" & wait' sh "$h" --ready "$T_TMP/ready" "$@" \
			<"$in" >"$TOUT" 2>&1 &
	else
		"$h" --ready "$T_TMP/ready" "$@" <"$in" >"$TOUT" 2>&1 &
	fi
	WPID=$!
	kill_later "$WPID"
	wait_until 10 test -e "$T_TMP/ready" || fail "target did not start: $(cat "$TOUT")"
	TPID=$(pgrep -f "^$h --ready $T_TMP/ready" | head -n 1)
	[ -n "$TPID" ] || fail "target pid not found"
	on_exit "kill -KILL $TPID 2>/dev/null"
}

# target_done: wait for the target to finish; sets TRC and TRES (its output).
target_done() {
	TRC=0
	wait_until 20 pid_gone "$TPID" || fail "target did not finish"
	wait "$WPID" || TRC=$?
	TRES=$(cat "$TOUT")
}

# status_field PID NAME: a /proc/PID/status value, whitespace normalised
status_field() {
	awk -v f="$2:" '$1 == f { $1 = ""; sub(/^ /, ""); print }' "/proc/$1/status"
}

# The fields the command prints about itself, to compare with the target's from outside (grep
# and tr only: a sandbox may lack /etc/alternatives, hence awk).
# shellcheck disable=SC2016
SELF_REPORT='for f in Uid Gid CapEff CapPrm CapBnd CapAmb Seccomp Seccomp_filters NoNewPrivs; do
	grep "^$f:" /proc/self/status | tr -s "\t " "  "
done
for n in user mnt pid net ipc uts cgroup; do echo "ns/$n $(readlink /proc/self/ns/$n)"; done
echo "cwd $(pwd)"'

# inside_ids PID uid|gid: the target's ids as its own user namespace sees them (status shows
# them as ours sees them; the map converts).
inside_ids() {
	local field=Uid
	[ "$2" = gid ] && field=Gid
	# shellcheck disable=SC2046
	awk -v ids="$(status_field "$1" $field)" 'BEGIN { n = split(ids, id, " ") }
		{ for (i = 1; i <= n; i++) if (id[i] >= $2 && id[i] < $2 + $3) out[i] = id[i] - $2 + $1 }
		END { s = ""; for (i = 1; i <= n; i++) s = s (i > 1 ? " " : "") out[i]; print s }' \
		"/proc/$1/${2}_map"
}

# expected_report PID: the same lines, for the target, read from outside.
expected_report() {
	local f n
	echo "Uid: $(inside_ids "$1" uid)"
	echo "Gid: $(inside_ids "$1" gid)"
	for f in CapEff CapPrm CapBnd CapAmb Seccomp Seccomp_filters NoNewPrivs; do
		echo "$f: $(status_field "$1" "$f")"
	done
	for n in user mnt pid net ipc uts cgroup; do echo "ns/$n $(readlink "/proc/$1/ns/$n")"; done
}
