#!/bin/sh
# End-to-end checks of `tailscope plot` on the hand-written fixtures
# (tests/data/report).  Expected values worked out by hand:
#   mini/:     tokens off 56, repeat_stop 37 -> 19 saved (19/56 = 33.9%);
#              per-sample max repeat 1 and 3 -> bins "1" and "3-4", 1 each (50.0%)
#   policies/: tokens 19 -> 12: 7 saved (36.8%); duplicate rate 3/8, F1@0.3
#              0.769; AP@0.5 0.975, pooled 0.934 (tests/unit/test_export.c)
# Skipped (one "ok # SKIP" line) while main.c does not dispatch `plot`.
. "$(dirname "$0")/lib.sh"
D=tests/data/report
# block and braille characters need a UTF-8 locale (Debian always has C.UTF-8)
LC_ALL=C.UTF-8
export LC_ALL

if ! timeout 10 "$BIN" plot --help </dev/null 2>/dev/null | grep -q '^usage: tailscope plot'; then
	echo "ok 1 - # SKIP tailscope plot is not dispatched by main.c yet"
	exit 0
fi

"$BIN" plot saved --width 60 "$D/mini" "$D/policies" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "saved: exit 0, nothing on stderr" sh -c "[ $rc -eq 0 ] && [ ! -s '$tmp/err' ]"
check "saved: mini 19 (33.9%)" grep -Eq '^ +mini │(█)+(▏|▎|▍|▌|▋|▊|▉)? 19 \(33\.9%\)$' "$tmp/out"
check "saved: policies 7 (36.8%)" grep -Eq '^pol"icies, test │(█)+(▏|▎|▍|▌|▋|▊|▉)? 7 \(36\.8%\)$' "$tmp/out"
check "saved: no colour when stdout is not a terminal" sh -c "! grep -q \"\$(printf '\\033')\" '$tmp/out'"

LC_ALL=C "$BIN" plot saved --width 60 "$D/mini" >"$tmp/out" 2>&1
check "saved in the C locale: ASCII only" sh -c "grep -Eq '^mini \|#+ 19 \(33\.9%\)\$' '$tmp/out' && ! LC_ALL=C grep -q '[^ -~]' '$tmp/out'"

"$BIN" plot maxrepeat --width 60 "$D/mini" >"$tmp/out" 2>&1; rc=$?
check "maxrepeat: exit 0" [ "$rc" -eq 0 ]
check "maxrepeat: bin 1" grep -Eq '^  1 │(█)+ 1 \(50\.0%\)$' "$tmp/out"
check "maxrepeat: bin 2 empty" grep -Eq '^  2 │ 0 \(0\.0%\)$' "$tmp/out"
check "maxrepeat: bin 3-4, as long as bin 1" sh -c "grep -Eq '^3-4 │(█)+ 1 \\(50\\.0%\\)\$' '$tmp/out' && [ \$(grep '^  1 │' '$tmp/out' | grep -o █ | wc -l) -eq \$(grep '^3-4 │' '$tmp/out' | grep -o █ | wc -l) ]"
check "maxrepeat: no bin past 3-4" sh -c "! grep -q '5-8' '$tmp/out'"

"$BIN" plot interference --width 70 --height 10 "$D/policies" >"$tmp/out" 2>&1; rc=$?
check "interference: exit 0" [ "$rc" -eq 0 ]
check "interference: one marker, labelled" sh -c "[ \$(grep -o '●' '$tmp/out' | wc -l) -eq 1 ] && grep -Eq '(● pol\"icies, test|pol\"icies, test ●)' '$tmp/out'"

"$BIN" plot pr --width 70 --color always "$D/policies" >"$tmp/out" 2>&1; rc=$?
check "pr: exit 0" [ "$rc" -eq 0 ]
check "pr: legend with AP" grep -q 'pol"icies, test (AP 0.975, pooled 0.934)' "$tmp/out"
check "pr: --color always gives 16-colour SGR" grep -q "$(printf '\033')\[36m" "$tmp/out"

"$BIN" plot saved --size 320x240 -o "$tmp/s.png" "$D/mini" "$D/policies" >"$tmp/out" 2>&1; rc=$?
check "png: exit 0, nothing on stdout" sh -c "[ $rc -eq 0 ] && [ ! -s '$tmp/out' ]"
check "png: PNG signature" sh -c "[ \"\$(od -An -tx1 -N8 '$tmp/s.png' | tr -d ' ')\" = 89504e470d0a1a0a ]"
check "png: 320x240" sh -c "[ \"\$(od -An -tu1 -j16 -N8 '$tmp/s.png' | tr -s ' ' | sed 's/^ //')\" = '0 0 1 64 0 0 0 240' ]"
check "png: no temp file left" sh -c "[ -z \"\$(ls -A '$tmp' | grep -Ev '^(out|err|s\\.png)\$')\" ]"
"$BIN" plot saved -o "$tmp/nodir/x.png" "$D/mini" >/dev/null 2>"$tmp/err"; rc=$?
check "png into a missing directory: exit 2, message" sh -c "[ $rc -eq 2 ] && [ -s '$tmp/err' ] && [ ! -e '$tmp/nodir' ]"

"$BIN" plot pr "$D/policies/traces.jsonl" >/dev/null 2>"$tmp/err"; rc=$?
check "pr without ground truth: exit 2, named" sh -c "[ $rc -eq 2 ] && grep -q 'no ground truth' '$tmp/err'"
"$BIN" plot bogus "$D/mini" >/dev/null 2>&1; rc=$?
check "unknown kind: exit 2" [ "$rc" -eq 2 ]
"$BIN" plot saved >/dev/null 2>&1; rc=$?
check "no run: exit 2" [ "$rc" -eq 2 ]
"$BIN" plot saved --size 10x10 "$D/mini" >/dev/null 2>&1; rc=$?
check "bad --size: exit 2" [ "$rc" -eq 2 ]

# two runs without colour: the second run's bars and legend in a shade (▓),
# ASCII "=" in the C locale
"$BIN" plot maxrepeat --width 60 "$D/mini" "$D/policies" >"$tmp/out" 2>&1
check "maxrepeat, 2 runs, no colour: run 1 solid, run 2 shaded" sh -c "grep -q '^     █ mini\$' '$tmp/out' && grep -q '^     ▓ pol\"icies, test\$' '$tmp/out' && grep -Eq '^ +│▓+ ' '$tmp/out'"
LC_ALL=C "$BIN" plot maxrepeat --width 60 "$D/mini" "$D/policies" >"$tmp/out" 2>&1
check "maxrepeat, 2 runs, C locale: # and =" sh -c "grep -Eq '^[ 0-9-]+\|#+ ' '$tmp/out' && grep -Eq '^ +\|=+ ' '$tmp/out'"
[ "$fails" -eq 0 ]
