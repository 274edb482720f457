#!/bin/sh
# The status bar keeps what matters at every width (issue 22, item 4): at
# 50x20, 80x24, 120x40 and 200x60, TERM xterm-256color / xterm / NO_COLOR,
# with the policy off, repeat-stop on (r) and budget:N (o o), the last row
#   - ends in "│ ? help";
#   - names the run (run.json's "name"), whole or cut with "…" (never under
#     5 characters of it);
#   - shows sample k/N, N the number of lines of traces.jsonl;
#   - shows the policy state: "repeat-stop: off|on" (short "rs: off|on") or
#     "budget:N" (N = COMPARE_DEFAULT_BUDGET of tui/model/compare.h);
#   - has no other part cut ("…" only in the run's part).
# Expected values are read from the run's files and the header, not from
# the debugger's output.
TUI_TEST=status_bar
. "$(dirname "$0")/lib.sh"
# a run with a long name (the fixture run-a renamed)
cp -R "$FIX/run-a" "$TMP/run-long"
LONG="a-very-long-checkpoint-name-lora-qv-r64-step-12000"
python3 - "$TMP/run-long/run.json" "$LONG" <<'PY'
import json, sys
p, name = sys.argv[1], sys.argv[2]
d = json.load(open(p)); d["name"] = name
json.dump(d, open(p, "w"))
PY
BUDGET=$(sed -n 's/^#define COMPARE_DEFAULT_BUDGET \([0-9]*\).*/\1/p' "$ROOT/tui/model/compare.h")
QV="$ROOT/sample_runs/lora-qv-r64"

# bar_ok ROW RUNNAME N POLICYSTATE: the checks above on one status row
bar_ok() {
	python3 - "$1" "$2" "$3" "$4" <<'PY'
import sys
row, run, n, pol = sys.argv[1].rstrip(), sys.argv[2], sys.argv[3], sys.argv[4]
errs = []
if not row.endswith("│ ? help"):
    errs.append("no '? help' at the end")
parts = [p.strip() for p in row.split(" │ ")]
parts = [p for p in parts if p]
if not parts or not (parts[0] == run or (parts[0].endswith("…") and len(parts[0]) >= 6 and run.startswith(parts[0][:-1]))):
    errs.append("run part %r is not %r" % (parts[0] if parts else "", run))
if not any(p.endswith("/" + n) or ("/" + n + " ") in p for p in parts[1:]):
    errs.append("no sample k/%s" % n)
want = {"off": ("repeat-stop: off", "rs: off"), "rs": ("repeat-stop: on", "rs: on"),
        "budget": ("policy: budget:" + pol.split("=")[-1], "budget:" + pol.split("=")[-1])}[pol.split("=")[0]]
if not any(p in want for p in parts):
    errs.append("no policy part %r" % (want,))
for p in parts[1:]:
    if "…" in p:
        errs.append("part %r cut" % p)
if errs:
    print("# row: %r\n# %s" % (row, "; ".join(errs)))
    sys.exit(1)
PY
}
last_row() { screen "$1" | sed -n "$2p"; }

i=0
for size in 50x20 80x24 120x40 200x60; do
	c=${size%x*} r=${size#*x}
	for envs in "" "TERM=xterm" "NO_COLOR=1"; do
		runs="$QV"
		[ -z "$envs" ] && runs="$QV $TMP/run-long"
		for run in $runs; do
			i=$((i + 1))
			s=b$i
			rname=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["name"])' "$run/run.json")
			nsamp=$(grep -c . "$run/traces.jsonl")
			start $s "$c" "$r" $envs -- "$run"
			wait_for $s "? help" >/dev/null
			settle_plain $s >/dev/null
			tag="${size} ${envs:-TERM=xterm-256color} $(basename "$run")"
			check "$tag: policy off" bar_ok "$(last_row $s "$r")" "$rname" "$nsamp" off
			keys $s r
			wait_re $s 'repeat-stop: on|rs: on' >/dev/null
			check "$tag: repeat-stop on" bar_ok "$(last_row $s "$r")" "$rname" "$nsamp" rs
			keys $s r
			wait_re $s 'repeat-stop: off|rs: off' >/dev/null
			keys $s o o
			wait_for $s "budget:$BUDGET" >/dev/null
			check "$tag: budget" bar_ok "$(last_row $s "$r")" "$rname" "$nsamp" "budget=$BUDGET"
			keys $s w
			sleep 0.5
			check "$tag: budget, worst sample" bar_ok "$(last_row $s "$r")" "$rname" "$nsamp" "budget=$BUDGET"
			keys $s q
			wait_exit $s
			T kill-session -t $s 2>/dev/null
		done
	done
done
echo "1..$n"
[ "$failed" -eq 0 ]
