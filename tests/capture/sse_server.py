#!/usr/bin/env python3
"""sse_server.py — a loopback OpenAI-compatible chat completions server for
the capture tests and bench (Python stdlib only).

POST /v1/chat/completions with "stream": true answers like vLLM / SGLang /
llama.cpp server: HTTP/1.1, chunked transfer, text/event-stream, one SSE
event per token

  data: {"id", "object": "chat.completion.chunk", "created", "model",
         "choices": [{"index": 0, "delta": {"content": TOKEN},
                      "logprobs": {"content": [ITEM]}, "finish_reason": null}]}

(a first event with delta.role "assistant", a last one with the recorded
finish_reason and an empty delta, then "data: [DONE]").  ITEM is the recorded
logprobs.content item as is (token, logprob, bytes, top_logprobs).

Which completion: the request's image (the base64 data: URL) is decoded and
looked up by its SHA-256 among the files of --images; the recording
(--recording, JSONL of chat.completion objects with "file_name") gives that
file's completion.  With --synthetic N every request gets the same synthetic
N-token completion (bench).  A request without a known image is a 404.

Faults (--faults JSON: {"file_name": ["mode", ...]}, one mode per attempt,
the last repeated): ok, http400, http429, http500, http503 (a JSON error body
with terminal control bytes in its message), hang (send nothing for
--hang-seconds), cut:K (K token events, then close the socket mid-stream),
malformed:K (K token events, then an event that is not JSON), nostream (the
whole completion as one JSON body, as a server that ignores "stream" does).

--delay-ms D waits between token events, so a client disconnect is seen by
the next write (BrokenPipe/ConnectionReset); the log (--log, one JSON line
per request, flushed) says how many token events were written before the
client went away.  Binds 127.0.0.1 only; the port goes to --port-file; exits
by itself after --max-seconds.
"""
import argparse
import base64
import hashlib
import json
import os
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ARGS = None
BY_HASH = {}        # sha256 of image bytes -> file name
RECORDING = {}      # file name -> chat.completion object
SYNTH_BODY = None   # bytes of the whole synthetic SSE body (chunked)
ATTEMPTS = {}       # file name -> attempts so far
FAULTS = {}
LOCK = threading.Lock()
LOGF = None


def log(rec):
    if LOGF is None:
        return
    with LOCK:
        LOGF.write(json.dumps(rec, sort_keys=True) + "\n")
        LOGF.flush()


def sse(obj):
    data = obj if isinstance(obj, str) else json.dumps(obj, separators=(",", ":"))
    return ("data: " + data + "\n\n").encode()


def chunked(b):
    return b"%x\r\n%s\r\n" % (len(b), b)


def chunk_obj(cid, model, delta, lp, finish):
    return {"id": cid, "object": "chat.completion.chunk", "created": 1700000000,
            "model": model,
            "choices": [{"index": 0, "delta": delta, "logprobs": lp,
                         "finish_reason": finish}]}


def events_for(comp, cid):
    """The SSE events (bytes) of one recorded completion: role, tokens, finish."""
    model = comp.get("model", "test-model")
    ch = comp["choices"][0]
    items = ch["logprobs"]["content"]
    ev = [sse(chunk_obj(cid, model, {"role": "assistant", "content": ""}, None, None))]
    for it in items:
        text = bytes(it["bytes"]).decode("utf-8", "replace") if it.get("bytes") is not None \
            else it["token"]
        ev.append(sse(chunk_obj(cid, model, {"content": text}, {"content": [it]}, None)))
    ev.append(sse(chunk_obj(cid, model, {}, None, ch.get("finish_reason"))))
    ev.append(sse("[DONE]"))
    return ev


def synthetic(n):
    """n tokens of a distinct-record JSON list, 5 alternatives each."""
    toks = ["```", "json", "\n", "["]
    i = 0
    while len(toks) < n:
        x = (i * 37) % 900
        y = (i * 53) % 900
        toks += ["{\"", "bbox_2d", "\": [", *str(x), ", ", *str(y), ", ", *str(x + 50),
                 ", ", *str(y + 40), "], \"", "label", "\": \"", "insulator", "\"}", ",\n "]
        i += 1
    toks = toks[:n]
    items = []
    for k, t in enumerate(toks):
        lp = -0.001 * (k % 50)
        alts = [{"token": t, "logprob": lp, "bytes": list(t.encode())}]
        for a in range(4):
            alts.append({"token": "x%d" % a, "logprob": -5.0 - a, "bytes": list(b"x%d" % a)})
        items.append({"token": t, "logprob": lp, "bytes": list(t.encode()), "top_logprobs": alts})
    comp = {"model": "synthetic", "choices": [{"index": 0, "finish_reason": "length",
                                               "logprobs": {"content": items}}]}
    return b"".join(chunked(e) for e in events_for(comp, "chatcmpl-synth")) + b"0\r\n\r\n"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *a):  # quiet
        pass

    def send_error_body(self, code, msg):
        body = json.dumps({"object": "error", "message": msg, "type": "BadRequestError",
                           "code": code}).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.send_error_body(404, "only POST /v1/chat/completions here")

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n)
        if self.path != "/v1/chat/completions":
            self.send_error_body(404, "no route " + self.path)
            return
        try:
            req = json.loads(raw)
            msgs = req["messages"][0]["content"]
            url = [c for c in msgs if c["type"] == "image_url"][0]["image_url"]["url"]
            head, b64 = url.split(",", 1)
            assert head.startswith("data:image/") and head.endswith(";base64")
            img = base64.b64decode(b64, validate=True)
            assert req.get("stream") is True and req.get("logprobs") is True
            assert isinstance(req.get("top_logprobs"), int)
        except Exception as e:  # noqa: BLE001
            self.send_error_body(400, "bad request: %r" % (e,))
            return
        if SYNTH_BODY is not None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            try:
                self.wfile.write(SYNTH_BODY)
                self.wfile.flush()
            except OSError:
                pass
            return
        name = BY_HASH.get(hashlib.sha256(img).hexdigest())
        if name is None or name not in RECORDING:
            self.send_error_body(404, "unknown image")
            return
        with LOCK:
            att = ATTEMPTS.get(name, 0)
            ATTEMPTS[name] = att + 1
        modes = FAULTS.get(name, ["ok"])
        mode = modes[min(att, len(modes) - 1)]
        rec = {"file_name": name, "attempt": att + 1, "mode": mode,
               "max_tokens": req.get("max_tokens"), "top_logprobs": req.get("top_logprobs"),
               "model": req.get("model"), "authorization": self.headers.get("Authorization"),
               "x_extra": self.headers.get("X-Extra")}
        if mode.startswith("http"):
            code = int(mode[4:])
            rec["status"] = code
            log(rec)
            if code >= 500:  # a proxy's plain-text page, raw control bytes and all
                body = ("upstream \x1b[31mfault\x1b[0m \u202e for %s\r\n" % name).encode()
                self.send_response(code)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            else:
                self.send_error_body(code, "injected fault for " + name)
            return
        if mode == "nostream":  # a server that ignores "stream": one chat.completion
            log(rec)
            body = json.dumps(RECORDING[name]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if mode == "hang":
            log(rec)
            time.sleep(ARGS.hang_seconds)
            self.close_connection = True
            return
        limit = None
        if mode.startswith("cut:") or mode.startswith("malformed:"):
            limit = int(mode.split(":")[1])
        comp = RECORDING[name]
        ev = events_for(comp, "chatcmpl-%s-%d" % (name, att + 1))
        total = len(ev) - 3
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        sent = 0
        disconnected = False
        try:
            self.wfile.write(chunked(ev[0]))
            self.wfile.flush()
            for e in ev[1:1 + total]:
                if limit is not None and sent == limit:
                    break
                if ARGS.delay_ms:
                    time.sleep(ARGS.delay_ms / 1000.0)
                self.wfile.write(chunked(e))
                self.wfile.flush()
                sent += 1
            if limit is not None and mode.startswith("malformed:"):
                self.wfile.write(chunked(b"data: {\"choices\": [{\"delta\": \n\n"))
                self.wfile.flush()
            if limit is None:
                for e in ev[1 + total:]:
                    self.wfile.write(chunked(e))
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            disconnected = True
        if limit is not None:
            # mid-stream: close without the terminating chunk
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        rec.update({"token_events_sent": sent, "total": total, "disconnected": disconnected})
        log(rec)


def main():
    global ARGS, SYNTH_BODY, LOGF
    ap = argparse.ArgumentParser()
    ap.add_argument("--recording")
    ap.add_argument("--images")
    ap.add_argument("--synthetic", type=int)
    ap.add_argument("--faults")
    ap.add_argument("--delay-ms", type=float, default=0)
    ap.add_argument("--hang-seconds", type=float, default=5)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log")
    ap.add_argument("--max-seconds", type=float, default=300)
    ARGS = ap.parse_args()
    if ARGS.synthetic:
        SYNTH_BODY = synthetic(ARGS.synthetic)
    if ARGS.images:
        for fn in sorted(os.listdir(ARGS.images)):
            with open(os.path.join(ARGS.images, fn), "rb") as f:
                BY_HASH[hashlib.sha256(f.read()).hexdigest()] = fn
    if ARGS.recording:
        with open(ARGS.recording) as f:
            for line in f:
                if line.strip():
                    o = json.loads(line)
                    RECORDING[o["file_name"]] = o
    if ARGS.faults:
        with open(ARGS.faults) as f:
            FAULTS.update(json.load(f))
    if ARGS.log:
        LOGF = open(ARGS.log, "a")
    # a backlog for every client at once: with the default 5, connects beyond
    # it wait for a SYN retransmit (1 s) and the bench would measure that
    ThreadingHTTPServer.request_queue_size = 128

    class Server(ThreadingHTTPServer):
        def handle_error(self, request, client_address):
            # a client closing an idle keep-alive connection is not an error here
            if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
                super().handle_error(request, client_address)

    srv = Server(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    tmp = ARGS.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, ARGS.port_file)
    t = threading.Timer(ARGS.max_seconds, lambda: os._exit(3))
    t.daemon = True
    t.start()
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
