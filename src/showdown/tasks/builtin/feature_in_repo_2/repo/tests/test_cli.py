import io
import os
import tempfile
import unittest
from datetime import UTC, datetime

from inventory.cli import main


def fixed_clock() -> datetime:
    return datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


class CliTests(unittest.TestCase):
    def setUp(self) -> None:
        self.tmp = tempfile.TemporaryDirectory()
        self.db = os.path.join(self.tmp.name, "stock.db")

    def tearDown(self) -> None:
        self.tmp.cleanup()

    def run_cli(self, *args: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        code = main(["--db", self.db, *args], out=out, err=err, clock=fixed_clock)
        return code, out.getvalue(), err.getvalue()

    def test_create_receive_ship_stock(self) -> None:
        self.assertEqual(self.run_cli("create", "wid-1", "Widget")[:2],
                         (0, "created WID-1 Widget: 0\n"))
        self.assertEqual(self.run_cli("receive", "WID-1", "10")[:2], (0, "WID-1 Widget: 10\n"))
        self.assertEqual(self.run_cli("ship", "WID-1", "4")[:2], (0, "WID-1 Widget: 6\n"))
        self.run_cli("create", "A-1", "Anchor")
        self.assertEqual(self.run_cli("stock")[:2], (0, "A-1 Anchor: 0\nWID-1 Widget: 6\n"))
        self.assertEqual(self.run_cli("stock", "wid-1")[:2], (0, "WID-1 Widget: 6\n"))

    def test_errors_go_to_stderr_with_status_1(self) -> None:
        self.run_cli("create", "WID-1", "Widget")
        code, out, err = self.run_cli("ship", "WID-1", "1")
        self.assertEqual((code, out), (1, ""))
        self.assertEqual(err, "error: only 0 of WID-1 in stock\n")
        code, _, err = self.run_cli("stock", "NOPE")
        self.assertEqual(code, 1)
        self.assertIn("no item NOPE", err)


if __name__ == "__main__":
    unittest.main()
