#!/bin/sh
# End-to-end tests of the interactive debugger: the real binary in a
# detached tmux server (no terminal needed on stdin, so this runs in CI).
# Prints one line per check, "ok N - what" or "not ok N - what", and exits
# non-zero when a check failed.  The tmux server is private to this run
# (-L tailscope-test-PID, no config file) and always killed at the end.
#
# Fixture: tests/data/tui/run-a (4 traces + 1 bad line, qwen3 boxes on
# 160x120 images) and run-b (same traces under another run name).
#   sample 1  closed: cat, dog; 24 steps, the list closes at step 24
#   sample 2  repeated tail: person A, person B, then B six more times,
#             truncated (finish_reason length) after 91 steps.  Record 3 (the
#             first duplicate) spans steps 24..34, so repeat-stop stops at
#             step 34 keeping 2 of the 8 records, and "e" lands on step 24.
#   sample 3  hostile: labels "\e]0;pwned\a" and "evil\rcat\u202eexe", a
#             prose token with a raw ESC ] 0 ; pwned BEL CR U+202E
#   sample 4  stopped without closing the list (malformed)
#   line 5    not JSON
TUI_TEST=tui
. "$(dirname "$0")/lib.sh"

# ---------------------------------------------------------------- main run
start main 160 50 -- "$FIX/run-a"
check "first screen shows the samples list" wait_for main "Samples 5"
check "status bar shows repeat-stop: off" wait_for main "repeat-stop: off"
check "status bar shows run name, sample k/n, image and step" \
	wait_for main "tui-fixture │ sample 1/5 │ image 1 │ step 24/24 │ repeat-stop: off │ closed"
check "samples list shows badges (sample 2: 8 records, 6 dups, x7, truncated)" \
	sh -c "tmux -u -L $SOCK capture-pane -p -t main | grep -qE '^2 +8 +6 ×7 +T'"
check "bad JSON line listed as an error, not a crash" wait_for main "line 5            error"
check "P(close) at record boundaries from the alternatives" wait_for main "P(close) after #1 0.050  #2 0.920"

keys main n
check "n: next sample" wait_for main "sample 2/5"
check "tail sample: all 8 records visible at the end of the trace" wait_for main "Records 8/8 shown"
check "records pane marks duplicates with their first index and occurrence" wait_for main "=#2 7/7"
keys main r
check "r: status shows repeat-stop: on" wait_for main "repeat-stop: on"
check "r: visible records drop to the 2 before the stop" wait_for main "Records 2/8 shown"
check "r: the replay ends at the stop step (34)" wait_for main "step 34/34"
check "r: cut line drawn where the stop fires" wait_for main "repeat-stop: cut at step 34"
keys main r
check "r again: repeat-stop: off, cursor back at the end" wait_for main "step 91/91 │ repeat-stop: off"
keys main Left
check "Left: one step back" wait_for main "step 90/91"
keys main Home
check "Home: start of the trace" wait_for main "step 1/91"
keys main l l
check "l l: two steps forward" wait_for main "step 3/91"
keys main "]"
check "]: next record boundary (record 1 completes at step 12)" wait_for main "step 12/91"
keys main "]" "["
check "] then [: back to the previous boundary" wait_for main "step 12/91"
keys main e
check "e: never closed -> first step of the first tail record (24)" wait_for main "step 24/91"
check "e: says where the tail starts" wait_for main "repeated tail starts with record #3"
keys main End
check "End: last step" wait_for main "step 91/91"

# bytes sent to the terminal per replay step while the image is unchanged
# (steps 2..6 are inside record 1: no box appears)
: >"$TMP/bytes"
keys main Home
wait_for main "step 1/91" >/dev/null
T pipe-pane -o -t main "cat >> '$TMP/bytes'"
sleep 0.2
b0=$(wc -c <"$TMP/bytes")
for st in 2 3 4 5 6; do keys main l; wait_for main "step $st/91" >/dev/null; done
sleep 0.2
b1=$(wc -c <"$TMP/bytes")
per_step=$(((b1 - b0) / 5))
echo "# bytes per replay step (image unchanged): $per_step"
check "a replay step writes <= 2048 bytes when the image is unchanged ($per_step)" \
	test "$per_step" -le 2048
b0=$(wc -c <"$TMP/bytes")
keys main p
wait_for main "sample 1/5" >/dev/null
sleep 0.2
b1=$(wc -c <"$TMP/bytes")
echo "# bytes for a sample change: $((b1 - b0))"
T pipe-pane -t main
keys main e
check "e on a closed sample: the step that closes the list (24)" wait_for main "step 24/24"

keys main n n
check "hostile sample shown" wait_for main "sample 3/5"
check "hostile label shown as visible escapes" wait_for main '\x1b]0;pwne'
check "hostile prose token shown as visible escapes" wait_for main 'Sure\x1b]0;pwned\x07\r'
T capture-pane -p -e -t main >"$TMP/hostile.txt"
# tmux's own SGR sequences are the only escapes allowed in the capture
check "hostile sample: no raw control bytes on screen besides SGR" \
	sh -c "sed 's/\x1b\[[0-9;:]*m//g' '$TMP/hostile.txt' | tr -d '\n' | LC_ALL=C grep -q '[[:cntrl:]]' && exit 1 || exit 0"
check "hostile sample: no raw U+202E (bidi override) on screen" \
	sh -c "! grep -q \"\$(printf '\342\200\256')\" '$TMP/hostile.txt'"
check "hostile sample: pane title not changed" \
	sh -c "! tmux -u -L $SOCK display -p -t main '#{pane_title}' | grep -q pwned"

keys main n n
check "failed line: shows the error instead of the sample" wait_for main "cannot show this sample"
keys main g
check "g in the samples list: first sample" wait_for main "sample 1/5"

# sort and filter
keys main s
check "s: sort by duplicates" wait_for main "sort: duplicates"
check "s: the sample with most duplicates moves to the top" \
	sh -c "tmux -u -L $SOCK capture-pane -p -t main | sed -n 3p | grep -qE '^2 +8 +6'"
keys main s s s s s s s
check "s cycles back to id order" wait_for main "Samples 5  sort: id"
keys main / d u p Enter
check "/dup: only samples with duplicates (2 of 5)" wait_for main "Samples 2/5"
keys main / C-u l a b e l : d o g Enter
check "/label:dog: only sample 1" wait_for main "Samples 1/5"
keys main / C-u t r u n c Enter
check "/trunc: only the truncated sample" wait_for main "filter 'trunc': 1 of 5 samples"
keys main / C-u Enter
check "empty filter clears" wait_for main "Samples 5  sort: id"

# panels
keys main m
check "m: metrics panel, run duplicate rate off vs on" wait_for main "duplicate rate"
check "m: run numbers match the report (records 14 vs 7)" \
	sh -c "tmux -u -L $SOCK capture-pane -p -t main | grep -E 'records +14 +7' >/dev/null"
keys main m
check "m again closes the panel" wait_gone main "duplicate rate"
keys main "?"
check "?: help lists this screen's keys first" wait_for main "Keys here (debugger"
keys main Escape
check "Esc closes the help" wait_gone main "Keys here (debugger"
keys main P
check "P: tmux has no pixel graphics -> says so" wait_for main "pixel view: not supported by this terminal"
keys main g j
check "P: keys work after the terminal query" wait_for main "sample 2/5"
keys main g End
wait_for main "sample 1/5 │ image 1 │ step 24/24" >/dev/null
keys main x
check "x: export (the whole list) reports the PNG path" wait_for main "wrote tailscope-tui-fixture-1.png in $TMP"
check "x: the PNG exists in the working directory" \
	sh -c "head -c 8 '$TMP/tailscope-tui-fixture-1.png' | od -c | grep -q 'P   N   G'"
keys main X
check "X: export of the current frame names its step" wait_for main "wrote tailscope-tui-fixture-1-step24.png in $TMP"
check "X: the PNG exists" sh -c "head -c 8 '$TMP/tailscope-tui-fixture-1-step24.png' | od -c | grep -q 'P   N   G'"
keys main Home - - - Space
check "Space: replay plays (three - from the default 65/s)" wait_for main "▶ 10/s"
check "Space: the cursor advances while playing" wait_re main "step ([3-9]|1[0-9]|2[0-4])/24"
keys main Space
check "Space again: pauses" wait_gone main "▶ 10/s"
keys main + +
check "+: faster replay" wait_for main "replay speed 35 steps/s"

# tiny terminal, then back
T resize-window -t main -x 60 -y 15
check "60x15: reduced layout still shows samples and status" wait_for main "Samples"
check "60x15: status keeps repeat-stop (short: rs)" wait_for main "rs: off"
keys main n
check "60x15: keys still work" wait_for main "│ 2/5 │"
T resize-window -t main -x 40 -y 10
check "40x10: terminal too small message" wait_for main "terminal too small"
T resize-window -t main -x 160 -y 50
check "160x50 again: full layout back" wait_for main "Image 2"
check "160x50 again: status bar back" wait_for main "sample 2/5 │ image 2"

# mouse: a click on the 4th sample row (screen row 6, column 5, 1-based;
# xterm SGR encoding, which xterm-256color's kmous announces)
keys main -l "$(printf '\033[<0;5;6M\033[<0;5;6m')"
check "mouse click selects a sample" wait_for main "sample 4/5"

keys main q
check "q: the program exits" wait_exit main
check "q: exit status 0" status_is main 0
check "q: terminal restored (alternate screen left)" alt_off main

# ---------------------------------------------------------------- signals
start sig 120 40 -- "$FIX/run-a"
wait_for sig "repeat-stop: off" >/dev/null
pid=$(child_pid sig)
kill -TERM "$pid" 2>/dev/null
check "SIGTERM: the program exits" wait_exit sig
check "SIGTERM: exit status 143" status_is sig 143
check "SIGTERM: terminal restored" alt_off sig

start int 120 40 -- "$FIX/run-a"
wait_for int "repeat-stop: off" >/dev/null
keys int C-c
check "Ctrl-C: the program exits" wait_exit int
check "Ctrl-C: exit status 130" status_is int 130
check "Ctrl-C: terminal restored" alt_off int

start hup 120 40 -- "$FIX/run-a"
wait_for hup "repeat-stop: off" >/dev/null
kill -HUP "$(child_pid hup)" 2>/dev/null
check "SIGHUP: exit status 129" status_is hup 129
check "SIGHUP: terminal restored" alt_off hup

start segv 120 40 -- "$FIX/run-a"
wait_for segv "repeat-stop: off" >/dev/null
pid=$(child_pid segv)
kill -SEGV "$pid" 2>/dev/null
check "crash signal (SIGSEGV): the program dies with it (139)" status_is segv 139
check "crash signal: terminal restored anyway" alt_off segv

# pixel view with a forced protocol: curses suspended, graphics + caption,
# a key brings the whole screen back
start pix 160 50 TAILSCOPE_PIXELS=sixel -- "$FIX/run-a"
wait_for pix "repeat-stop: off" >/dev/null
keys pix P
check "P (forced sixel): full-screen pixel view with a caption" wait_for pix "tailscope pixel view: image 1, step 24, 4 boxes; press a key" 100
keys pix x
check "P: a key restores the screen" wait_for pix "Records 2/2 shown"
check "P: status bar back" wait_for pix "repeat-stop: off │ closed"
keys pix q
check "P: quits with status 0 afterwards" status_is pix 0

# ---------------------------------------------------------------- runs, colours
start runs 160 50 -- "$FIX/run-a" "$FIX/run-b"
check "two runs: the comparison view first (tests/tui/test_compare.sh tests it)" wait_for runs "Compare 2 runs"
keys runs c
check "two runs: c shows the first run" wait_for runs "tui-fixture [1/2]"
keys runs R
check "R: switches to the second run" wait_for runs "tui-fixture-b [2/2]"
keys runs p
check "p at the first sample stays within the run" wait_for runs "tui-fixture-b [2/2] │ sample 1/5"
keys runs q
wait_exit runs >/dev/null

start mono 160 50 NO_COLOR=1 -- "$FIX/run-a"
wait_for mono "repeat-stop: off" >/dev/null
T capture-pane -p -e -t mono >"$TMP/mono.txt"
check "NO_COLOR: no colour escapes on screen" \
	sh -c "! grep -qE \"\$(printf '\033')\\[([0-9;]*;)?(3[0-7]|4[0-7]|38|48|9[0-7]|10[0-7])[;m]\" '$TMP/mono.txt'"
check "NO_COLOR: image still drawn (symbols)" sh -c "grep -q '▁\|▂\|▃\|▄\|▅\|▆\|▇\|█\|▌\|▐' '$TMP/mono.txt'"
keys mono q
wait_exit mono >/dev/null

# ---------------------------------------------------------------- hostile inputs
# Every sample of the hostile fixtures (terminal payloads in file names,
# labels, tokens, prompts; bad coordinates; every trace container), with the
# keys that draw each part; the screen must never carry a raw control byte
# (tmux's own SGR aside) and the program must still quit cleanly.
no_raw_controls() {
	T capture-pane -p -e -t "$1" | sed 's/\x1b\[[0-9;:]*m//g' | tr -d '\n' | LC_ALL=C grep -q '[[:cntrl:]]' && return 1
	T capture-pane -p -e -t "$1" | grep -q "$(printf '\342\200\256')" && return 1
	return 0
}
sweep() {
	name=$1 path=$2
	start "$name" 160 50 -- "$path"
	if ! wait_for "$name" "repeat-stop:"; then
		notok "$name: opens"
		return
	fi
	# the badges done (sort by id may move the opened sample), from the top
	settle_plain "$name"
	keys "$name" g
	total=$(screen "$name" | sed -n 's/.*sample [0-9]*\/\([0-9]*\).*/\1/p' | head -1)
	clean=1 k=1
	while [ "$k" -le "${total:-0}" ]; do
		wait_for "$name" "sample $k/$total" 20 >/dev/null || clean=0
		keys "$name" e Home "]" l r m m End r t t Tab Tab Tab /
		wait_for "$name" "Enter apply" 20 >/dev/null
		keys "$name" Escape
		no_raw_controls "$name" || { clean=0; echo "# raw control bytes on $name sample $k"; }
		keys "$name" n
		k=$((k + 1))
	done
	check "$name: $total samples shown without raw control bytes" test "$clean" = 1
	check "$name: pane title untouched" sh -c "! tmux -u -L $SOCK display -p -t $name '#{pane_title}' | grep -qi pwn"
	keys "$name" q
	check "$name: quits with status 0 afterwards" status_is "$name" 0
}
[ -d "$ROOT/tests/data/hostile/run" ] && sweep hostile-run "$ROOT/tests/data/hostile/run"
[ -f "$ROOT/tests/data/hostile/nogt.jsonl" ] && sweep hostile-nogt "$ROOT/tests/data/hostile/nogt.jsonl"
[ -f "$ROOT/tests/data/traces/containers.jsonl" ] && sweep containers "$ROOT/tests/data/traces/containers.jsonl"
sweep edge "$FIX/edge.jsonl"

# ---------------------------------------------------------------- options
start opts 160 50 -- --gt "$FIX/run-a/gt.json" --images "$FIX/run-a/images" --iou 0.5 \
	--coords qwen3 "$FIX/run-a/traces.jsonl"
check "--gt/--images on a bare JSONL: image and F1 badges" wait_for opts "Image 1  160×120"
check "--gt: F1 column filled" sh -c "tmux -u -L $SOCK capture-pane -p -t opts | grep -qE '^1 +2 +0 ×1  C 1.0'"
keys opts m
check "--iou 0.5: metrics at that threshold only" wait_for opts "P/R/F1 @0.5"
check "--iou 0.5: no 0.3 row" sh -c "! tmux -u -L $SOCK capture-pane -p -t opts | grep -q '@0.3'"
keys opts q q
wait_exit opts >/dev/null

# ---------------------------------------------------------------- without tmux
"$BIN" tui --help >"$TMP/help.txt" 2>&1
check "tui --help: exit 0" test $? -eq 0
check "tui --help: lists the options" grep -q -- "--images DIR" "$TMP/help.txt"
"$BIN" --coords nonsense "$FIX/run-a" >/dev/null 2>&1
check "--coords with an unknown name: exit 2" test $? -eq 2
"$BIN" --iou 7 "$FIX/run-a" >/dev/null 2>&1
check "--iou out of range: exit 2" test $? -eq 2
out=$("$BIN" "$FIX/run-a" </dev/null 2>&1 >/dev/null)
rc=$?
check "no terminal: exit 2 with a message" sh -c "[ $rc -eq 2 ] && echo '$out' | grep -q 'needs a terminal'"
out=$("$BIN" "$TMP/does-not-exist" 2>&1 >/dev/null)
rc=$?
check "missing run: exit 2 naming it" sh -c "[ $rc -eq 2 ] && echo '$out' | grep -q 'does-not-exist'"
"$BIN" --bogus "$FIX/run-a" >/dev/null 2>&1
check "unknown option: exit 2" test $? -eq 2

reports=$(ls "$TMP"/san-* "$TMP"/tmpdir/tailscope-stderr-* 2>/dev/null)
if [ -n "$reports" ]; then
	for f in $reports; do sed 's/^/# /' "$f" | head -40; done
fi
check "no sanitizer report from any run" test -z "$reports"

[ "$failed" -eq 0 ]
