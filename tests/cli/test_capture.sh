#!/bin/sh
# End-to-end checks of `tailscope capture` against a real HTTP server on
# loopback (tests/capture/sse_server.py: HTTP/1.1, chunked SSE over TCP,
# honours disconnects, injects faults, logs what it sent).  The expected
# values come from an independent reader (tests/capture/check.py) of the
# recorded completions (tests/capture/make_fixture.py):
#   a.png: repeated tail; first exact duplicate completes at step 141
#   c.png: a duplicate in the middle; completes at step 108
#   b, d, e: no duplicate (b has an "é" split over two tokens, bytes only)
# Every server is started here on 127.0.0.1 (port 0, chosen by the kernel),
# exits by itself after 120 s, and is stopped by its PID at the end.
. "$(dirname "$0")/lib.sh"
HERE=tests/capture
[ -n "$KEEP" ] && trap "for p in \$pids; do kill \$p 2>/dev/null; done; echo kept \$tmp" EXIT
if ! command -v python3 >/dev/null 2>&1; then
	echo "not ok 1 - python3 is needed for the loopback server (make test installs it)"
	exit 1
fi

# start_server NAME ARGS... : starts a server, sets PORT_NAME's value in $PORT
start_server() {
	name=$1
	shift
	python3 $HERE/sse_server.py --port-file "$tmp/$name.port" --log "$tmp/$name.log" \
		--max-seconds 120 "$@" 2>"$tmp/$name.stderr" &
	pid=$!
	pids="$pids $pid"
	eval "PID_$name=$pid"
	i=0
	while [ ! -s "$tmp/$name.port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	PORT=$(cat "$tmp/$name.port" 2>/dev/null)
}
cap() { # cap OUT_DIR ARGS... : capture with the fixture's images and gt
	out=$1
	shift
	timeout 60 "$BIN" capture --server "http://127.0.0.1:$PORT" --images "$F/images" \
		--gt "$F/gt.json" --prompt "List every object as JSON." --model qwen3-vl-test \
		-o "$out" "$@"
}
chk() { python3 $HERE/check.py "$@"; }

F=$tmp/fx
python3 $HERE/make_fixture.py "$F"
check "fixture: the independent reader finds the two stops" \
	[ "$(chk stops "$F/recording.jsonl")" = '{"a.png": 141, "b.png": null, "c.png": 108, "d.png": null, "e.png": null}' ]

start_server rec --recording "$F/recording.jsonl" --images "$F/images" --delay-ms 8
check "server is listening" [ -n "$PORT" ]

# ---- policy off: the recording, byte for byte ----
cap "$tmp/off" --policy off --progress plain --coords qwen3 2>"$tmp/off.err"; rc=$?
check "capture --policy off exits 0" [ "$rc" -eq 0 ]
check "off: every line equals the recorded completion (steps, bytes, logprobs, alternatives, finish)" \
	chk prefix "$F/recording.jsonl" "$tmp/off/traces.jsonl" off
check "plain progress lines when stderr is not a terminal" grep -q '^tailscope capture: 5/5 done, 0 failed' "$tmp/off.err"
check "no terminal control bytes in plain progress" sh -c "! grep -q \"\$(printf '\\033')\" '$tmp/off.err'"
"$BIN" report --json "$tmp/off" >"$tmp/off.json"; rc=$?
check "report reads the captured run (the trace reader accepts the line shape): exit 0" [ "$rc" -eq 0 ]
"$BIN" report --json "$F/full" >"$tmp/full.json"
check "report off on the capture equals report off on the recording" chk report-equal "$tmp/off.json" "$tmp/full.json" off
check "run.json: policy, server, model, version, traces" sh -c "grep -q '\"policy\": \"off\"' '$tmp/off/run.json' &&
	grep -q '\"server\": \"http://127.0.0.1:$PORT/v1/chat/completions\"' '$tmp/off/run.json' &&
	grep -q '\"model\": \"qwen3-vl-test\"' '$tmp/off/run.json' &&
	grep -q '\"tailscope_version\"' '$tmp/off/run.json' && grep -q '\"traces\": \"traces.jsonl\"' '$tmp/off/run.json'"
check "run.json: --coords qwen3 is written" \
	sh -c "grep -q '\"coords\": \"qwen3\"' '$tmp/off/run.json'"
check "run.json: absolute --images and --gt" sh -c "grep -q '\"images\": \"/.*/fx/images\"' '$tmp/off/run.json' && grep -q '\"gt\": \"/.*/fx/gt.json\"' '$tmp/off/run.json'"
check "the request asked for logprobs with 5 alternatives and max_tokens 1024" \
	sh -c "grep -c '\"top_logprobs\": 5' '$tmp/rec.log' | grep -qx 5 && grep -c '\"max_tokens\": 1024' '$tmp/rec.log' | grep -qx 5"

cap "$tmp/bar" --policy off --progress bar 2>"$tmp/bar.err"
check "--progress bar draws a bar line (done/total, rate, ETA, dup rate) and ends with the summary" \
	sh -c "grep -q \"\$(printf '\\r\\033')\\[K\\[[#.]*\\] [0-5]/5 .* req/s  ETA [0-9]*:[0-9][0-9]  dup \" '$tmp/bar.err' && tail -n 1 '$tmp/bar.err' | grep -q 'captured 5 of 5'"

# ---- repeat_stop live ----
: >"$tmp/rec.log"
cap "$tmp/rs" --policy repeat_stop -q 2>"$tmp/rs.err"; rc=$?
check "capture --policy repeat_stop exits 0" [ "$rc" -eq 0 ]
check "repeat_stop: lines equal the recording up to the stop step; finish stop, stop_reason repeat_stop, stop_step" \
	chk prefix "$F/recording.jsonl" "$tmp/rs/traces.jsonl" repeat_stop
check "the server saw the client disconnect right after the stop step (a: 141, c: 108; <= 3 events in flight)" \
	chk serverlog "$tmp/rec.log" "$F/recording.jsonl" 3
"$BIN" report --json --policy repeat_stop "$tmp/rs" >"$tmp/rs.json"
"$BIN" report --json --policy repeat_stop "$F/full" >"$tmp/full_rs.json"
check "report on the live capture equals report --policy repeat_stop on the full recording" \
	chk report-equal "$tmp/rs.json" "$tmp/full_rs.json" repeat_stop
check "summary names the stops" grep -q 'policy repeat_stop: 2 stops fired' "$tmp/rs.err"
"$BIN" report --json "$tmp/rs" >"$tmp/rs_off.json"
check "live repeat_stop run, policy off: a and c are 'stopped' (not 'malformed'); termination and tokens equal --policy repeat_stop replayed on the recording" \
	chk report-terms "$tmp/rs_off.json" off "$tmp/full_rs.json" repeat_stop tokens 2
"$BIN" report "$tmp/rs" >"$tmp/rs_off.txt"
check "report table: stopped row" grep -Eq '^  stopped +2 +2$' "$tmp/rs_off.txt"
check "report table on a live-stopped run: the off column is headed 'as captured', with a note why" \
	sh -c "grep -Eq '^ +as captured +repeat_stop$' '$tmp/rs_off.txt' && grep -q 'as captured = policy off on traces a live stop ended' '$tmp/rs_off.txt'"
check "... a run captured without a stop keeps 'off'" sh -c "'$BIN' report '$tmp/off' | grep -Eq '^ +off +repeat_stop$'"
"$BIN" report --csv "$tmp/rs" >"$tmp/rs_off.csv" 2>/dev/null
check "report --csv: a.png and c.png are stopped under policy off" \
	sh -c "grep -c ',stopped,' '$tmp/rs_off.csv' | grep -qx 2"
if command -v tmux >/dev/null 2>&1; then
	# the debugger's samples pane on the live run: badge S for a (id 1) and c (id 3)
	sock=tscap$$
	tmux -L "$sock" new-session -d -x 120 -y 30 "env TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 NO_COLOR=1 $BIN '$tmp/rs'"
	i=0
	while [ $i -lt 100 ] && ! tmux -L "$sock" capture-pane -p 2>/dev/null | grep -Eq '^5 +[0-9]+ +[0-9]+ +×[0-9]+ +C '; do
		sleep 0.2; i=$((i + 1))
	done
	tmux -L "$sock" capture-pane -p >"$tmp/rs_tui.txt" 2>/dev/null
	tmux -L "$sock" kill-server 2>/dev/null
	check "debugger on the live run: badge S (stopped) for samples 1 and 3, C for the others" \
		sh -c "grep -Eq '^1 +4 +1 +×2 +S ' '$tmp/rs_tui.txt' && grep -Eq '^3 +3 +1 +×2 +S ' '$tmp/rs_tui.txt' &&
			grep -Ec '^[245] +[0-9]+ +0 +×[01] +C ' '$tmp/rs_tui.txt' | grep -qx 3"
fi

# ---- budget:2 live (cut known once record 3 completes, trace truncated at record 2) ----
cap "$tmp/b2" --policy budget:2 -q 2>/dev/null
"$BIN" report --json --policy budget:2 "$tmp/b2" >"$tmp/b2.json"
"$BIN" report --json --policy budget:2 "$F/full" >"$tmp/full_b2.json"
check "budget:2 live equals report --policy budget:2 on the recording" \
	chk report-equal "$tmp/b2.json" "$tmp/full_b2.json" budget:2
"$BIN" report --json "$tmp/b2" >"$tmp/b2_off.json"
# (tokens differ: the live trace runs to the step that completes record 3)
check "budget:2 live, policy off: termination equals the budget:2 replay (stopped, not malformed)" \
	chk report-terms "$tmp/b2_off.json" off "$tmp/full_b2.json" budget:2

# ---- Ctrl-C mid-run loses only the request in flight; --resume completes it ----
: >"$tmp/rec.log"
SECRET=tok-$$-secret timeout -s INT 3.5 "$BIN" capture --server "http://127.0.0.1:$PORT" \
	--images "$F/images" --gt "$F/gt.json" --prompt p --concurrency 1 -q \
	--api-key-env SECRET --header 'X-Extra: 42' -o "$tmp/int" 2>/dev/null; rc=$?
lines=$(wc -l <"$tmp/int/traces.jsonl")
check "SIGINT stops the capture part-way (exit 124 from timeout, 1 to 4 whole lines)" \
	sh -c "[ $rc -eq 124 ] && [ $lines -ge 1 ] && [ $lines -lt 5 ]"
check "--api-key-env sends Authorization: Bearer, --header its header; neither reaches run.json" \
	sh -c "grep -q '\"authorization\": \"Bearer tok-$$-secret\"' '$tmp/rec.log' && grep -q '\"x_extra\": \"42\"' '$tmp/rec.log' &&
	! grep -q 'secret\|X-Extra' '$tmp/int/run.json'"
SECRET=tok-$$-secret cap "$tmp/int" --resume --api-key-env SECRET -q 2>/dev/null; rc=$?
check "after SIGINT, --resume completes the run: equal to the recording" \
	sh -c "[ $rc -eq 0 ] && python3 $HERE/check.py prefix '$F/recording.jsonl' '$tmp/int/traces.jsonl' off"

# ---- no --gt: every PNG/JPEG of the directory by name; a bad one is named and skipped ----
mkdir -p "$tmp/imgs2"
cp "$F"/images/*.png "$tmp/imgs2/"
printf 'GIF89a not really' >"$tmp/imgs2/0bad.png"
printf 'text' >"$tmp/imgs2/notes.txt"
timeout 60 "$BIN" capture --server "http://127.0.0.1:$PORT" --images "$tmp/imgs2" --prompt p \
	-q -o "$tmp/nogt" 2>"$tmp/nogt.err"; rc=$?
check "without --gt: 5 images captured by file name (no image_id), the bad PNG named with the viewer's reason, exit 1" \
	sh -c "[ $rc -eq 1 ] && [ \$(wc -l <'$tmp/nogt/traces.jsonl') -eq 5 ] &&
	grep -q '0bad.png: .*GIF' '$tmp/nogt.err' && ! grep -q 'notes.txt' '$tmp/nogt.err' &&
	[ \$(grep -c '^{\"file_name\":\"[a-e].png\",\"object\"' '$tmp/nogt/traces.jsonl') -eq 5 ]"

# ---- resume: two lines kept, a partial third dropped ----
mkdir -p "$tmp/res"
head -n 2 "$tmp/off/traces.jsonl" >"$tmp/res/traces.jsonl"
sed -n 3p "$tmp/off/traces.jsonl" | head -c 300 >>"$tmp/res/traces.jsonl"
: >"$tmp/rec.log"
cap "$tmp/res" --policy off 2>"$tmp/res.err"; rc=$?
check "an existing traces.jsonl without --resume: exit 2, file untouched" \
	sh -c "[ $rc -eq 2 ] && grep -q 'use --resume' '$tmp/res.err' && [ \$(wc -l <'$tmp/res/traces.jsonl') -eq 2 ]"
cap "$tmp/res" --policy off --resume 2>"$tmp/res.err"; rc=$?
check "--resume exits 0 and says it dropped the partial line" sh -c "[ $rc -eq 0 ] && grep -q 'dropping a partial last line' '$tmp/res.err'"
check "--resume: the run equals the recording again (5 whole lines)" chk prefix "$F/recording.jsonl" "$tmp/res/traces.jsonl" off
check "--resume sent only the 3 missing images" [ "$(grep -c '"mode": "ok"' "$tmp/rec.log")" -eq 3 ]

# ---- resume on a compressed traces.jsonl (gzip / zstd by the magic) ----
# The same two lines compressed by the gzip/zstd tools, then half of a
# third member (an append cut by a crash): --resume cuts the half member,
# appends each new line as its own member/frame, and the file then
# decompresses (by the tools, independently) to the recording's 5 lines and
# gives the same report --json as the plain resume above.
"$BIN" report --json "$tmp/res" >"$tmp/res.json" 2>/dev/null
for z in gzip zstd; do
	mkdir -p "$tmp/res-$z"
	head -n 2 "$tmp/off/traces.jsonl" | $z -q -c >"$tmp/res-$z/traces.jsonl"
	sed -n 3p "$tmp/off/traces.jsonl" | $z -q -c >"$tmp/res-$z/m3"
	head -c "$(($(wc -c <"$tmp/res-$z/m3") / 2))" "$tmp/res-$z/m3" >>"$tmp/res-$z/traces.jsonl"
	rm "$tmp/res-$z/m3"
	: >"$tmp/rec.log"
	cap "$tmp/res-$z" --policy off --resume 2>"$tmp/res-$z.err"; rc=$?
	check "$z: --resume exits 0, says it dropped the partial member" \
		sh -c "[ $rc -eq 0 ] && grep -q 'dropping a partial $z' '$tmp/res-$z.err'"
	check "$z: --resume sent only the 3 missing images" [ "$(grep -c '"mode": "ok"' "$tmp/rec.log")" -eq 3 ]
	$z -d -q -c <"$tmp/res-$z/traces.jsonl" >"$tmp/res-$z.plain"
	check "$z: still $z, decompressing (by $z -d) to the recording's 5 lines" \
		chk prefix "$F/recording.jsonl" "$tmp/res-$z.plain" off
	"$BIN" report --json "$tmp/res-$z" >"$tmp/res-$z.json" 2>/dev/null
	check "$z: report --json equal to the plain resume's" chk report-equal "$tmp/res.json" "$tmp/res-$z.json" off
done
# corrupt bytes after whole members are no interrupted append: refused, nothing cut
mkdir -p "$tmp/res-bad"
head -n 2 "$tmp/off/traces.jsonl" | gzip -c >"$tmp/res-bad/traces.jsonl"
printf 'not a gzip member at all' >>"$tmp/res-bad/traces.jsonl"
cp "$tmp/res-bad/traces.jsonl" "$tmp/res-bad.copy"
cap "$tmp/res-bad" --policy off --resume 2>"$tmp/res-bad.err"; rc=$?
check "gzip with corrupt bytes after its members: --resume exits 2, names it, cuts nothing" \
	sh -c "[ $rc -eq 2 ] && grep -q 'corrupt gzip data after byte' '$tmp/res-bad.err' && cmp -s '$tmp/res-bad.copy' '$tmp/res-bad/traces.jsonl'"

# ---- faults, each image its own, with retries and backoff ----
cat >"$tmp/faults.json" <<'J'
{"a.png": ["http503", "ok"], "b.png": ["cut:3"], "c.png": ["malformed:2", "ok"],
 "d.png": ["hang", "nostream", "ok"], "e.png": ["http400"]}
J
start_server flt --recording "$F/recording.jsonl" --images "$F/images" --faults "$tmp/faults.json" --hang-seconds 4
cap "$tmp/flt" --policy off --retries 2 --backoff 0.05 --timeout 1 --concurrency 3 2>"$tmp/flt.err"; rc=$?
check "faults: some images failed -> exit 1" [ "$rc" -eq 1 ]
check "HTTP 503 is reported with the server's body and retried" grep -q 'a.png: attempt 1 of 3: HTTP 503: upstream' "$tmp/flt.err"
check "the server's error body is sanitized (ESC and U+202E shown as escapes)" \
	sh -c "grep -qF 'upstream \\x1b[31mfault\\x1b[0m \\u{202E} for a.png' '$tmp/flt.err' && ! grep -q \"\$(printf '\\033')\" '$tmp/flt.err'"
check "a stream cut mid-way is retried, then given up after 3 attempts" \
	sh -c "grep -q 'b.png: attempt 1 of 3: stream cut after 3 steps' '$tmp/flt.err' && grep -q 'b.png: failed after 3 attempts: stream cut' '$tmp/flt.err'"
check "malformed SSE is reported and retried" grep -q 'c.png: attempt 1 of 3: malformed stream after 2 steps: SSE event 4 is not well-formed JSON' "$tmp/flt.err"
check "--timeout without data is reported and retried" grep -q 'd.png: attempt 1 of 3: timed out after 0 steps: no data for 1 s' "$tmp/flt.err"
check "a JSON answer instead of a stream is named as such, and retried" grep -q 'd.png: attempt 2 of 3: no SSE event in the response (Content-Type: application/json)' "$tmp/flt.err"
check "HTTP 400 is not retried" grep -q 'e.png: failed after 1 attempt: HTTP 400: .*injected fault for e.png.*(not retried)' "$tmp/flt.err"
grep -v '"file_name": "[be].png"' "$F/recording.jsonl" >"$tmp/rec_acd.jsonl"
check "the rest went on: a, c, d captured whole after their retries" chk prefix "$tmp/rec_acd.jsonl" "$tmp/flt/traces.jsonl" off
check "server log: b.png tried 3 times, e.png once" \
	sh -c "[ \$(grep -c '\"file_name\": \"b.png\"' '$tmp/flt.log') -eq 3 ] && [ \$(grep -c '\"file_name\": \"e.png\"' '$tmp/flt.log') -eq 1 ]"

# ---- connection refused: nothing captured -> exit 2 ----
eval "kill \$PID_flt"
wait "$PID_flt" 2>/dev/null
cap "$tmp/refused" --retries 1 --backoff 0.05 --gt "$F/gt.json" 2>"$tmp/refused.err"; rc=$?
check "connection refused: every image fails with a message, exit 2" \
	sh -c "[ $rc -eq 2 ] && [ \$(grep -c 'failed after 2 attempts: connection failed' '$tmp/refused.err') -eq 5 ]"

# ---- -o with missing parents (mkdir -p), and never through a symlink ----
cap "$tmp/new/runs/qwen-rs" --retries 0 --backoff 0.05 2>"$tmp/parents.err"
check "-o runs/qwen-rs creates the missing parents and the run directory (traces.jsonl, run.json)" \
	sh -c "[ -d '$tmp/new/runs/qwen-rs' ] && [ -f '$tmp/new/runs/qwen-rs/traces.jsonl' ] && [ -f '$tmp/new/runs/qwen-rs/run.json' ] && ! grep -q 'No such file' '$tmp/parents.err'"
mkdir "$tmp/real_dir"
ln -s "$tmp/real_dir" "$tmp/link_run"
cap "$tmp/link_run" --retries 0 2>"$tmp/link.err"; rc=$?
check "-o naming a symlink to a directory is refused, nothing written through it" \
	sh -c "[ $rc -eq 2 ] && grep -q 'link_run is a symbolic link: refused' '$tmp/link.err' && [ -z \"\$(ls '$tmp/real_dir')\" ]"
cap "$tmp/link_run/" --retries 0 2>"$tmp/link2.err"; rc=$?
check "... also written with a trailing slash" \
	sh -c "[ $rc -eq 2 ] && grep -q 'link_run/ is a symbolic link: refused' '$tmp/link2.err' && [ -z \"\$(ls '$tmp/real_dir')\" ]"
: >"$tmp/plainfile"
cap "$tmp/plainfile/sub/run" --retries 0 2>"$tmp/pf.err"; rc=$?
check "-o under a regular file: exit 2 naming it" sh -c "[ $rc -eq 2 ] && grep -q 'plainfile: not a directory' '$tmp/pf.err'"

# ---- usage ----
"$BIN" capture --help >"$tmp/help" 2>&1; rc=$?
check "--help exits 0 and lists --policy" sh -c "[ $rc -eq 0 ] && grep -q -- '--policy' '$tmp/help'"
"$BIN" capture --images x --prompt p -o y 2>"$tmp/u.err"; rc=$?
check "no --server: exit 2 with a message" sh -c "[ $rc -eq 2 ] && grep -q 'server URL is required' '$tmp/u.err'"
"$BIN" capture --server http://127.0.0.1:1 --images x --prompt p -o y --policy dedup 2>"$tmp/u.err"; rc=$?
check "--policy dedup is refused (not a truncation)" sh -c "[ $rc -eq 2 ] && grep -q 'not a truncation' '$tmp/u.err'"

[ "$fails" -eq 0 ]
