#!/bin/sh
# `tailscope png RUN1 RUN2 --sample N -o f.png`: several runs' predictions on
# one image, run k in render_run_style(k) (run 1 blue #5F87FF, run 2 red
# #FF0000, both solid 1-pixel strokes inside the box), the ground truth once
# (green #00FF00, dashed outside), and a legend strip below.
# Expected pixels are computed here by python3 from the traces themselves:
# qwen3 boxes are 0-1000 relative, x first; on the 160x120 image a box
# [x1,y1,x2,y2] covers columns L=floor(x1*.16)..R=ceil(x2*.16)-1, rows
# T=floor(y1*.12)..B=ceil(y2*.12)-1 (render.h: box edges); the stroke width
# is max(1, round(min(160,120)/320)) = 1.  The pixels are read with
# png_pixel.py (a PNG reader written from the specification).
# Legend: scale 2, line 18; each item (box 54 + 6 + text + 36) is wider than
# 160, so one row each: 3 rows * 22 + 2 * 4 = 74 -> 160x194.
. "$(dirname "$0")/lib.sh"
D=$(dirname "$0")
A=tests/data/tui/run-a
X=tests/data/runs/run-x
"$BIN" png "$A" "$X" --sample 1 -o "$tmp/runs.png" >"$tmp/out" 2>&1; rc=$?
check "png RUN1 RUN2: exit 0" [ "$rc" -eq 0 ]
check "png RUN1 RUN2: image plus legend (160x194)" \
	[ "$(python3 "$D/png_pixel.py" "$tmp/runs.png")" = 160x194 ]
check "png RUN1 RUN2: says each run's style" grep -q "run 2 runs-x: fp" "$tmp/out"
python3 - "$A/traces.jsonl" "$X/traces.jsonl" >"$tmp/want" <<'PY'
import json, math, re, sys
colour = ['5F87FF', 'FF0000']
for k, path in enumerate(sys.argv[1:]):
    for line in open(path):
        try:
            d = json.loads(line)
        except ValueError:
            continue  # the fixture's deliberately broken lines
        if d.get('image_id') != 1:
            continue
        text = ''.join(t['token'] for t in d['tokens'])
        for m in re.finditer(r'"bbox_2d": \[(\d+), (\d+), (\d+), (\d+)\]', text):
            x1, y1, x2, y2 = (int(v) for v in m.groups())
            L, R = math.floor(x1 * .16), math.ceil(x2 * .16) - 1
            T, B = math.floor(y1 * .12), math.ceil(y2 * .12) - 1
            cx, cy = (L + R) // 2, (T + B) // 2
            for x, y in ((L, cy), (R, cy), (cx, T), (cx, B)):
                print(x, y, colour[k])
PY
check "expected pixels were computed" [ -s "$tmp/want" ]
while read -r x y c; do
	got=$(python3 "$D/png_pixel.py" "$tmp/runs.png" "$x" "$y")
	check "run pixel ($x,$y) is $c (got $got)" [ "$got" = "$c" ]
done <"$tmp/want"
# ground truth cat [16,12,48,36] (COCO x,y,w,h): outside stroke column 15,
# dashes of 6 on at rows with (y/6) even: row 25 on
check "ground truth drawn once, outside, dashed (15,25)" \
	[ "$(python3 "$D/png_pixel.py" "$tmp/runs.png" 15 25)" = 00FF00 ]
"$BIN" png "$A" "$X" "$A" "$X" "$A" "$X" "$A" --sample 1 -o "$tmp/seven.png" >"$tmp/out" 2>&1; rc=$?
check "png with 7 runs: usage error (exit 2)" [ "$rc" -eq 2 ]
check "png with 7 runs: no file" [ ! -e "$tmp/seven.png" ]
"$BIN" png "$A" "$X" --caption --sample 1 -o "$tmp/cap.png" >"$tmp/out" 2>&1; rc=$?
check "png RUN1 RUN2 --caption: usage error" [ "$rc" -eq 2 ]
# run-x has no sample 2: a clear message naming it, exit 2, no file
"$BIN" png "$A" "$X" --sample 2 -o "$tmp/two.png" >"$tmp/out" 2>&1; rc=$?
check "a run without the sample: exit 2" [ "$rc" -eq 2 ]
check "a run without the sample: says which" grep -q "sample '2' not found in $X/traces.jsonl" "$tmp/out"
check "a run without the sample: no file" [ ! -e "$tmp/two.png" ]
[ "$fails" -eq 0 ]
