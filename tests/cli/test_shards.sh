#!/bin/sh
# Sharded runs (issue 23): a run directory of many trace files, or run.json
# naming a pattern, read as one run in a stable order.  A sample run's
# traces.jsonl is cut (by sed, here) into 4 shards in order; the report
# --json of the shards must be byte-identical to the plain run's, whatever
# each shard's compression, and an error is named by shard and line.
. "$(dirname "$0")/lib.sh"
R=sample_runs/lora-qv-r16
cp -R sample_runs/scenes "$tmp/scenes"
total=$(wc -l <"$R/traces.jsonl")
q=$(( (total + 3) / 4 ))
mk() { mkdir -p "$tmp/$1"; sed 's/"traces":"traces.jsonl"/"traces":"'"$2"'"/' "$R/run.json" >"$tmp/$1/run.json"; }
part() { sed -n "$(( ($1 - 1) * q + 1 )),$(( $1 * q ))p" "$R/traces.jsonl"; }

mkdir -p "$tmp/plain" && cp "$R/run.json" "$R/traces.jsonl" "$tmp/plain/"
# 1: a directory of traces-0000K-of-00004 shards, mixed compression, no "traces" in run.json
mkdir -p "$tmp/dir"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); r.pop("traces"); json.dump(r, open(sys.argv[2], "w"))' "$R/run.json" "$tmp/dir/run.json"
part 1 | gzip >"$tmp/dir/traces-00001-of-00004.jsonl.gz"
part 2 >"$tmp/dir/traces-00002-of-00004.jsonl"
part 3 | zstd -q >"$tmp/dir/traces-00003-of-00004.jsonl.zst"
part 4 | gzip >"$tmp/dir/traces-00004-of-00004.jsonl.gz"
# 2: run.json names a pattern; unpadded numbers (part-2 before part-10)
mk glob "part-*.json"
part 1 >"$tmp/glob/part-1.json"
part 2 >"$tmp/glob/part-2.json"
part 3 >"$tmp/glob/part-3.json"
part 4 >"$tmp/glob/part-10.json"
for k in plain dir glob; do
	mv "$tmp/$k" "$tmp/$k.d" && mkdir "$tmp/$k" && mv "$tmp/$k.d" "$tmp/$k/lora-qv-r16"
	cp -R sample_runs/scenes "$tmp/$k/scenes"
	timeout 60 "$BIN" report --json "$tmp/$k/lora-qv-r16" >"$tmp/$k.json" 2>"$tmp/$k.err"
done
S=$tmp/dir/lora-qv-r16
{ gzip -dc "$S/traces-00001-of-00004.jsonl.gz"; cat "$S/traces-00002-of-00004.jsonl"
  zstd -dc "$S/traces-00003-of-00004.jsonl.zst"; gzip -dc "$S/traces-00004-of-00004.jsonl.gz"; } >"$tmp/cat"
check "the 4 shards in order are the traces file ($total lines)" cmp -s "$tmp/cat" "$R/traces.jsonl"
check "plain report --json not empty" test -s "$tmp/plain.json"
check "directory of shards (gzip, plain, zstd): report --json byte-identical" cmp -s "$tmp/plain.json" "$tmp/dir.json"
check "run.json pattern part-*.json (part-10 last): byte-identical" cmp -s "$tmp/plain.json" "$tmp/glob.json"

# order: a wrong order would change which sample is first; formats lists shard:line
timeout 60 "$BIN" formats "$tmp/glob/lora-qv-r16" >"$tmp/fmt" 2>&1
first=$(sed -n 1p "$tmp/fmt")
last=$(grep -E 'records?$' "$tmp/fmt" | tail -n 1)
check "formats: first sample from part-1.json:1" sh -c "printf '%s' '$first' | grep -q 'part-1.json:1  '"
check "formats: last sample from part-10.json" sh -c "printf '%s' '$last' | grep -q 'part-10.json:'"

# a bad line in shard 3, line 2: named by shard and line, the rest counts
sed -i '2s/.*/{"broken": /' "$tmp/glob/lora-qv-r16/part-3.json"
timeout 60 "$BIN" report "$tmp/glob/lora-qv-r16" >"$tmp/out" 2>"$tmp/err"
check "bad line named part-3.json:2" grep -q "part-3.json:2: " "$tmp/err"
check "the others count: $((total - 1)) samples" grep -Eq "^  samples +$((total - 1))( |\$)" "$tmp/out"

# a pattern that matches nothing
mk none "nothing-*.jsonl"
timeout 60 "$BIN" report "$tmp/none" >/dev/null 2>"$tmp/err"
check "pattern matching nothing: exit 2" test $? -eq 2
check "pattern matching nothing: says so" grep -q "no trace files" "$tmp/err"
exit $((fails > 0))
