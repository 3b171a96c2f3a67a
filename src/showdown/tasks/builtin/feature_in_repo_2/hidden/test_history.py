import io
import os
import tempfile
import unittest
from datetime import UTC, datetime, timedelta

# Modules, not names: a missing function fails only the tests that use it.
from inventory import cli, db, errors, models, service


class StepClock:
    """A clock that moves one minute each time it is read."""

    def __init__(self) -> None:
        self.now = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


def frozen_clock() -> datetime:
    return datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


class HistoryTests(unittest.TestCase):
    def setUp(self) -> None:
        self.conn = db.connect(":memory:")
        self.svc = service.InventoryService(self.conn, frozen_clock)
        self.svc.create_item("WID-1", "Widget")

    def tearDown(self) -> None:
        self.conn.close()

    def test_movements_record_change_balance_and_note(self) -> None:
        self.svc.receive("WID-1", 10, note="first delivery")
        self.svc.ship("wid-1", 3)
        history = self.svc.history("WID-1")
        self.assertTrue(all(isinstance(m, models.Movement) for m in history))
        self.assertEqual([(m.sku, m.change, m.balance, m.note, m.at) for m in history], [
            ("WID-1", -3, 7, "", "2024-05-01T09:00:00Z"),
            ("WID-1", 10, 10, "first delivery", "2024-05-01T09:00:00Z"),
        ])

    def test_newest_first_by_clock(self) -> None:
        svc = service.InventoryService(self.conn, StepClock())
        svc.receive("WID-1", 1)
        svc.receive("WID-1", 2)
        svc.ship("WID-1", 1)
        history = svc.history("WID-1")
        self.assertEqual([m.change for m in history], [-1, 2, 1])
        times = [m.at for m in history]
        self.assertEqual(times, sorted(set(times), reverse=True))
        self.assertTrue(times[-1].startswith("2024-05-01T09:0") and times[-1].endswith("Z"))

    def test_limit(self) -> None:
        for quantity in (1, 2, 3, 4):
            self.svc.receive("WID-1", quantity)
        self.assertEqual([m.change for m in self.svc.history("WID-1", limit=2)], [4, 3])
        self.assertEqual(len(self.svc.history("WID-1")), 4)

    def test_failed_calls_record_nothing(self) -> None:
        self.svc.receive("WID-1", 2)
        with self.assertRaises(errors.InsufficientStock):
            self.svc.ship("WID-1", 5)
        with self.assertRaises(errors.InvalidQuantity):
            self.svc.receive("WID-1", 0)
        self.assertEqual([m.change for m in self.svc.history("WID-1")], [2])

    def test_history_is_per_item_and_unknown_sku_is_not_found(self) -> None:
        self.svc.create_item("A-1", "Anchor")
        self.svc.receive("A-1", 5)
        self.assertEqual(self.svc.history("WID-1"), [])
        with self.assertRaises(errors.NotFound):
            self.svc.history("NOPE")

    def test_history_is_stored_in_the_file(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "stock.db")
            conn = db.connect(path)
            svc = service.InventoryService(conn, frozen_clock)
            svc.create_item("A-1", "Anchor")
            svc.receive("A-1", 5, note="kept")
            conn.close()
            again = db.connect(path)
            notes = [m.note for m in service.InventoryService(again).history("A-1")]
            again.close()
            self.assertEqual(notes, ["kept"])


class ReorderTests(unittest.TestCase):
    def setUp(self) -> None:
        self.conn = db.connect(":memory:")
        self.svc = service.InventoryService(self.conn, frozen_clock)
        for sku in ("C-3", "A-1", "B-2", "D-4"):
            self.svc.create_item(sku, sku.lower())

    def tearDown(self) -> None:
        self.conn.close()

    def test_default_level_is_zero(self) -> None:
        self.assertEqual(self.svc.get_item("A-1").reorder_level, 0)

    def test_set_reorder_level(self) -> None:
        item = self.svc.set_reorder_level("a-1", 5)
        self.assertEqual((item.sku, item.reorder_level), ("A-1", 5))
        self.assertEqual(self.svc.get_item("A-1").reorder_level, 5)
        with self.assertRaises(errors.InvalidQuantity):
            self.svc.set_reorder_level("A-1", -1)
        with self.assertRaises(errors.NotFound):
            self.svc.set_reorder_level("NOPE", 1)
        self.svc.set_reorder_level("A-1", 0)  # zero switches it off
        self.assertEqual(self.svc.get_item("A-1").reorder_level, 0)

    def test_low_stock(self) -> None:
        self.svc.receive("A-1", 5)
        self.svc.receive("B-2", 6)
        self.svc.receive("C-3", 1)
        for sku in ("C-3", "A-1", "B-2"):
            self.svc.set_reorder_level(sku, 5)
        # D-4 has nothing in stock but no reorder level: not listed.
        self.assertEqual([i.sku for i in self.svc.low_stock()], ["A-1", "C-3"])
        self.svc.ship("B-2", 1)
        self.assertEqual([i.sku for i in self.svc.low_stock()], ["A-1", "B-2", "C-3"])


class HistoryCliTests(unittest.TestCase):
    def setUp(self) -> None:
        self.tmp = tempfile.TemporaryDirectory()
        self.db = os.path.join(self.tmp.name, "stock.db")

    def tearDown(self) -> None:
        self.tmp.cleanup()

    def run_cli(self, *args: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        code = cli.main(["--db", self.db, *args], out=out, err=err, clock=frozen_clock)
        return code, out.getvalue(), err.getvalue()

    def test_history_lines(self) -> None:
        self.run_cli("create", "WID-1", "Widget")
        self.assertEqual(self.run_cli("receive", "WID-1", "10", "--note", "first delivery")[:2],
                         (0, "WID-1 Widget: 10\n"))
        self.run_cli("ship", "WID-1", "3")
        code, out, _ = self.run_cli("history", "wid-1")
        self.assertEqual(code, 0)
        self.assertEqual(out, "2024-05-01T09:00:00Z -3 -> 7\n"
                              "2024-05-01T09:00:00Z +10 -> 10  first delivery\n")
        self.assertEqual(self.run_cli("history", "WID-1", "--limit", "1")[1],
                         "2024-05-01T09:00:00Z -3 -> 7\n")

    def test_reorder_and_low_stock(self) -> None:
        self.run_cli("create", "WID-1", "Widget")
        self.assertEqual(self.run_cli("low-stock")[:2], (0, "nothing to reorder\n"))
        self.assertEqual(self.run_cli("reorder", "wid-1", "5")[:2],
                         (0, "WID-1 reorder level 5\n"))
        self.assertEqual(self.run_cli("low-stock")[:2],
                         (0, "WID-1 Widget: 0 (reorder at 5)\n"))

    def test_errors(self) -> None:
        code, out, err = self.run_cli("history", "NOPE")
        self.assertEqual((code, out), (1, ""))
        self.assertTrue(err.startswith("error:"))
        self.run_cli("create", "WID-1", "Widget")
        self.assertEqual(self.run_cli("reorder", "WID-1", "-2")[0], 1)


if __name__ == "__main__":
    unittest.main()
