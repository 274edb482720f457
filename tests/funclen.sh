#!/bin/sh
# tests/funclen.sh — the longest C functions: "LINES FILE:LINE NAME", longest
# first (the project's style: the body opens with "{" alone in column 0 and
# closes with "}" in column 0; the count runs from the signature's first line
# to the closing brace).  usage: sh tests/funclen.sh [-n N] FILE...   (N: 10)
top=10
if [ "$1" = "-n" ]; then top=$2; shift 2; fi
awk '
FNR == 1 { sig = 0; inside = 0 }
!inside && /^[A-Za-z_].*\(/ && !/;[ \t]*$/ && !/^(typedef|struct|enum|union|static const|#)/ {
	sig = FNR; name = $0; sub(/\(.*/, "", name); n = split(name, p, /[ \t*]+/); name = p[n]
}
!inside && /^\{[ \t]*$/ && sig { inside = 1; start = sig; next }
inside && /^\}/ { printf "%d %s:%d %s\n", FNR - start + 1, FILENAME, start, name; inside = 0; sig = 0 }
' "$@" | sort -rn | head -n "$top"
