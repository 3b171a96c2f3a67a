"""A small stock-keeping service: SQLite storage, a service layer and a command line."""

__version__ = "1.2.0"
