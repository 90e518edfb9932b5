"""Local stand-ins for the providers, used by the tests and bench/bench_notifications.py:
a real SMTP server (aiosmtpd) and HTTP servers speaking eSMS.vn's and Zalo ZNS's formats.

Each counts what it received by the sender's idempotency key (Message-ID, RequestId,
tracking_id), so a message delivered twice shows up as a repeat."""

from __future__ import annotations

import json
import re
import socket
import threading
from collections import Counter
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

PHONE = re.compile(r"^(84|0)[35789]\d{8}$")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpReceiver:
    """aiosmtpd on 127.0.0.1; `messages` are parsed EmailMessages."""

    def __init__(self):
        self.messages = []
        self.ids: Counter = Counter()
        self.lock = threading.Lock()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, _server, _session, envelope):  # noqa: N802 - aiosmtpd's name
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(message)
            self.ids[message["Message-ID"]] += 1
        return "250 OK"

    def start(self) -> SmtpReceiver:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()


class HttpReceiver:
    """A provider's HTTP API: `scripted` answers (status, headers, body) go first, then the
    provider's own rules answer. `requests` holds each JSON body and its headers."""

    def __init__(self):
        self.requests: list[tuple[dict, dict]] = []
        self.scripted: list[tuple[int, dict, dict]] = []
        self.ids: Counter = Counter()
        self.lock = threading.Lock()
        self.server = None

    def answer(self, body: dict, headers: dict) -> tuple[int, dict, dict]:
        raise NotImplementedError

    def _handle(self, body: dict, headers: dict) -> tuple[int, dict, dict]:
        with self.lock:
            self.requests.append((body, headers))
            if self.scripted:
                return self.scripted.pop(0)
        status, extra, answer = self.answer(body, headers)
        return status, extra, answer

    def start(self) -> HttpReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {}
                status, extra, answer = receiver._handle(body, dict(self.headers))
                data = json.dumps(answer, ensure_ascii=False).encode()
                self.send_response(status)
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{self.path}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class EsmsReceiver(HttpReceiver):
    """eSMS.vn SendMultipleMessage_V4_post_json: CodeResult "100" and an SMSID on success,
    "101" for wrong keys, "104" for an unknown brandname, "789" for an invalid number."""

    path = "/MainService.svc/json/SendMultipleMessage_V4_post_json/"
    api_key, secret_key, brandname = "esms-key", "esms-secret", "RISKAPP"

    def answer(self, body: dict, headers: dict) -> tuple[int, dict, dict]:
        if (body.get("ApiKey"), body.get("SecretKey")) != (self.api_key, self.secret_key):
            return 200, {}, {"CodeResult": "101", "ErrorMessage": "Authorize Failed"}
        if body.get("Brandname") != self.brandname:
            return 200, {}, {"CodeResult": "104", "ErrorMessage": "Brandname khong ton tai"}
        if not PHONE.match(str(body.get("Phone", ""))):
            return 200, {}, {"CodeResult": "789", "ErrorMessage": "Phone invalid"}
        with self.lock:
            self.ids[body.get("RequestId")] += 1
            number = sum(self.ids.values())
        return 200, {}, {"CodeResult": "100", "CountRegenerate": 0, "SMSID": f"sms-{number}"}


class ZnsReceiver(HttpReceiver):
    """Zalo ZNS message/template: {"error": 0, "data": {"msg_id": …}}; -124 for a wrong
    access token, -108 for an invalid phone, -109 for an unknown template."""

    path = "/message/template"
    token = "zns-token"
    templates = {"200001", "200002", "200003", "200004", "200005", "200006", "200007"}

    def answer(self, body: dict, headers: dict) -> tuple[int, dict, dict]:
        token = next((v for k, v in headers.items() if k.lower() == "access_token"), None)
        if token != self.token:
            return 200, {}, {"error": -124, "message": "Access token is invalid"}
        if not re.match(r"^84[35789]\d{8}$", str(body.get("phone", ""))):
            return 200, {}, {"error": -108, "message": "Phone number is invalid"}
        if body.get("template_id") not in self.templates:
            return 200, {}, {"error": -109, "message": "Template ID is invalid"}
        with self.lock:
            self.ids[body.get("tracking_id")] += 1
            number = sum(self.ids.values())
        return 200, {}, {"error": 0, "message": "Success", "data": {
            "msg_id": f"zns-{number}", "sent_time": "1733580000000",
            "quota": {"dailyQuota": "500", "remainingQuota": "499"}}}
