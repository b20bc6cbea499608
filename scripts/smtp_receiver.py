"""A real SMTP server for the tests (aiosmtpd): every message it receives is decoded with
Python's email library and appended to a file as one JSON line — sender, recipients, subject,
and the plain-text and HTML parts — for the tests to read."""

import argparse
import json
import threading
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


class Keep:
    def __init__(self, out):
        self.out = out
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        text = message.get_body(("plain",))
        html = message.get_body(("html",))
        def content(part):
            # Mail travels with CRLF line ends; the tests read lines as a client shows them.
            return part.get_content().replace("\r\n", "\n") if part is not None else None

        record = {
            "from": envelope.mail_from,
            "to": envelope.rcpt_tos,
            "subject": str(message["subject"]),
            "text": content(text),
            "html": content(html),
        }
        with self.lock, open(self.out, "a", encoding="utf-8") as out:
            out.write(json.dumps(record) + "\n")
        return "250 Message accepted for delivery"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True, help="the JSON-lines file messages go to")
    args = parser.parse_args()
    controller = Controller(Keep(args.out), hostname="127.0.0.1", port=args.port)
    controller.start()
    print(f"listening on 127.0.0.1:{args.port}", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
