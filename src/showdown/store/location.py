"""Where a store is: ``--db`` or ``$SHOWDOWN_DB`` as text, a file path (SQLite, the default)
or a ``postgresql://`` / ``postgres://`` URL (libpq's own, ``?host=/socket/dir`` included).

Everything that opens a store turns its text into a ``Location`` here, so a path and a URL are
told apart in one place, and a password never reaches a message.
"""

from __future__ import annotations

import os
import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from showdown.store.base import Store

__all__ = ["Location", "backend", "default_db_path", "hide_secrets", "is_url", "locate",
           "redact"]

_SCHEMES = ("postgresql://", "postgres://")
#: Any URL scheme (RFC 3986), so a URL showdown refuses is still told from a path and redacted.
_SCHEME = r"[a-zA-Z][a-zA-Z0-9+.-]*://"
#: ``scheme://user:PASSWORD@``, and ``?password=PASSWORD`` (libpq takes both).
_USERINFO = re.compile(rf"^({_SCHEME}[^/@?#:]*):([^/@?#]*)@")
_QUERY_PASSWORD = re.compile(r"([?&]password=)([^&#]*)", re.IGNORECASE)


def is_url(text: str | os.PathLike[str]) -> bool:
    """A PostgreSQL URL (a Path never is: it would have folded the ``//``)."""
    return isinstance(text, str) and text.lower().startswith(_SCHEMES)


def redact(url: str) -> str:
    """The URL with any password replaced by ``***`` (user:PASS@, or ?password=PASS)."""
    url = _USERINFO.sub(r"\1:***@", url)
    return _QUERY_PASSWORD.sub(r"\1***", url)


def hide_secrets(text: str, url: str) -> str:
    """``text`` (a driver's message) with ``url`` redacted and its password gone in every form
    it may be quoted back: as written, or percent-decoded (even from a URL too broken to
    split, which libpq quotes back whole)."""
    text = text.replace(url, redact(url))
    found = {m.group(2) for m in (_USERINFO.match(url),) if m}
    found |= {m.group(2) for m in _QUERY_PASSWORD.finditer(url)}
    for secret in {form for s in found for form in (s, urllib.parse.unquote(s)) if form}:
        text = text.replace(secret, "***")
    return text


def default_db_path() -> Path:
    """``$SHOWDOWN_DB`` when it is a path, else ``$XDG_DATA_HOME/showdown/showdown.db``
    (~/.local/share/...): where a SQLite store goes, and the folder reports are written in."""
    env = os.environ.get("SHOWDOWN_DB")
    if env and not is_url(env):
        return Path(env)
    data_home = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return data_home / "showdown" / "showdown.db"


@dataclass(frozen=True)
class Location:
    """A store's place: ``path`` for SQLite, ``url`` for PostgreSQL (exactly one is set)."""

    path: Path | None = None
    url: str | None = None

    @property
    def where(self) -> str:
        """How messages name it (a password hidden)."""
        return redact(self.url) if self.url is not None else str(self.path)

    @property
    def reports_dir(self) -> Path:
        """Where a run's own HTML report goes: beside a SQLite file, else the data folder."""
        return (self.path or default_db_path()).parent / "reports"

    def private_dirs(self) -> list[Path]:
        """Folders the programs under test must not see: a SQLite file's, or the UNIX socket
        folders a URL names (the sandbox has no network, so only a socket could reach a server)."""
        if self.url is None:
            return [(self.path or default_db_path()).resolve().parent]
        parts = urllib.parse.urlsplit(self.url)
        hosts = [urllib.parse.unquote(parts.netloc.rpartition("@")[2].partition(":")[0])]
        for key, value in urllib.parse.parse_qsl(parts.query):
            if key == "host":
                hosts += value.split(",")
        return [Path(h) for h in hosts if h.startswith("/")]

    def open(self) -> Store:
        """The store here, opened (created if need be); StoreError in one line if it cannot."""
        from showdown.store.base import Store

        return Store(self.url if self.url is not None else self.path or default_db_path())


def locate(db: str | os.PathLike[str] | None) -> Location:
    """``--db``'s text (None: ``$SHOWDOWN_DB``, else the default SQLite file) as a Location."""
    text = db if db is not None else os.environ.get("SHOWDOWN_DB") or default_db_path()
    if is_url(text):
        return Location(url=str(text))
    if isinstance(text, str) and re.match(_SCHEME, text):
        from showdown.errors import StoreError

        raise StoreError(f"cannot open the store {redact(text)}: only postgresql:// URLs are "
                         "stores (or give a file path for SQLite)")
    return Location(path=Path(text))


def backend(target: str | os.PathLike[str]) -> type[Store]:
    """The Store class for a path or URL."""
    if is_url(target):
        from showdown.store.postgres import PostgresStore

        return PostgresStore
    from showdown.store.sqlite import SqliteStore

    return SqliteStore
