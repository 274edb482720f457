#!/bin/sh
# issue 19 item 12: one lone UTF-16 surrogate escape in run.json drops only
# that field, named (the run and its other fields stay: name, coords,
# max_new_tokens), and duplicate ids in gt.json are named in a message.
. "$(dirname "$0")/lib.sh"

S="$ROOT/sample_runs"
R="$T/run"
mkdir -p "$R"
cp "$S/base/traces.jsonl" "$R/"
cp "$S/scenes/gt.json" "$R/gt.json"
# model: a lone high surrogate; checkpoint: a lone low one, nested; prompt: a
# valid pair (U+1F600) that must stay
printf '%s\n' '{"name": "kept-name", "model": "m\ud800x", "checkpoint": {"a": ["\udc00"]},' \
	'"prompt": "ok \ud83d\ude00", "coords": "qwen3", "max_new_tokens": 77}' >"$R/run.json"
before=$(sums "$R")

bounded 30 rep "$BIN" report --json "$R"
check "report: exit 1 (a field ignored, the run read) (rc $RC)" [ "$RC" -eq 1 ]
check "report: the field 'model' is named" err_has rep 'run.json: field "model": a lone UTF-16 surrogate escape'
check "report: the nested one is named by its field 'checkpoint'" err_has rep 'field "checkpoint": a lone UTF-16'
check "report: the valid pair in 'prompt' is not named" sh -c "! grep -q 'field \"prompt\"' '$T/rep.err'"
check "report: the run keeps run.json's name (the rest of run.json is read)" \
	python3 -c "import json,sys; d=json.load(open('$T/rep.out')); sys.exit(d['runs'][0]['name'] != 'kept-name')"
check "report: the samples are all there (24, as in the traces file)" \
	python3 -c "import json,sys; d=json.load(open('$T/rep.out')); sys.exit(d['runs'][0]['off']['samples'] != $(grep -c . "$R/traces.jsonl"))"
check "within 20 s ($WALL s), peak under $MEM_KB KB ($PEAK_KB KB)" \
	sh -c "awk -v w=$WALL 'BEGIN{exit !(w<20)}' && [ $PEAK_KB -lt $MEM_KB ]"
bounded 30 fmt "$BIN" formats "$R"
check "formats names the field too" err_has fmt 'field "model"'

# duplicate ids in gt.json
python3 - "$S/scenes/gt.json" "$T/dup.json" <<'PY'
import json, sys
g = json.load(open(sys.argv[1]))
g["images"] += [dict(g["images"][0]), dict(g["images"][0]), dict(g["images"][4])]
g["categories"].append(dict(g["categories"][1]))
json.dump(g, open(sys.argv[2], "w"))
PY
ids=$(python3 -c "
import json; g=json.load(open('$S/scenes/gt.json')); print(g['images'][0]['id'], g['images'][4]['id'], g['categories'][1]['id'])")
set -- $ids
bounded 30 dup "$BIN" report --gt "$T/dup.json" "$R"
check "duplicate ids: report still runs (rc $RC)" [ "$RC" -le 1 ]
check "duplicate image id $1 is named (once)" \
	sh -c "[ \$(grep -o 'duplicate image id $1\\b' '$T/dup.err' | wc -l) -eq 1 ]"
check "duplicate image id $2 is named" err_has dup "duplicate image id $2\\b"
check "duplicate category id $3 is named" err_has dup "duplicate category id $3\\b"
check "the inputs are unchanged" [ "$(sums "$R")" = "$before" ]
finish
