# tests/tui/lib.sh — the tmux harness shared by the end-to-end TUI tests.
# Source it after setting TUI_TEST (a short name: socket and temp dir) and
# optionally WAIT_TENTHS (how long the wait_* helpers poll, default 200 =
# 20 s: the machine may be shared and slow).  Provides ok/notok/check, T
# (tmux on a private server), start, screen, wait_for/wait_re/wait_gone,
# wait_exit/status_is/wait_hist, alt_off, child_pid, keys; $BIN, $FIX, $TMP,
# $SANENV.  Exits 0 (skip) when tmux is missing.

# The harness reads the screen as UTF-8 whatever locale the caller has (its
# greps match glyphs such as "▸" as one character): the binary's own locale
# is set per test by start() / the test, never inherited.
unset LANG LANGUAGE LC_CTYPE LC_MESSAGES LC_NUMERIC LC_COLLATE
LC_ALL=C.UTF-8
export LC_ALL
WAIT_TENTHS=${WAIT_TENTHS:-200}
BUILD=${BUILD:-build}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN="$ROOT/$BUILD/tailscope"
FIX="$ROOT/tests/data/tui"
SOCK="tailscope-$TUI_TEST-$$"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/tailscope-$TUI_TEST.XXXXXX")
n=0
failed=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; failed=$((failed + 1)); }
check() { d=$1; shift; if "$@"; then ok "$d"; else notok "$d"; fi; }

T() { tmux -u -L "$SOCK" -f "$TMP/tmux.conf" "$@"; }
cleanup() {
	tmux -L "$SOCK" kill-server >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

if ! command -v tmux >/dev/null 2>&1; then
	echo "# tmux not installed: $TUI_TEST tests skipped (make test installs it)"
	exit 0
fi
if [ ! -x "$BIN" ]; then
	notok "binary $BIN exists (run make first)"
	exit 1
fi
printf 'set -g remain-on-exit on\nset -g status off\nset -g exit-empty off\n' >"$TMP/tmux.conf"
# sanitizer builds (BUILD=build-asan): reports go to files checked at the end
# (stderr is captured while curses runs, and UBSan exits without callbacks)
# and a sanitizer build leaves its captured stderr in TMPDIR after a hard exit
mkdir -p "$TMP/tmpdir"
SANENV="TMPDIR=$TMP/tmpdir ASAN_OPTIONS=log_path=$TMP/san-asan UBSAN_OPTIONS=log_path=$TMP/san-ubsan:print_stacktrace=1"

# start NAME COLS ROWS ENV... -- ARGS...: the binary in its own session, cwd $TMP,
# under LANG=LC_ALL=C.UTF-8 unless LOCALE_ENV says otherwise ("" = no locale)
start() {
	name=$1 cols=$2 rows=$3
	shift 3
	envs=""
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do envs="$envs $1"; shift; done
	[ "$1" = "--" ] && shift
	T new-session -d -s "$name" -x "$cols" -y "$rows" -c "$TMP" \
		"trap : INT; env -u LANG -u LANGUAGE -u LC_ALL -u LC_CTYPE TERM=xterm-256color ${LOCALE_ENV-LANG=C.UTF-8 LC_ALL=C.UTF-8} $SANENV $envs $BIN $*; st=\$?; echo EXIT=\$st; exit \$st"
}
screen() { T capture-pane -p -t "$1"; }
# wait_for SESSION FIXED-STRING [tenths]: poll the screen until it shows the string
wait_for() {
	i=0
	lim=${3:-$WAIT_TENTHS}
	while [ $i -lt "$lim" ]; do
		if screen "$1" 2>/dev/null | grep -qF -- "$2"; then return 0; fi
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
wait_re() {
	i=0
	while [ $i -lt "$WAIT_TENTHS" ]; do
		if screen "$1" 2>/dev/null | grep -qE -- "$2"; then return 0; fi
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
wait_gone() {
	i=0
	while [ $i -lt "$WAIT_TENTHS" ]; do
		if ! screen "$1" 2>/dev/null | grep -qF -- "$2"; then return 0; fi
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
# The pane runs "tailscope ...; echo EXIT=$?; exit $?" under tmux's shell:
# EXIT=N is the exit status (the shell traps INT so that Ctrl-C, which
# reaches the whole foreground group, does not end the shell too when it is
# dash).  Searched in the history too (resizes may have scrolled it there).
# tmux can lose a pane's last output when its process ends right after
# writing it, so a dead pane's own exit status (the shell exits with
# tailscope's) counts as well.
wait_exit() {
	i=0
	while [ $i -lt "$WAIT_TENTHS" ]; do
		if T capture-pane -p -S - -t "$1" 2>/dev/null | grep -qF "EXIT="; then return 0; fi
		[ "$(T display -p -t "$1" '#{pane_dead}' 2>/dev/null)" = 1 ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
status_is() {
	i=0
	while [ $i -lt "$WAIT_TENTHS" ]; do
		if T capture-pane -p -S - -t "$1" 2>/dev/null | grep -qF "EXIT=$2"; then return 0; fi
		if [ "$(T display -p -t "$1" '#{pane_dead}' 2>/dev/null)" = 1 ]; then
			# dead: its last output may still be arriving (tmux reads it after
			# it sees the exit); its own status is empty on tmux 3.3a then
			[ "$(T display -p -t "$1" '#{pane_dead_status}')" = "$2" ] && return 0
			j=0
			while [ $j -lt 20 ]; do
				T capture-pane -p -S - -t "$1" 2>/dev/null | grep -qF "EXIT=$2" && return 0
				sleep 0.1
				j=$((j + 1))
			done
			break
		fi
		sleep 0.1
		i=$((i + 1))
	done
	# what the pane shows, for the log (the check's "not ok" follows)
	echo "# $1: pane dead=$(T display -p -t "$1" '#{pane_dead} status=#{pane_dead_status}' 2>/dev/null), last lines:"
	T capture-pane -p -S - -t "$1" 2>/dev/null | grep -v '^$' | tail -n 3 | sed 's/^/#   /'
	return 1
}
wait_hist() {
	i=0
	while [ $i -lt "$WAIT_TENTHS" ]; do
		if T capture-pane -p -S - -t "$1" 2>/dev/null | grep -qF -- "$2"; then return 0; fi
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
alt_off() { [ "$(T display -p -t "$1" '#{alternate_on}')" = 0 ]; }
# pid of tailscope: the child of the pane's shell (from /proc, no procps needed)
child_pid() {
	sh_pid=$(T display -p -t "$1" '#{pane_pid}')
	for f in /proc/[0-9]*/stat; do
		set -- $(cat "$f" 2>/dev/null)
		[ "${4:-}" = "$sh_pid" ] && { echo "$1"; return 0; }
	done
	return 1
}
keys() { _ks=$1; shift; T send-keys -t "$_ks" "$@"; }
# settle_plain SESSION: until two captures 0.3 s apart agree and no
# analysis is in progress (up to WAIT_TENTHS)
settle_plain() {
	_i=0
	_prev=""
	while [ $_i -lt "$WAIT_TENTHS" ]; do
		_cur=$(screen "$1" 2>/dev/null)
		if [ -n "$_cur" ] && [ "$_cur" = "$_prev" ] &&
		   ! printf '%s\n' "$_cur" | grep -qE 'analysing [0-9]|computing|indexing [0-9]|ground truth loading|gt loading'; then
			return 0
		fi
		_prev=$_cur
		sleep 0.3
		_i=$((_i + 3))
	done
	return 1
}
