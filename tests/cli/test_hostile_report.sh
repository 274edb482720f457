#!/bin/sh
# Proof at the terminal for `tailscope report` (and plot, png): every byte
# it writes (stdout and stderr, captured separately) on crafted hostile
# inputs is searched for
# the payloads of tests/data/hostile (see make_hostile.py there): none may
# appear raw.  Inputs: the hostile run (run.json name/model/checkpoint,
# gt.json file and category names, traces with hostile prompts, tokens,
# labels, file names, custom ids, a failed batch request's message, invalid
# UTF-8), a run.json with a hostile coords value, traces without ground truth
# (hostile references in --per-sample rows), hostile directory and file
# names, hostile --gt/--coords arguments and an unknown hostile option.
# Each output must also be well-formed UTF-8 with no control byte but LF.
# Positive checks show the payloads did reach the output, as visible escapes,
# so a pass is meaningful.
# Prints "ok N - ..." / "not ok N - ..."; exits non-zero when a check failed.
BUILD=${BUILD:-build}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${BIN:-$ROOT/$BUILD/tailscope}
D="$ROOT/tests/data/hostile"
n=0
fails=0
ok() { n=$((n + 1)); printf 'ok %d - %s\n' "$n" "$1"; }
notok() { n=$((n + 1)); printf 'not ok %d - %s\n' "$n" "$1"; fails=$((fails + 1)); }
check() { d=$1; shift; if "$@"; then ok "$d"; else notok "$d"; fi; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/tailscope-hostile.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
trap 'exit 1' INT TERM HUP

if [ ! -x "$BIN" ]; then
	notok "binary $BIN exists (run make first)"
	exit 1
fi

# The needles: a name, then a printf format of the bytes a terminal would act
# on.  (Names only are printed: this script never writes a payload itself.)

. "$ROOT/tests/data/hostile/needles.sh"
# printable FILE: well-formed UTF-8, no C0 control but LF and TAB (cJSON's
# indentation; a TAB from the input is shown as \t), no DEL
printable() {
	iconv -f UTF-8 -t UTF-8 "$1" >/dev/null 2>&1 || return 1
	! LC_ALL=C tr -d '\n\t' <"$1" | LC_ALL=C grep -qa '[[:cntrl:]]'
}
# clean NAME: checks NAME.out and NAME.err
clean() {
	for s in out err; do
		f="$TMP/$1.$s"
		found=$(raw_found "$f")
		if [ -z "$found" ]; then ok "$1: no raw payload on std$s"; else notok "$1: raw payload on std$s:$found"; fi
		check "$1: std$s is printable UTF-8" printable "$f"
	done
}
# has NAME.STREAM TEXT: the output shows TEXT (fixed string)
has() { LC_ALL=C grep -qaF -- "$2" "$TMP/$1"; }
# report NAME ARGS...: runs the report, NAME.out / NAME.err / NAME.rc
report() {
	name=$1
	shift
	"$BIN" report "$@" >"$TMP/$name.out" 2>"$TMP/$name.err"
	echo $? >"$TMP/$name.rc"
}
rc_is() { [ "$(cat "$TMP/$1.rc")" = "$2" ]; }

ESC=$(printf '\033')
BEL=$(printf '\007')
RLO=$(printf '\342\200\256')

# hostile names on disk: a run directory and a traces file
HDIR="$TMP/run${ESC}]52;c;SE9TVElMRTUy${BEL}${RLO}x"
cp -R "$D/run" "$HDIR"
HFILE="$TMP/t${ESC}]0;pwned${BEL}$(printf '\302\233')4242B.jsonl"
cp "$D/nogt.jsonl" "$HFILE"

report plain "$D/run"
clean plain
check "plain: exit 1 (lines skipped)" rc_is plain 1
check "plain: run name shown escaped" has plain.out 'run hostile\x1b]0;pwned\x07gpj\u{202E}exe\x1b]52;c;SE9TVElMRTUy\x07'
check "plain: batch error quoted escaped" has plain.err 'batch request failed: boom\x1b]52;c;SE9TVElMRTUy\x07\x1b]0;pwned\x07cat\rEVILCRgpj\u{202E}exe\u{009B}4242B\x1bP+q544e\x07'
check "plain: missing file name quoted escaped" has plain.err "image 'missing\\x1b[4242;4242H\\x1b[4242A\\x1b]52;c;"
check "plain: invalid UTF-8 token rejected with a message" has plain.err 'token is not valid UTF-8'

report persample --per-sample "$D/run"
clean persample
check "per-sample: hostile gt file name shown escaped" has persample.out 't\x1b]0;pwned\x07\u{009B}4242B.png'

report json --json --per-sample "$D/run"
clean json
# JSON escapes the sanitizer's backslashes once more
check "json: run name escaped" has json.out 'hostile\\x1b]0;pwned\\x07gpj\\u{202E}exe'

report badcoords "$D/badcoords"
clean badcoords
check "bad coords value quoted escaped" has badcoords.err "unknown coords convention 'q\\x1b]52;c;SE9TVElMRTUy\\x07\\x1b]0;pwned\\x07gpj\\u{202E}exe'"

report hdir "$HDIR"
clean hdir
check "hostile directory name shown escaped" has hdir.out 'run\x1b]52;c;SE9TVElMRTUy\x07\u{202E}x/traces.jsonl'

report hfile --per-sample "$HFILE"
clean hfile
check "hostile file name shown escaped" has hfile.out 't\x1b]0;pwned\x07\u{009B}4242B.jsonl'
check "hostile reference rows shown escaped" has hfile.out '\x1b]52;c;SE9TVElMRTUy\x07\x1b]0;pwned\x07cat\rEVILCR'

report missing "$TMP/nope${ESC}[4242A${RLO}"
clean missing
check "missing hostile path: exit 2" rc_is missing 2
check "missing hostile path quoted escaped" has missing.err 'nope\x1b[4242A\u{202E}'

report gtarg --gt "$TMP/gt${ESC}]8;;https://evil.example/${ESC}\\" "$D/run"
clean gtarg
check "hostile --gt path quoted escaped" has gtarg.err 'gt\x1b]8;;https://evil.example/\x1b\\'

report coordsarg --coords "x${ESC}]0;pwned${BEL}" "$D/run"
clean coordsarg
check "hostile --coords: usage error (exit 2)" rc_is coordsarg 2

report option "--${ESC}]52;c;SE9TVElMRTUy${BEL}" "$D/run"
clean option
check "hostile unknown option: usage error quoted escaped" has option.err "unknown or incomplete option '--\\x1b]52;c;SE9TVElMRTUy\\x07'"

# the other commands that print run names, references and messages
cli() { # cli NAME ARGS...: like report, any subcommand
	name=$1
	shift
	"$BIN" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err"
	echo $? >"$TMP/$name.rc"
}
for kind in maxrepeat interference saved pr; do
	cli "plot-$kind" plot "$kind" "$D/run" "$HFILE" "$HDIR"
	clean "plot-$kind"
done
check "plot saved: hostile run name shown escaped (once)" has plot-saved.out 'hostile\x1b]0;pwned\x07gp'
cli png-missing png "$D/run" --sample 2 -o "$TMP/out2.png"
clean png-missing
check "png: missing image with a hostile name quoted escaped" has png-missing.err 'images/e\x1b]8;;https://evil.example/\x1b\\click'
cli png-nosample png "$D/run" --sample "zz${ESC}]0;pwned${BEL}" -o "$TMP/out3.png"
clean png-nosample
check "png: unknown hostile sample quoted escaped" has png-nosample.err "sample 'zz\\x1b]0;pwned\\x07' not found"

# default limits at the command line: the message names the file, the line
# and the limit; the other lines are still used
L="$TMP/limits.jsonl"
{
	printf '{"text": "[]", "finish_reason": "stop"}\n'
	printf '{"meta": '
	i=0
	while [ $i -lt 1000 ]; do printf '['; i=$((i + 1)); done
	printf '], "text": "[]"}\n'
	printf '{"tokens": ['
	yes '"a",' | head -n 1000000 | tr -d '\n'
	printf '"a"]}\n'
} >"$L"
report limits "$L"
clean limits
check "limits: exit 1 (two lines skipped, one used)" rc_is limits 1
check "limits: JSON nesting named with file and line" has limits.err "$L:2: JSON nested deeper than 1000 levels at byte 1008"
check "limits: tokens per sample named with file and line" has limits.err "$L:3: tokens: 1000001 steps, more than max_steps (1000000)"

# a FIFO given as the run (nobody writes to it) is refused at once, not read
if mkfifo "$TMP/fifo" 2>/dev/null; then
	report fifo "$TMP/fifo" &
	bg=$!
	i=0
	while [ $i -lt 50 ] && kill -0 "$bg" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
	if kill -0 "$bg" 2>/dev/null; then
		kill "$bg" 2>/dev/null
		notok "FIFO as the run: still waiting after 5 s"
	else
		wait "$bg"
		ok "FIFO as the run: returns at once"
		check "FIFO as the run: refused by name" has fifo.err "$TMP/fifo: a FIFO, not a regular file: refused"
		check "FIFO as the run: exit 2" rc_is fifo 2
	fi
fi

[ "$fails" -eq 0 ]
