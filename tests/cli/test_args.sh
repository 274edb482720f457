#!/bin/sh
# Arguments that are not runs (issue 14, item 5): run_open (analysis/run.c)
# refuses an empty file, a file whose first non-blank line is neither JSON
# nor an SSE field, and a directory without traces -- one line each on
# stderr, no table, no JSON entry -- while SSE recordings and Ollama NDJSON
# under any name, and *.jsonl files with a bad first line, are still read.
. "$(dirname "$0")/lib.sh"
D=tests/data
lines() { # lines FILE N: FILE has exactly N lines
	[ "$(wc -l <"$1")" -eq "$2" ]
}

# a directory like sample_runs/ : a README, a run, a directory of sources
mkdir -p "$tmp/runs/gen" "$tmp/runs/mini"
cp "$D/report/mini/"* "$tmp/runs/mini/"
printf '# Sample runs\n\n{"this": "is markdown"} quoted in a README\n' >"$tmp/runs/README.md"
printf 'int main(void) { return 0; }\n' >"$tmp/runs/gen/main.c"
"$BIN" report "$tmp/runs/README.md" "$tmp/runs/gen" "$tmp/runs/mini" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "glob with a README and a source dir: exit 0 (paths that are not runs are named, not skipped input: issue 22)" [ "$rc" -eq 0 ]
check "README.md: one line naming file:line, skipped" \
	grep -qx "tailscope: $tmp/runs/README.md:1: not a traces file (neither JSON Lines nor an SSE recording); skipped" "$tmp/err"
check "gen/: one line, skipped" \
	grep -qx "tailscope: $tmp/runs/gen: not a run (no traces file $tmp/runs/gen/traces.jsonl); skipped" "$tmp/err"
check "two lines on stderr in all" lines "$tmp/err" 2
check "one table only: mini's" sh -c "[ \$(grep -c '^run ' '$tmp/out') -eq 1 ] && grep -qx 'run mini' '$tmp/out'"
check "mini's table is the real one (records 5 3)" grep -Eq '^  records +5 +3$' "$tmp/out"
"$BIN" report --json "$tmp/runs/README.md" "$tmp/runs/mini" >"$tmp/json" 2>/dev/null
check "--json: only the run that was read" sh -c "[ \$(grep -c '\"skipped\":' '$tmp/json') -eq 1 ] && grep -q '\"name\":	\"mini\"' '$tmp/json'"
"$BIN" formats "$tmp/runs/README.md" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "formats README.md: exit 2, one line, the same rule" \
	sh -c "[ $rc -eq 2 ] && [ \$(wc -l <'$tmp/err') -eq 1 ] && grep -q 'README.md:1: not a traces file' '$tmp/err'"

: >"$tmp/empty.jsonl"
"$BIN" report "$tmp/empty.jsonl" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "empty.jsonl: exit 2" [ "$rc" -eq 2 ]
check "empty.jsonl: says the file is empty" grep -qx "tailscope: $tmp/empty.jsonl: the file is empty (no traces); skipped" "$tmp/err"
check "empty.jsonl: no table" lines "$tmp/out" 0
printf '\n  \r\n\n' >"$tmp/blank.jsonl"
"$BIN" report "$tmp/blank.jsonl" >"$tmp/out" 2>"$tmp/err"
check "blank lines only: empty too" grep -q "blank.jsonl: the file is empty" "$tmp/err"

"$BIN" report /nonexistent >"$tmp/out" 2>"$tmp/err"; rc=$?
check "/nonexistent: exit 2, no table" sh -c "[ $rc -eq 2 ] && [ ! -s '$tmp/out' ]"
check "/nonexistent: the reason" grep -qx "tailscope: /nonexistent: No such file or directory" "$tmp/err"

# binary file (a PNG) among the runs
printf '\211PNG\r\n\032\n\0\0\0\rIHDR' >"$tmp/a.png"
"$BIN" report "$tmp/a.png" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "a PNG: exit 2, no table, one line" sh -c "[ $rc -eq 2 ] && [ ! -s '$tmp/out' ] && grep -q 'a.png:1: not a traces file' '$tmp/err'"

# containers trace_file.c reads are not refused whatever their name
cp "$D/traces/stream_sglang.sse" "$tmp/sglang.txt"   # starts with ": comment"
cp "$D/traces/stream_tgi.sse" "$tmp/tgi.log"         # starts with "data:{"
cp "$D/traces/stream_ollama.jsonl" "$tmp/ollama.out" # NDJSON
for f in sglang.txt:2 tgi.log:1 ollama.out:3; do
	"$BIN" report "$tmp/${f%:*}" >"$tmp/out" 2>"$tmp/err"
	check "${f%:*}: read (${f#*:} samples)" grep -Eq "^  samples +${f#*:} +${f#*:}\$" "$tmp/out"
done
# a .jsonl is read even when its first line is not JSON (FILE:1 reported, rest read)
{ echo 'garbage'; cat "$D/report/mini/traces.jsonl"; } >"$tmp/bad1.jsonl"
"$BIN" report "$tmp/bad1.jsonl" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "bad first line in a .jsonl: exit 1, 2 samples read" sh -c "[ $rc -eq 1 ] && grep -Eq '^  samples +2 +2\$' '$tmp/out'"
check "bad first line in a .jsonl: FILE:1 named" grep -q "bad1.jsonl:1: " "$tmp/err"

# ---- several runs: one side-by-side summary first (issue 14, item 14).
# mini's numbers by hand (tests/cli/test_report.sh's header): F1@0.3 0.750
# -> 1.000, duplicate_rate 0.400 -> 0, max_repeat 3 -> 1, termination_rate
# 0.500 -> 1.000, tokens 56 -> 37; tests/data/tui/run-a (test_tui.sh): 4
# samples, tokens 163 -> 106.
"$BIN" report "$D/report/mini" tests/data/tui/run-a >"$tmp/out" 2>/dev/null
check "two runs: the summary comes first" sh -c "head -1 '$tmp/out' | grep -qx 'summary: 2 runs, policy off vs on = repeat_stop'"
check "summary: column heads" grep -Eq '^  run +samples │ +off +on │ +off +on │' "$tmp/out"
check "summary: mini's row (hand-worked values)" \
	grep -Eq '^  mini +2 │ +0\.750 +1\.000 │ +0\.400 +0\.000 │ +3 +1 │ +0\.500 +1\.000 │ +56 +37$' "$tmp/out"
check "summary: run-a's row (4 samples, tokens 163 106)" grep -Eq '^  tui-fixture +4 │.* │ +163 +106$' "$tmp/out"
check "summary before the per-run tables" sh -c "[ \$(grep -n '^summary:' '$tmp/out' | cut -d: -f1) -lt \$(grep -n '^run mini' '$tmp/out' | cut -d: -f1) ]"
"$BIN" report "$D/report/mini" >"$tmp/out" 2>/dev/null
check "one run: no summary" sh -c "! grep -q '^summary:' '$tmp/out'"
"$BIN" report --policy off,repeat_stop,dedup "$D/report/mini" tests/data/tui/run-a >"$tmp/out" 2>/dev/null
check "three policies: numbered, dedup marked as an upper bound" \
	sh -c "grep -qx 'summary: 2 runs, policies #1 off, #2 repeat_stop, #3 dedup' '$tmp/out' && grep -Eq '^  run +samples │ +#1 +#2 +#3\*' '$tmp/out'"

# ---- item 15: make install PREFIX=..., the man page where man finds it;
# the top-level --help lists the debugger's options
pre="$tmp/prefix"
make -s --no-print-directory install PREFIX="$pre" BUILD="${BUILD:-build}" >"$tmp/inst" 2>&1; rc=$?
check "make install PREFIX=...: exit 0" [ "$rc" -eq 0 ]
check "install: the binary in PREFIX/bin runs" sh -c "'$pre/bin/tailscope' --version | grep -q '^tailscope '"
check "install: the man page in PREFIX/share/man/man1, as in the tree" cmp -s tui/tailscope.1 "$pre/share/man/man1/tailscope.1"
if command -v man >/dev/null 2>&1; then
	check "install: man finds it (MANPATH=PREFIX/share/man)" \
		sh -c "[ \"\$(MANPATH='$pre/share/man' man -w tailscope)\" = '$pre/share/man/man1/tailscope.1' ]"
fi
make -s --no-print-directory uninstall PREFIX="$pre" BUILD="${BUILD:-build}" >/dev/null 2>&1
check "make uninstall removes both" sh -c "[ ! -e '$pre/bin/tailscope' ] && [ ! -e '$pre/share/man/man1/tailscope.1' ]"

"$BIN" --help >"$tmp/help"; rc=$?
check "--help: exit 0" [ "$rc" -eq 0 ]
for o in --gt --images --coords --min-pixels --max-pixels --iou --limit; do
	check "--help lists the debugger's $o" grep -Eq "^  $o " "$tmp/help"
done
check "--help names TAILSCOPE_PIXELS and NO_COLOR" sh -c "grep -q TAILSCOPE_PIXELS '$tmp/help' && grep -q NO_COLOR '$tmp/help'"

[ "$fails" -eq 0 ]
