"""SQL for items: reading and writing rows, no business rules."""

from __future__ import annotations

import sqlite3

from inventory.errors import DuplicateItem
from inventory.models import Item


def _item(row: sqlite3.Row) -> Item:
    return Item(row["sku"], row["name"], row["quantity"], row["updated_at"])


class ItemRepository:
    """Items stored in one SQLite connection; the caller decides on transactions."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def insert(self, item: Item) -> None:
        """Store a new item."""
        try:
            self.conn.execute(
                "INSERT INTO items (sku, name, quantity, updated_at) VALUES (?, ?, ?, ?)",
                (item.sku, item.name, item.quantity, item.updated_at),
            )
        except sqlite3.IntegrityError as exc:
            raise DuplicateItem(f"item {item.sku} already exists") from exc

    def get(self, sku: str) -> Item | None:
        """The item with this SKU, or None."""
        row = self.conn.execute("SELECT * FROM items WHERE sku = ?", (sku,)).fetchone()
        return _item(row) if row is not None else None

    def all(self) -> list[Item]:
        """Every item, by SKU."""
        return [_item(row) for row in self.conn.execute("SELECT * FROM items ORDER BY sku")]

    def set_quantity(self, sku: str, quantity: int, updated_at: str) -> None:
        """Overwrite an item's quantity."""
        self.conn.execute(
            "UPDATE items SET quantity = ?, updated_at = ? WHERE sku = ?",
            (quantity, updated_at, sku),
        )
