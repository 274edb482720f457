#!/bin/sh
# The image at every size and in every colour depth (issue 14, items 1-3),
# through the real binary in tmux (lib.sh):
#   - 80x24: no room beside the lists, the status bar says "z image"; z puts
#     the image over the lists (the title "Image N"), z / Esc bring them back;
#     +/- zoom while it is up, Z crops to the selected record, L cycles the
#     label mode;
#   - on the dense scene (lora-qv-r64 image 11) the label modes change what
#     is written over the image;
#   - P(close) keeps the tail start's value and centres on the cursor;
#   - the records pane's header, footer and repeat counts (item 11);
#   - the mouse wheel scrolls the pane under the pointer;
#   - colour: COLORTERM=truecolor on TERM=xterm-256color gives 24-bit SGR
#     (38;2), TERM=xterm-256color alone 256-colour SGR (38;5), TERM=xterm
#     8-colour SGR (3x/4x) and the image still coloured.
TUI_TEST=image_small
. "$(dirname "$0")/lib.sh"
QV="$ROOT/sample_runs/lora-qv-r64"
sgr() { T capture-pane -e -p -t "$1" | grep -c -- "$2"; }
# count SESSION STRING: occurrences of STRING on screen
count() { screen "$1" | grep -o -- "$2" | wc -l; }

start s 80 24 -- "$FIX/run-a"
check "80x24: the debugger starts" wait_for s "line 5"
check "80x24: the status bar says how to see the image" wait_for s "│ z image"
if screen s | grep -q " Image 1"; then notok "80x24: no image pane beside the lists"; else ok "80x24: no image pane beside the lists"; fi
keys s z
check "z: the image takes the place of the lists" wait_for s " Image 1"
check "z: the samples pane is gone" wait_gone s "Samples"
check "z: the timeline stays" wait_for s " Timeline"
check "z: the status bar says how back" wait_for s "z back"
keys s +
check "+ while zoomed: zooms the image" wait_for s "zoom ×1.5"
keys s -
check "- while zoomed: back to the whole image" wait_gone s "zoom ×"
keys s Escape
check "Esc: the lists are back" wait_for s "Samples"
check "Esc: the hint is back" wait_for s "│ z image"
keys s q
wait_exit s

# dense scene: label modes
start d 160 50 -- "$QV"
check "lora-qv-r64 opens" wait_for d "Image 1"
keys d n n n n n n n n n n
check "image 11 (202 records)" wait_for d "Image 11"
sleep 0.5
all=$(count d insulator)
keys d L
check "L: labels of the selected record and duplicates only" wait_for d "labels: selected record and duplicates"
sleep 0.3
key=$(count d insulator)
keys d L
check "L again: no labels" wait_for d "labels: none"
sleep 0.3

check "label modes: all ($all) > selected+dups ($key)" test "$all" -gt "$key"
keys d L
check "L a third time: all labels" wait_for d "labels: all"
keys d Tab k Z
check "Z: crops to the selected record" wait_for d "cropped to record #201"
check "Z: the title shows the zoom" wait_re d "zoom ×[0-9]"
keys d Z
check "Z again: the whole image" wait_for d "image: whole"
keys d q
wait_exit d

# P(close): the tail start's value first, named as report names it (the
# tail starts at record #3: "at tail start (after #2)", 41%), then a window
# of boundaries "after #k" centred on the one at the cursor (run-a sample 2:
# #2..#4 around #3 at 80 columns), 3 decimals as report prints them
start pc 80 14 -- "$FIX/run-a"
check "80x14: starts" wait_for pc "sample 1/5"
keys pc n
check "80x14: sample 2" wait_for pc "sample 2/5"
keys pc Home "]" "]" "]"
check "P(close): centred on the cursor's record, tail start marked" wait_for pc "P(close) at tail start (after #2) 0.410 │ after #2 0.410  #3 0.300  #4 0.220"
keys pc End
check "P(close) at the end: the tail start still shown" wait_for pc "P(close) at tail start (after #2) 0.410 │ after #6 0.100  #7 0.060  #8 ?"
keys pc q
wait_exit pc

# records pane: the coordinate order in the header (y first for PaliGemma),
# the coordinates never cut: at 50 columns the label gives way (marked "…"),
# then the repeat column's n/N ("=#2"); counts of the cut list with
# repeat-stop on (at 60 columns, where the label gives room for them), the
# selected record's full label in the footer
start rp 50 24 -- "$QV"
check "records header: PaliGemma's y-first order" wait_for rp "y1,x1,y2,x2 (pal"
check "records footer: the selected record's full label" wait_re rp "│ #11 insulator$"
keys rp q
wait_exit rp
start rc 50 24 -- "$FIX/run-a"
check "run-a at 50x24" wait_for rc "tui-fixture │ 1/5 │"
check "records header: qwen3's x-first order" wait_for rc "x1,y1,x2,y2 (qwe"
keys rc n
check "50 columns: coordinates and match whole, the repeat column short" wait_re rc "│▐ 8 p… 500,100,800,900 FP  =#2$"
keys rc q
wait_exit rc
start rd 60 24 -- "$FIX/run-a"
check "run-a at 60x24" wait_for rd "tui-fixture │ 1/5 │"
keys rd n
check "60 columns: the repeat column whole" wait_for rd "=#2 7/7"
keys rd r
check "repeat-stop on: the kept record counts once (×1, not ×7)" wait_re rd "│  2 pe… 500,100,800,900 +TP +×1$"
check "repeat-stop on: dropped rows keep the whole list's count" wait_for rd "=#2 7/7"
keys rd q
wait_exit rd

# mouse wheel (SGR 1006: button 64 up, 65 down, 1-based column;row): the
# pane under the pointer moves, the focus stays where it was
wheel() { keys "$1" -l "$(printf '\033[<%d;%d;%dM' "$2" "$3" "$4")"; }
start mw 160 50 -- "$FIX/run-a"
check "wheel: starts" wait_for mw "sample 1/5"
wheel mw 65 5 6
check "wheel down over the samples: next sample" wait_for mw "sample 2/5"
wheel mw 64 20 45
check "wheel up over the timeline: one step back" wait_for mw "step 90/91"
wheel mw 64 130 10
check "wheel up over the records: record #7 selected, the replay at its end" wait_for mw "step 78/91"
check "wheel: the samples list did not move" wait_for mw "sample 2/5"
keys mw q
wait_exit mw

# x exports with the caption and legend strip under the 160x120 image
dims() { od -An -tu1 -j16 -N8 "$1" | awk '{printf "%d %d", $1*16777216+$2*65536+$3*256+$4, $5*16777216+$6*65536+$7*256+$8}'; }
start xe 80 24 -- "$FIX/run-a"
check "x: starts" wait_for xe "sample 1/5"
keys xe x
check "x: writes the PNG (the note, in the bar or the message line)" wait_for xe "wrote tails"
f=$(ls "$TMP"/tailscope-*.png 2>/dev/null | head -1)
set -- $( [ -n "$f" ] && dims "$f" )
check "x: the PNG keeps the width (160) and has the strip below (> 120 rows)" sh -c "[ '${1:-0}' = 160 ] && [ '${2:-0}' -gt 120 ]"
keys xe q
wait_exit xe

# colour depths
start c1 100 30 COLORTERM=truecolor -- "$QV"
check "COLORTERM=truecolor: starts" wait_for c1 "Image 1"
sleep 0.5
check "COLORTERM=truecolor on xterm-256color: 24-bit colour (38;2)" test "$(sgr c1 '38;2;')" -gt 0
keys c1 q
start c2 100 30 -- "$QV"
check "xterm-256color: starts" wait_for c2 "Image 1"
sleep 0.5
check "xterm-256color: 256-colour SGR (38;5)" test "$(sgr c2 '38;5;')" -gt 0
check "xterm-256color without COLORTERM: no 24-bit SGR" test "$(sgr c2 '38;2;')" -eq 0
keys c2 q
start c3 100 30 TERM=xterm -- "$QV"
check "TERM=xterm: starts" wait_for c3 "Image 1"
sleep 0.5
check "TERM=xterm: the image still has background colours (4x)" test "$(sgr c3 '\[4[0-7]m')" -gt 0
check "TERM=xterm: no 256-colour SGR" test "$(sgr c3 '38;5;')" -eq 0
keys c3 q
sleep 0.3
[ "$failed" -eq 0 ]
