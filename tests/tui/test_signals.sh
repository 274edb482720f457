#!/bin/sh
# Terminal robustness of the interactive debugger, in a private tmux server
# (tmux -u -L signals-PID): SIGTERM, SIGHUP and SIGINT restore the terminal
# (alternate screen left, cursor visible, keypad and mouse modes off, the
# shell's next output visible) with exit status 128+N; the terminal going
# away (pane killed: an ssh drop) ends the process, also when SIGHUP is
# blocked so that only the closed tty tells it (no busy loop on a dead
# terminal); a storm of 20 resizes without pauses doesn't crash it; 10x5
# shows the "too small" screen and the normal view comes back; not a
# terminal -> an error, no hang; inputs are only read (checksums unchanged,
# read-only files work).
# Prints "ok N - ..." / "not ok N - ..."; exits non-zero when a check failed.
BUILD=${BUILD:-build}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${BIN:-$ROOT/$BUILD/tailscope}
SOCK="signals-$$"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/tailscope-signals.XXXXXX")
n=0
fails=0
ok() { n=$((n + 1)); printf 'ok %d - %s\n' "$n" "$1"; }
notok() { n=$((n + 1)); printf 'not ok %d - %s\n' "$n" "$1"; fails=$((fails + 1)); }
check() { d=$1; shift; if "$@"; then ok "$d"; else notok "$d"; fi; }

T() { tmux -u -L "$SOCK" -f "$TMP/tmux.conf" "$@"; }
cleanup() {
	for p in $LEFT_PIDS; do kill -KILL "$p" 2>/dev/null; done
	tmux -u -L "$SOCK" kill-server >/dev/null 2>&1
	chmod -R u+w "$TMP" 2>/dev/null
	rm -rf "$TMP"
}
LEFT_PIDS=""
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

if ! command -v tmux >/dev/null 2>&1; then
	echo "# tmux not installed: terminal robustness tests skipped (make test installs it)"
	exit 0
fi
if [ ! -x "$BIN" ]; then
	notok "binary $BIN exists (run make first)"
	exit 1
fi
printf 'set -g remain-on-exit on\nset -g status off\nset -g history-limit 2000\nset -g exit-empty off\n' >"$TMP/tmux.conf"

# the fixture, copied and made read-only: the program must only read it
RUN="$TMP/run"
cp -R "$ROOT/tests/data/hostile/run" "$RUN"
chmod -R a-w "$RUN"
sums() { (cd "$RUN" && cat run.json gt.json traces.jsonl images/img1.png | cksum); }
SUM0=$(sums)

ENVS="TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8"
# start NAME COLS ROWS [PREFIX]: an interactive shell in a new session types
# "PREFIX tailscope RUN; echo EXIT=$?" (PREFIX: a command that execs its
# arguments); the shell stays, so its prompt and output show after the exit.
start() {
	T new-session -d -s "$1" -x "$2" -y "$3" -c "$TMP" "env -u ENV PS1='$ ' sh -i"
	T send-keys -t "$1" "env $ENVS ${4:-} '$BIN' '$RUN'; echo EXIT=\$?" Enter
}
# shell_back NAME: the shell answers again after the program ended
shell_back() {
	T send-keys -t "$1" 'echo "shell ok $((6 * 7))"' Enter
	wait_for "$1" "shell ok 42"
}
screen() { T capture-pane -p -t "$1"; }
hist() { T capture-pane -p -S - -t "$1"; }
wait_for() {
	i=0
	while [ $i -lt "${3:-50}" ]; do
		if screen "$1" 2>/dev/null | grep -qF -- "$2"; then return 0; fi
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
see() {
	if wait_for "$1" "$3"; then ok "$2"; else
		notok "$2"
		screen "$1" | sed 's/^/#   /'
	fi
}
# exit_is NAME STATUS: the pane's shell printed EXIT=STATUS
exit_is() {
	i=0
	while [ $i -lt 50 ]; do
		if hist "$1" 2>/dev/null | grep -qF "EXIT=$2"; then return 0; fi
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
flag() { T display -p -t "$1" "#{$2}"; }
# restored NAME: alternate screen off, cursor visible, keypad/mouse modes off
restored() {
	got="$(flag "$1" alternate_on)$(flag "$1" cursor_flag)$(flag "$1" keypad_flag)$(flag "$1" keypad_cursor_flag)$(flag "$1" mouse_any_flag)"
	[ "$got" = 01000 ] && return 0
	echo "# $1: alternate_on cursor_flag keypad_flag keypad_cursor_flag mouse_any_flag = $got (want 01000)"
	return 1
}
# pid of the program: the child of the pane's shell (from /proc)
child_pid() {
	sh_pid=$(T display -p -t "$1" '#{pane_pid}')
	i=0
	while [ $i -lt 30 ]; do
		for f in /proc/[0-9]*/stat; do
			# shellcheck disable=SC2046
			set -- $(cat "$f" 2>/dev/null)
			[ "${4:-}" = "$sh_pid" ] && { echo "$1"; return 0; }
		done
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
gone() { # gone PID [tenths]: the process ended
	i=0
	while [ $i -lt "${2:-30}" ]; do
		[ -d "/proc/$1" ] || return 0
		# a zombie has ended too
		grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
cpu_ticks() { # utime+stime of PID
	# shellcheck disable=SC2046
	set -- $(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null)
	echo $((${12:-0} + ${13:-0}))
}

# ------------------------------------------------------- quit signals
for sig in TERM HUP INT; do
	case $sig in TERM) num=15 ;; HUP) num=1 ;; INT) num=2 ;; esac
	s="sig$sig"
	start "$s" 120 40
	see "$s" "SIG$sig: TUI up" "Samples 7"
	pid=$(child_pid "$s")
	kill -"$sig" "$pid" 2>/dev/null
	check "SIG$sig: exits with status $((128 + num))" exit_is "$s" $((128 + num))
	check "SIG$sig: terminal restored (alternate screen left, cursor visible, keypad/mouse off)" restored "$s"
	check "SIG$sig: the shell is back and answers" shell_back "$s"
done

# ----------------------------------------------- terminal goes away
start drop 120 40
see drop "ssh drop: TUI up" "Samples 7"
pid=$(child_pid drop)
T kill-session -t drop
if gone "$pid" 30; then ok "ssh drop (pane killed): the process ends"; else
	notok "ssh drop (pane killed): the process still runs"
	LEFT_PIDS="$LEFT_PIDS $pid"
fi

# SIGHUP blocked: only the closed tty says the terminal is gone
if command -v perl >/dev/null 2>&1 && perl -MPOSIX -e 1 2>/dev/null; then
	start drop2 120 40 "perl -MPOSIX -e 'sigprocmask(SIG_BLOCK, POSIX::SigSet->new(SIGHUP)); exec @ARGV or die'"
	see drop2 "closed tty, SIGHUP blocked: TUI up" "Samples 7"
	pid=$(child_pid drop2)
	T kill-session -t drop2
	if gone "$pid" 30; then ok "closed tty, SIGHUP blocked: the process ends"; else
		c0=$(cpu_ticks "$pid")
		sleep 1
		c1=$(cpu_ticks "$pid")
		notok "closed tty, SIGHUP blocked: the process still runs ($((c1 - c0)) CPU ticks in 1 s)"
		LEFT_PIDS="$LEFT_PIDS $pid"
	fi
else
	echo "# perl POSIX not available: closed-tty check without SIGHUP skipped"
fi

# --------------------------------------------------- resizes
start rs 120 40
see rs "resize storm: TUI up" "Samples 7"
pid=$(child_pid rs)
i=0
while [ $i -lt 20 ]; do
	case $((i % 4)) in
	0) T resize-window -t rs -x 61 -y 17 ;;
	1) T resize-window -t rs -x 200 -y 60 ;;
	2) T resize-window -t rs -x 9 -y 3 ;;
	3) T resize-window -t rs -x 133 -y 41 ;;
	esac
	i=$((i + 1))
done
T resize-window -t rs -x 120 -y 40
check "resize storm (20 resizes): the process is still running" sh -c "[ -d /proc/$pid ] && ! grep -q '^State:.*Z' /proc/$pid/status"
see rs "resize storm: the normal view is drawn at 120x40" "Samples 7"
T resize-window -t rs -x 10 -y 5
see rs "10x5: the too-small screen" "terminal t"
T resize-window -t rs -x 120 -y 40
see rs "back to 120x40: the normal view returns" "Samples 7"
T send-keys -t rs q
check "resize storm: q quits normally (status 0)" exit_is rs 0
check "resize storm: terminal restored" restored rs
check "resize storm: the shell is back and answers" shell_back rs

# starting in a 10x5 terminal
start tiny 10 5
see tiny "started in 10x5: the too-small screen" "terminal t"
T send-keys -t tiny q
check "started in 10x5: q quits (status 0)" exit_is tiny 0

# ------------------------------------------------- not a terminal
(env $ENVS "$BIN" "$RUN" </dev/null >"$TMP/notty.out" 2>"$TMP/notty.err") &
bg=$!
if gone "$bg" 50; then ok "stdout/stdin not a terminal: returns (no hang)"; else
	notok "stdout/stdin not a terminal: still running after 5 s"
	LEFT_PIDS="$LEFT_PIDS $bg"
fi
check "not a terminal: says so on stderr" grep -q "terminal" "$TMP/notty.err"

# --------------------------------------------------- inputs untouched
check "inputs unchanged (read-only files, same checksums)" test "$(sums)" = "$SUM0"
[ "$fails" -eq 0 ]
