"""The store: runs and results saved as measured, queried by reports and resume.

``Store(path)`` is a SQLite file (the default); ``Store("postgresql://USER@HOST/DB")`` a
PostgreSQL database several hosts share. ``locate`` turns ``--db``/``$SHOWDOWN_DB`` text into a
``Location``; ``transfer`` moves runs between stores as export files.
"""

from __future__ import annotations

from showdown.errors import StoreError
from showdown.store.base import Store
from showdown.store.location import Location, default_db_path, locate
from showdown.store.sqlite import check_new_store

__all__ = ["Location", "Store", "StoreError", "check_new_store", "default_db_path", "locate"]
