#!/bin/sh
# Line numbers of sharded runs name their shard (issue 23): report --csv,
# --per-sample, --per-record and --json give each sample's "file" (the
# shard's name: shards_label) next to its "line" (in that shard).  The
# expected (file, line) pairs come from the fixture's own layout: a python3
# script lists the shards in their natural order (part-1, part-2, part-10)
# and every non-blank line of each.  A single traces file keeps its outputs
# as they were: no "file" column or key.
. "$(dirname "$0")/lib.sh"
R=sample_runs/lora-qv-r16
mkdir -p "$tmp/s/run" "$tmp/one"
cp -R sample_runs/scenes "$tmp/s/scenes"
sed 's/"traces":"traces.jsonl"/"traces":"part-*.json"/' "$R/run.json" >"$tmp/s/run/run.json"
sed -n 1,7p "$R/traces.jsonl" >"$tmp/s/run/part-1.json"
sed -n 8,14p "$R/traces.jsonl" >"$tmp/s/run/part-2.json"
sed -n '15,$p' "$R/traces.jsonl" >"$tmp/s/run/part-10.json"

# expected: FILE,LINE for every sample, in report order
python3 - "$tmp/s/run" >"$tmp/want" <<'PY'
import os, sys
d = sys.argv[1]
for name in ["part-1.json", "part-2.json", "part-10.json"]:
    with open(os.path.join(d, name)) as f:
        for i, l in enumerate(f, 1):
            if l.strip():
                print(f"{name},{i}")
PY
nwant=$(wc -l <"$tmp/want")
check "fixture: 3 shards, $nwant samples (part-10.json:10 last)" sh -c "[ $nwant -eq $(wc -l <"$R/traces.jsonl") ] && tail -n 1 '$tmp/want' | grep -qx 'part-10.json,10'"

timeout 60 "$BIN" report --csv "$tmp/s/run" >"$tmp/csv" 2>"$tmp/err"
check "csv: header run,file,line,..." sh -c "head -n 1 '$tmp/csv' | grep -q '^run,file,line,image_id,'"
tail -n +2 "$tmp/csv" | tr -d '\r' | cut -d, -f2,3 >"$tmp/got"
check "csv: file,line of every sample as the shards hold them" cmp -s "$tmp/got" "$tmp/want"

timeout 60 "$BIN" report --json --per-sample "$tmp/s/run" >"$tmp/json" 2>>"$tmp/err"
python3 -c 'import json,sys
for r in json.load(open(sys.argv[1]))["runs"]:
    for s in r["samples"]: print("%s,%d" % (s["file"], s["line"]))' "$tmp/json" >"$tmp/got" 2>>"$tmp/err"
check "json: samples[].file/line the same" cmp -s "$tmp/got" "$tmp/want"

timeout 60 "$BIN" report --per-sample "$tmp/s/run" >"$tmp/txt" 2>>"$tmp/err"
check "per-sample text: a file:line column" grep -q '^  file:line  *image ' "$tmp/txt"
sed -n '/^  file:line /,$p' "$tmp/txt" | tail -n +2 | awk '{print $1}' | sed 's/:\([0-9]*\)$/,\1/' >"$tmp/got"
check "per-sample text: FILE:LINE of every sample" cmp -s "$tmp/got" "$tmp/want"

timeout 60 "$BIN" report --per-record "$tmp/s/run" >"$tmp/rec" 2>>"$tmp/err"
check "per-record csv: header run,file,line,..." sh -c "head -n 1 '$tmp/rec' | grep -q '^run,file,line,image_id,'"
tail -n +2 "$tmp/rec" | tr -d '\r' | cut -d, -f2,3 | uniq >"$tmp/got"
# every sample of this run has at least one record
check "per-record csv: file,line of the records' samples" cmp -s "$tmp/got" "$tmp/want"
timeout 60 "$BIN" report --json --per-record "$tmp/s/run" >"$tmp/jrec" 2>>"$tmp/err"
python3 -c 'import json,sys
seen = []
for r in json.load(open(sys.argv[1]))["runs"]:
    for e in r["records"]:
        k = "%s,%d" % (e["file"], e["line"])
        if not seen or seen[-1] != k: seen.append(k)
print("\n".join(seen))' "$tmp/jrec" >"$tmp/got" 2>>"$tmp/err"
check "json records[].file/line the same" cmp -s "$tmp/got" "$tmp/want"

# a directory of shards: the file's name
mkdir -p "$tmp/d/run"
cp -R sample_runs/scenes "$tmp/d/scenes"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); r.pop("traces"); json.dump(r, open(sys.argv[2], "w"))' "$R/run.json" "$tmp/d/run/run.json"
sed -n 1,20p "$R/traces.jsonl" | gzip >"$tmp/d/run/traces-00001-of-00002.jsonl.gz"
sed -n '21,$p' "$R/traces.jsonl" >"$tmp/d/run/traces-00002-of-00002.jsonl"
timeout 60 "$BIN" report --csv "$tmp/d/run" 2>>"$tmp/err" | tr -d '\r' | cut -d, -f2,3 >"$tmp/got"
check "directory: sample 21 is traces-00002-of-00002.jsonl,1" sh -c "sed -n 22p '$tmp/got' | grep -qx 'traces-00002-of-00002.jsonl,1'"
check "directory: sample 20 is traces-00001-of-00002.jsonl.gz,20" sh -c "sed -n 21p '$tmp/got' | grep -qx 'traces-00001-of-00002.jsonl.gz,20'"

# a single file: outputs as before (no file column / key)
cp "$R/run.json" "$R/traces.jsonl" "$tmp/one/" && cp -R sample_runs/scenes "$tmp/scenes"
timeout 60 "$BIN" report --csv "$tmp/one" >"$tmp/csv1" 2>>"$tmp/err"
check "single file: csv header run,line,..." sh -c "head -n 1 '$tmp/csv1' | grep -q '^run,line,image_id,'"
timeout 60 "$BIN" report --json --per-sample "$tmp/one" >"$tmp/json1" 2>>"$tmp/err"
check "single file: no \"file\" key" sh -c "! grep -q '\"file\"' '$tmp/json1'"
check "single file: line 24 is the last sample" python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["runs"][0]["samples"]; assert s[-1]["line"] == 24' "$tmp/json1"
timeout 60 "$BIN" report --per-sample "$tmp/one" >"$tmp/txt1" 2>>"$tmp/err"
check "single file: no file:line column" sh -c "! grep -q 'file:line' '$tmp/txt1'"
[ "$fails" -eq 0 ]
