import unittest
from datetime import UTC, datetime, timedelta

from inventory.db import connect
from inventory.errors import (
    DuplicateItem,
    InsufficientStock,
    InvalidItem,
    InvalidQuantity,
    NotFound,
)
from inventory.service import InventoryService


class FakeClock:
    """A clock that moves one minute each time it is read."""

    def __init__(self) -> None:
        self.now = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


class ServiceTests(unittest.TestCase):
    def setUp(self) -> None:
        self.conn = connect(":memory:")
        self.service = InventoryService(self.conn, FakeClock())

    def tearDown(self) -> None:
        self.conn.close()

    def test_create_normalises_the_sku(self) -> None:
        item = self.service.create_item(" wid-1 ", " Widget ")
        self.assertEqual((item.sku, item.name, item.quantity), ("WID-1", "Widget", 0))
        self.assertEqual(item.updated_at, "2024-05-01T09:01:00Z")
        self.assertEqual(self.service.get_item("wid-1"), item)

    def test_bad_items_are_refused(self) -> None:
        with self.assertRaises(InvalidItem):
            self.service.create_item("no spaces", "Widget")
        with self.assertRaises(InvalidItem):
            self.service.create_item("WID-1", "  ")
        self.service.create_item("WID-1", "Widget")
        with self.assertRaises(DuplicateItem):
            self.service.create_item("wid-1", "Other")

    def test_receive_and_ship(self) -> None:
        self.service.create_item("WID-1", "Widget")
        self.assertEqual(self.service.receive("WID-1", 10).quantity, 10)
        shipped = self.service.ship("wid-1", 3)
        self.assertEqual(shipped.quantity, 7)
        self.assertEqual(shipped.updated_at, "2024-05-01T09:03:00Z")

    def test_cannot_ship_more_than_in_stock(self) -> None:
        self.service.create_item("WID-1", "Widget")
        self.service.receive("WID-1", 2)
        with self.assertRaises(InsufficientStock):
            self.service.ship("WID-1", 3)
        self.assertEqual(self.service.get_item("WID-1").quantity, 2)

    def test_quantities_must_be_positive_whole_numbers(self) -> None:
        self.service.create_item("WID-1", "Widget")
        for bad in (0, -1, 1.5, True):
            with self.assertRaises(InvalidQuantity):
                self.service.receive("WID-1", bad)  # type: ignore[arg-type]
            with self.assertRaises(InvalidQuantity):
                self.service.ship("WID-1", bad)  # type: ignore[arg-type]

    def test_unknown_sku(self) -> None:
        with self.assertRaises(NotFound):
            self.service.receive("NOPE", 1)
        with self.assertRaises(NotFound):
            self.service.get_item("NOPE")

    def test_items_are_listed_by_sku(self) -> None:
        self.service.create_item("B-2", "Bolt")
        self.service.create_item("A-1", "Anchor")
        self.assertEqual([i.sku for i in self.service.list_items()], ["A-1", "B-2"])


if __name__ == "__main__":
    unittest.main()
