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
BIN=${BIN:-${BUILD:-build}/tailscope}
D=tests/data/syntaxes
n=0
fails=0
check() {
	n=$((n + 1))
	desc=$1
	shift
	if "$@"; then echo "ok $n - $desc"; else echo "not ok $n - $desc"; fails=$((fails + 1)); fi
}
row() {
	f=$1; shift
	name=$1; shift
	grep -Eq "^  $name +$(echo "$*" | sed 's/ / +/g')\$" "$f"
}
has() { grep -Fq -- "$2" "$1"; }
count() { [ "$(grep -Fc -- "$2" "$1")" -eq "$3" ]; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

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
check "px: values above the scale counted" has "$tmp/err" "1 of 2 records have values above 1000"
check "px: qwen25 suggested" has "$tmp/err" "try --coords qwen25"
check "px: boxes outside counted" has "$tmp/err" "1 of 2 boxes reach outside the image"
check "px: F1" row "$tmp/out" "F1@0.3" 0.500 0.500

# each simulated family run names its syntax, and none warns
for r in florence2:florence2 deepseek-vl2:deepseek qwen2-vl:qwen2vl internvl:ref-box kosmos2:kosmos2 \
         moondream:x_min qwen-points:point_2d molmo-points:molmo gemini-extras:box_2d; do
	run=${r%%:*}
	key=${r#*:}
	"$BIN" report "sample_runs/family-$run" >"$tmp/out" 2>"$tmp/err"
	check "family-$run: syntax $key" grep -Eq "^  syntax $key \(" "$tmp/out"
	check "family-$run: no warning" count "$tmp/err" "may not fit" 0
done

[ "$fails" -eq 0 ]
