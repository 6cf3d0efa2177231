# shellcheck shell=bash
# tmux helpers for the TUI tests (sourced by tests/tui/*.sh after tests/lib.sh). Every case
# gets its own tmux server (socket in $T_TMP), killed when the case ends. Screens are read with
# capture-pane and polled with a timeout: no fixed sleeps.

command -v tmux >/dev/null || fail "tmux is not installed (make deps)"

# tui_start W H CMD...: run CMD in a detached W x H pane. When CMD ends the pane shows
# "[exit=N]" and stays until the case ends.
tui_start() {
	local w=$1 h=$2
	shift 2
	T_SOCK=$(mktemp -u "$T_TMP/tmux.XXXXXX")
	printf '%q ' "$@" >"$T_TMP/cmd"
	on_exit "tmux -S '$T_SOCK' kill-server 2>/dev/null"
	# SHELL: tmux runs the command with it, and uid 65534's login shell is nologin
	SHELL=/bin/sh tmux -S "$T_SOCK" -f /dev/null new-session -d -x "$w" -y "$h" \
		"bash -c '. \"$T_TMP/cmd\"; echo \"[exit=\$?]\"; sleep 600'"
	tmux -S "$T_SOCK" set-option -g status off >/dev/null
	# the pane's size is the window's (no client attached)
	tmux -S "$T_SOCK" resize-window -x "$w" -y "$h" 2>/dev/null || true
}
tui_keys() {
	tmux -S "$T_SOCK" send-keys "$@"
}
# tui_text STRING: type STRING literally
tui_text() {
	tmux -S "$T_SOCK" send-keys -l "$1"
}
tui_screen() {
	tmux -S "$T_SOCK" capture-pane -p
}
# tui_screen_esc: with attributes as escape sequences
tui_screen_esc() {
	tmux -S "$T_SOCK" capture-pane -p -e
}
_tui_has() {
	tui_screen | grep -qE -- "$1"
}
_tui_lacks() {
	! tui_screen | grep -qE -- "$1"
}
# tui_wait REGEX [SECONDS]: until the screen shows a line matching REGEX (ERE)
tui_wait() {
	wait_until "${2:-10}" _tui_has "$1" || {
		tui_screen >&2
		fail "screen never showed /$1/"
	}
}
# tui_wait_gone REGEX [SECONDS]: until no line matches
tui_wait_gone() {
	wait_until "${2:-10}" _tui_lacks "$1" || {
		tui_screen >&2
		fail "screen still shows /$1/"
	}
}
# tui_line N: line N (0-based) of the screen
tui_line() {
	tui_screen | sed -n "$(($1 + 1))p"
}
tui_resize() {
	tmux -S "$T_SOCK" resize-window -x "$1" -y "$2"
}
