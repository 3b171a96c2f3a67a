"""A tiny bookmarks service: SQLite storage, a small API and a command line."""

__version__ = "0.3.0"
