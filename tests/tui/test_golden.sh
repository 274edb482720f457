#!/bin/sh
# Golden screen dumps through the real terminal (tig's save-display idea).
# Every text screen of tests/tui/golden/ (NAME-COLSxROWS.txt: each pane
# state, overlay, policy, the comparison and the diff at 80x24 and 160x50)
# is rendered headless, in-process, by tests/unit/test_tui_screens.c, which
# also writes them (make golden).  This script keeps the few dumps that need
# the real terminal path: the binary in tmux (tests/tui/lib.sh:
# TERM=xterm-256color, LANG/LC_ALL=C.UTF-8) must show the same text as the
# headless renderer at start-up (one run, two runs), after a resize, after a
# key over the image, when the terminal is too small; and the colours of the
# zoomed image as SGR (capture-pane -e, one .ans per colour depth), which
# only a terminal gives.
#
#   sh tests/tui/test_golden.sh            compare (run by make test)
#   sh tests/tui/test_golden.sh --update   rewrite the .ans files (make golden;
#                                          the .txt files are the headless test's)
#
# Review an update with `git diff tests/tui/golden/`.  Nothing time- or
# path-dependent may reach a dump: each dump waits until the idle analysis is
# over (no "analysing" / "computing" on screen) and the screen is stable, and
# the repository and temp paths are masked as <ROOT> and <TMP>.
# Fixtures: tests/data/tui/run-a and run-c (see test_tui.sh, test_compare.sh).
TUI_TEST=golden
. "$(dirname "$0")/lib.sh"
GOLD="$ROOT/tests/tui/golden"
# status messages stay until the next key (not 5 s): a dump must not depend
# on how long the machine took to settle
NOTES=TAILSCOPE_NOTE_SECONDS=0
update=0
[ "${1:-}" = "--update" ] && update=1
mkdir -p "$GOLD"

# masked SESSION: the screen with paths masked
masked() { screen "$1" | sed -e "s|$TMP|<TMP>|g" -e "s|$ROOT|<ROOT>|g"; }
# settle SESSION: until two captures 0.3 s apart agree and the idle
# analysis is over (up to WAIT_TENTHS)
settle() {
	i=0
	prev=""
	while [ $i -lt "$WAIT_TENTHS" ]; do
		cur=$(masked "$1" 2>/dev/null)
		if [ -n "$cur" ] && [ "$cur" = "$prev" ] &&
		   ! printf '%s\n' "$cur" | grep -qE 'analysing [0-9]|computing|indexing [0-9]|ground truth loading|gt loading'; then
			return 0
		fi
		prev=$cur
		sleep 0.3
		i=$((i + 3))
	done
	return 1
}
# dump SESSION NAME: compare the screen with the headless renderer's text
dump() {
	f="$GOLD/$2-$size.txt"
	if ! settle "$1"; then
		notok "$2 at $size: the screen settles"
		return
	fi
	masked "$1" >"$TMP/got.txt"
	if [ ! -f "$f" ]; then
		notok "$2 at $size: golden file missing (make golden)"
	elif diff -u "$f" "$TMP/got.txt" >"$TMP/diff.txt"; then
		ok "$2 at $size matches tests/tui/golden/$2-$size.txt"
	else
		notok "$2 at $size matches tests/tui/golden/$2-$size.txt"
		sed 's/^/# /' "$TMP/diff.txt" | head -60
	fi
}
# press SESSION KEY... : send the keys, then wait for the screen to change
press() {
	_s=$1
	shift
	before=$(masked "$_s")
	keys "$_s" "$@"
	i=0
	while [ $i -lt 30 ] && [ "$(masked "$_s")" = "$before" ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

# ---- start-up with one run at 80x24, then a resize to 160x50 (SIGWINCH,
# KEY_RESIZE, the layout recomputed)
size=80x24
start main 80 24 $NOTES -- "$FIX/run-a"
wait_for main "line 5" >/dev/null
wait_re main "^line 5 +error" >/dev/null
dump main main-sample1
T resize-window -t main -x 160 -y 50
size=160x50
wait_re main "^line 5 {10,}error" >/dev/null
dump main main-sample1
keys main q
# ---- start-up with two runs: the comparison
size=80x24
start cmp 80 24 $NOTES -- "$FIX/run-a" "$FIX/run-c"
wait_for cmp "Compare 2 runs" >/dev/null
dump cmp compare
keys cmp q
# ---- the image at 80x24 (issue 14): z over the lists, through the terminal
size=80x24
start zoom 80 24 -- "$ROOT/sample_runs/lora-qv-r64"
wait_for zoom "Image 1" >/dev/null 2>&1
wait_for zoom "z image" >/dev/null
press zoom z;              dump zoom image-zoom
keys zoom q
# and the colours of the zoomed image as SGR (capture-pane -e) per depth
# dump_sgr SESSION NAME: the screen with its colours (SGR escapes kept)
dump_sgr() {
	f="$GOLD/$2-$size.ans"
	settle "$1" || { notok "$2 at $size: the screen settles"; return; }
	T capture-pane -e -p -t "$1" | sed -e "s|$TMP|<TMP>|g" -e "s|$ROOT|<ROOT>|g" >"$TMP/got.ans"
	if [ $update = 1 ]; then
		cp "$TMP/got.ans" "$f"
		ok "$2 at $size: written"
	elif cmp -s "$f" "$TMP/got.ans"; then
		ok "$2 at $size matches tests/tui/golden/$2-$size.ans"
	else
		notok "$2 at $size matches tests/tui/golden/$2-$size.ans"
	fi
}
for depth in "256 " "truecolor COLORTERM=truecolor" "8 TERM=xterm"; do
	nm=${depth%% *}
	envs=${depth#* }
	start col$nm 80 24 $envs -- "$ROOT/sample_runs/lora-qv-r64"
	wait_for col$nm "Image 1" >/dev/null 2>&1
	wait_for col$nm "z image" >/dev/null
	press col$nm z
	dump_sgr col$nm image-colour-$nm
	keys col$nm q
done
# ---- too small
size=40x10
start small 40 10 -- "$FIX/run-a"
wait_for small "terminal too small" >/dev/null
dump small too-small
keys small q
sleep 0.3

# BUILD=build-asan: the sanitizers' reports (lib.sh's SANENV)
reports=$(ls "$TMP"/san-* "$TMP"/tmpdir/tailscope-stderr-* 2>/dev/null)
if [ -n "$reports" ]; then
	for f in $reports; do sed 's/^/# /' "$f" | head -40; done
fi
check "no sanitizer report from any run" test -z "$reports"

[ "$failed" -eq 0 ]
