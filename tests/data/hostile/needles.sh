# tests/data/hostile/needles.sh — the 16 terminal payloads the hostile tests
# search for, raw, in every byte a command wrote (sourced by
# tests/cli/test_hostile_report.sh and tests/tui/test_hostile_tui.sh).
# One per line: NAME PRINTF-FORMAT.  Each is made only of bytes that
# tailscope itself never writes (curses' own escapes included).
NEEDLES='OSC-52 \033]52;
OSC-8 \033]8;
CSI-4242 \033[4242
OSC-0-title \033]0;pwned
BEL-after-title pwned\007
CR-overwrite \rEVILCR
U+202E \342\200\256
C1-CSI-U+009B \302\233
raw-0x9B \2334243
U+200B \342\200\213
U+200D \342\200\215
U+FEFF \357\273\277
byte-0xFF \377
overlong-C0AF \300\257
OSC-1337 \033]1337;
DCS \033P+q'

# raw_found FILE: prints the names of the needles found raw in FILE (empty: none)
raw_found() {
	printf '%s\n' "$NEEDLES" | while read -r name fmt; do
		# shellcheck disable=SC2059
		pat=$(printf "$fmt")
		if LC_ALL=C grep -qaF -- "$pat" "$1"; then printf ' %s' "$name"; fi
	done
}
