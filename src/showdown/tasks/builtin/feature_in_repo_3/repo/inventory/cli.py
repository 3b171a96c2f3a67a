"""Command line: ``python -m inventory.cli [--db PATH] COMMAND ...``."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TextIO

from inventory.db import connect
from inventory.errors import InventoryError
from inventory.models import Item
from inventory.service import Clock, InventoryService, utc_now


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every command."""
    parser = argparse.ArgumentParser(prog="inventory", description="Keep track of stock.")
    parser.add_argument("--db", default=os.environ.get("INVENTORY_DB", "inventory.db"),
                        help="database file (default: $INVENTORY_DB or inventory.db)")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="add a new item")
    create.add_argument("sku")
    create.add_argument("name")
    for name, text in (("receive", "stock coming in"), ("ship", "stock going out")):
        move = commands.add_parser(name, help=text)
        move.add_argument("sku")
        move.add_argument("quantity", type=int)
    stock = commands.add_parser("stock", help="show one item, or every item")
    stock.add_argument("sku", nargs="?")
    return parser


def format_item(item: Item) -> str:
    """One item as a line: ``SKU NAME: QUANTITY``."""
    return f"{item.sku} {item.name}: {item.quantity}"


def run(service: InventoryService, args: argparse.Namespace, out: TextIO) -> None:
    """Carry out one parsed command."""
    if args.command == "create":
        print(f"created {format_item(service.create_item(args.sku, args.name))}", file=out)
    elif args.command == "receive":
        print(format_item(service.receive(args.sku, args.quantity)), file=out)
    elif args.command == "ship":
        print(format_item(service.ship(args.sku, args.quantity)), file=out)
    elif args.command == "stock":
        items = [service.get_item(args.sku)] if args.sku else service.list_items()
        for item in items:
            print(format_item(item), file=out)


def main(argv: list[str] | None = None, out: TextIO | None = None,
         err: TextIO | None = None, clock: Clock = utc_now) -> int:
    """Run one command; 0 on success, 1 with a message on stderr on failure."""
    out = out or sys.stdout
    err = err or sys.stderr
    args = build_parser().parse_args(argv)
    conn = connect(args.db)
    try:
        run(InventoryService(conn, clock), args, out)
    except InventoryError as exc:
        print(f"error: {exc}", file=err)
        return 1
    finally:
        conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
