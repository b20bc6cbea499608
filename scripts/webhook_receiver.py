#!/usr/bin/env python3
"""A real webhook endpoint for Tollgate's tests: every delivery is verified with the reference
Standard Webhooks library (PyPI `standardwebhooks`), not with Tollgate's own code.

    webhook_receiver.py [--port N]      prints "listening on <port>" once it listens

    POST /secret    body: the endpoint's whsec_ secret, to verify deliveries with
    POST /fail      body: n — answer 500 to the next n deliveries (a failing endpoint)
    POST /hook      a delivery: 204 when its signature verifies (and no failure is due),
                    400 when it does not, 500 while failures are due
    GET  /received  JSON: every delivery seen, in order —
                    {"id", "type", "event_id", "verified", "answered", "error"}
"""

import argparse
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook

state = {"secret": None, "fail": 0, "received": []}
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, format, *args):  # quiet: the tests read /received
        pass

    def body(self):
        length = int(self.headers.get("content-length") or 0)
        return self.rfile.read(length)

    def answer(self, status, payload=None):
        data = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/received":
            with lock:
                return self.answer(200, state["received"])
        self.answer(404)

    def do_POST(self):
        body = self.body()
        if self.path == "/secret":
            with lock:
                state["secret"] = body.decode().strip()
                state["received"] = []
            return self.answer(204)
        if self.path == "/fail":
            with lock:
                state["fail"] = int(body.decode().strip() or 0)
            return self.answer(204)
        if self.path != "/hook":
            return self.answer(404)
        headers = {k.lower(): v for k, v in self.headers.items()}
        entry = {"id": headers.get("webhook-id"), "type": None, "event_id": None,
                 "verified": False, "answered": 0, "error": None}
        with lock:
            secret = state["secret"]
        try:
            if not secret:
                raise ValueError("no secret set")
            payload = Webhook(secret).verify(body, headers)
            entry.update(verified=True, type=payload.get("type"),
                         event_id=payload.get("data", {}).get("event_id"))
        except Exception as error:  # the library raises WebhookVerificationError and kin
            entry["error"] = f"{type(error).__name__}: {error}"
        with lock:
            if not entry["verified"]:
                status = 400
            elif state["fail"] > 0:
                state["fail"] -= 1
                status = 500
            else:
                status = 204
            entry["answered"] = status
            state["received"].append(entry)
        self.answer(status)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print(f"listening on {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    sys.exit(0)


if __name__ == "__main__":
    main()
