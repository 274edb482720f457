#!/usr/bin/env python3
"""slow_server.py — a hostile loopback HTTP server for tests/hostile (stdlib only).

Binds 127.0.0.1 on a kernel-chosen port (written to --port-file) and exits by
itself after --max-seconds.  Every POST is read whole; the SHA-256 of each
base64 image in it (data: URLs) and the request line and headers are appended
to --log as one JSON line.  Then, by --mode:
  drip-sse   200 text/event-stream, then ":\\n" (an SSE comment) every --every s
  drip-byte  200 text/event-stream, then one byte ("\\n") every --every s
  drip-503   503 with a body that comes one byte every --every s
  refuse     400 with a short JSON error body at once
"""
import argparse
import base64
import hashlib
import json
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ARGS = None
LOCK = threading.Lock()


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        shas = [hashlib.sha256(base64.b64decode(m)).hexdigest()
                for m in re.findall(rb"base64,([A-Za-z0-9+/=]+)", body)]
        with LOCK, open(ARGS.log, "a") as f:
            f.write(json.dumps({"path": self.path, "images": shas,
                                "headers": dict(self.headers)}) + "\n")
        mode = ARGS.mode
        if mode == "refuse":
            b = b'{"error": "refused by the test server"}'
            self.send_response(400)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(b)))
            self.end_headers()
            self.wfile.write(b)
            return
        self.send_response(503 if mode == "drip-503" else 200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()  # no length: the body ends when the connection does
        unit = b":\n" if mode == "drip-sse" else b"x" if mode == "drip-503" else b"\n"
        try:
            while True:
                self.wfile.write(unit)
                self.wfile.flush()
                time.sleep(ARGS.every)
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", required=True,
                    choices=["drip-sse", "drip-byte", "drip-503", "refuse"])
    ap.add_argument("--every", type=float, default=0.5)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--max-seconds", type=float, default=60)
    ARGS = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
    srv.daemon_threads = True
    with open(ARGS.port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    import os
    os.rename(ARGS.port_file + ".tmp", ARGS.port_file)
    threading.Timer(ARGS.max_seconds, lambda: os._exit(0)).start()
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
