#!/bin/sh
# End-to-end tests of issue 22's several-runs image (i), gallery (T) and
# yank (y): the real binary in a detached tmux server (tests/tui/lib.sh).
#
#   gallery  the expected order is worked out here from the traces (python:
#            each line's records, the most copies of one record, highest
#            first, ties in file order, lines that do not parse last: the
#            samples list's "max repeat" sort); Enter on thumbnail k (k-1
#            presses of Right from the first) must open that sample (the
#            status bar names its image); at 80 columns the gallery says
#            the width it needs; a click selects a thumbnail, a second
#            click on it opens it.
#   y        the raw bytes the debugger writes (tmux pipe-pane) hold one
#            OSC 52 sequence whose payload base64-decodes (python) to the
#            line `tailscope report --per-sample` prints for the sample
#            (its 2-space table indent removed), and tmux's clipboard
#            buffer (set-clipboard on) holds the same line.
#   i        two runs: the legend names both, 2 marks run 2 off, Esc closes.
TUI_TEST=multi
. "$(dirname "$0")/lib.sh"
printf 'set -g set-clipboard on\n' >>"$TMP/tmux.conf"
RUNA="$FIX/run-a"
RUNC="$FIX/run-c"

# ---- the gallery ----
order=$(python3 - "$RUNA/traces.jsonl" <<'EOF'
import json, re, sys
rec = re.compile(r'\{"bbox_2d": \[([^\]]*)\], "label": "((?:[^"\\]|\\.)*)"\}')
ready, failed = [], []
for n, line in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
    try:
        d = json.loads(line)
    except ValueError:
        failed.append("line %d" % n)
        continue
    text = "".join(t["token"] for t in d["tokens"])
    recs = rec.findall(text)
    most = max([recs.count(r) for r in recs] or [0])
    ready.append((-most, n, str(d["image_id"])))
ready.sort()  # highest first, ties in file order (n)
print(" ".join([r[2] for r in ready] + [f.replace(" ", "_") for f in failed]))
EOF
)
echo "# gallery order worked out from the traces: $order"
start gal 120 40 TAILSCOPE_NOTE_SECONDS=0 -- "$RUNA"
check "the debugger starts" wait_for gal "sample 1/5"
k=0
for want in $order; do
	k=$((k + 1))
	case $want in line_*) continue ;; esac
	keys gal T
	wait_for gal "Gallery tui-fixture" || notok "T opens the gallery ($k)"
	i=1
	while [ $i -lt $k ]; do keys gal Right; i=$((i + 1)); done
	wait_for gal " $k/5  worst first" 50 || notok "thumbnail $k selected"
	keys gal Enter
	if wait_gone gal "Gallery tui-fixture" && wait_re gal "│ image $want │"; then
		ok "Enter on thumbnail $k opens image $want"
	else
		notok "Enter on thumbnail $k opens image $want"
		screen gal | tail -2 | sed 's/^/#   /'
	fi
done
# a click on thumbnail 2's name row (screen row 11, columns 32-59) selects
# it, a second one opens it
click() { keys "$1" -l "$(printf '\033[<0;%d;%dM\033[<0;%d;%dm' "$2" "$3" "$2" "$3")"; }
second=$(echo "$order" | cut -d' ' -f2)
keys gal T
wait_for gal "Gallery tui-fixture"
click gal 40 11
check "a click selects thumbnail 2" wait_for gal " 2/5  worst first"
click gal 40 11
check "a second click opens it (image $second)" wait_re gal "│ image $second │"
keys gal q
start gal80 80 24 TAILSCOPE_NOTE_SECONDS=0 -- "$RUNA"
wait_for gal80 "sample 1/5"
keys gal80 T
check "80 columns: the gallery says the width it needs" \
	wait_for gal80 "the gallery needs a terminal at least 120 columns wide (now 80)"
keys gal80 q

# ---- y: OSC 52 ----
start yank 120 30 TAILSCOPE_NOTE_SECONDS=0 -- "$RUNA"
wait_for yank "sample 1/5"
keys yank n
wait_for yank "sample 2/5"
T pipe-pane -o -t yank "cat >>'$TMP/yank.raw'"
keys yank y
check "y notes the copy" wait_for yank "copied (OSC 52):"
sleep 0.5
T pipe-pane -t yank
want=$("$BIN" report --per-sample "$RUNA" 2>/dev/null | awk '$1 == "2" && $NF ~ /\//' | sed 's/^  //')
echo "# report --per-sample, image 2: '$want'"
got=$(python3 - "$TMP/yank.raw" <<'EOF'
import base64, re, sys
raw = open(sys.argv[1], "rb").read()
seqs = re.findall(rb"\x1b\]52;c;([A-Za-z0-9+/=]*)(?:\x07|\x1b\\)", raw)
print(len(seqs), base64.b64decode(seqs[0]).decode("utf-8") if seqs else "")
EOF
)
check "one OSC 52 sequence is written" [ "${got%% *}" = 1 ]
check "its payload decodes to report --per-sample's line for the sample" [ -n "$want" ] && [ "${got#* }" = "$want" ]
check "tmux's clipboard holds the same line" [ "$(T show-buffer 2>/dev/null)" = "$want" ]
keys yank q

# ---- i: several runs on one image ----
start runs 80 24 TAILSCOPE_NOTE_SECONDS=0 -- "$RUNA" "$RUNC"
wait_for runs "compare"
keys runs Enter
wait_for runs "sample 1/5"
keys runs i
check "i shows both runs' legend" wait_for runs "2 ■■ tui-fixture-c (red)"
check "i shows run 1 in blue" wait_for runs "1 ■■ tui-fixture (blue)"
keys runs 2
check "2 hides run 2" wait_for runs "tui-fixture-c (red) 2 boxes · off"
keys runs Escape
check "Esc closes the runs view" wait_gone runs "Runs on one image"
keys runs q

echo "# $n tests, $failed failed"
[ "$failed" -eq 0 ]
