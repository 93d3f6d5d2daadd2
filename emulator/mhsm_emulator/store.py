"""SQLite state (stdlib ``sqlite3``): schema migrations and a transaction helper.

Adding tables: give your route module a ``MIGRATIONS`` list of :class:`Migration` (unique ``name``, SQL
script). :func:`mhsm_emulator.app.collect_migrations` gathers them; :class:`Store` applies, in order, every
migration not yet recorded in the ``schema_migrations`` table, each in its own transaction. Never edit a
migration that has shipped: add a new one.

Writes go through :meth:`Store.transaction` (``BEGIN IMMEDIATE`` under a process-wide lock), so concurrent
writers neither lose nor duplicate rows; file databases run in WAL mode with a busy timeout so a second
process on the same file waits instead of failing.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Migration:
    """One schema step: ``name`` is recorded once applied; ``sql`` may hold several statements."""

    name: str
    sql: str


CORE_MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        "core-0001-meta",
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
    ),
    Migration(
        "core-0002-rbac",
        """
        CREATE TABLE role_definitions (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            properties TEXT NOT NULL
        );
        CREATE TABLE role_assignments (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            scope TEXT NOT NULL,
            role_definition_id TEXT NOT NULL,
            role_definition_name TEXT NOT NULL COLLATE NOCASE,
            principal_id TEXT NOT NULL
        );
        CREATE INDEX role_assignments_principal ON role_assignments (principal_id);
        CREATE INDEX role_assignments_definition ON role_assignments (role_definition_name);
        """,
    ),
    Migration(
        "core-0003-settings",
        "CREATE TABLE settings (name TEXT PRIMARY KEY COLLATE NOCASE, type TEXT NOT NULL, value TEXT NOT NULL);",
    ),
)


class Store:
    """A SQLite database shared by all handlers of one emulator instance.

    :param path: database file, or ``":memory:"``.
    :param migrations: schema steps to apply (core ones first, then each route module's).
    """

    def __init__(self, path: str, migrations: Iterable[Migration] = CORE_MIGRATIONS) -> None:
        self.path = path
        self._lock = threading.RLock()
        # One connection, shared across threads under the lock (handlers run on the event loop thread;
        # background workers may run elsewhere).
        self._conn = sqlite3.connect(path, timeout=30.0, isolation_level=None, check_same_thread=False)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA foreign_keys = ON")
        if path != ":memory:":
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA synchronous = NORMAL")
        self.migrate(migrations)

    def migrate(self, migrations: Iterable[Migration]) -> list[str]:
        """Apply the migrations not yet applied; return their names."""
        applied: list[str] = []
        with self._lock:
            self._conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY)")
            done = {row[0] for row in self._conn.execute("SELECT name FROM schema_migrations")}
            seen: set[str] = set()
            for migration in migrations:
                if migration.name in seen:
                    raise ValueError(f"duplicate migration name {migration.name!r}")
                seen.add(migration.name)
                if migration.name in done:
                    continue
                with self.transaction() as conn:
                    for statement in _split_statements(migration.sql):
                        conn.execute(statement)
                    conn.execute("INSERT INTO schema_migrations (name) VALUES (?)", (migration.name,))
                applied.append(migration.name)
        return applied

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run a block atomically (``BEGIN IMMEDIATE`` ... ``COMMIT``, rolled back on any exception).

        Nested use joins the outer transaction.
        """
        with self._lock:
            if self._conn.in_transaction:
                yield self._conn
                return
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """Run a read-only statement and return all rows."""
        with self._lock:
            return list(self._conn.execute(sql, params))

    def query_one(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        """Run a read-only statement and return the first row (or ``None``)."""
        with self._lock:
            row: sqlite3.Row | None = self._conn.execute(sql, params).fetchone()
            return row

    def change_marker(self) -> tuple[int, int]:
        """A value that differs whenever the database may have changed since it was last read: the rows changed
        through this connection (``total_changes``) and the commits of any other connection (``data_version``).
        Caches of data read from the store are valid only while it stays the same."""
        with self._lock:
            return self._conn.total_changes, int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def get_meta(self, key: str) -> str | None:
        """Read a value of the ``meta`` key/value table."""
        row = self.query_one("SELECT value FROM meta WHERE key = ?", (key,))
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        """Write a value of the ``meta`` key/value table."""
        with self.transaction() as conn:
            conn.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = ?",
                         (key, value, value))

    def close(self) -> None:
        """Close the connection (checkpointing the WAL)."""
        with self._lock:
            self._conn.close()


def _split_statements(script: str) -> list[str]:
    """Split a migration script into complete statements (executed one by one inside the transaction)."""
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements
