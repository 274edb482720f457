#!/bin/sh
# Golden screen dumps (tig's save-display idea): every screen, pane state and
# overlay of the debugger at 80x24 and 160x50, driven through the real binary
# in tmux (tests/tui/lib.sh: TERM=xterm-256color, LANG/LC_ALL=C.UTF-8) and
# compared as text with the files in tests/tui/golden/ (one NAME-COLSxROWS.txt
# per dump).  The other TUI tests check substrings; these catch any change of
# layout, alignment, clipping or wording.
#
#   sh tests/tui/test_golden.sh            compare (run by make test)
#   sh tests/tui/test_golden.sh --update   rewrite the golden files (make golden)
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
		   ! printf '%s\n' "$cur" | grep -qE 'analysing [0-9]|computing'; then
			return 0
		fi
		prev=$cur
		sleep 0.3
		i=$((i + 3))
	done
	return 1
}
# dump SESSION NAME: compare (or with --update write) the screen
dump() {
	f="$GOLD/$2-$size.txt"
	if ! settle "$1"; then
		notok "$2 at $size: the screen settles"
		return
	fi
	masked "$1" >"$TMP/got.txt"
	if [ $update = 1 ]; then
		cp "$TMP/got.txt" "$f"
		ok "$2 at $size: written"
	elif [ ! -f "$f" ]; then
		notok "$2 at $size: golden file missing (sh tests/tui/test_golden.sh --update)"
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

for size in 80x24 160x50; do
	cols=${size%x*}
	rows=${size#*x}
	# ---- one run: the debugger's panes, policies and overlays
	s=main$cols
	start $s "$cols" "$rows" $NOTES -- "$FIX/run-a"
	wait_for $s "line 5" >/dev/null
	wait_re $s "^line 5 +error" >/dev/null
	dump $s main-sample1
	press $s n;                dump $s main-sample2-tail
	press $s r;                dump $s policy-repeat-stop
	press $s o;                dump $s policy-budget
	press $s o;                dump $s policy-near-dup
	press $s o;                dump $s policy-dedup
	press $s o;                dump $s policy-repetition-detection
	press $s o;                dump $s policy-ladder
	press $s o;                dump $s policy-close-prob
	press $s o;                dump $s policy-off
	press $s Home;             dump $s timeline-start
	press $s "]" "]" l;        dump $s timeline-step
	press $s Tab;              dump $s records-focus
	press $s k k;              dump $s records-select
	press $s Tab;              dump $s timeline-focus
	press $s Tab End;          dump $s samples-focus
	press $s "?";              dump $s overlay-help
	press $s "?";
	press $s m;                dump $s overlay-metrics
	press $s m;
	press $s M;                dump $s overlay-histogram
	press $s M;
	press $s O;                dump $s overlay-sweep
	press $s O;
	press $s A;                dump $s overlay-about
	press $s A;
	press $s / d u p;          dump $s filter-prompt
	press $s Enter;            dump $s filter-dup
	press $s / C-u Enter;
	press $s s;                dump $s sort-dups
	press $s s s s s s s s;     # back to id order, the selection at the top (sample 1)
	press $s n n;              dump $s main-hostile
	press $s x;                dump $s export-note
	press $s G;                dump $s main-error
	press $s g t;              dump $s gt-hidden
	keys $s q
	# ---- two runs: the comparison and the diff
	s=cmp$cols
	start $s "$cols" "$rows" $NOTES -- "$FIX/run-a" "$FIX/run-c"
	wait_for $s "Compare 2 runs" >/dev/null
	dump $s compare
	press $s j Space;          dump $s compare-marked
	press $s o o;              dump $s compare-budget
	press $s o o;
	press $s d;                dump $s diff
	press $s j Left;           dump $s diff-side-a
	press $s "?";              dump $s diff-help
	press $s "?";
	press $s Enter;            dump $s diff-opened
	keys $s q
done
# ---- the image at 80x24 (issue 14): z over the lists, label modes, crop;
# and the colours of the zoomed image as SGR (capture-pane -e) per depth
size=80x24
start zoom 80 24 -- "$ROOT/sample_runs/lora-qv-r64"
wait_for zoom "Image 1" >/dev/null 2>&1
wait_for zoom "z image" >/dev/null
dump zoom image-hint
press zoom z;              dump zoom image-zoom
press zoom n n n n n n n n n n; dump zoom image-dense
press zoom L;              dump zoom image-labels-key
press zoom L;              dump zoom image-labels-none
press zoom L Tab k Z;      dump zoom image-crop
keys zoom q
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
