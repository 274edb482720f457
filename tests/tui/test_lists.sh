#!/bin/sh
# End-to-end tests of the lists features at 80x24 (issue 22 items 3, 9, 10):
# filter expressions in the samples list (the samples kept, a bad
# expression's error column), marks (b) written by W and read back by a
# python CSV reader, --samples FILE opening only the marked samples, and the
# comparison view with 5 runs: every column reachable with h/l, s sorting
# the runs by the focused column.  Every expected value is worked out by
# python3 from `tailscope report --json [--per-sample]` (or from the typed
# text), never pasted from the screen.
TUI_TEST=lists
. "$(dirname "$0")/lib.sh"
RUNS="$ROOT/sample_runs"

# per_sample RUN PY-EXPR: the image ids (the samples list's names) of the
# samples of RUN for which PY-EXPR holds (s: the per-sample JSON object,
# f1: its F1 at the first IoU with the policy off, as the list's F1 column),
# in line order, space-separated
per_sample() {
	"$BIN" report --json --per-sample "$1" 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
out = []
for s in d["runs"][0]["samples"]:
    c = s["policies"]["off"]["counts"]
    c = c[sorted(c, key=float)[0]]
    den = 2 * c["tp"] + c["fp"] + c["fn"]
    f1 = 2 * c["tp"] / den if den else None
    if eval(sys.argv[1]):
        out.append(str(s["image_id"]))
print(" ".join(out))' "$2"
}
# shown SESSION: the names in the samples pane (marks removed), space-separated
shown() {
	screen "$1" | awk -F'│' 'NR >= 3 { print $1 }' | grep -E '^●?[^ ]+ +[0-9]+ +[0-9]+ +×' |
		awk '{ print $1 }' | sed 's/●//' | tr '\n' ' ' | sed 's/ $//'
}

# ------------------------------------------------ filter expressions (run-a)
size=80x24
start flt 80 24 -- "$FIX/run-a"
wait_for flt "? help" >/dev/null
wait_re flt "^4 .* M " >/dev/null # every badge computed
want=$(per_sample "$FIX/run-a" 's["max_repeat"] > 5 and f1 is not None and f1 < 0.5')
keys flt / 'max_repeat>5 && f1<0.5' Enter
wait_for flt "filter 'max_repeat>5 && f1<0.5'" >/dev/null
got=$(shown flt)
echo "# max_repeat>5 && f1<0.5: python $want, screen $got"
check "filter max_repeat>5 && f1<0.5 keeps the samples python finds ($want)" test -n "$want" -a "$got" = "$want"
check "filter: the title counts them" wait_for flt "Samples $(echo "$want" | wc -w)/5"
# a bad expression: the error names the column of the offending token
bad='max_repeat>>5'
col=$(python3 -c 'import sys; e = sys.argv[1]; print(e.index(">>") + 2)' "$bad")
keys flt / C-u "$bad" Enter
check "bad expression: error at column $col (the second >)" wait_for flt "error at column $col:"
keys flt Escape
keys flt q
wait_exit flt >/dev/null

# termination=T on a run with truncated samples
start trm 80 24 -- "$RUNS/lora-qkvo-r16"
wait_for trm "? help" >/dev/null
want=$(per_sample "$RUNS/lora-qkvo-r16" 's["termination"] == "truncated"')
keys trm / 'termination=T' Enter
wait_for trm "filter 'termination=T'" >/dev/null
got=$(shown trm)
echo "# termination=T: python $want, screen $got"
check "filter termination=T keeps the truncated samples python finds ($want)" \
	test -n "$want" -a "$got" = "$want"

# ------------------------------------------------ marks, W, --samples
# the list in id order: b marks the selected sample and moves down, so
# "j b j j b" marks rows 2 and 5
keys trm / C-u Enter
wait_gone trm "filter 'termination=T'" >/dev/null
keys trm g j b j j b
wait_for trm "●2" >/dev/null
keys trm W
wait_for trm "tailscope-marks-lora-qkvo-r16.csv" >/dev/null
want=$("$BIN" report --json --per-sample "$RUNS/lora-qkvo-r16" 2>/dev/null | python3 -c '
import json, sys
s = json.load(sys.stdin)["runs"][0]["samples"]
print(" ".join("%d,%s" % (s[k]["line"], s[k]["image_id"]) for k in (1, 4)))')
got=$(python3 -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert all(r["run"] == "lora-qkvo-r16" for r in rows), rows
print(" ".join("%s,%s" % (r["line"], r["image_id"]) for r in rows))' "$TMP/tailscope-marks-lora-qkvo-r16.csv" 2>&1)
echo "# marks CSV: python from the report $want, read back $got"
check "W: the CSV names the 2 marked samples (line,image_id: $want)" test "$got" = "$want"
check "W: the JSON file too" test -s "$TMP/tailscope-marks-lora-qkvo-r16.json"
keys trm q
wait_exit trm >/dev/null

start sub 80 24 -- --samples "$TMP/tailscope-marks-lora-qkvo-r16.csv" "$RUNS/lora-qkvo-r16"
wait_for sub "? help" >/dev/null
want=$(python3 -c '
import csv, sys
print(" ".join(r["image_id"] for r in csv.DictReader(open(sys.argv[1], newline=""))))' \
	"$TMP/tailscope-marks-lora-qkvo-r16.csv")
got=$(shown sub)
echo "# --samples: CSV $want, screen $got"
check "--samples FILE opens only its samples ($want)" test "$got" = "$want"
check "--samples: the title says 2 of 24, marked" wait_for sub "Samples 2/24  ●2 only"
keys sub q
wait_exit sub >/dev/null

# ------------------------------------------------ comparison, 5 runs, 80x24
FIVE="base lora-qkvo-r16 lora-qv-r16 lora-qv-r4 lora-qv-r64"
set --
for r in $FIVE; do set -- "$@" "$RUNS/$r"; done
start cmp 80 24 -- "$@"
wait_for cmp "Compare 5 runs" >/dev/null
wait_gone cmp "computing" >/dev/null
# the columns (heads and sides) and the run order each sorts to, worst
# first, from report --json: F1 and termination rate lower is worse; dup
# rate, max repeat and tokens higher is worse
"$BIN" report --json "$@" 2>/dev/null >"$TMP/five.json"
python3 - "$TMP/five.json" >"$TMP/cols.txt" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
runs = d["runs"]
ious = sorted(runs[0]["off"]["f1"], key=float)
cols = []
for iou in ious:
    cols.append(("F1@%g" % float(iou), lambda p, i=iou: p["f1"][i]["f1"], False))
cols += [("dup rate", lambda p: p["duplicate_rate"], True),
         ("max repeat", lambda p: p["max_repeat"], True),
         ("term rate", lambda p: p["termination_rate"], False),
         ("tokens", lambda p: p["tokens"], True)]
for head, val, higher_worse in cols:
    for side, pol in (("off", "off"), ("on", "repeat_stop")):
        order = sorted(range(len(runs)), key=lambda k: (-val(runs[k][pol]) if higher_worse
                                                         else val(runs[k][pol]), k))
        print("%s|%s|%s" % (head, side, " ".join(runs[k]["name"] for k in order)))
EOF
ncols=$(wc -l <"$TMP/cols.txt")
check "comparison: python lists 12 columns" test "$ncols" = 12
# rows 4-8: the runs in the order shown
order() { screen cmp | sed -n '4,8p' | sed 's/^[▸ ]*[● ]*//' | awk '{ print $1 }' | tr '\n' ' ' | sed 's/ $//'; }
k=0
while IFS='|' read -r head side want; do
	k=$((k + 1))
	keys cmp s
	wait_for cmp "sort: $head $side ↓" 20 >/dev/null
	scr=$(screen cmp)
	check "column $k ($head $side) reached with l: s sorts by it" \
		sh -c "printf '%s\n' \"\$1\" | head -1 | grep -qF \"sort: $head $side ↓\"" _ "$scr"
	check "column $k: its head '$head' is on screen at 80 columns" \
		sh -c "printf '%s\n' \"\$1\" | sed -n 2p | grep -qF \"$head\"" _ "$scr"
	got=$(order)
	[ "$got" = "$want" ] || echo "# column $k: python $want, screen $got"
	check "column $k ($head $side): runs in python's worst-first order" test "$got" = "$want"
	keys cmp l
done <"$TMP/cols.txt"
# and back with h: the first column again
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do keys cmp h; done
keys cmp s
first=$(head -1 "$TMP/cols.txt" | cut -d'|' -f1,2 | tr '|' ' ')
check "h back to the first column ($first)" wait_for cmp "sort: $first ↓"
keys cmp q
wait_exit cmp >/dev/null

echo "# $n checks, $failed failed"
[ "$failed" -eq 0 ]
