"""A local HTTP receiver that verifies each webhook's Standard Webhooks signature."""

from __future__ import annotations

import base64
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from standardwebhooks import Webhook

from riskapp.db import db
from riskapp.models import WebhookEndpoint
from riskapp.models.webhook import EVENT_TYPES


class Receiver:
    def __init__(self):
        self.secret = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
        self.received: list[dict] = []
        self.headers: list[dict] = []
        self.raw: list[bytes] = []
        self.answers: list[int] = []  # status codes to answer, in order; then 204

    def next_status(self) -> int:
        return self.answers.pop(0) if self.answers else 204


@pytest.fixture
def receiver(app, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", True)
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            status = state.next_status()
            if status < 300:
                # Raises (an answer of 500) if the signature, id or timestamp is wrong.
                payload = Webhook(state.secret).verify(body, dict(self.headers))
                state.received.append(payload)
                state.headers.append(dict(self.headers))
                state.raw.append(body)
            self.send_response(status)
            self.end_headers()

        def log_message(self, *_args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def endpoint(app, world, receiver):
    with app.app_context():
        row = WebhookEndpoint(province_id=world.a.province.id, url=receiver.url,
                              events=list(EVENT_TYPES), secret=receiver.secret, active=True)
        db.session.add(row)
        db.session.commit()
        return row.id


def types_of(receiver: Receiver) -> list[str]:
    return [payload["type"] for payload in receiver.received]
