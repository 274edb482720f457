#!/bin/sh
# issue 19 items 7 and 9: an output never overwrites an input of the command
# (same device and inode, symlinks resolved: png -o, plot -o), and every
# write to stdout is checked: `formats > /dev/full` and report's table, JSON
# and CSV on a full device exit 2 with a message.  Inputs stay byte for byte,
# no temporary file is left behind.
. "$(dirname "$0")/lib.sh"

S="$ROOT/sample_runs"
R="$T/run"
mkdir -p "$R"
cp -r "$S/scenes/images" "$S/scenes/gt.json" "$S/base/traces.jsonl" "$R/"
printf '{"name": "run", "coords": "qwen3"}\n' >"$R/run.json"
ln -s gt.json "$R/link-to-gt.png"
ln "$R/traces.jsonl" "$T/hardlink.png"
before=$(sums "$R")
list0=$(listing "$T")

# ---- item 7: png -o / plot -o onto an input ----
onto() { # onto NAME OUTPUT INPUT_NAMED DESC
	name=$1
	out=$2
	shift 2
	bounded 30 "$name" "$BIN" png "$R" --sample 1 -o "$out"
	check "png -o $name: exit 2 (rc $RC)" [ "$RC" -eq 2 ]
	check "png -o $name: refused, naming the input" \
		err_has "$name" "refusing to write .*: it is the same file as the input"
	check "png -o $name: within 20 s ($WALL s), peak under $MEM_KB KB ($PEAK_KB KB)" \
		sh -c "awk -v w=$WALL 'BEGIN{exit !(w<20)}' && [ $PEAK_KB -lt $MEM_KB ]"
}
onto traces "$R/traces.jsonl"
onto gt "$R/gt.json"
onto image "$R/images/insp_001.png"
onto run_json "$R/run.json"
onto symlink "$R/link-to-gt.png"
onto hardlink "$T/hardlink.png"
check "the symlink's target is named as the input" err_has symlink "input $R/gt.json"
bounded 30 plot "$BIN" plot maxrepeat "$R" -o "$R/traces.jsonl"
check "plot -o the traces file: exit 2 and refused (rc $RC)" \
	sh -c "[ $RC -eq 2 ] && grep -q 'same file as the input' '$T/plot.err'"

check "every input is byte for byte the same" [ "$(sums "$R")" = "$before" ]
check "no file was added or removed (no temp file left)" [ "$(listing "$T" | grep -v '\.\(out\|err\|time\)$')" = "$(printf '%s\n' "$list0" | grep -v '\.\(out\|err\|time\)$')" ]

# the positive case: a new name is written (so the refusals above mean something)
bounded 30 fresh "$BIN" png "$R" --sample 1 -o "$T/fresh.png"
check "png -o a new file: exit 0 and a PNG" sh -c "[ $RC -eq 0 ] && head -c 8 '$T/fresh.png' | od -An -c | grep -q 'P   N   G'"
rm -f "$T/fresh.png"

# ---- item 9: stdout on a full device ----
full() { # full NAME ARGS... : the command's stdout is /dev/full
	name=$1
	shift
	t0=$(date +%s)
	timeout 30 "$BIN" "$@" >/dev/full 2>"$T/$name.err"
	RC=$?
	check "$name > /dev/full: exit 2 (rc $RC)" [ "$RC" -eq 2 ]
	check "$name > /dev/full: says so" err_has "$name" "error writing standard output: No space left on device"
}
if [ -w /dev/full ]; then
	full formats formats "$R"
	full formats_s formats -s "$R"
	full report report "$R"
	full report_json report --json --per-sample "$R"
	full report_csv report --csv "$R"
	full plot plot maxrepeat "$R" --width 80
	full help report --help
else
	ok "# SKIP /dev/full is not there"
fi
# a closed stdout (>&-): nothing can be written either
timeout 30 "$BIN" formats "$R" >&- 2>"$T/closed.err"
RC=$?
check "formats >&-: exit 2 and a message (rc $RC)" \
	sh -c "[ $RC -eq 2 ] && grep -q 'error writing standard output' '$T/closed.err'"
# and the ordinary case still exits 0
timeout 30 "$BIN" formats "$R" >"$T/formats.out" 2>"$T/formats.err"
check "formats > a file: exit 0, output complete" sh -c "[ $? -eq 0 ] && grep -q 'per syntax\|syntax' '$T/formats.out'"

# stdout that is an input: `formats F >> F` would read what it appends
cp "$R/traces.jsonl" "$T/app.jsonl"
asum=$(sums "$T/app.jsonl")
t0=$(date +%s)
timeout 20 "$BIN" formats "$T/app.jsonl" >>"$T/app.jsonl" 2>"$T/app.err"
RC=$?
check "formats F >> F: exit 2, refused, named (rc $RC)" \
	sh -c "[ $RC -eq 2 ] && grep -q 'app.jsonl: it is also the standard output: refused' '$T/app.err'"
check "formats F >> F: F unchanged" [ "$(sums "$T/app.jsonl")" = "$asum" ]
rm -f "$T/app.jsonl"

# an output that cannot be written leaves no partial file
bounded 30 nodir "$BIN" png "$R" --sample 1 -o "$T/no/such/dir/x.png"
check "png -o into a missing directory: exit 2, no file" sh -c "[ $RC -eq 2 ] && [ ! -e '$T/no' ]"
finish
