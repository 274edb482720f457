#!/bin/sh
# The debugger as a new user meets it (issue 14, items 4-8, 10, 14): at
# 80x24, the first screen, arguments that are not runs, status messages
# that are never cut and expire, sort/filter, scrolling help and metrics.
# Fixture tests/data/tui/run-a (see test_tui.sh).
TUI_TEST=first
. "$(dirname "$0")/lib.sh"
status_line() { screen "$1" | tail -1; }

# ---- item 5: a README among the runs is skipped, not listed as a run
mkdir -p "$TMP/runs"
printf '# Sample runs\n\nnot traces\n' >"$TMP/runs/README.md"
start rd 120 30 -- "$TMP/runs/README.md" "$FIX/run-a" "$FIX/run-c"
check "README.md among runs: the comparison has the 2 real runs" wait_for rd "Compare 2 runs"
check "README.md among runs: the reason, whole, in the message line" \
	wait_for rd "README.md:1: not a traces file (neither JSON Lines nor an SSE recording); skipped"
check "README.md among runs: no row for it" sh -c "! tmux -u -L $SOCK capture-pane -p -t rd | grep -qE '^.  README'"
keys rd q
check "README.md among runs: exit 1 (partly)" status_is rd 1

# ---- item 7 and 10: 80x24, the first screen, a long note
start p 80 24 -- "$FIX/run-a"
check "80x24: first screen shows '? help' in the status bar" wait_re p "│ \? help$"
keys p P
check "P without pixel support: the message line names TAILSCOPE_PIXELS" \
	wait_for p "(TAILSCOPE_PIXELS=sixel|kitty|iterm2 forces one)"
check "P: the message starts whole on the row above" \
	wait_for p " pixel view: not supported by this terminal: no sixel, kitty or iTerm2 graphics"
keys p j
check "the next key ends the message" wait_gone p "TAILSCOPE_PIXELS"
keys p P
wait_for p "TAILSCOPE_PIXELS" >/dev/null
check "a message expires by itself (5 s)" wait_gone p "TAILSCOPE_PIXELS"
keys p q
check "80x24: exit 0" status_is p 0

# ---- item 4: one numbering; the metrics panel names the JSON fields.
# report --per-sample on run-a, image 2: tail_start 2, stop_step 33 (0-based)
want=$("$BIN" report --per-sample "$FIX/run-a" 2>/dev/null | awk '$1 == "2" && $5 == "truncated" { print $6 " " $7 }')
check "report: image 2's tail_start 2 and stop_step 33 (the fixture's hand count)" test "$want" = "2 33"
start num 120 40 -- "$FIX/run-a"
wait_for num "sample 1/5" >/dev/null
keys num n m
check "metrics: tail start as on screen and as in the JSON" wait_for num "record #3 (tail_start 2)"
check "metrics: repeat-stop's stop as on screen and as in the JSON" wait_for num "step 34 (stop_step 33)"
keys num m e
check "e: the screen's 1-based numbers (record #3, step 34 is the cut)" wait_for num "record #3"
keys num q

# ---- item 8: help and metrics scroll at 80x24
start hs 80 24 -- "$FIX/run-a"
wait_for hs "sample 1/5" >/dev/null
keys hs '?'
check "help at 80x24: says how many lines it shows" wait_re hs "lines 1-[0-9]+ of [0-9]+: j/k or PgDn/PgUp for more"
check "help at 80x24: a long key text wraps, not cut (Tab's 'diff: run A/B')" wait_re hs "│ {20}diff: run A/B +│"
check "help at 80x24: Esc (last key) not yet shown" sh -c "! tmux -u -L $SOCK capture-pane -p -t hs | grep -q 'close the help, metrics'"
keys hs PgDn
check "help: PgDn scrolls one page (16 lines at 24 rows)" wait_re hs "lines 17-[0-9]+ of [0-9]+"
i=0 # this screen's keys come first: Esc (global) a few pages down
while [ $i -lt 6 ] && ! screen hs | grep -q 'close the help, metrics'; do keys hs PgDn; sleep 0.3; i=$((i + 1)); done
check "help: PgDn scrolls to the rest" wait_for hs "close the help, metrics"
keys hs G
check "help: G goes to the end, the legend's last entry (cut boxes) shown" wait_for hs "cut by policy"
keys hs k
check "help: k scrolls up one" wait_re hs "lines [0-9]+-[0-9]+ of [0-9]+"
keys hs g
check "help: g back to the top" wait_re hs "lines 1-[0-9]+ of"
keys hs Escape
check "help: Esc closes it" wait_gone hs "tailscope keys"
keys hs n m
check "metrics at 80x24: scrolls (rows 1-N of M)" wait_re hs "metrics: off vs repeat_stop \(rows 1-[0-9]+ of [0-9]+"
check "metrics at 80x24: the last run row is below the frame" sh -c "! tmux -u -L $SOCK capture-pane -p -t hs | grep -q 'tokens  *163'"
keys hs G
check "metrics: G shows the last rows (run tokens 163 vs 106)" wait_re hs "tokens +163 +106"
keys hs m m
check "metrics: opens at the top again" wait_re hs "\(rows 1-[0-9]+ of"
keys hs q
wait_gone hs "metrics:" >/dev/null
keys hs q
check "80x24 help/metrics: exit 0" status_is hs 0

# ---- item 6: sort and filter
start sf 120 30 -- "$FIX/run-a"
wait_for sf "sample 1/5" >/dev/null
wait_gone sf "analysing" >/dev/null
keys sf n n
wait_for sf "sample 3/5" >/dev/null
keys sf s
check "s: sort by duplicates" wait_for sf "sort: duplicates"
check "s: the selection goes to the top of the new order" wait_for sf "sample 1/5"
check "s: and the top is image 2 (most duplicates)" wait_for sf "image 2"
keys sf s s s s s s s
wait_for sf "Samples 5  sort: id" >/dev/null
keys sf / d u p Enter
check "filter in the header" wait_for sf "Samples 2/5  filter: dup"
keys sf /
check "/ opens empty and shows the filter in force" wait_re sf "^ /█   now: dup"
keys sf Escape
check "Esc keeps the filter" wait_for sf "filter: dup"
keys sf / l a b e l : z z z Enter
check "no match once every badge is computed: no '(yet ...)'" wait_for sf "no sample matches 'label:zzz'"
check "no '(yet: badges ...)' when they are all computed" sh -c "! tmux -u -L $SOCK capture-pane -p -t sf | grep -q 'yet: badges'"
keys sf / Enter
check "/ Enter: an empty filter clears" wait_for sf "Samples 5  sort: id"
keys sf q

# ---- item 10: the first minute.  run-a's worst sample is image 2 (max
# repeat 7, 6 duplicates; its tail starts with record #3 at step 24 and
# repeat-stop cuts at step 34, stop_step 33, see above)
start fm 120 30 -- "$FIX/run-a"
check "first screen: once badges are known, the worst sample is named with its key" \
	wait_for fm "worst sample: image 2, max repeat ×7; w opens it at its repeated tail"
keys fm w
check "w: opens the worst sample" wait_for fm "sample 2/5 │ image 2 │ step 24/91"
check "w: says why" wait_for fm "worst sample: image 2, max repeat ×7, 6 duplicates"
keys fm e
wait_for fm "step 24/91" >/dev/null
keys fm Space
check "Space after e: pauses at the cut" wait_for fm "paused: repeat-stop cuts here (step 34); Space goes on"
check "Space after e: the cursor is at the cut" wait_for fm "step 34/91"
keys fm Space
check "Space: plays on to the end" wait_for fm "step 91/91"
keys fm Space
check "Space at the end: from the start, pauses at the tail start" \
	wait_for fm "paused: the repeated tail starts (record #3, step 24); Space goes on"
check "the cursor is at the tail start" wait_for fm "step 24/91"
keys fm Space
check "default replay speed 65 steps/s (1,000 steps in about 15 s)" wait_for fm "▶ 65/s"
keys fm q

# ---- item 14: the triage view.  sample_runs/lora-qkvo-r16 and its
# -budget12 variant share model and checkpoint (run.json) and differ by
# prompt and budget (none vs 12); family-florence2 emits Florence-2 tokens
# under max_new_tokens 256 (the others: qwen3 JSON under 1024), so tokens
# are not compared.
S="$ROOT/sample_runs"
start tr 160 30 -- "$S/lora-qkvo-r16" "$S/lora-qkvo-r16-budget12" "$S/family-florence2"
check "triage: three runs" wait_for tr "Compare 3 runs"
wait_gone tr "computing" >/dev/null
check "triage: tokens not marked across syntaxes, and it says why" \
	wait_for tr "tokens not marked: the runs differ in output syntax or token limit"
check "triage: no * in the tokens column" sh -c "tmux -u -L $SOCK capture-pane -p -t tr | grep -E '^.  (lora|family)' | awk '{ print \$(NF-1), \$NF }' | grep -c '[0-9]' | grep -qx 3 && ! tmux -u -L $SOCK capture-pane -p -t tr | grep -E '^.  (lora|family)' | awk '{ print \$(NF-1), \$NF }' | grep -qF '*'"
check "triage: the budget variant shown as such" \
	wait_for tr "lora-qkvo-r16-budget12: same model and checkpoint as lora-qkvo-r16, differs only by prompt and budget (12 vs none)"
check "triage: max repeat still marked (florence2's 43)" wait_for tr "*43"
keys tr q

[ "$failed" -eq 0 ]
