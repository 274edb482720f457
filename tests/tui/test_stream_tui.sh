#!/bin/sh
# The interactive debugger on an SSE recording (issue 11): the index finds
# each request's lines, a sample loads from its byte range.  Fixture
# tests/data/traces/same.sse: r2 (image 2, 13 tokens, one dog record, stop)
# ends first, r1 (image 1, 25 tokens, the cat record twice, length) second;
# the JSONL same.jsonl holds the same completions, so both show the same rows.
# The first request in the file (r2, image 2) opens; sorted by id it is the
# second row, so k opens the other.
TUI_TEST=stream
. "$(dirname "$0")/lib.sh"
D="$ROOT/tests/data/traces"

start sse 120 30 -- "$D/same.sse"
check "sse: two samples listed" wait_for sse "Samples 2"
check "sse: image 1 row: 2 records, 1 duplicate, x2, truncated" wait_re sse "^1 +2 +1 +×2 +T"
check "sse: image 2 row: 1 record, closed" wait_re sse "^2 +1 +0 +×1 +C"
check "sse: the file's first request (image 2) opens at its 13 steps" wait_for sse "step 13/13"
screen sse | sed -n 3,4p | sed "s/│.*//" | sort >"$TMP/a"
keys sse k
check "sse: k opens the other request (25 steps)" wait_for sse "step 25/25"
keys sse q
check "sse: exit status 0" status_is sse 0

start jl 120 30 -- "$D/same.jsonl"
check "jsonl: two samples listed, the first loaded" wait_for jl "step 25/25"
screen jl | sed -n 3,4p | sed "s/│.*//" | sort >"$TMP/b"
check "jsonl and sse: the same sample rows" cmp -s "$TMP/a" "$TMP/b"
keys jl q

reports=$(ls "$TMP"/san-* "$TMP"/tmpdir/tailscope-stderr-* 2>/dev/null)
if [ -n "$reports" ]; then
	for f in $reports; do sed 's/^/# /' "$f" | head -40; done
fi
check "no sanitizer report from any run" test -z "$reports"

grep -q "^1 " "$TMP/a" || notok "the rows were captured"
[ "$failed" -eq 0 ]
