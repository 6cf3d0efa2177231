#!/usr/bin/env bash
# Filesystem operations, each shown from inside the sandbox (and on the host where it writes
# through): binds of every kind (read-write, read-only, device, -try, by fd), --remount-ro,
# --proc, --dev (its exact set of nodes), --tmpfs with --perms/--size, --mqueue, --dir (modes
# of new dirs and their parents), --file/--bind-data/--ro-bind-data (content and mode),
# --symlink and --chmod; and for each, bad input (missing source, bad fd, bad mode, a
# destination that cannot be created) with the exact message and exit status 1.
# Scripts run inside the sandbox are single-quoted on purpose (they expand there), and T_TMP
# is set per case by run_tests.
# shellcheck disable=SC2016,SC2031
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

# Shell function for scripts run inside: `mnt_info /t` prints "FSTYPE SUPER-OPTIONS" of the
# last mount at /t, from /proc/self/mountinfo (needs --proc).
MNT_INFO='mnt_info() { sed -n "s|^[^ ]* [^ ]* [^ ]* [^ ]* $1 .* - \([^ ]*\) [^ ]* \(.*\)|\1 \2|p" /proc/self/mountinfo | tail -n 1; }'

# A host directory with one file, for binds.
mk_src() {
	mkdir -p "$T_TMP/src"
	echo host-data >"$T_TMP/src/f"
}
# A read-only bind of an empty dir at /ro, under which nothing can be created.
RO=()
mk_ro() {
	mkdir -p "$T_TMP/empty"
	RO=(--ro-bind "$T_TMP/empty" /ro)
}

test_bind() {
	mk_src
	run_cordon "${T_SYS[@]}" --bind "$T_TMP/src" /d -- /bin/sh -c 'cat /d/f; echo sandbox >/d/new'
	expect_ok host-data
	assert_eq sandbox "$(cat "$T_TMP/src/new")" "file written through the bind"
}

test_bind_bad() {
	run_cordon "${T_SYS[@]}" --bind /nope /x -- /bin/true
	expect_error 1 "cordon: --bind /nope /x: No such file or directory"
	run_cordon "${T_SYS[@]}" --bind "" /x -- /bin/true
	expect_error 1 "cordon: --bind '' /x: empty path"
}

test_bind_try() {
	mk_src
	run_cordon "${T_SYS[@]}" --bind-try /nope /x --bind-try "$T_TMP/src" /d -- \
		/bin/sh -c '[ -e /x ] && echo x-exists; cat /d/f; echo w >/d/new'
	expect_ok host-data
	assert_eq w "$(cat "$T_TMP/src/new")" "file written through the bind"
}

test_bind_try_bad() {
	# only a missing source is skipped; any other error is still an error
	echo x >"$T_TMP/file"
	run_cordon "${T_SYS[@]}" --bind-try "$T_TMP/file/x" /x -- /bin/true
	expect_error 1 "cordon: --bind-try $T_TMP/file/x /x: Not a directory"
}

test_ro_bind() {
	mk_src
	run_cordon "${T_SYS[@]}" --ro-bind "$T_TMP/src" /d -- \
		/bin/sh -c 'cat /d/f; echo x >/d/new; echo x >>/d/f'
	assert_eq 2 "$RC" "exit code"
	assert_eq "host-data" "$(head -n 1 <<<"$OUT")" "read through the bind"
	assert_contains "Read-only file system" "$ERR"
	[ ! -e "$T_TMP/src/new" ] || fail "a file was created through a read-only bind"
	assert_eq host-data "$(cat "$T_TMP/src/f")" "host file"
}

test_ro_bind_bad() {
	run_cordon "${T_SYS[@]}" --ro-bind /nope /x -- /bin/true
	expect_error 1 "cordon: --ro-bind /nope /x: No such file or directory"
}

test_ro_bind_try() {
	mk_src
	run_cordon "${T_SYS[@]}" --ro-bind-try /nope /x --ro-bind-try "$T_TMP/src" /d -- \
		/bin/sh -c '[ -e /x ] && echo x-exists; cat /d/f; touch /d/new 2>&- || echo ro'
	expect_ok "host-data
ro"
}

test_ro_bind_try_bad() {
	echo x >"$T_TMP/file"
	run_cordon "${T_SYS[@]}" --ro-bind-try "$T_TMP/file/x" /x -- /bin/true
	expect_error 1 "cordon: --ro-bind-try $T_TMP/file/x /x: Not a directory"
}

test_dev_bind() {
	# a device node works through --dev-bind, not through --bind (nodev)
	run_cordon "${T_SYS[@]}" --dev-bind /dev/null /null --bind /dev/null /null2 -- \
		/bin/sh -c 'echo x >/null && echo dev-ok; echo x >/null2 || echo nodev'
	assert_eq "dev-ok
nodev" "$OUT" "stdout (stderr: $ERR)"
	assert_contains "Permission denied" "$ERR"
}

test_dev_bind_bad() {
	run_cordon "${T_SYS[@]}" --dev-bind /nope /x -- /bin/true
	expect_error 1 "cordon: --dev-bind /nope /x: No such file or directory"
}

test_dev_bind_try() {
	run_cordon "${T_SYS[@]}" --dev-bind-try /nope /x --dev-bind-try /dev/null /null -- \
		/bin/sh -c '[ -e /x ] && echo x-exists; echo x >/null && echo dev-ok'
	expect_ok dev-ok
}

test_dev_bind_try_bad() {
	echo x >"$T_TMP/file"
	run_cordon "${T_SYS[@]}" --dev-bind-try "$T_TMP/file/x" /x -- /bin/true
	expect_error 1 "cordon: --dev-bind-try $T_TMP/file/x /x: Not a directory"
}

test_bind_fd() {
	mk_src
	run_cordon "${T_SYS[@]}" --bind-fd 5 /d -- /bin/sh -c 'cat /d/f; echo w >/d/new' 5<"$T_TMP/src"
	expect_ok host-data
	assert_eq w "$(cat "$T_TMP/src/new")" "file written through the bind"
	# the fd is not passed on to the command
	run_cordon "${T_SYS[@]}" --bind-fd 5 /d --proc /proc -- /bin/sh -c 'ls /proc/self/fd' 5<"$T_TMP/src"
	expect_ok
	! grep -qx 5 <<<"$OUT" || fail "fd 5 is open inside: $OUT"
}

test_bind_fd_bad() {
	run_cordon "${T_SYS[@]}" --bind-fd 55 /d -- /bin/true
	expect_error 1 "cordon: --bind-fd 55 /d: Bad file descriptor"
	run_cordon "${T_SYS[@]}" --bind-fd abc /d -- /bin/true
	expect_error 1 "cordon: --bind-fd abc /d: not a number"
}

test_ro_bind_fd() {
	mk_src
	run_cordon "${T_SYS[@]}" --ro-bind-fd 5 /d -- \
		/bin/sh -c 'cat /d/f; touch /d/new 2>&- || echo ro' 5<"$T_TMP/src"
	expect_ok "host-data
ro"
	[ ! -e "$T_TMP/src/new" ] || fail "written through --ro-bind-fd"
}

test_ro_bind_fd_bad() {
	run_cordon "${T_SYS[@]}" --ro-bind-fd 55 /d -- /bin/true
	expect_error 1 "cordon: --ro-bind-fd 55 /d: Bad file descriptor"
}

test_remount_ro() {
	mk_src
	run_cordon "${T_SYS[@]}" --bind "$T_TMP/src" /d --remount-ro /d -- \
		/bin/sh -c 'cat /d/f; echo x 2>&- >/d/new || echo ro'
	expect_ok "host-data
ro"
	[ ! -e "$T_TMP/src/new" ] || fail "written after --remount-ro"
	# it applies in order: a bind made after it is writable
	run_cordon "${T_SYS[@]}" --tmpfs /t --remount-ro /t --bind "$T_TMP/src" /t2 -- \
		/bin/sh -c 'touch /t/x 2>&- || echo t-ro; touch /t2/x && echo t2-rw'
	expect_ok "t-ro
t2-rw"
	# not recursive: a mount below the remounted one stays writable
	run_cordon "${T_SYS[@]}" --tmpfs /t --tmpfs /t/sub --remount-ro /t -- \
		/bin/sh -c 'touch /t/x 2>&- || echo t-ro; touch /t/sub/x && echo sub-rw'
	expect_ok "t-ro
sub-rw"
}

test_remount_ro_bad() {
	run_cordon "${T_SYS[@]}" --remount-ro /nope -- /bin/true
	expect_error 1 "cordon: --remount-ro /nope: No such file or directory"
}

test_proc() {
	run_cordon --unshare-pid "${T_SYS[@]}" --proc /proc -- \
		/bin/sh -c "$MNT_INFO"'; mnt_info /proc | cut -d" " -f1; cat /proc/1/comm'
	expect_ok
	assert_eq proc "$(head -n 1 <<<"$OUT")" "fs type at /proc"
	# pid 1 is cordon's reaper (or bwrap's)
	assert_eq "$(basename "$(readlink -f "$CORDON")" | cut -c1-15)" "$(tail -n 1 <<<"$OUT")" "pid 1"
}

test_proc_bad() {
	mk_ro
	run_cordon "${T_SYS[@]}" "${RO[@]}" --proc /ro/proc -- /bin/true
	expect_error 1 "cordon: --proc /ro/proc: destination: Read-only file system"
}

test_dev() {
	run_cordon "${T_SYS[@]}" --dev /dev -- /bin/sh -c '
		ls -A /dev | tr "\n" " "; echo
		readlink /dev/fd /dev/ptmx /dev/stdin
		echo x >/dev/null && head -c 4 /dev/zero | od -An -tx1 | tr -d " "
		head -c 8 /dev/urandom | wc -c
		echo x >/dev/full 2>/dev/null || echo full'
	expect_ok "core fd full null ptmx pts random shm stderr stdin stdout tty urandom zero 
/proc/self/fd
pts/ptmx
/proc/self/fd/0
00000000
8
full"
}

test_dev_bad() {
	mk_ro
	run_cordon "${T_SYS[@]}" "${RO[@]}" --dev /ro/dev -- /bin/true
	expect_error 1 "cordon: --dev /ro/dev: destination: Read-only file system"
}

test_tmpfs() {
	run_cordon "${T_SYS[@]}" --proc /proc --tmpfs /t --perms 0700 --tmpfs /p --tmpfs /q -- /bin/sh -c "$MNT_INFO"'
		mnt_info /t | cut -d" " -f1
		stat -c "%a" /t /p /q; echo x >/t/f && cat /t/f'
	expect_ok "tmpfs
755
700
755
x"
}

test_tmpfs_bad() {
	mk_ro
	run_cordon "${T_SYS[@]}" "${RO[@]}" --tmpfs /ro/t -- /bin/true
	expect_error 1 "cordon: --tmpfs /ro/t: destination: Read-only file system"
}

test_size() {
	run_cordon "${T_SYS[@]}" --proc /proc --dev /dev --size 1048576 --tmpfs /t --tmpfs /u -- /bin/sh -c "$MNT_INFO"'
		mnt_info /t | grep -o "size=[0-9]*k"
		head -c 2000000 /dev/zero >/t/big 2>/dev/null || echo full
		head -c 2000000 /dev/zero >/u/big && echo u-ok'
	expect_ok "size=1024k
full
u-ok"
	# --perms and --size combine, in either order
	run_cordon "${T_SYS[@]}" --proc /proc --perms 0700 --size 2097152 --tmpfs /a --size 4194304 \
		--perms 0750 --tmpfs /b -- /bin/sh -c "$MNT_INFO"'
		stat -c %a /a /b; mnt_info /a | grep -o "size=[0-9]*k"; mnt_info /b | grep -o "size=[0-9]*k"'
	expect_ok "700
750
size=2048k
size=4096k"
}

test_size_bad() {
	run_cordon "${T_SYS[@]}" --size abc --tmpfs /t -- /bin/true
	expect_error 1 "cordon: --size abc: not a number"
	run_cordon "${T_SYS[@]}" --size 0 --tmpfs /t -- /bin/true
	expect_error 1 "cordon: --size 0: must be a non-zero number of bytes"
	run_cordon "${T_SYS[@]}" --size 4096 --dir /t -- /bin/true
	expect_error 1 "cordon: --size 4096: must be followed by --tmpfs, not --dir"
}

test_perms_bad() {
	run_cordon "${T_SYS[@]}" --perms 999 --tmpfs /t -- /bin/true
	expect_error 1 "cordon: --perms 999: not an octal mode"
	run_cordon "${T_SYS[@]}" --perms 17777 --tmpfs /t -- /bin/true
	expect_error 1 "cordon: --perms 17777: not an octal mode"
	run_cordon "${T_SYS[@]}" --perms 0700 --bind /usr /x -- /bin/true
	expect_error 1 "cordon: --perms 0700: must be followed by --tmpfs, --dir, --file, --bind-data or --ro-bind-data, not --bind"
}

test_mqueue() {
	run_cordon --unshare-ipc "${T_SYS[@]}" --proc /proc --mqueue /mq -- \
		/bin/sh -c "$MNT_INFO"'; mnt_info /mq | cut -d" " -f1'
	expect_ok mqueue
}

test_mqueue_bad() {
	mk_ro
	run_cordon --unshare-ipc "${T_SYS[@]}" "${RO[@]}" --mqueue /ro/mq -- /bin/true
	expect_error 1 "cordon: --mqueue /ro/mq: destination: Read-only file system"
}

test_dir() {
	run_cordon "${T_SYS[@]}" --dir /a/b/c --perms 0700 --dir /q/r --perms 0750 --dir /s/t \
		--perms 0700 --dir /usr -- /bin/sh -c 'stat -c "%n %a" /a /a/b /a/b/c /q /q/r /s /s/t /usr'
	expect_ok "/a 755
/a/b 755
/a/b/c 755
/q 700
/q/r 700
/s 750
/s/t 750
/usr 755"
}

test_dir_bad() {
	mk_ro
	run_cordon "${T_SYS[@]}" "${RO[@]}" --dir /ro/new -- /bin/true
	expect_error 1 "cordon: --dir /ro/new: Read-only file system"
	echo x >"$T_TMP/file"
	run_cordon "${T_SYS[@]}" --ro-bind "$T_TMP/file" /file --dir /file/sub -- /bin/true
	expect_error 1 "cordon: --dir /file/sub: Not a directory"
}

test_file() {
	printf 'line1\nline2\n' >"$T_TMP/content"
	run_cordon "${T_SYS[@]}" --file 5 /etc/f --perms 0640 --file 6 /g -- \
		/bin/sh -c 'cat /etc/f; stat -c "%a" /etc/f /g; cat /g; echo more >>/etc/f && echo rw' \
		5<"$T_TMP/content" 6<"$T_TMP/content"
	expect_ok "line1
line2
666
640
line1
line2
rw"
}

test_file_bad() {
	run_cordon "${T_SYS[@]}" --file 55 /f -- /bin/true
	expect_error 1 "cordon: --file 55 /f: Bad file descriptor"
	run_cordon "${T_SYS[@]}" --file abc /f -- /bin/true
	expect_error 1 "cordon: --file abc /f: not a number"
}

test_bind_data() {
	printf 'data\n' >"$T_TMP/content"
	run_cordon "${T_SYS[@]}" --bind-data 5 /etc/d --perms 0644 --bind-data 6 /e -- \
		/bin/sh -c 'cat /etc/d; stat -c "%a" /etc/d /e; echo more >>/etc/d && cat /etc/d' \
		5<"$T_TMP/content" 6<"$T_TMP/content"
	expect_ok "data
600
644
data
more"
	assert_eq data "$(cat "$T_TMP/content")" "source file on the host"
}

test_bind_data_bad() {
	run_cordon "${T_SYS[@]}" --bind-data 55 /f -- /bin/true
	expect_error 1 "cordon: --bind-data 55 /f: Bad file descriptor"
}

test_ro_bind_data() {
	printf 'data\n' >"$T_TMP/content"
	run_cordon "${T_SYS[@]}" --ro-bind-data 5 /etc/d -- \
		/bin/sh -c 'cat /etc/d; stat -c "%a" /etc/d; echo more 2>&- >>/etc/d || echo ro' \
		5<"$T_TMP/content"
	expect_ok "data
600
ro"
}

test_ro_bind_data_bad() {
	run_cordon "${T_SYS[@]}" --ro-bind-data 55 /f -- /bin/true
	expect_error 1 "cordon: --ro-bind-data 55 /f: Bad file descriptor"
}

test_symlink() {
	run_cordon "${T_SYS[@]}" --symlink /target/x /a/b/link --symlink usr/bin /bin -- \
		/bin/sh -c 'readlink /a/b/link; stat -c "%a" /a'
	# the second --symlink usr/bin /bin repeats one T_SYS made: the same link is fine
	expect_ok "/target/x
755"
}

test_symlink_bad() {
	run_cordon "${T_SYS[@]}" --symlink x /usr -- /bin/true
	expect_error 1 "cordon: --symlink x /usr: destination exists and is not a symlink"
	run_cordon "${T_SYS[@]}" --symlink usr/bin /l --symlink other /l -- /bin/true
	expect_error 1 "cordon: --symlink other /l: existing destination is usr/bin"
}

test_chmod() {
	run_cordon "${T_SYS[@]}" --dir /d --chmod 0700 /d --tmpfs /t --chmod 1777 /t -- \
		/bin/sh -c 'stat -c "%a" /d /t'
	expect_ok "700
1777"
}

test_chmod_bad() {
	run_cordon "${T_SYS[@]}" --dir /d --chmod 999 /d -- /bin/true
	expect_error 1 "cordon: --chmod 999 /d: not an octal mode"
	run_cordon "${T_SYS[@]}" --chmod 0755 /nope -- /bin/true
	expect_error 1 "cordon: --chmod 0755 /nope: No such file or directory"
}

run_tests
