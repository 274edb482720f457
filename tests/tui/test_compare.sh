#!/bin/sh
# End-to-end tests of the comparison view, the drill-down, the per-sample
# diff and the `o` policy cycle: the real binary in a detached tmux server
# (private socket, no config, always killed at the end).  Prints "ok N -
# what" / "not ok N - what" and exits non-zero when a check failed.  Every
# wait polls the screen (generous limits for a loaded machine).
#
# Fixtures: tests/data/tui/run-a (see test_tui.sh) and run-c, the same
# images and ground truth with other traces (run.json budget 2):
#   line 1  cat, dog, dog, closed      (run-a: cat, dog)         +1 duplicate
#   line 2  person A, B, closed        (run-a: A, B, B x6, cut)  better
#   line 3  the hostile sample, same line as run-a               unchanged
#   line 4  a wrong cat box x3, cut    (run-a: cat, cat)         -1 hit, +1 dup
#   line 5  not JSON                                             unchanged
# so the diff run-a -> run-c lists line 4 first (worse on two criteria),
# then line 1.
TUI_TEST=cmp
. "$(dirname "$0")/lib.sh"
# the last line of the screen (the status bar)
status_line() { screen "$1" | tail -1; }

# report_row NAME RUN [POLICY]: what `tailscope report` prints for the run
# (policy off and POLICY, default repeat_stop), as the
# comparison row reads once markers and separators are removed:
# NAME F1@0.3 off on, F1@0.5 off on, dup rate, max repeat, term rate, tokens
report_row() {
	"$BIN" report --no-confidence --policy "off,${3:-repeat_stop}" "$2" 2>/dev/null | awk -v name="$1" '
		$1 == "F1@0.3" { a = $2 " " $3 }
		$1 == "F1@0.5" { b = $2 " " $3 }
		$1 == "duplicate_rate" { d = $2 " " $3 }
		$1 == "max_repeat" { m = $2 " " $3 }
		$1 == "termination_rate" { t = $2 " " $3 }
		$1 == "tokens" { k = $2 " " $3 }
		END { print name " " a " " b " " d " " m " " t " " k }'
}
# screen_row SESSION NAME: the comparison row of run NAME, markers removed
screen_row() {
	screen "$1" | grep -E "^.  $2 " | head -1 | sed 's/[*│▸●]//g' | tr -s ' ' | sed 's/^ //; s/ $//'
}

# ---------------------------------------------------------------- two runs
start cmp 160 50 -- "$FIX/run-a" "$FIX/run-c"
check "two runs: the comparison view comes first" wait_for cmp "Compare 2 runs"
check "comparison: run-a's row" wait_re cmp "^.  tui-fixture +[0-9]"
check "comparison: run-c's row" wait_re cmp "^.  tui-fixture-c +[0-9]"
check "comparison: status bar names the view" wait_for cmp "compare: run 1/2"
check "comparison: status bar keeps repeat-stop: off" wait_for cmp "repeat-stop: off"
want_a=$(report_row tui-fixture "$FIX/run-a")
want_c=$(report_row tui-fixture-c "$FIX/run-c")
got_a=$(screen_row cmp tui-fixture)
got_c=$(screen_row cmp tui-fixture-c)
echo "# report: $want_a"
echo "# screen: $got_a"
echo "# report: $want_c"
echo "# screen: $got_c"
check "comparison: run-a's numbers are the report's (off and repeat_stop)" test "$got_a" = "$want_a"
check "comparison: run-c's numbers are the report's (off and repeat_stop)" test "$got_c" = "$want_c"
check "comparison: worst tokens (off) marked on run-a" \
	sh -c "tmux -u -L $SOCK capture-pane -p -t cmp | grep -E '^.  tui-fixture ' | grep -qF '*163'"
check "comparison: worst F1 with repeat-stop marked on run-c" \
	sh -c "tmux -u -L $SOCK capture-pane -p -t cmp | grep -E '^.  tui-fixture-c ' | grep -qF '*0.615'"
check "comparison: equal values (tokens with repeat-stop, 106) not marked" \
	sh -c "! tmux -u -L $SOCK capture-pane -p -t cmp | grep -qF '*106'"

keys cmp j
check "j: second run selected" wait_for cmp "compare: run 2/2"
keys cmp Enter
check "Enter: drills into run-c (status bar shows its name)" wait_for cmp "tui-fixture-c [2/2] │ sample 1/5"
check "Enter: the debugger's panes are back" wait_for cmp "Records 3/3 shown"
keys cmp c
check "c: back to the comparison" wait_for cmp "Compare 2 runs"
keys cmp c
check "c again: back to the debugger on the same run" wait_for cmp "tui-fixture-c [2/2] │ sample 1/5"
keys cmp c
wait_for cmp "Compare 2 runs" >/dev/null
keys cmp Escape
check "Esc: leaves the comparison too" wait_for cmp "tui-fixture-c [2/2] │ sample 1/5"

# o cycles the policy, r stays the repeat-stop switch (line 1 of run-c:
# cat, dog, dog; record 3 completes at step 34)
keys cmp o
check "o: repeat_stop -> status repeat-stop: on" wait_for cmp "step 34/34 │ repeat-stop: on │ stopped (repeat-stop)"
keys cmp o
check "o: budget:2 (from run-c's run.json) named in the status bar" \
	wait_for cmp "step 23/23 │ policy: budget:2"
check "o: budget:2 stops after record 2 (step 23)" wait_for cmp "step 23/23"
check "o: budget:2's cut line in the records pane" wait_for cmp "budget:2: cut at step 23"
keys cmp r
check "r from budget:2: repeat-stop: on" wait_for cmp "step 34/34 │ repeat-stop: on │ stopped"
check "r: no other policy named" wait_gone cmp "policy: "
keys cmp r
check "r again: repeat-stop: off" wait_for cmp "step 35/35 │ repeat-stop: off │ closed"
keys cmp o o o
check "o: near_dup:0.9" wait_for cmp "policy: near_dup:0.9"
keys cmp o
check "o: dedup named" wait_for cmp "policy: dedup"
check "dedup: the whole trace stays (step 35/35), nothing cut" wait_for cmp "step 35/35 │ policy: dedup │ closed"
check "dedup: records pane shows what it keeps" wait_for cmp "dedup keeps 2"
check "dedup: the note says it is an upper bound" wait_for cmp "dedup (upper bound): drops 1 duplicate"
check "dedup: the duplicate is dropped, not a tail cut" wait_re cmp "3 dog .* drop "
keys cmp c
check "comparison follows the policy (off vs dedup)" wait_for cmp "policy off vs on = dedup (upper bound)"
got_c=$(screen_row cmp tui-fixture-c)
want_c=$(report_row tui-fixture-c "$FIX/run-c" dedup)
echo "# report: $want_c"
echo "# screen: $got_c"
check "comparison: run-c's numbers with dedup are the report's" test "$got_c" = "$want_c"
keys cmp o o
check "o: the policy lab's ladder:3 after repetition_detection" wait_for cmp "policy off vs on = ladder:3"
keys cmp o o
check "o: off again" wait_for cmp "policy off vs on = repeat_stop"
check "o: off -> status repeat-stop: off" wait_for cmp "repeat-stop: off"

# diff: run-a -> run-c, the samples that got worse first
keys cmp g d
check "d: the diff of the first two runs" wait_for cmp "Diff  A tui-fixture → B tui-fixture-c"
check "d: 2 worse, 1 better, 2 unchanged" wait_for cmp "2 worse · 1 better · 2 unchanged"
check "d: first row is the sample that got worse most (line 4: -1 hit, +1 dup)" \
	sh -c "tmux -u -L $SOCK capture-pane -p -t cmp | sed -n 4p | grep -qE '^!worse +4 .*-1 hit, \\+1 dup'"
check "d: then line 1 (+1 dup)" \
	sh -c "tmux -u -L $SOCK capture-pane -p -t cmp | sed -n 5p | grep -qE '^!worse +1 .*\\+1 dup'"
check "d: then the better one (line 2)" \
	sh -c "tmux -u -L $SOCK capture-pane -p -t cmp | sed -n 6p | grep -qE '^ better +2 .*-6 dups, closes now'"
check "d: both runs' badges on a row (A 2 records x2 M, B 3 records x3 T)" \
	sh -c "tmux -u -L $SOCK capture-pane -p -t cmp | sed -n 4p | grep -qE ' 2 +1 +×2 M +1 .* 3 +2 +×3 T +0 '"
keys cmp Enter
check "Enter: opens that sample in run B" wait_for cmp "tui-fixture-c [2/2] │ sample 4/5 │ image 4"
keys cmp d j Tab
check "Tab: Enter now opens in run A" wait_for cmp "Enter opens the sample in tui-fixture"
keys cmp Enter
check "Enter: opens line 1 in run A" wait_for cmp "tui-fixture [1/2] │ sample 1/5 │ image 1"
keys cmp d Escape
check "Esc in the diff: back to the comparison" wait_for cmp "Compare 2 runs"

keys cmp M
check "M: max-repeat histogram of the selected run" wait_for cmp "max-repeat histogram"
check "M: bins with counts" wait_re cmp "5-8 │█+.* 1"
keys cmp M
check "M again closes it" wait_gone cmp "max-repeat histogram"
keys cmp "?"
check "?: help lists the new keys" wait_for cmp "cycle the stop policy: off, repeat_stop, budget:N,"
check "?: the o line's rest on the next row" wait_for cmp "near_dup:0.9, dedup"
check "?: help lists the diff" wait_for cmp "per-sample diff of two runs"
keys cmp Escape
wait_gone cmp "per-sample diff of two runs" >/dev/null

T resize-window -t cmp -x 60 -y 15
check "60x15: comparison still drawn" wait_for cmp "Compare 2 runs"
T resize-window -t cmp -x 40 -y 10
check "40x10: terminal too small" wait_for cmp "terminal too small"
T resize-window -t cmp -x 160 -y 50
check "160x50 again: comparison back" wait_re cmp "^.  tui-fixture-c +[0-9]"
keys cmp q
check "q: exit status 0" status_is cmp 0
check "q: terminal restored" sh -c "[ \"\$(tmux -u -L $SOCK display -p -t cmp '#{alternate_on}')\" = 0 ]"

# ---------------------------------------------------------------- NO_COLOR
start mono 160 50 NO_COLOR=1 -- "$FIX/run-a" "$FIX/run-c"
wait_re mono "^.  tui-fixture-c +[0-9]" >/dev/null
T capture-pane -p -e -t mono >"$TMP/mono.txt"
check "NO_COLOR: worst values still marked with *" grep -qF '*0.615' "$TMP/mono.txt"
check "NO_COLOR: no colour escapes in the comparison" \
	sh -c "! grep -qE \"\$(printf '\033')\\[([0-9;]*;)?(3[0-7]|4[0-7]|38|48|9[0-7]|10[0-7])[;m]\" '$TMP/mono.txt'"
keys mono q
status_is mono 0 >/dev/null

# ---------------------------------------------------------------- one run
start one 160 50 -- "$FIX/run-a"
check "one run: the debugger comes first" wait_for one "tui-fixture │ sample 1/5"
# O: the policy sweep shows the report's numbers for each policy of the cycle
# (tokens_saved, F1@0.3, stopped, false/early stops, TP lost, tails unstopped)
sweep_report() { # POLICY: the report's values in the overlay's column order
	"$BIN" report --no-confidence --policy "off,$1" "$FIX/run-a" 2>/dev/null | awk '
		$1 == "tokens_saved" { a = $3 } $1 == "F1@0.3" { b = $3 } $1 == "stopped" { c = $3 }
		$1 == "false_stops" { d = $3 } $1 == "early_stops" { e = $3 } $1 == "tp_lost@0.3" { f = $3 }
		$1 == "tails_unstopped" { g = $3 } END { print a " " b " " c " " d " " e " " f " " g }'
}
sweep_screen() { # INDEX NAME: the overlay row's last seven values
	screen one | grep -E "│ $1  $2 " | head -1 | sed 's/│//g' | awk '{ n = NF; print $(n-6) " " $(n-5) " " $(n-4) " " $(n-3) " " $(n-2) " " $(n-1) " " $n }'
}
keys one O
check "O: the policy sweep overlay" wait_for one "policy sweep: the o cycle on this run"
wait_gone one "(computing)" >/dev/null
for ip in "1 repeat_stop" "5 repetition_detection:64:8:3" "6 ladder:3" "7 close_prob:0.5"; do
	got=$(sweep_screen "$(echo "$ip" | cut -d' ' -f1)" "$(echo "$ip" | cut -d' ' -f2)")
	want=$(sweep_report "$(echo "$ip" | cut -d' ' -f2)")
	echo "# $ip: screen '$got' report '$want'"; [ -n "$got" ] || screen one | sed "s/^/# /" | head -30
	check "O: ${ip#* } shows the report's numbers" test "$got" = "$want"
done
keys one O
check "O again closes it" wait_gone one "policy sweep: the o cycle"
keys one c
check "c: comparison with one run" wait_for one "Compare 1 run"
keys one d
check "d with one run: says it needs two" wait_for one "diff: needs two runs"
keys one q
check "one run: exit status 0" status_is one 0

reports=$(ls "$TMP"/san-* "$TMP"/tmpdir/tailscope-stderr-* 2>/dev/null)
if [ -n "$reports" ]; then
	for f in $reports; do sed 's/^/# /' "$f" | head -40; done
fi
check "no sanitizer report from any run" test -z "$reports"

[ "$failed" -eq 0 ]
