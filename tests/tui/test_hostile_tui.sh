#!/bin/sh
# Proof at the terminal for the interactive debugger: the real binary runs in
# a private tmux server (tmux -u -L hostile-PID, 120x40) under script(1), which
# records every byte the program writes to its terminal from the first one
# (curses' own output, the sanitized text, stderr).  The program is walked
# through every sample of the crafted hostile inputs (tests/data/hostile: see
# make_hostile.py there) — replay steps with hostile alternatives, records
# with hostile labels, a missing image with a hostile file name, failed lines
# quoting hostile messages, the metrics and help overlays — and the
# recording is searched for the payloads' distinctive bytes, which curses
# never produces itself (ESC ]52; ESC ]8; ESC [4242 ESC ]0;pwned "pwned" BEL
# "cat" CR "EVILCR" raw U+202E, raw C2 9B, raw 9B "4243", raw U+200B/U+200D/
# U+FEFF, raw FF, C0 AF, ESC ]1337; ESC P+q).  Positive checks read the
# screen (capture-pane) to show the payloads did reach it, as visible
# escapes.  Runs: the hostile run directory, traces without ground truth
# (hostile file names), a copy of the run under a hostile directory name.
# Prints "ok N - ..." / "not ok N - ..."; exits non-zero when a check failed.
BUILD=${BUILD:-build}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${BIN:-$ROOT/$BUILD/tailscope}
D="$ROOT/tests/data/hostile"
SOCK="hostile-$$"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/tailscope-hostile-tui.XXXXXX")
n=0
fails=0
ok() { n=$((n + 1)); printf 'ok %d - %s\n' "$n" "$1"; }
notok() { n=$((n + 1)); printf 'not ok %d - %s\n' "$n" "$1"; fails=$((fails + 1)); }
check() { d=$1; shift; if "$@"; then ok "$d"; else notok "$d"; fi; }
# see NAME DESC TEXT: the screen of session NAME shows TEXT (else it is shown
# as comment lines: plain text from tmux, no escapes)
see() {
	if wait_for "$1" "$3"; then ok "$2"; else
		notok "$2"
		screen "$1" | sed 's/^/#   /'
	fi
}

T() { tmux -u -L "$SOCK" -f "$TMP/tmux.conf" "$@"; }
PANE_PIDS=""
cleanup() {
	# script(1) outlives the tmux server: end it (and the TUI under it) by pid
	for p in $PANE_PIDS; do
		pkids=$(grep -l "^PPid:[[:space:]]*$p\$" /proc/[0-9]*/status 2>/dev/null | cut -d/ -f3)
		kill -TERM "$p" $pkids 2>/dev/null
	done
	tmux -u -L "$SOCK" kill-server >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

for tool in tmux script; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "# $tool not installed: hostile TUI test skipped (make test installs it)"
		exit 0
	fi
done
if [ ! -x "$BIN" ]; then
	notok "binary $BIN exists (run make first)"
	exit 1
fi
printf 'set -g remain-on-exit on\nset -g status off\nset -g history-limit 2000\nset -g exit-empty off\n' >"$TMP/tmux.conf"

# start NAME RUN: the TUI on RUN (a path made by the shell snippet RUN, so
# hostile bytes never pass through tmux's command line) under script(1),
# recording to $TMP/NAME.raw; its exit status goes to $TMP/NAME.status.
start() {
	cat >"$TMP/wrap-$1.sh" <<EOF
env TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 "$BIN" $2
echo \$? >"$TMP/$1.status"
EOF
	T new-session -d -s "$1" -x 120 -y 40 -c "$TMP" \
		"exec script -q -f -c 'sh $TMP/wrap-$1.sh' '$TMP/$1.raw'"
	PANE_PIDS="$PANE_PIDS $(T display -p -t "$1" '#{pane_pid}')"
}
screen() { T capture-pane -p -t "$1"; }
wait_for() {
	i=0
	while [ $i -lt "${3:-50}" ]; do
		if screen "$1" 2>/dev/null | grep -qF -- "$2"; then return 0; fi
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
keys() { _ks=$1; shift; T send-keys -t "$_ks" "$@"; sleep 0.15; }
# see_pane NAME DESC TEXT: TEXT in the rightmost pane (right of the last
# "│"), its lines joined, so where the text wraps doesn't matter
see_pane() {
	i=0
	while [ $i -lt 50 ]; do
		if screen "$1" 2>/dev/null | awk -F'│' 'NF > 1 { sub(/^ /, "", $NF); printf "%s", $NF }' |
			grep -qF -- "$3"; then
			ok "$2"
			return
		fi
		sleep 0.1
		i=$((i + 1))
	done
	notok "$2"
	screen "$1" | sed 's/^/#   /'
}
# exited NAME DESC: the program ended with status 0 (the wrapper wrote it)
exited() {
	i=0
	while [ $i -lt 50 ]; do
		if [ -s "$TMP/$1.status" ]; then
			if [ "$(cat "$TMP/$1.status")" = 0 ]; then ok "$2"; else
				notok "$2 (exit status $(cat "$TMP/$1.status"))"
			fi
			return
		fi
		sleep 0.1
		i=$((i + 1))
	done
	notok "$2 (still running)"
	screen "$1" | sed 's/^/#   /'
}

. "$ROOT/tests/data/hostile/needles.sh"
no_raw() {
	found=$(raw_found "$TMP/$1.raw")
	if [ -z "$found" ]; then ok "$1: no raw payload in the $(wc -c <"$TMP/$1.raw") bytes written to the terminal"
	else notok "$1: raw payload written to the terminal:$found"; fi
}

# ---------------------------------------------------------------- the run
start run "'$D/run'"
see run "run: TUI up (7 samples)" "Samples 7"
check "run: title set by nobody (pane title unchanged)" \
	sh -c "! tmux -u -L $SOCK -f '$TMP/tmux.conf' display -p -t run '#{pane_title}' | grep -q pwned"
see run "run: hostile run name in the status bar, escaped" 'hostile\x1b]0;pwned\x07gpj\u{202E}exe'
see run "run: hostile label on the image, escaped" 'dog\x1b]52;c;SE9TVElMRT'
keys run Home
see run "run: step 1 (hostile prose token) shows escaped" 'Sure\x1b]52;c;SE9TVElMR'
see run "run: step 1 hostile alternatives shown escaped" "'\x1b]8;;https"
keys run l l l
keys run End
keys run Tab
keys run j j j j j
keys run t
keys run m
sleep 0.3
keys run m
keys run "?"
sleep 0.3
keys run "?"
keys run r
keys run e
keys run r
keys run Tab Tab
keys run n
see run "run: sample 2 (hostile image file name)" "sample 2/7"
see run "run: missing hostile image named escaped" 'images/e\x1b]'
see run "run: raw-bytes tokens shown escaped" '\x9b4243A\xff\xfe\xc0\xaf\x1b]52;c;'
keys run Home
keys run l l l l l l l l
keys run End
keys run n
see run "run: sample 3 (hostile file name reference)" "sample 3/7"
keys run Home
keys run l l l
keys run End
keys run n
keys run n
keys run n
see run "run: failed batch line shown" "cannot show this sample"
see_pane run "run: batch error message escaped" 'batch request failed: boom\x1b]52;c;SE9TVElMRTUy\x07\x1b]0;pwned\x07cat\rEVILCR'
keys run n
keys run q
exited run "run: quits"
no_raw run

# ---------------------------------------------------------- no ground truth
start nogt "'$D/nogt.jsonl'"
see nogt "nogt: TUI up (4 samples)" "Samples 4"
see nogt "nogt: hostile file name listed escaped" '\x1b]52'
for _ in 1 2 3 4; do
	keys nogt Home
	keys nogt End
	keys nogt n
done
keys nogt q
exited nogt "nogt: quits"
no_raw nogt

# ------------------------------------------------- hostile directory name
cp -R "$D/run" "$TMP/$(printf 'run\033]52;c;SE9TVElMRTUy\007\342\200\256x')"
start hdir "\"\$(printf '%s/run\\033]52;c;SE9TVElMRTUy\\007\\342\\200\\256x' '$TMP')\""
see hdir "hdir: TUI up on a run under a hostile directory name" "Samples 7"
keys hdir n
keys hdir n
keys hdir q
exited hdir "hdir: quits"
no_raw hdir

[ "$fails" -eq 0 ]
