#!/bin/sh
# PaliGemma EOS written literally (issue 23): a trace whose last token text is
# "<eos>" (or another EOS: conf_is_eos's list, run.json "eos_tokens") keeps it
# out of the last record's label.  tests/data/syntaxes/pg-eos/make.py builds
# the traces by hand; the expected labels and termination are its docstring's
# (the grammar's records cat and dog; finish_reason "stop": closed).
. "$(dirname "$0")/lib.sh"
D=tests/data/syntaxes/pg-eos
timeout 60 "$BIN" report --per-record "$D" 2>"$tmp/err" | tr -d '\r' | cut -d, -f2,5,6 >"$tmp/got"
printf '%s\n' line,record,label 1,0,cat 1,1,dog 2,0,cat 2,1,dog 3,0,cat 3,1,dog 4,0,cat \
	'4,1,dog <eos>' >"$tmp/want"
check "labels: no EOS text inside (line 4's \" <eos>\" is text, kept)" cmp -s "$tmp/got" "$tmp/want"
timeout 60 "$BIN" report --csv "$D" 2>>"$tmp/err" | tr -d '\r' | cut -d, -f2,5,8 >"$tmp/got"
printf '%s\n' line,records,termination 1,2,closed 2,2,closed 3,2,closed 4,2,closed >"$tmp/want"
check "2 records each, termination closed" cmp -s "$tmp/got" "$tmp/want"
check "no warning" sh -c "! test -s '$tmp/err'"
[ "$fails" -eq 0 ]
