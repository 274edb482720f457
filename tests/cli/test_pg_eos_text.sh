#!/bin/sh
# A text-only trace (no token steps) whose text ends in a literal EOS
# ("<eos>", several in a row, run.json "eos_tokens") keeps it out of the last
# record's label, as the token path does (issue 23 left-over): one rule,
# confidence.c's EOS list (conf_eos_tail for text, conf_is_eos for tokens).
# tests/data/syntaxes/pg-eos-text/make.py builds the traces by hand; the
# expected labels are its docstring's (PaliGemma's grammar: records cat and
# dog; an EOS text not at the end is label text).
. "$(dirname "$0")/lib.sh"
D=tests/data/syntaxes/pg-eos-text
timeout 60 "$BIN" report --per-record "$D" 2>"$tmp/err" | tr -d '\r' | cut -d, -f2,5,6 >"$tmp/got"
printf '%s\n' line,record,label 1,0,cat 1,1,dog 2,0,cat 2,1,dog 3,0,cat 3,1,dog 4,0,cat 4,1,dog \
	5,0,cat 5,1,dog. 6,0,cat '6,1,<eos>dog' >"$tmp/want"
check "labels: no trailing EOS text inside (line 6's leading <eos> is text, kept)" \
	cmp -s "$tmp/got" "$tmp/want"
timeout 60 "$BIN" report --csv "$D" 2>>"$tmp/err" | tr -d '\r' | cut -d, -f2,5,8 >"$tmp/got"
printf '%s\n' line,records,termination 1,2,closed 2,2,closed 3,2,closed 4,2,closed 5,2,closed \
	6,2,closed >"$tmp/want"
check "2 records each, termination closed" cmp -s "$tmp/got" "$tmp/want"
check "no warning" sh -c "! test -s '$tmp/err'"
[ "$fails" -eq 0 ]
