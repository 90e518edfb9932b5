"""The database: one engine per app, one session per app context."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy import Engine, MetaData, create_engine, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import JSON

# Stable constraint names let Alembic drop and alter them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JSONType = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def make_engine(url: str) -> Engine:
    """Create an engine with the settings each backend needs."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            # WAL lets readers go on while a writer commits (web + worker on one file).
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()
            # Searches fold names in SQL; PostgreSQL does it with translate(), SQLite needs this
            # (imported here: riskapp.search reads the models, which need this module).
            from riskapp.search import register_sqlite_fold  # noqa: PLC0415

            register_sqlite_fold(dbapi_connection)

        return engine
    # pre_ping makes the pool replace connections that died while the server was away.
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


class Database:
    """Holds each app's engine and hands out one session per app context."""

    def init_app(self, app: Flask) -> None:
        engine = make_engine(app.config["SQLALCHEMY_DATABASE_URI"])
        app.extensions["riskapp.db"] = {
            "engine": engine,
            "sessionmaker": sessionmaker(bind=engine, expire_on_commit=False),
        }
        app.teardown_appcontext(self._close_session)

    @staticmethod
    def _close_session(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.rollback()
            session.close()

    @property
    def engine(self) -> Engine:
        return current_app.extensions["riskapp.db"]["engine"]

    @property
    def session(self) -> Session:
        if "db_session" not in g:
            g.db_session = current_app.extensions["riskapp.db"]["sessionmaker"]()
        return g.db_session

    def discard_session(self) -> None:
        """Drop this context's session (it cannot be used any more); the next use opens one."""
        session = g.pop("db_session", None)
        if session is not None:
            try:
                session.close()
            except Exception:  # noqa: BLE001 - it is being thrown away; nothing to keep
                pass  # nosec B110

    def new_session(self) -> Session:
        """A session outside the request's, for background work."""
        return current_app.extensions["riskapp.db"]["sessionmaker"]()


db = Database()
