#!/bin/sh
# The caller's locale (tui/charset.h): tailscope draws the same screen with a
# UTF-8 locale, with none at all (an SSH session without AcceptEnv) and with
# a UTF-8 LANG that is not installed here (it switches LC_CTYPE to C.UTF-8);
# under an explicit non-UTF-8 locale (LC_ALL=C) it draws ASCII only and says
# so.  report's output is byte-identical whatever the locale; plot's is too,
# except that LC_ALL=C makes it ASCII.
TUI_TEST=locale
. "$(dirname "$0")/lib.sh"

RUN="$FIX/run-a"
# the same key presses in each session: sample 2 (the repeated tail), then
# the replay's end, so the screen has glyphs of every kind (× ▸ │ …)
shot() {
	name=$1
	wait_for "$name" "repeat-stop: off" || return 1
	keys "$name" n
	wait_for "$name" "sample 2/5" || return 1
	sleep 0.3
	screen "$name" >"$TMP/$name.txt"
}

LOCALE_ENV="LANG=C.UTF-8 LC_ALL=C.UTF-8" start utf8 120 36 -- "$RUN"
LOCALE_ENV="" start none 120 36 -- "$RUN"
LOCALE_ENV="LANG=xx_YY.UTF-8" start absent 120 36 -- "$RUN"
LOCALE_ENV="LC_ALL=C" start clocale 120 36 -- "$RUN"
for s in utf8 none absent clocale; do
	check "$s: debugger up on sample 2" shot "$s"
done

check "UTF-8 locale: box-drawing separators and the repeat count glyph" \
	sh -c "grep -qF ' │ sample 2/5 │ ' '$TMP/utf8.txt' && grep -qE '^2 +8 +6 ×7 +T' '$TMP/utf8.txt'"
check "no locale at all: the very same screen as under C.UTF-8" cmp -s "$TMP/utf8.txt" "$TMP/none.txt"
check "LANG naming a UTF-8 locale that is not installed: the same screen" cmp -s "$TMP/utf8.txt" "$TMP/absent.txt"
check "LC_ALL=C: nothing but printable ASCII on the screen" \
	sh -c "! LC_ALL=C grep -q '[^ -~]' '$TMP/clocale.txt'"
check "LC_ALL=C: ASCII separators and repeat count" \
	sh -c "grep -qF ' | sample 2/5 | ' '$TMP/clocale.txt' && grep -qE '^2 +8 +6 x7 +T' '$TMP/clocale.txt'"
check "LC_ALL=C: the records pane still marks the tail's duplicates (repeat column right-aligned)" grep -qE "\|# +3 person +500,100,[0-9,]* +FP +=#2 2/7" "$TMP/clocale.txt"
check "LC_ALL=C: the image pane is drawn, its labels in ASCII" \
	sh -c "grep -qF '| Image 2  160x120  4 boxes' '$TMP/clocale.txt' && grep -qF 'person x7' '$TMP/clocale.txt'"
# the note is one status message: look for it at a width where it fits
LOCALE_ENV="LC_ALL=C" start cwide 200 40 -- "$RUN"
check "LC_ALL=C: says once why it draws ASCII" wait_for cwide "ASCII only: locale C is not UTF-8"
for s in utf8 none absent clocale cwide; do keys "$s" q; done
for s in utf8 none absent clocale cwide; do
	if status_is "$s" 0; then ok "$s: q exits 0"; else
		notok "$s: q exits 0"
		T capture-pane -p -S - -t "$s" | tail -n 4 | sed 's/^/# /'
	fi
done

# report and plot: the same bytes whatever the locale (plot: ASCII under C)
rep() { env -u LANG -u LANGUAGE -u LC_ALL -u LC_CTYPE "$@" "$BIN" report --json --per-sample "$RUN" 2>&1; }
rep LC_ALL=C.UTF-8 >"$TMP/rep.utf8"
rep >"$TMP/rep.none"
rep LC_ALL=C >"$TMP/rep.c"
rep LANG=xx_YY.UTF-8 >"$TMP/rep.absent"
check "report: output with a UTF-8 locale is not empty" grep -q '"duplicate_rate"' "$TMP/rep.utf8"
check "report: same bytes with no locale" cmp -s "$TMP/rep.utf8" "$TMP/rep.none"
check "report: same bytes under LC_ALL=C" cmp -s "$TMP/rep.utf8" "$TMP/rep.c"
check "report: same bytes with an absent UTF-8 LANG" cmp -s "$TMP/rep.utf8" "$TMP/rep.absent"
plt() { env -u LANG -u LANGUAGE -u LC_ALL -u LC_CTYPE "$@" "$BIN" plot maxrepeat --width 60 "$RUN" 2>&1; }
plt LC_ALL=C.UTF-8 >"$TMP/plot.utf8"
plt >"$TMP/plot.none"
plt LC_ALL=C >"$TMP/plot.c"
check "plot: Unicode under C.UTF-8" sh -c "LC_ALL=C grep -q '[^ -~]' '$TMP/plot.utf8'"
check "plot: same bytes with no locale" cmp -s "$TMP/plot.utf8" "$TMP/plot.none"
check "plot: ASCII only under LC_ALL=C" sh -c "! LC_ALL=C grep -q '[^ -~]' '$TMP/plot.c'"
check "plot: same number of lines in ASCII" sh -c "[ \$(wc -l <'$TMP/plot.utf8') -eq \$(wc -l <'$TMP/plot.c') ]"

[ "$failed" -eq 0 ]
