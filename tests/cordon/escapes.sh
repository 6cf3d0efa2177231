#!/usr/bin/env bash
# Security tests that attempt an escape and show it fails: keystroke injection (TIOCSTI, also
# with high bits set in the request, and TIOCLINUX) into the caller's real pty, checked by what
# the outer terminal would read; symlinks planted in the new root that point at host paths
# under --dir/--file/--symlink/--tmpfs/--bind destinations; reading host files that were not
# bound (directly and through /proc/*/root); seeing host pids; reaching a host listener with
# --unshare-net (TCP and abstract unix sockets); writing /proc/sysrq-trigger, /proc/sys and
# /proc/1/exe; mounts propagating to the host (mountinfo compared during and after a run);
# inherited fds leaking in; the setup processes being dumpable/ptraceable before exec; and a
# setuid-installed cordon. A control run shows each attack works where nothing stops it.
# Scripts run inside the sandbox are single-quoted on purpose (they expand there), and T_TMP
# is set per case by run_tests.
# shellcheck disable=SC2016,SC2031
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

# --- keystroke injection ----------------------------------------------------------------------

# in_pty CMD...: runs CMD as a session leader whose controlling terminal (and stdio) is a new
# pty in raw mode; prints CMD's output, then "queued N DATA": what the terminal holds unread
# afterwards, i.e. what the caller's shell would read next.
PTY_PY='
import fcntl, os, pty, select, struct, sys, termios, tty
master, slave = pty.openpty()
tty.setraw(slave)
pid = os.fork()
if pid == 0:
    os.setsid()
    fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
    for fd in (0, 1, 2):
        os.dup2(slave, fd)
    os.closerange(3, 256)
    os.execv(sys.argv[1], sys.argv[1:])
out, status = b"", None
while status is None:
    r, _, _ = select.select([master], [], [], 0.05)
    if r:
        out += os.read(master, 4096)
    done, st = os.waitpid(pid, os.WNOHANG)
    if done:
        status = st
while select.select([master], [], [], 0)[0]:
    out += os.read(master, 4096)
queued = struct.unpack("i", fcntl.ioctl(slave, termios.FIONREAD, b"\0\0\0\0"))[0]
data = os.read(slave, queued) if queued else b""
sys.stdout.write(out.decode(errors="replace").replace("\r", ""))
print("exit", os.waitstatus_to_exitcode(status))
print("queued", queued, data.decode(errors="replace"))
'
in_pty() {
	"$PY" -c "$PTY_PY" "$@"
}

test_tiocsti_blocked() {
	local helper
	helper=$(need_helper tiocsti)
	# control: outside a sandbox the injection works (pty is our controlling terminal)
	local ctl
	ctl=$(in_pty "$helper")
	assert_contains "TIOCSTI ok" "$ctl" "control run"
	assert_contains "queued 3 ZZZ" "$ctl" "control run: injected keys"
	local opt out
	for opt in "" --unshare-pid; do
		out=$(in_pty "$CORDON" "${T_NS[@]}" $opt "${T_SYS[@]}" --ro-bind "$helper" /tiocsti -- /tiocsti)
		assert_eq "TIOCSTI EPERM
TIOCSTI-high EPERM
TIOCSTI-high2 EPERM
TIOCLINUX EPERM
TIOCLINUX-high EPERM
exit 0
queued 0 " "$out" "inside cordon $opt"
	done
	# with --new-session the terminal is no longer the controlling one; whichever layer
	# refuses (seccomp or the kernel), no ioctl may succeed and nothing may be queued
	out=$(in_pty "$CORDON" "${T_NS[@]}" --new-session "${T_SYS[@]}" --ro-bind "$helper" /tiocsti -- /tiocsti)
	assert_not_contains " ok" "$out" "inside cordon --new-session"
	assert_contains "queued 0 " "$out" "inside cordon --new-session"
}

# --- symlinks in the new root pointing at host paths ----------------------------------------

# sym_run LINK-TARGET OPS...: in a sandbox where /x is a symlink to
# LINK-TARGET (absolute host-looking path, created inside the sandbox first so a resolver
# that follows it on the host side would find it), OPS create things under /x. Prints the
# sandbox's view of LINK-TARGET.
sym_run() {
	local target=$1
	shift
	run_cordon "${T_SYS[@]}" --dir "$target" --symlink "$target" /x "$@" -- \
		/bin/ls -A "$target" 5<"$T_TMP/content" 6<"$T_TMP/content"
	OUT=$(LC_ALL=C sort <<<"$OUT" | tr '\n' ' ')
}

test_symlink_to_etc_then_dir() {
	local name=cordon-escape-$$ before
	before=$(ls -A /etc)
	echo data >"$T_TMP/content"
	sym_run /etc --dir "/x/$name" --perms 0700 --dir "/x/p-$name" --file 5 "/x/f-$name" \
		--bind-data 6 "/x/b-$name" --symlink t "/x/l-$name" --tmpfs "/x/t-$name"
	expect_ok "$(printf '%s\n' "$name" "p-$name" "f-$name" "b-$name" "l-$name" "t-$name" | LC_ALL=C sort | tr '\n' ' ')"
	assert_eq "$before" "$(ls -A /etc)" "host /etc after the run"
	# without /etc in the sandbox the link dangles there: the --dir fails as in bwrap (a
	# missing parent behind a symlink is not made), and the host is untouched either way
	run_cordon "${T_SYS[@]}" --symlink /etc /x --dir "/x/$name" -- /bin/ls -A /etc
	if [ "$RC" = 0 ]; then
		assert_eq "$name" "$OUT" "/etc inside the sandbox"
	else
		expect_error 1 "cordon: --dir /x/$name: No such file or directory"
	fi
	assert_eq "$before" "$(ls -A /etc)" "host /etc after the run"
}

test_symlink_to_host_dir_then_ops() {
	# the same in a host directory this user can write, so the user run proves it too
	mkdir -p "$T_TMP/hostdir" "$T_TMP/src"
	echo data >"$T_TMP/content"
	sym_run "$T_TMP/hostdir" --dir /x/d --file 5 /x/f --bind-data 6 /x/b --symlink t /x/l \
		--tmpfs /x/t --bind "$T_TMP/src" /x/m
	expect_ok "b d f l m t "
	assert_eq "" "$(ls -A "$T_TMP/hostdir")" "host directory after the run"
	# relative links climbing out of the root stay inside it
	run_cordon "${T_SYS[@]}" --dir "$T_TMP/hostdir" --symlink "../../../../../../..$T_TMP/hostdir" /up \
		--dir /up/d --file 5 /up/f -- /bin/ls -A "$T_TMP/hostdir" 5<"$T_TMP/content"
	expect_ok "d
f"
	assert_eq "" "$(ls -A "$T_TMP/hostdir")" "host directory after the run"
}

test_bind_source_symlink_resolved_on_host() {
	# a symlink as bind source is followed on the host side, where the caller named it
	mkdir -p "$T_TMP/real"
	echo real >"$T_TMP/real/f"
	ln -s "$T_TMP/real" "$T_TMP/link"
	run_cordon "${T_SYS[@]}" --ro-bind "$T_TMP/link" /m -- /bin/cat /m/f
	expect_ok real
	# a symlink source whose target is outside what the caller could name directly still
	# resolves on the host side only (no re-resolution inside the new root)
	ln -s /nonexistent-in-host "$T_TMP/dangling"
	run_cordon "${T_SYS[@]}" --ro-bind "$T_TMP/dangling" /m -- /bin/true
	expect_error 1 "cordon: --ro-bind $T_TMP/dangling /m: No such file or directory"
}

# --- host files that were not bound ---------------------------------------------------------

test_unbound_host_files_unreadable() {
	echo secret >"$T_TMP/secret"
	chmod 0600 "$T_TMP/secret"
	local opt
	for opt in "" --unshare-pid; do
		run_cordon $opt "${T_SYS[@]}" --proc /proc -- /bin/sh -c "
			for p in /etc/shadow /etc/passwd '$T_TMP/secret' /proc/1/root/etc/shadow \
				'/proc/1/root$T_TMP/secret' '/proc/self/root$T_TMP/secret' \
				'/../../..$T_TMP/secret' /proc/1/cwd/etc/shadow; do
				cat \"\$p\" 2>&- && echo \"READ \$p\"
			done; echo done"
		if [ "$T_MODE" = root ] && [ -z "$opt" ]; then
			# root without a pid namespace sees the host's pid 1: /proc/1/root is the host
			# (bwrap behaves the same); only the paths that do not go through /proc count
			assert_not_contains "READ /etc/" "$(grep -v '/proc/1/' <<<"$OUT")" "host files read"
			assert_not_contains "READ $T_TMP" "$OUT" "host files read"
		else
			assert_eq "done" "$OUT" "host files read ($opt)"
		fi
	done
	# the root holds only what was asked for
	run_cordon "${T_SYS[@]}" -- /bin/ls -A /
	expect_ok "$(printf '%s\n' bin lib lib64 sbin usr | sort)"
}

# --- host pids ------------------------------------------------------------------------------

test_host_pids_invisible() {
	sleep 1000 &
	local hp=$!
	kill_later "$hp"
	run_cordon --unshare-pid "${T_SYS[@]}" --proc /proc -- /bin/sh -c "
		kill -0 $hp 2>&- && echo 'host pid $hp visible'
		[ -e /proc/$hp ] && echo '/proc/$hp exists'
		exec ps -eo pid=,comm="
	expect_ok
	assert_eq "1 $(basename "$(readlink -f "$CORDON")" | cut -c1-15)
2 ps" "$(tr -s ' ' <<<"$OUT" | sed 's/^ //')" "processes visible: the reaper and the command"
	# the host still sees its own
	kill -0 "$hp" || fail "host sleeper gone"
}

# --- network --------------------------------------------------------------------------------

LISTENER_PY='
import os, socket, sys, threading
tcp = socket.socket(); tcp.bind(("0.0.0.0", 0)); tcp.listen(8)
ux = socket.socket(socket.AF_UNIX); ux.bind("\0" + sys.argv[2]); ux.listen(8)
def serve(s):
    while True:
        c, _ = s.accept(); c.sendall(b"hello\n"); c.close()
threading.Thread(target=serve, args=(ux,), daemon=True).start()
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(tcp.getsockname()[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
serve(tcp)
'
CONNECT_PY='
import socket, sys
for kind, addr in (("tcp-lo", ("127.0.0.1", int(sys.argv[1]))), ("tcp-host", (sys.argv[2], int(sys.argv[1]))),
                   ("unix-abstract", "\0" + sys.argv[3])):
    s = socket.socket(socket.AF_UNIX if kind.startswith("unix") else socket.AF_INET)
    s.settimeout(5)
    try:
        s.connect(addr)
        print(kind, "connected", s.recv(6).decode().strip())
    except OSError as e:
        print(kind, "failed", e.strerror)
'

test_unshare_net_no_route_to_host() {
	local abstract=cordon-test-$$-$RANDOM
	"$PY" -c "$LISTENER_PY" "$T_TMP/port" "$abstract" &
	kill_later $!
	wait_until 10 file_has_content "$T_TMP/port" || fail "listener did not start"
	local port host_ip
	port=$(cat "$T_TMP/port")
	host_ip=$(PATH=$PATH:/usr/sbin:/sbin ip -4 -o addr show scope global | awk '{print $4}' | cut -d/ -f1 | head -n 1)
	local host_err="Network is unreachable"
	# a host with no global address: the loopback is all there is to try
	[ -n "$host_ip" ] || { host_ip=127.0.0.1; host_err="Connection refused"; }
	# control: without --unshare-net everything is reachable from inside
	run_cordon "${T_SYS[@]}" -- "$PY" -c "$CONNECT_PY" "$port" "$host_ip" "$abstract"
	expect_ok "tcp-lo connected hello
tcp-host connected hello
unix-abstract connected hello"
	run_cordon --unshare-net "${T_SYS[@]}" --proc /proc -- /bin/sh -c \
		'"$0" -c "$1" "$2" "$3" "$4"; tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "' \
		"$PY" "$CONNECT_PY" "$port" "$host_ip" "$abstract"
	expect_ok "tcp-lo failed Connection refused
tcp-host failed $host_err
unix-abstract failed Connection refused
lo"
}
file_has_content() {
	[ -s "$1" ]
}

# --- /proc writes ---------------------------------------------------------------------------

test_proc_writes_fail() {
	local sum
	sum=$(sha256sum <"$(readlink -f "$CORDON")")
	local opt
	for opt in --unshare-user --unshare-net --as-pid-1; do
		run_cordon --unshare-pid "$opt" --unshare-uts "${T_SYS[@]}" --proc /proc -- "$PY" -c '
import os
def attempt(name, fn):
    try:
        fn()
        print(name, "WRITABLE")
    except OSError as e:
        print(name, "denied")
def reopen_exe():
    fd = os.open("/proc/1/exe", os.O_PATH)
    os.close(os.open(f"/proc/self/fd/{fd}", os.O_WRONLY | os.O_APPEND))
def rewrite(path):
    def f():
        with open(path) as r:
            cur = r.read()
        with open(path, "w") as w:
            w.write(cur)
    return f
def sysrq():
    with open("/proc/sysrq-trigger", "w") as w:
        w.write("_")  # not a sysrq command: harmless even if the write went through
attempt("sysrq-trigger", sysrq)
attempt("proc-sys", rewrite("/proc/sys/kernel/sysrq"))
attempt("proc-1-exe", lambda: os.close(os.open("/proc/1/exe", os.O_WRONLY | os.O_APPEND)))
attempt("proc-1-exe-reopen", reopen_exe)
attempt("proc-self-exe", lambda: os.close(os.open("/proc/self/exe", os.O_WRONLY | os.O_APPEND)))
'
		expect_ok "sysrq-trigger denied
proc-sys denied
proc-1-exe denied
proc-1-exe-reopen denied
proc-self-exe denied"
	done
	assert_eq "$sum" "$(sha256sum <"$(readlink -f "$CORDON")")" "cordon binary on the host"
}

# --- mount propagation ----------------------------------------------------------------------

test_mount_propagation() {
	local before
	before=$(cat /proc/self/mountinfo)
	mkdir -p "$T_TMP/src" "$T_TMP/l1" "$T_TMP/l2"
	echo x >"$T_TMP/content"
	local many=(--proc /proc --dev /dev --tmpfs /tmp --bind "$T_TMP/src" /src --ro-bind "$T_TMP" /ro
		--remount-ro /src --dev-bind /dev/null /null --bind-data 5 /data --tmpfs /mnt
		--overlay-src "$T_TMP/l1" --overlay-src "$T_TMP/l2" --ro-overlay /ovl --dir /d --chmod 0700 /d)
	[ "$T_MODE" = root ] && many+=(--mqueue /dev/mqueue)
	run_cordon --unshare-ipc "${T_SYS[@]}" "${many[@]}" --bind "$T_TMP" /s -- /bin/sh -c '
		mount -t tmpfs inner /mnt 2>&-; mount --make-shared /src 2>&-; echo x >/s/ready
		grep -c . /proc/self/mountinfo' 5<"$T_TMP/content"
	expect_ok
	[ "$OUT" -ge 10 ] || fail "the sandbox had only $OUT mounts"
	assert_eq "$before" "$(cat /proc/self/mountinfo)" "host mountinfo after the run"
	# and while a sandbox is up
	rm -f "$T_TMP/ready"
	mkfifo "$T_TMP/go"
	"$CORDON" "${T_NS[@]}" "${T_SYS[@]}" "${many[@]}" --bind "$T_TMP" /s -- /bin/sh -c \
		'echo x >/s/ready; read x </s/go' 5<"$T_TMP/content" </dev/null >/dev/null 2>"$T_TMP/err" &
	local c=$!
	kill_later "$c"
	wait_until 10 file_has_content "$T_TMP/ready" || fail "sandbox did not start: $(cat "$T_TMP/err")"
	assert_eq "$before" "$(cat /proc/self/mountinfo)" "host mountinfo while the sandbox runs"
	exec 7<>"$T_TMP/go"
	echo go >&7
	wait "$c" || fail "sandbox failed: $(cat "$T_TMP/err")"
	exec 7>&-
}

# --- inherited fds --------------------------------------------------------------------------

test_only_named_fds_survive() {
	echo x >"$T_TMP/f"
	echo y >"$T_TMP/g"
	# 5 and 6 are open without close-on-exec, as an unsuspecting caller's would be
	exec 5<"$T_TMP/f" 6>>"$T_TMP/g" 7<"$T_TMP/f"
	# no pipeline inside: the shell would hold its pipe fds while ls runs
	run_cordon "${T_SYS[@]}" --proc /proc --sync-fd 7 -- /bin/sh -c 'ls /proc/$$/fd'
	expect_ok
	assert_eq "0 1 2 7 " "$(sort -n <<<"$OUT" | tr '\n' ' ')" "fds of the command"
	# the reaper (pid 1) holds none of them either
	# (as a user /proc/1/fd may be closed to the command altogether: that is fine too)
	run_cordon --unshare-pid "${T_SYS[@]}" --proc /proc -- /bin/sh -c 'ls /proc/$$/fd; ls /proc/1/fd 2>&-; true'
	assert_eq 0 "$RC" "exit code (stderr: $ERR)"
	OUT=$(grep -v : <<<"$OUT" | sort -nu | tr '\n' ' ')
	assert_not_contains " 5 " " $OUT" "fds in the sandbox"
	assert_not_contains " 6 " " $OUT" "fds in the sandbox"
	exec 5<&- 6>&- 7<&-
}

# --- dumpable / ptraceable before exec --------------------------------------------------------

# Holds the sandbox before exec with --block-fd, then checks every process of the sandbox from
# an unprivileged observer of the same uid: /proc/PID/status owned by root means not dumpable, and
# PTRACE_ATTACH must fail. As root the sandbox is started as uid 65534 too: a root observer
# could ptrace anything, so only the unprivileged view shows the property.
DUMP_PY='
import ctypes, json, os, select, subprocess, sys, time
libc = ctypes.CDLL(None, use_errno=True)
blk_r, blk_w = os.pipe(); info_r, info_w = os.pipe()
argv = [{"BLOCKFD": str(blk_r), "INFOFD": str(info_w)}.get(a, a) for a in sys.argv[1:]]
p = subprocess.Popen(argv, pass_fds=(blk_r, info_w), stdin=subprocess.DEVNULL,
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
os.close(blk_r); os.close(info_w)
pids = []
try:
    buf = b""
    while True:
        r, _, _ = select.select([info_r], [], [], 10)
        chunk = os.read(info_r, 4096) if r else b""
        if not chunk:
            print("no-info", p.poll(), p.stderr.read().decode()); sys.exit(1)
        buf += chunk
        try:
            info = json.loads(buf); break
        except ValueError:
            pass
    todo = [info["child-pid"]]
    while todo:
        q = todo.pop()
        pids.append(q)
        try:
            kids = open(f"/proc/{q}/task/{q}/children").read().split()
        except OSError:
            kids = []
        todo += [int(k) for k in kids]
    for q in pids:
        # the /proc/PID directory always shows the euid; the files in it show root when the
        # process is not dumpable
        owner = os.stat(f"/proc/{q}/status").st_uid
        comm = open(f"/proc/{q}/comm").read().strip()
        rc = libc.ptrace(16, q, None, None)  # PTRACE_ATTACH
        err = ctypes.get_errno()
        if rc == 0:
            os.waitpid(q, 0); libc.ptrace(17, q, None, None)  # PTRACE_DETACH
        try:
            open(f"/proc/{q}/environ", "rb").read()
            env = "readable"
        except OSError as e:
            env = "denied"
        print(comm, "owner", owner, "environ", env, "ptrace", "ok" if rc == 0 else os.strerror(err))
    os.write(blk_w, b"x")
    print("rc", p.wait(timeout=20))
finally:
    if p.poll() is None:
        p.kill(); p.wait()
'
test_setup_not_dumpable_before_exec() {
	local run=() ns=("${T_NS[@]}")
	if [ "$T_MODE" = root ]; then
		chmod 0755 "$T_TMP"
		run=(setpriv --reuid=65534 --regid=65534 --clear-groups)
		ns=(--unshare-user)
	fi
	local opt out
	for opt in "" --unshare-pid; do
		out=$("${run[@]}" "$PY" -c "$DUMP_PY" "$CORDON" "${ns[@]}" $opt "${T_SYS[@]}" \
			--block-fd BLOCKFD --info-fd INFOFD -- /bin/true 2>&1) || true
		echo "$out"
		local procs
		procs=$(grep -c ' owner ' <<<"$out") || true
		[ "$procs" -ge 1 ] || fail "no sandbox process seen ($opt): $out"
		assert_eq "$procs" "$(grep -c ' environ denied ptrace Operation not permitted$' <<<"$out")" \
			"processes not ptraceable, environment not readable ($opt)"
		# /proc/PID/* of a non-dumpable process belong to root, not to the caller
		assert_eq "$procs" "$(grep -c ' owner 0 ' <<<"$out")" "processes not dumpable ($opt)"
		assert_contains "rc 0" "$out" "sandbox ran after the block ($opt)"
	done
}

# --- setuid -------------------------------------------------------------------------------------

test_refuses_setuid() {
	if [ "$T_MODE" != root ]; then
		# an unprivileged user cannot make a setuid-root copy; the installed one must not be
		if [ -u "$CORDON" ] || [ -g "$CORDON" ]; then fail "$CORDON is setuid/setgid"; fi
		return 0
	fi
	chmod 0755 "$T_TMP"
	cp "$CORDON" "$T_TMP/cordon-suid"
	chmod 4755 "$T_TMP/cordon-suid"
	run_raw setpriv --reuid=65534 --regid=65534 --clear-groups "$T_TMP/cordon-suid" \
		--unshare-user "${T_SYS[@]}" -- /bin/true
	expect_error 1 "cordon: refusing to run setuid or setgid: use user namespaces"
}

run_tests
