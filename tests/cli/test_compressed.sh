#!/bin/sh
# Compressed traces (issue 23): gzip and zstd read by their magic bytes in
# every command, the same numbers as the plain file, and a gzip bomb refused.
# Expected values worked out independently:
#   tests/data/compressed/dense2-head: the first 6 lines of the real-model
#     run dense2-final (README there), gzip'd, run.json "traces":
#     "traces.jsonl.gz"; python3 reads the decompressed JSON for the token
#     count and the finish reasons.
#   a sample run's traces gzip'd and zstd'd (by the gzip/zstd tools): its
#     report --json must be byte-identical to the plain run's.
. "$(dirname "$0")/lib.sh"
D=tests/data/compressed

# independent count: python3's gzip + json
want=$(python3 -c '
import gzip, json, sys
t = n = length = 0
for l in gzip.open(sys.argv[1], "rt"):
    c = json.loads(l)["choices"][0]
    n += 1; t += len(c["logprobs"]["content"]); length += c["finish_reason"] == "length"
print(n, t, length)' "$D/dense2-head/traces.jsonl.gz")
got=$(timeout 60 "$BIN" report --json "$D/dense2-head" 2>/dev/null | python3 -c '
import json, sys
m = json.load(sys.stdin)["runs"][0]["off"]
print(m["samples"], m["tokens"], m["truncated"])')
check "gzip'd real-model run: samples, tokens, truncated ($want)" test "$got" = "$want"

timeout 60 "$BIN" formats "$D/dense2-head" >"$tmp/fmt" 2>&1
check "formats reads the gzip'd run" grep -q "traces.jsonl.gz:6  openai  logprobs  bbox_2d" "$tmp/fmt"

# a sample run, plain / gzip (named .gz) / zstd (named traces.jsonl: magic, not name)
for k in plain gz zst; do
	mkdir -p "$tmp/$k/lora-qv-r16"
	cp sample_runs/lora-qv-r16/run.json "$tmp/$k/lora-qv-r16/"
done
for k in plain gz zst; do cp -R sample_runs/scenes "$tmp/$k/scenes"; done
cp sample_runs/lora-qv-r16/traces.jsonl "$tmp/plain/lora-qv-r16/"
gzip -c sample_runs/lora-qv-r16/traces.jsonl >"$tmp/gz/lora-qv-r16/traces.jsonl.gz"
sed 's/"traces":"traces.jsonl"/"traces":"traces.jsonl.gz"/' sample_runs/lora-qv-r16/run.json >"$tmp/gz/lora-qv-r16/run.json"
zstd -q -c sample_runs/lora-qv-r16/traces.jsonl >"$tmp/zst/lora-qv-r16/traces.jsonl"
for k in plain gz zst; do
	timeout 60 "$BIN" report --json "$tmp/$k/lora-qv-r16" >"$tmp/$k.json" 2>/dev/null
done
check "gzip run.json names traces.jsonl.gz" grep -q '"traces":"traces.jsonl.gz"' "$tmp/gz/lora-qv-r16/run.json"
check "plain report --json is not empty" test -s "$tmp/plain.json"
check "gzip'd run: report --json byte-identical to plain" cmp -s "$tmp/plain.json" "$tmp/gz.json"
check "zstd'd run (named traces.jsonl): report --json byte-identical" cmp -s "$tmp/plain.json" "$tmp/zst.json"
timeout 60 "$BIN" png --sample 3 -o "$tmp/s3.png" "$tmp/gz/lora-qv-r16" >/dev/null 2>&1
check "png reads a sample from the gzip'd run" test -s "$tmp/s3.png"

# a gzip bomb: one good line, then 200 MiB of zeros (~200 KiB compressed)
python3 -c '
import gzip, sys
with gzip.open(sys.argv[1], "wb", 9) as f:
    f.write(b"{\"image_id\": 1, \"finish_reason\": \"stop\", \"text\": \"[]\"}\n")
    z = bytes(1 << 20)
    for _ in range(200): f.write(z)' "$tmp/bomb.jsonl"
check "bomb is small on disk" test "$(wc -c <"$tmp/bomb.jsonl")" -lt 1048576
timeout 60 "$BIN" report "$tmp/bomb.jsonl" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "bomb: report ends (exit $rc, not killed)" test "$rc" -lt 124
check "bomb: refused with a message naming the file and line" grep -q "bomb.jsonl:2: gzip stream expands more than 200:1 (a decompression bomb" "$tmp/err"
check "bomb: the good line still counts" grep -Eq "^  samples +1( |\$)" "$tmp/out"
timeout 60 "$BIN" report --limit decompressed_bytes=1M "$tmp/bomb.jsonl" >/dev/null 2>"$tmp/err"
check "--limit decompressed_bytes=1M refuses earlier" grep -q "decompressed size over 1048576 bytes" "$tmp/err"
exit $((fails > 0))
