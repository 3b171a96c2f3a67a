"""The inventory rules: valid SKUs and quantities, and stock that never goes negative."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime

from inventory.errors import InsufficientStock, InvalidItem, InvalidQuantity, NotFound
from inventory.models import Item
from inventory.repository import ItemRepository

Clock = Callable[[], datetime]

_SKU = re.compile(r"[A-Z0-9][A-Z0-9-]*")


def utc_now() -> datetime:
    """The current time in UTC (the default clock)."""
    return datetime.now(UTC)


def normalise_sku(sku: str) -> str:
    """A SKU as stored: stripped and upper-cased; InvalidItem if it has other characters."""
    clean = sku.strip().upper()
    if not _SKU.fullmatch(clean):
        raise InvalidItem(f"bad SKU {sku!r}: use letters, digits and '-'")
    return clean


def _check_quantity(quantity: int) -> None:
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        raise InvalidQuantity(f"quantity must be a positive whole number, not {quantity!r}")


class InventoryService:
    """Create items and move stock in and out."""

    def __init__(self, conn: sqlite3.Connection, clock: Clock = utc_now) -> None:
        self.conn = conn
        self.items = ItemRepository(conn)
        self.clock = clock

    def _stamp(self) -> str:
        return self.clock().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def create_item(self, sku: str, name: str) -> Item:
        """A new item with no stock."""
        if not name.strip():
            raise InvalidItem("an item needs a name")
        item = Item(normalise_sku(sku), name.strip(), 0, self._stamp())
        with self.conn:
            self.items.insert(item)
        return item

    def get_item(self, sku: str) -> Item:
        """The item with this SKU."""
        item = self.items.get(normalise_sku(sku))
        if item is None:
            raise NotFound(f"no item {sku.strip().upper()}")
        return item

    def list_items(self) -> list[Item]:
        """Every item, by SKU."""
        return self.items.all()

    def receive(self, sku: str, quantity: int) -> Item:
        """Add ``quantity`` to the item's stock."""
        _check_quantity(quantity)
        item = self.get_item(sku)
        with self.conn:
            self.items.set_quantity(item.sku, item.quantity + quantity, self._stamp())
        return self.get_item(item.sku)

    def ship(self, sku: str, quantity: int) -> Item:
        """Take ``quantity`` out of the item's stock; never below zero."""
        _check_quantity(quantity)
        item = self.get_item(sku)
        if quantity > item.quantity:
            raise InsufficientStock(f"only {item.quantity} of {item.sku} in stock")
        with self.conn:
            self.items.set_quantity(item.sku, item.quantity - quantity, self._stamp())
        return self.get_item(item.sku)
