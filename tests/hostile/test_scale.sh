#!/bin/sh
# Hostile input at scale (issue 19 items 3 and 11, issue 21): bounded time
# and bounded peak memory, measured here with /usr/bin/time -v.
#  1. 1M ground-truth boxes on one image and a 100k-record trace: matching
#     is near-linear (main: > 300 s); the counts are worked out by the
#     generator below, not by tailscope.
#  2. the same 1M annotations, each with a polygon: the loader keeps
#     what matching needs (<= 150 bytes per annotation at peak).
#  3. a 64 MiB line of "0," and a 40 MB line of 10M steps: refused before
#     parsing, peak memory a small fraction of the line's cJSON tree.
#  4. under a memory limit (ulimit -v), a valid line too big to parse says
#     "out of memory", not "malformed JSON" (skipped under ASan: its shadow
#     memory needs the address space).
# Prints "ok N - ..." / "not ok N - ..."; exits non-zero when a check failed.
. "$(dirname "$0")/lib.sh"
if [ ! -x /usr/bin/time ]; then
	notok "/usr/bin/time is installed (the 'time' package, .ci/deps test)"
	finish
fi
case "$BUILD" in *asan*) ASAN=1 ;; *) ASAN=0 ;; esac
TMP=$T

# run NAME LIMIT_S CMD...: lib.sh's bounded, the exit code and the peak
# RSS (KB) kept in $T/NAME.rc and $T/NAME.kb for the checks below
run() {
	name=$1 lim=$2
	shift 2
	bounded "$lim" "$name" "$@"
	echo "$RC" >"$T/$name.rc"
	echo "$PEAK_KB" >"$T/$name.kb"
}
rc() { cat "$TMP/$1.rc"; }
kb() { k=$(cat "$TMP/$1.kb"); echo "${k:-999999999}"; }
below() { [ "$(kb "$1")" -lt "$2" ]; }
# peak memory checks: not under ASan (its shadow memory and quarantine count)
mem() {
	if [ "$ASAN" = 1 ]; then ok "# SKIP $1 (ASan build)"; else check "$1" below "$2" "$3"; fi
}

# --- 1 and 2: the data, and the expected counts (every record is the box of
# a distinct grid cell shifted by one pixel: IoU 81/119 = 0.68 with it, 0
# with every other box; so TP = records, FP = 0, FN = samples*boxes - TP) ---
python3 - "$TMP" <<'EOF'
import json, sys
d = sys.argv[1]
NGT, NS, NR, SIDE = 1000000, 100, 1000, 1000
def gt(path, poly):
    with open(path, "w") as f:
        f.write('{"images":[{"id":1,"file_name":"a.png","width":20000,"height":20000}],')
        f.write('"categories":[{"id":1,"name":"cat"}],"annotations":[')
        seg = ',"segmentation":[[0,0,10,0,10,10,0,10,5,5,2,2,8,8,1,9]]' if poly else ''
        f.write(",".join('{"id":%d,"image_id":1,"category_id":1,"bbox":[%d,%d,10,10],"iscrowd":0,"area":100%s}'
                         % (i + 1, 20 * (i % SIDE), 20 * (i // SIDE), seg) for i in range(NGT)))
        f.write("]}")
gt(d + "/gt.json", False)
gt(d + "/gt_poly.json", True)
seen = set()
with open(d + "/traces.jsonl", "w") as f:
    for s in range(NS):
        recs = []
        for r in range(NR):
            c = (s * NR + r) * 7 % NGT
            seen.add(c)
            x, y = 20 * (c % SIDE) + 1, 20 * (c // SIDE) + 1
            recs.append({"bbox_2d": [x, y, x + 10, y + 10], "label": "cat"})
        f.write(json.dumps({"image_id": 1, "finish_reason": "length", "text": json.dumps(recs)}) + "\n")
tp = len(seen)
with open(d + "/expect", "w") as f:
    f.write("%d/%d/%d\n" % (tp, NS * NR - tp, NS * NGT - tp))
with open(d + "/one.jsonl", "w") as f:
    f.write(json.dumps({"image_id": 1, "text": json.dumps([{"bbox_2d": [1, 1, 11, 11], "label": "cat"}])}) + "\n")
EOF
want=$(cat "$TMP/expect")

run match 240 "$BIN" report --coords xyxy --gt "$TMP/gt.json" "$TMP/traces.jsonl"
check "1M boxes x 100k records: report finishes (exit 0, got $(rc match))" [ "$(rc match)" = 0 ]
got=$(sed -n 's|^ *tp / fp / fn *\([0-9/]*\) .*|\1|p' "$TMP/match.out" | sort -u | tr '\n' ' ')
check "1M boxes x 100k records: tp/fp/fn $want at both thresholds (got $got)" [ "$got" = "$want " ]
mem "1M boxes x 100k records: peak memory < 400 MB ($(kb match) KB)" match 409600

# 2: loading 1M annotations with polygons, matching one record
run load 120 "$BIN" report --coords xyxy --gt "$TMP/gt_poly.json" "$TMP/one.jsonl"
check "1M annotations with polygons: loaded (exit 0, got $(rc load))" [ "$(rc load)" = 0 ]
grep -q 'tp / fp / fn *1/0/999999 ' "$TMP/load.out"
check "1M annotations with polygons: tp/fp/fn 1/0/999999" [ $? = 0 ]
# 1M annotations at <= 150 B each plus the program (~30 MB): < 180 MB
mem "1M annotations with polygons: peak memory < 180 MB ($(kb load) KB)" load 184320
rm -f "$TMP/gt.json" "$TMP/gt_poly.json" "$TMP/traces.jsonl"

# --- 3: dense lines ---
python3 - "$TMP" <<'EOF'
import sys
d = sys.argv[1]
with open(d + "/zeros.jsonl", "w") as f:
    f.write('{"tokens":[' + '0,' * (32 * 1024 * 1024 - 16) + '0]}\n')
with open(d + "/steps.jsonl", "w") as f:
    f.write('{"tokens":[' + ','.join(['"a"'] * 10000000) + ']}\n')
EOF
for c in zeros steps; do
	run "$c" 120 "$BIN" report "$TMP/$c.jsonl"
	check "$c line: exit 2 (got $(rc $c))" [ "$(rc $c)" = 2 ]
	grep -q "$c.jsonl:1: line of [0-9]* bytes holds ~[0-9]* JSON values, more than one per 8 bytes and more than 2000000 (refused before parsing" "$TMP/$c.err"
	check "$c line: refused before parsing, named FILE:1" [ $? = 0 ]
	mem "$c line: peak memory < 200 MB ($(kb $c) KB; main: 2.7 GB / 1.14 GB)" "$c" 204800
done
rm -f "$TMP/zeros.jsonl" "$TMP/steps.jsonl"

# --- 4: out of memory, said so ---
if [ "$ASAN" = 1 ]; then
	ok "# SKIP out of memory under ulimit -v (ASan build)"
else
	python3 -c '
import sys
open(sys.argv[1], "w").write("{\"tokens\":[" + ",".join(["{\"token\":\"ab\",\"logprob\":-0.12345}"] * 1500000) + "]}\n")' "$TMP/dense.jsonl"
	(ulimit -v 400000; timeout 60 "$BIN" report --limit steps=2000000 "$TMP/dense.jsonl" >"$TMP/oom.out" 2>"$TMP/oom.err")
	grep -q 'dense.jsonl:1: out of memory parsing a line of 51000012 bytes' "$TMP/oom.err"
	check "valid 51 MB line under ulimit -v 400 MB: 'out of memory', FILE:1" [ $? = 0 ]
	! grep -q 'malformed' "$TMP/oom.err"
	check "valid 51 MB line under ulimit -v 400 MB: not called malformed" [ $? = 0 ]
fi
finish
