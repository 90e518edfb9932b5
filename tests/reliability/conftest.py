"""Shared by the reliability tests: a PostgreSQL database of their own, reached through a TCP
proxy the tests stop and start (the real server keeps running for everyone else)."""

from __future__ import annotations

import os
import socket
import threading
import time

import psycopg
import pytest

PG_HOST, PG_PORT = "127.0.0.1", 5432
# One database per test process: two suites may run at once on one server.
OUTAGE_DB = f"test_reliab_outage_{os.getpid()}"


class TcpProxy:
    """Forward 127.0.0.1:<port> to PostgreSQL; stop() drops the listener and every connection."""

    def __init__(self):
        self.port = None
        self.listener = None
        self.connections: list[socket.socket] = []
        self.lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port or 0))
        listener.listen(32)
        self.port = listener.getsockname()[1]
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        # shutdown() wakes the thread blocked in accept(); close() alone leaves it listening.
        try:
            self.listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.listener.close()
        with self.lock:
            for connection in self.connections:
                try:
                    connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                connection.close()
            self.connections.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _address = listener.accept()
            except OSError:
                return  # the listener was closed
            try:
                upstream = socket.create_connection((PG_HOST, PG_PORT), timeout=5)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.connections += [client, upstream]
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, target):
                try:
                    end.close()
                except OSError:
                    pass


def _postgres_admin_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL", f"postgresql://postgres@{PG_HOST}:{PG_PORT}/test")
    return url.replace("postgresql+psycopg://", "postgresql://").rsplit("/", 1)[0] + "/postgres"


@pytest.fixture
def outage_database():
    try:
        with psycopg.connect(_postgres_admin_url(), autocommit=True, connect_timeout=3) as c:
            c.execute(f"DROP DATABASE IF EXISTS {OUTAGE_DB} WITH (FORCE)")
            c.execute(f"CREATE DATABASE {OUTAGE_DB}")
    except psycopg.OperationalError as error:
        if os.environ.get("CI") == "true":  # CI promises PostgreSQL: its absence is a failure
            pytest.fail(f"this test needs PostgreSQL at {PG_HOST}:{PG_PORT}: {error}")
        pytest.skip(f"this test needs PostgreSQL at {PG_HOST}:{PG_PORT}: {error}")
    yield OUTAGE_DB
    with psycopg.connect(_postgres_admin_url(), autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {OUTAGE_DB} WITH (FORCE)")


@pytest.fixture
def proxy():
    started = TcpProxy()
    started.start()
    yield started
    started.stop()


def wait_for(condition, timeout: float, what: str, every: float = 0.05):
    """The condition's first true value, polled until ``timeout`` seconds; else fail naming it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"{what}: not within {timeout:.0f} s")
