#!/bin/sh
# Functions stay small (kilo-style): no C function in analysis/, render/ or
# tui/ may be longer than 80 lines (tests/funclen.sh counts from the
# signature's first line to the closing brace), except the ones listed in
# tests/funclen.allow ("FILE:NAME LINES": what each measured when the list was
# made).  A listed function may shrink, never grow; a function not listed
# may not pass 80; a listed one that is gone or now fits must leave the
# list.  So the list can only get shorter.
. "$(dirname "$0")/lib.sh"
ALLOW=tests/funclen.allow
sh tests/funclen.sh -n 100000 analysis/*.c render/*.c tui/*.c tui/*/*.c |
	awk '$1 > 80 { f = $2; sub(/:[0-9]+$/, "", f); print f ":" $3, $1, $2 }' | sort >"$tmp/long"
grep -v '^#' "$ALLOW" | awk 'NF == 2' | sort >"$tmp/allow"
# functions over 80 lines that are not allowed, or longer than allowed
awk 'NR == FNR { max[$1] = $2; next }
     !($1 in max) { print "new long function: " $1 " " $2 " lines (" $3 ")"; next }
     $2 > max[$1] { print "grew: " $1 " " $2 " lines, allowed " max[$1] " (" $3 ")" }' \
	"$tmp/allow" "$tmp/long" >"$tmp/bad"
check "no function over 80 lines beyond tests/funclen.allow" [ ! -s "$tmp/bad" ]
cat "$tmp/bad"
awk 'NR == FNR { long[$1] = 1; next } !($1 in long) { print "allowed but now fits or gone (remove it from the list): " $1 }' \
	"$tmp/long" "$tmp/allow" >"$tmp/stale"
check "tests/funclen.allow lists only functions still over 80 lines" [ ! -s "$tmp/stale" ]
cat "$tmp/stale"
# the counter itself, on a hand-made file: an 81-line function and a 3-line one
{
	printf 'static int small(void)\n{\n}\n'
	printf 'int big(int a)\n{\n'
	i=0; while [ $i -lt 78 ]; do printf '\ta++;\n'; i=$((i + 1)); done
	printf '}\n'
} >"$tmp/f.c"
check "funclen.sh counts a hand-made 81-line function" [ "$(sh tests/funclen.sh -n 1 "$tmp/f.c")" = "81 $tmp/f.c:4 big" ]
[ "$fails" -eq 0 ]
