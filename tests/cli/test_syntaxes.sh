#!/bin/sh
# End-to-end: `tailscope report` on the grounding syntaxes of issue 12
# (hand-written fixtures in tests/data/syntaxes).  Expected values by hand:
#
# ds/: image 1 999x999, gt cat [100,100,200,200] (x,y,w,h).  DeepSeek-VL2
#   text, twice <|ref|>cat<|/ref|><|det|>[[100,100,300,300]]<|/det|>; no
#   coords in run.json -> auto -> deepseek: x/999*999 = x -> box
#   [100,100,300,300] = the gt box: first TP, the copy an exact duplicate (FP).
#   off: records 2, dups 1, max 2, TP1 FP1 FN0 -> F1 0.667; repeat_stop:
#   records 1 -> F1 1.000.
# molmo/: image 1 200x100, gt cat [10,10,20,20], dog [100,50,20,20].
#   <point x="10" y="15" alt="cat"> -> (20, 15): inside the cat box -> TP;
#   <points x1="10" y1="15" x2="90" y2="90" alt="dog"> -> dog (20,15) and
#   (180,90): outside the dog box -> 2 FP; dog FN.  P 1/3 R 1/2 -> F1 0.400
#   at both thresholds (point-in-box ignores t).
# px/: same gt, coords qwen3: [1200,10,1500,20] (above 1000, and x 240..300
#   lies outside the 200-wide image) -> FP; [50,100,150,300] -> [10,10,30,30]
#   = cat -> TP; dog FN -> F1 0.500; one warning naming both counts.
#   report --json carries the same warning as "convention_warning" and the
#   counts (above 1, outside 1 of sized 2) under "convention_check".
# mix/: px's gt; --coords auto on two syntaxes: line 1 bbox_2d [50,100,150,300]
#   (qwen3: x/1000*200, y/1000*100 -> [10,10,30,30] = cat, TP), line 2 box_2d
#   [100,50,300,150] (gemini, y first -> the same box, TP); dog FN twice ->
#   TP 2 FP 0 FN 2, F1 4/6 = 0.667; the syntax line names both syntaxes and
#   both conventions, and nothing warns.
# md/: image 1 100x100, gt insulator A [10,10,20,20], insulator B
#   [50,50,10,10], damper C [80,80,10,10].  Three Moondream answers with the
#   same objects r0 = 0.1,0.1,0.3,0.3 (= A), r1 = 0.8,0.8,0.9,0.9 (= C's box),
#   r2 = r0 (no labels: Moondream answers one request):
#   line 1 "\n\nDetect: insulator\n\n": labels "insulator", only insulators
#     count: r0 TP, r1 FP (C is a damper), r2 FP (duplicate); FN B -> 1/2/1
#   line 2 "Find the insulators.": no request, labels "" -> 0/3/3
#   line 3 "Detect: insulators" (no such category), {"objects": []} -> 0/0/3
#   off 1/5/7 -> F1 2/14 = 0.143; repeat_stop drops r2 twice: 1/3/7 -> 2/12 =
#   0.167.  Warnings: the 3 label-less records of line 2, the unknown request.
. "$(dirname "$0")/lib.sh"
D=tests/data/syntaxes
row() {
	f=$1; shift
	name=$1; shift
	grep -Eq "^  $name +$(echo "$*" | sed 's/ / +/g')\$" "$f"
}
has() { grep -Fq -- "$2" "$1"; }
count() { [ "$(grep -Fc -- "$2" "$1")" -eq "$3" ]; }

"$BIN" report "$D/ds" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "deepseek: exit 0" [ "$rc" -eq 0 ]
check "deepseek: syntax and convention named" \
	has "$tmp/out" "  syntax deepseek (DeepSeek-VL2) 2 records; convention deepseek (relative 0-999, x first)"
check "deepseek: records" row "$tmp/out" records 2 1
check "deepseek: max_repeat" row "$tmp/out" max_repeat 2 1
check "deepseek: F1@0.5" row "$tmp/out" "F1@0.5" 0.667 1.000
check "deepseek: no convention warning" count "$tmp/err" "may not fit" 0

"$BIN" report "$D/molmo" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "molmo: exit 0" [ "$rc" -eq 0 ]
check "molmo: syntax named" has "$tmp/out" "  syntax molmo (Molmo) 3 records; convention molmo (percent 0-100, x first)"
check "molmo: F1@0.3 point-in-box" row "$tmp/out" "F1@0.3" 0.400 0.400
check "molmo: F1@0.5 the same" row "$tmp/out" "F1@0.5" 0.400 0.400
check "molmo: tp/fp/fn" row "$tmp/out" "  tp / fp / fn" 1/2/1 1/2/1

"$BIN" report "$D/px" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "px: exit 0 (a warning is not a failure)" [ "$rc" -eq 0 ]
check "px: one convention warning" count "$tmp/err" "may not fit convention qwen3" 1
check "px: values above the scale counted" has "$tmp/err" "1 of 2 records (50.0%) have values above 1000"
check "px: qwen25 suggested" has "$tmp/err" "try --coords qwen25"
check "px: boxes outside counted" has "$tmp/err" "1 of 2 boxes (50.0%) reach outside the image"
check "px: F1" row "$tmp/out" "F1@0.3" 0.500 0.500

"$BIN" report "$D/mix" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "mix: exit 0" [ "$rc" -eq 0 ]
check "mix: syntax line names both syntaxes and conventions" has "$tmp/out" \
	"  syntax bbox_2d (Qwen2.5/3-VL) 1 record, box_2d (Gemini) 1 record; convention qwen3 (relative 0-1000, x first), gemini (relative 0-1000, y first)"
check "mix: each record in its own convention" row "$tmp/out" "  tp / fp / fn" 2/0/2 2/0/2
check "mix: no warning" count "$tmp/err" "may not fit" 0

# md-object/: md's gt, run.json "object": "insulator" (the run's request);
#   line 1 has no prompt: the run's request -> 1/2/1 as md's line 1; line 2
#   "Detect: damper" overrides it: r0 FP (A is an insulator), r1 = C TP, r2
#   FP, only C counts -> 1/2/0.  off 2/4/1 -> F1 4/9 = 0.444; repeat_stop
#   drops both r2: 2/2/1 -> 4/7 = 0.571.  No label-less warning.
"$BIN" report "$D/md-object" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "md-object: exit 0" [ "$rc" -eq 0 ]
check "md-object: run.json object, the prompt overriding it" row "$tmp/out" "  tp / fp / fn" 2/4/1 2/2/1
check "md-object: F1@0.3" row "$tmp/out" "F1@0.3" 0.444 0.571
check "md-object: no warning" [ ! -s "$tmp/err" ]

# report --json: the warning and the counts, null without a warning
"$BIN" report --json "$D/px" >"$tmp/json" 2>/dev/null
check "px json: convention_warning text" \
	has "$tmp/json" '"convention_warning":	"coordinates may not fit convention qwen3 (relative 0-1000, x first): 1 of 2 records (50.0%) have values above 1000'
check "px json: above counted" has "$tmp/json" '"above":	1,'
check "px json: outside counted" has "$tmp/json" '"outside":	1,'
check "px json: sized counted" has "$tmp/json" '"sized":	2,'
check "px json: syntax per key" has "$tmp/json" '"bbox_2d":	2'
check "px json: convention per kind" has "$tmp/json" '"qwen3":	2'
"$BIN" report --json "$D/ds" >"$tmp/json" 2>/dev/null
check "ds json: convention_warning null" has "$tmp/json" '"convention_warning":	null,'
check "ds json: syntax line as report prints it" \
	has "$tmp/json" '"syntax":	"deepseek (DeepSeek-VL2) 2 records; convention deepseek (relative 0-999, x first)"'

"$BIN" report "$D/md" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "md: exit 0" [ "$rc" -eq 0 ]
check "md: tp/fp/fn per class request" row "$tmp/out" "  tp / fp / fn" 1/5/7 1/3/7
check "md: F1@0.5" row "$tmp/out" "F1@0.5" 0.143 0.167
check "md: label-less records without a request warned once" \
	count "$tmp/err" "3 records without a label and no request to name it" 1
check "md: unknown request warned" has "$tmp/err" "traces.jsonl:3: the request 'Detect: insulators' names no category"
"$BIN" report --json "$D/md" >"$tmp/json" 2>/dev/null
check "md json: unlabeled_records" has "$tmp/json" '"unlabeled_records":	3'
check "md json: unknown_requests" has "$tmp/json" '"unknown_requests":	1'

# each simulated family run names its syntax, and none warns
for r in florence2:florence2 deepseek-vl2:deepseek qwen2-vl:qwen2vl internvl:ref-box kosmos2:kosmos2 \
         moondream:x_min qwen-points:point_2d molmo-points:molmo gemini-extras:box_2d; do
	run=${r%%:*}
	key=${r#*:}
	"$BIN" report "sample_runs/family-$run" >"$tmp/out" 2>"$tmp/err"
	check "family-$run: syntax $key" grep -Eq "^  syntax $key \(" "$tmp/out"
	check "family-$run: no warning" count "$tmp/err" "may not fit" 0
	check "family-$run: no label-less records" count "$tmp/err" "without a label" 0
done
# family-moondream: one request per (scene, class), "Detect: <class>" prompts:
# 27 ground-truth boxes in its 3 scenes (12 + 10 + 5), counted once each
"$BIN" report sample_runs/family-moondream >"$tmp/out" 2>"$tmp/err"
check "family-moondream: 15 requests" row "$tmp/out" samples 15 15
check "family-moondream: tp + fn = 27 boxes" grep -Eq '^    tp / fp / fn +24/10/3 +24/2/3$' "$tmp/out"
check "family-moondream: F1@0.3 not 0" row "$tmp/out" "F1@0.3" 0.787 0.906

[ "$fails" -eq 0 ]
