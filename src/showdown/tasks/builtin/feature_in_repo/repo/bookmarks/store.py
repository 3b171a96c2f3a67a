"""Bookmark storage: add, get, list, search and delete, with validation."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime


class BookmarkError(Exception):
    """A bookmark operation that cannot be done: a bad URL, a duplicate, an unknown id."""


@dataclass(frozen=True)
class Bookmark:
    """One saved link."""

    id: int
    url: str
    title: str
    created_at: str


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _validate_url(url: str) -> str:
    url = url.strip()
    if not url.startswith(("http://", "https://")) or url.endswith("://"):
        raise BookmarkError(f"not an http(s) URL: {url!r}")
    return url


def _from_row(row: sqlite3.Row) -> Bookmark:
    return Bookmark(row["id"], row["url"], row["title"], row["created_at"])


def add_bookmark(conn: sqlite3.Connection, url: str, title: str = "") -> Bookmark:
    """Save a new bookmark; a URL can be saved only once."""
    url = _validate_url(url)
    try:
        with conn:
            cur = conn.execute(
                "INSERT INTO bookmarks (url, title, created_at) VALUES (?, ?, ?)",
                (url, title.strip(), _now()),
            )
    except sqlite3.IntegrityError as exc:
        raise BookmarkError(f"already bookmarked: {url}") from exc
    assert cur.lastrowid is not None
    return get_bookmark(conn, cur.lastrowid)


def get_bookmark(conn: sqlite3.Connection, bookmark_id: int) -> Bookmark:
    """The bookmark with this id."""
    row = conn.execute("SELECT * FROM bookmarks WHERE id = ?", (bookmark_id,)).fetchone()
    if row is None:
        raise BookmarkError(f"no bookmark with id {bookmark_id}")
    return _from_row(row)


def list_bookmarks(conn: sqlite3.Connection) -> list[Bookmark]:
    """Every bookmark, oldest first."""
    return [_from_row(row) for row in conn.execute("SELECT * FROM bookmarks ORDER BY id")]


def search(conn: sqlite3.Connection, text: str) -> list[Bookmark]:
    """Bookmarks whose title or URL contains ``text``, ignoring case."""
    pattern = f"%{text.strip().lower()}%"
    rows = conn.execute(
        "SELECT * FROM bookmarks WHERE lower(title) LIKE ? OR lower(url) LIKE ? ORDER BY id",
        (pattern, pattern),
    )
    return [_from_row(row) for row in rows]


def delete_bookmark(conn: sqlite3.Connection, bookmark_id: int) -> None:
    """Remove a bookmark."""
    with conn:
        cur = conn.execute("DELETE FROM bookmarks WHERE id = ?", (bookmark_id,))
    if cur.rowcount == 0:
        raise BookmarkError(f"no bookmark with id {bookmark_id}")
