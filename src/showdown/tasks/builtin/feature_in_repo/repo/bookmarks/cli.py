"""Command line: ``python -m bookmarks.cli [--db PATH] COMMAND ...``."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TextIO

from bookmarks.db import connect
from bookmarks.store import (
    Bookmark,
    BookmarkError,
    add_bookmark,
    delete_bookmark,
    list_bookmarks,
    search,
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every command."""
    parser = argparse.ArgumentParser(prog="bookmarks", description="Keep your bookmarks.")
    parser.add_argument("--db", default=os.environ.get("BOOKMARKS_DB", "bookmarks.db"),
                        help="database file (default: $BOOKMARKS_DB or bookmarks.db)")
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="save a bookmark")
    add.add_argument("url")
    add.add_argument("--title", default="")
    commands.add_parser("list", help="list every bookmark")
    find = commands.add_parser("search", help="find bookmarks by title or URL")
    find.add_argument("text")
    delete = commands.add_parser("delete", help="remove a bookmark")
    delete.add_argument("id", type=int)
    return parser


def format_bookmark(bookmark: Bookmark) -> str:
    """One bookmark as a line: ``ID. TITLE <URL>``."""
    return f"{bookmark.id}. {bookmark.title or '(untitled)'} <{bookmark.url}>"


def main(argv: list[str] | None = None, out: TextIO | None = None,
         err: TextIO | None = None) -> int:
    """Run one command; 0 on success, 1 with a message on stderr on failure."""
    out = out or sys.stdout
    err = err or sys.stderr
    args = build_parser().parse_args(argv)
    conn = connect(args.db)
    try:
        if args.command == "add":
            bookmark = add_bookmark(conn, args.url, args.title)
            print(f"added {format_bookmark(bookmark)}", file=out)
        elif args.command == "list":
            for bookmark in list_bookmarks(conn):
                print(format_bookmark(bookmark), file=out)
        elif args.command == "search":
            for bookmark in search(conn, args.text):
                print(format_bookmark(bookmark), file=out)
        elif args.command == "delete":
            delete_bookmark(conn, args.id)
            print(f"deleted {args.id}", file=out)
    except BookmarkError as exc:
        print(f"error: {exc}", file=err)
        return 1
    finally:
        conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
