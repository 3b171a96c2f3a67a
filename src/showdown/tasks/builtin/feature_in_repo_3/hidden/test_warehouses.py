import io
import os
import sqlite3
import tempfile
import unittest
from datetime import UTC, datetime

# Modules, not names: a missing function fails only the tests that use it.
from inventory import cli, db, errors, service

# The schema of the version in use today, as its db.py writes it (user_version 1).
VERSION_1 = """
CREATE TABLE IF NOT EXISTS items (
    sku TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    quantity INTEGER NOT NULL DEFAULT 0 CHECK (quantity >= 0),
    updated_at TEXT NOT NULL
);
PRAGMA user_version = 1;
INSERT INTO items VALUES ('A-1', 'Anchor', 7, '2024-04-01T08:00:00Z');
INSERT INTO items VALUES ('B-2', 'Bolt', 0, '2024-04-01T08:00:00Z');
INSERT INTO items VALUES ('C-3', 'Clamp', 12, '2024-04-02T08:00:00Z');
"""


def frozen_clock() -> datetime:
    return datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


class WarehouseTests(unittest.TestCase):
    def setUp(self) -> None:
        self.conn = db.connect(":memory:")
        self.svc = service.InventoryService(self.conn, frozen_clock)
        self.svc.create_item("WID-1", "Widget")

    def tearDown(self) -> None:
        self.conn.close()

    def test_the_default_warehouse_is_main(self) -> None:
        self.assertEqual(self.svc.receive("WID-1", 5).quantity, 5)
        self.assertEqual(self.svc.stock_by_warehouse("wid-1"), {"main": 5})

    def test_stock_in_several_warehouses_adds_up(self) -> None:
        self.svc.receive("WID-1", 5)
        item = self.svc.receive("WID-1", 3, warehouse=" North ")
        self.assertEqual(item.quantity, 8)
        self.assertEqual(self.svc.get_item("WID-1").quantity, 8)
        self.assertEqual(self.svc.stock_by_warehouse("WID-1"), {"main": 5, "north": 3})

    def test_shipping_is_per_warehouse(self) -> None:
        self.svc.receive("WID-1", 5)
        self.svc.receive("WID-1", 3, warehouse="north")
        with self.assertRaises(errors.InsufficientStock):
            self.svc.ship("WID-1", 4, warehouse="north")
        self.assertEqual(self.svc.stock_by_warehouse("WID-1"), {"main": 5, "north": 3})
        self.assertEqual(self.svc.ship("WID-1", 2, warehouse="NORTH").quantity, 6)
        self.assertEqual(self.svc.stock_by_warehouse("WID-1"), {"main": 5, "north": 1})

    def test_empty_warehouses_are_left_out(self) -> None:
        self.svc.receive("WID-1", 2, warehouse="north")
        self.svc.ship("WID-1", 2, warehouse="north")
        self.assertEqual(self.svc.stock_by_warehouse("WID-1"), {})
        self.assertEqual(self.svc.get_item("WID-1").quantity, 0)

    def test_bad_warehouse_names(self) -> None:
        self.assertTrue(issubclass(errors.InvalidWarehouse, errors.InventoryError))
        for bad in ("no spaces", "", "  ", "sl/ash"):
            with self.assertRaises(errors.InvalidWarehouse):
                self.svc.receive("WID-1", 1, warehouse=bad)
        self.assertEqual(self.svc.get_item("WID-1").quantity, 0)

    def test_unknown_sku_per_warehouse(self) -> None:
        with self.assertRaises(errors.NotFound):
            self.svc.stock_by_warehouse("NOPE")
        with self.assertRaises(errors.NotFound):
            self.svc.receive("NOPE", 1, warehouse="north")


class TransferTests(unittest.TestCase):
    def setUp(self) -> None:
        self.conn = db.connect(":memory:")
        self.svc = service.InventoryService(self.conn, frozen_clock)
        self.svc.create_item("WID-1", "Widget")
        self.svc.receive("WID-1", 5)

    def tearDown(self) -> None:
        self.conn.close()

    def test_transfer_moves_stock(self) -> None:
        self.assertIsNone(self.svc.transfer("wid-1", 3, "main", "North"))
        self.assertEqual(self.svc.stock_by_warehouse("WID-1"), {"main": 2, "north": 3})
        self.assertEqual(self.svc.get_item("WID-1").quantity, 5)
        self.svc.ship("WID-1", 3, warehouse="north")
        self.assertEqual(self.svc.stock_by_warehouse("WID-1"), {"main": 2})

    def test_transfer_everything(self) -> None:
        self.svc.transfer("WID-1", 5, "main", "north")
        self.assertEqual(self.svc.stock_by_warehouse("WID-1"), {"north": 5})

    def test_a_failed_transfer_changes_nothing(self) -> None:
        failures = [
            (errors.InsufficientStock, ("WID-1", 6, "main", "north")),
            (errors.InsufficientStock, ("WID-1", 1, "south", "north")),
            (errors.InvalidQuantity, ("WID-1", 0, "main", "north")),
            (errors.InvalidQuantity, ("WID-1", -2, "main", "north")),
            (errors.InvalidWarehouse, ("WID-1", 1, "main", "bad name!")),
            (errors.NotFound, ("NOPE", 1, "main", "north")),
        ]
        for error, args in failures:
            with self.subTest(args=args), self.assertRaises(error):
                self.svc.transfer(*args)
        self.assertEqual(self.svc.stock_by_warehouse("WID-1"), {"main": 5})
        self.assertEqual(self.svc.get_item("WID-1").quantity, 5)

    def test_transfer_to_the_same_warehouse_is_refused(self) -> None:
        with self.assertRaises(errors.InvalidWarehouse):
            self.svc.transfer("WID-1", 1, "main", " MAIN ")
        self.assertEqual(self.svc.stock_by_warehouse("WID-1"), {"main": 5})


class MigrationTests(unittest.TestCase):
    def setUp(self) -> None:
        self.tmp = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.tmp.name, "stock.db")
        old = sqlite3.connect(self.path)
        old.executescript(VERSION_1)
        old.commit()
        old.close()

    def tearDown(self) -> None:
        self.tmp.cleanup()

    def open_service(self) -> tuple[sqlite3.Connection, service.InventoryService]:
        conn = db.connect(self.path)
        return conn, service.InventoryService(conn, frozen_clock)

    def test_existing_stock_moves_to_main(self) -> None:
        conn, svc = self.open_service()
        try:
            items = {i.sku: (i.name, i.quantity) for i in svc.list_items()}
            self.assertEqual(items, {"A-1": ("Anchor", 7), "B-2": ("Bolt", 0),
                                     "C-3": ("Clamp", 12)})
            self.assertEqual(svc.stock_by_warehouse("A-1"), {"main": 7})
            self.assertEqual(svc.stock_by_warehouse("B-2"), {})
            svc.transfer("C-3", 2, "main", "north")
            self.assertEqual(svc.stock_by_warehouse("C-3"), {"main": 10, "north": 2})
        finally:
            conn.close()

    def test_opening_again_changes_nothing(self) -> None:
        for _ in range(3):
            conn, svc = self.open_service()
            self.assertEqual(svc.stock_by_warehouse("A-1"), {"main": 7})
            self.assertEqual(svc.get_item("A-1").quantity, 7)
            conn.close()
        conn, svc = self.open_service()
        svc.receive("A-1", 1)
        conn.close()
        conn, svc = self.open_service()
        self.assertEqual(svc.get_item("A-1").quantity, 8)
        self.assertEqual(svc.stock_by_warehouse("A-1"), {"main": 8})
        conn.close()

    def test_a_new_database_keeps_warehouses(self) -> None:
        path = os.path.join(self.tmp.name, "new.db")
        conn = db.connect(path)
        svc = service.InventoryService(conn, frozen_clock)
        svc.create_item("N-1", "Nut")
        svc.receive("N-1", 4, warehouse="north")
        conn.close()
        conn = db.connect(path)
        self.assertEqual(service.InventoryService(conn).stock_by_warehouse("N-1"), {"north": 4})
        conn.close()


class WarehouseCliTests(unittest.TestCase):
    def setUp(self) -> None:
        self.tmp = tempfile.TemporaryDirectory()
        self.db = os.path.join(self.tmp.name, "stock.db")

    def tearDown(self) -> None:
        self.tmp.cleanup()

    def run_cli(self, *args: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        code = cli.main(["--db", self.db, *args], out=out, err=err, clock=frozen_clock)
        return code, out.getvalue(), err.getvalue()

    def test_receive_ship_and_where(self) -> None:
        self.run_cli("create", "WID-1", "Widget")
        self.assertEqual(self.run_cli("receive", "WID-1", "10")[:2], (0, "WID-1 Widget: 10\n"))
        self.assertEqual(self.run_cli("receive", "WID-1", "4", "--warehouse", "North")[:2],
                         (0, "WID-1 Widget: 14\n"))
        self.assertEqual(self.run_cli("ship", "WID-1", "1", "--warehouse", "north")[:2],
                         (0, "WID-1 Widget: 13\n"))
        self.assertEqual(self.run_cli("where", "wid-1")[:2], (0, "main: 10\nnorth: 3\n"))

    def test_transfer(self) -> None:
        self.run_cli("create", "WID-1", "Widget")
        self.run_cli("receive", "WID-1", "10")
        self.assertEqual(self.run_cli("transfer", "wid-1", "3", "main", "North")[:2],
                         (0, "moved 3 WID-1 from main to north\n"))
        self.assertEqual(self.run_cli("where", "WID-1")[1], "main: 7\nnorth: 3\n")
        code, out, err = self.run_cli("transfer", "WID-1", "5", "north", "main")
        self.assertEqual((code, out), (1, ""))
        self.assertTrue(err.startswith("error:"))
        self.assertEqual(self.run_cli("stock", "WID-1")[1], "WID-1 Widget: 10\n")


if __name__ == "__main__":
    unittest.main()
