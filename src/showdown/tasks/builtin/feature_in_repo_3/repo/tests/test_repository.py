import os
import tempfile
import unittest

from inventory.db import SCHEMA_VERSION, connect
from inventory.errors import DuplicateItem
from inventory.models import Item
from inventory.repository import ItemRepository


class RepositoryTests(unittest.TestCase):
    def test_insert_get_and_update(self) -> None:
        conn = connect(":memory:")
        repo = ItemRepository(conn)
        repo.insert(Item("A-1", "Anchor", 0, "2024-05-01T09:00:00Z"))
        repo.set_quantity("A-1", 4, "2024-05-01T10:00:00Z")
        self.assertEqual(repo.get("A-1"), Item("A-1", "Anchor", 4, "2024-05-01T10:00:00Z"))
        self.assertIsNone(repo.get("B-2"))
        with self.assertRaises(DuplicateItem):
            repo.insert(Item("A-1", "Again", 0, "2024-05-01T09:00:00Z"))
        conn.close()

    def test_data_survives_reopening_the_file(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "stock.db")
            conn = connect(path)
            with conn:
                ItemRepository(conn).insert(Item("A-1", "Anchor", 3, "2024-05-01T09:00:00Z"))
            conn.close()
            again = connect(path)
            self.assertEqual(ItemRepository(again).get("A-1").quantity, 3)  # type: ignore[union-attr]
            self.assertEqual(again.execute("PRAGMA user_version").fetchone()[0], SCHEMA_VERSION)
            again.close()


if __name__ == "__main__":
    unittest.main()
