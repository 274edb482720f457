#!/bin/sh
# Marks of a sharded run (issue 23 left-over): W writes the shard of each
# marked sample next to its line (CSV run,file,line,image_id and JSON
# "file"/"line", the names report's CSV/JSON use), and --samples reads them
# back on (file, line): in tests/data/shards-lines, part-1.jsonl:1 and
# part-2.jsonl:1 are both "line 1", so a bare line number cannot tell them
# apart.  Expected (file, line, image_id) triples come from a python listing
# of the shards (natural order, every non-blank line), never from the
# screen.  A CSV with no "file" column is refused for a sharded run.
TUI_TEST=marks_shards
. "$(dirname "$0")/lib.sh"
RUN="$ROOT/tests/data/shards-lines"
CSV="$TMP/tailscope-marks-shards-lines.csv"

# listing: FILE,LINE,IMAGE_ID of every sample, shards in their natural order
python3 - "$RUN" >"$TMP/all" <<'PY'
import json, os, sys
d = sys.argv[1]
for name in ["part-1.jsonl", "part-2.jsonl"]:
    with open(os.path.join(d, name)) as f:
        for i, l in enumerate(f, 1):
            if l.strip():
                print("%s,%d,%d" % (name, i, json.loads(l)["image_id"]))
PY
# the list is in id order: rows 2 and 3 are the samples with the 2nd and 3rd ids
want=$(sort -t, -k3,3n "$TMP/all" | sed -n 2,3p | tr '\n' ' ' | sed 's/ $//')
check "fixture: rows 2-3 are part-1.jsonl,2,2 and part-2.jsonl,1,3 ($want)" \
	test "$want" = "part-1.jsonl,2,2 part-2.jsonl,1,3"

start w 80 24 -- "$RUN"
wait_for w "? help" >/dev/null
keys w g j b b
wait_for w "●2" >/dev/null
keys w W
check "W writes the marks files" wait_for w "tailscope-marks-shards-lines.csv"
keys w q
wait_exit w >/dev/null
got=$(python3 -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert list(rows[0].keys()) == ["run", "file", "line", "image_id"], rows[0].keys()
assert all(r["run"] == "shards-lines" for r in rows), rows
print(" ".join("%s,%s,%s" % (r["file"], r["line"], r["image_id"]) for r in rows))' "$CSV" 2>&1)
echo "# CSV: want $want, got $got"
check "CSV: header run,file,line,image_id; the 2 marked samples' file,line,image_id" \
	test "$got" = "$want"
got=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(" ".join("%s,%d,%d" % (s["file"], s["line"], s["image_id"]) for s in d["samples"]))' \
	"${CSV%.csv}.json" 2>&1)
check "JSON: samples[].file/line/image_id the same ($got)" test "$got" = "$want"

# read back: only the two marked samples (ids 2 3), not part-1.jsonl:1 (id 1)
start r 80 24 -- --samples "$CSV" "$RUN"
wait_for r "? help" >/dev/null
check "--samples: the title says 2 of 3, marked" wait_for r "Samples 2/3  ●2 only"
got=$(screen r | awk -F'│' 'NR >= 3 { print $1 }' | grep -E '^●?[0-9]+ ' | awk '{ print $1 }' |
	sed 's/●//' | tr '\n' ' ' | sed 's/ $//')
check "--samples: the marked samples are ids 2 3 (got $got)" test "$got" = "2 3"
keys r q
wait_exit r >/dev/null

# report's own --per-sample --csv, filtered to part-2.jsonl,1 by python, reads back too
"$BIN" report --per-sample --csv "$RUN" 2>/dev/null | python3 -c '
import csv, sys
rows = list(csv.DictReader(sys.stdin))
w = csv.DictWriter(sys.stdout, fieldnames=list(rows[0].keys()))
w.writeheader()
w.writerows(r for r in rows if (r["file"], r["line"]) == ("part-2.jsonl", "1"))' >"$TMP/rep.csv"
start p 80 24 -- --samples "$TMP/rep.csv" "$RUN"
wait_for p "? help" >/dev/null
check "--samples on report's CSV row part-2.jsonl,1: 1 of 3" wait_for p "Samples 1/3  ●1 only"
keys p q
wait_exit p >/dev/null

# a line column alone names no sample of a sharded run: refused, exit 2
printf 'line\r\n1\r\n' >"$TMP/bare.csv"
start b 80 24 -- --samples "$TMP/bare.csv" "$RUN"
check "--samples without a file column: exit 2" status_is b 2
said() { T capture-pane -p -S - -t b 2>/dev/null | tr -d '\n' | grep -qF "$1"; }
check "... naming the file, its line 1 and the missing column" said 'bare.csv:1: no "file" column'

echo "# $n checks, $failed failed"
[ "$failed" -eq 0 ]
