#!/bin/sh
# issue 19 item 8: CSV injection.  report --csv writes run and image names
# from the data; a cell that starts with = + - @ TAB or CR would run as a
# formula in a spreadsheet, so it gets a leading ' (OWASP's advice).  The
# expected cells are worked out here by an independent reader (python's csv
# module on the output, the names as this script wrote them).
. "$(dirname "$0")/lib.sh"

S="$ROOT/sample_runs"
mkdir -p "$T/in"
python3 - "$S/base/traces.jsonl" "$T/in" <<'PY'
import json, os, sys
src, out = sys.argv[1], sys.argv[2]
lines = [json.loads(l) for l in open(src) if l.strip()][:6]
names = ['=HYPERLINK("http://evil.example","x")', '+SUM(A1)', '-2+3', '@cmd', '\tTAB.png', 'plain.png']
for i, (l, n) in enumerate(zip(lines, names)):
    l["file_name"] = n
    l.pop("image_id", None)
for run in ['=cmd|" /C calc"!A0', 'ok-run']:
    d = os.path.join(out, run)
    os.makedirs(d)
    with open(os.path.join(d, "traces.jsonl"), "w") as f:
        for l in lines:
            f.write(json.dumps(l) + "\n")
    with open(os.path.join(d, "run.json"), "w") as f:
        json.dump({"name": run, "coords": "qwen3"}, f)
PY
bounded 30 csv "$BIN" report --csv "$T/in/=cmd|\" /C calc\"!A0" "$T/in/ok-run"
check "report --csv on hostile names: exit 0 (rc $RC)" [ "$RC" -eq 0 ]
check "within 20 s ($WALL s), peak memory under $MEM_KB KB ($PEAK_KB KB)" \
	sh -c "awk -v w=$WALL 'BEGIN{exit !(w<20)}' && [ $PEAK_KB -lt $MEM_KB ]"
python3 - "$T/csv.out" >"$T/csv.check" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
head, body = rows[0], rows[1:]
ri, ii, si = head.index("run"), head.index("image"), head.index("score")
danger = ("=", "+", "-", "@", "\t", "\r")
# a TAB reaches the CSV as the sanitizer's visible escape "\\t" (analysis/sanitize.h)
want_img = ['=HYPERLINK("http://evil.example","x")', '+SUM(A1)', '-2+3', '@cmd', '\\tTAB.png', 'plain.png']
bad = []
for k, r in enumerate(body):
    for col, want in ((ri, ['=cmd|" /C calc"!A0', 'ok-run'][k // 6]), (ii, want_img[k % 6])):
        cell = r[col]
        exp = "'" + want if want.startswith(danger) else want
        if cell != exp:
            bad.append("row %d col %s: %r != %r" % (k, head[col], cell, exp))
    if r[si] and not r[si].startswith("-"):
        bad.append("score %r is not a plain negative number" % r[si])
    for c in r:
        if c.startswith(danger) and not c.lstrip("-").replace(".", "", 1).replace("e", "", 1).lstrip("-").isdigit():
            bad.append("unneutralised cell %r" % c)
print("rows", len(body))
print("\n".join(bad) if bad else "clean")
PY
check "12 rows read back" grep -qx 'rows 12' "$T/csv.check"
check "every run/image cell starting with = + - @ TAB gets a leading ', others unchanged; numbers (negative scores) untouched" \
	grep -qx clean "$T/csv.check"
[ -n "$VERBOSE" ] && cat "$T/csv.check"; :
finish
