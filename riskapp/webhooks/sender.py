"""One HTTP POST to a checked target: short timeouts, no redirects, the resolved address only."""

from __future__ import annotations

import http.client
import socket
import ssl

from riskapp.webhooks.ssrf import Target

TIMEOUT_SECONDS = 5


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS to the address already checked, with the host name for SNI and the certificate."""

    def __init__(self, target: Target):
        super().__init__(target.host, target.port, timeout=TIMEOUT_SECONDS,
                         context=ssl.create_default_context())
        self._address = target.address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(target: Target, body: bytes, headers: dict[str, str]) -> int:
    """The response's status code; a redirect is answered as such, never followed."""
    if target.scheme == "https":
        connection = _PinnedHTTPS(target)
    else:
        connection = http.client.HTTPConnection(target.address, target.port,
                                                timeout=TIMEOUT_SECONDS)
    host = target.host if ":" not in target.host else f"[{target.host}]"
    try:
        connection.request("POST", target.path, body=body, headers={
            **headers, "Host": f"{host}:{target.port}", "Content-Type": "application/json",
            "User-Agent": "riskapp-webhooks/1"})
        response = connection.getresponse()
        response.read(65536)
        return response.status
    finally:
        connection.close()
