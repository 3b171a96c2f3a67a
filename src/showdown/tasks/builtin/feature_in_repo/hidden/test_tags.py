import io
import os
import tempfile
import unittest

# Modules, not names: a missing function fails only the tests that use it.
from bookmarks import cli, db, store


class TagStoreTests(unittest.TestCase):
    def setUp(self) -> None:
        self.conn = db.connect(":memory:")

    def tearDown(self) -> None:
        self.conn.close()

    def seed(self) -> None:
        store.add_bookmark(self.conn, "https://docs.python.org", "Python docs",
                           tags=["python", "docs"])
        store.add_bookmark(self.conn, "https://example.com", "Example")
        store.add_bookmark(self.conn, "https://pypi.org", "PyPI", tags=["python"])

    def test_tags_are_normalised_and_sorted(self) -> None:
        added = store.add_bookmark(self.conn, "https://a.example", "A",
                             tags=[" Python", "docs", "python "])
        self.assertEqual(added.tags, ("docs", "python"))
        self.assertEqual(store.get_bookmark(self.conn, added.id).tags, ("docs", "python"))

    def test_a_bookmark_without_tags_has_an_empty_tuple(self) -> None:
        store.add_bookmark(self.conn, "https://a.example", "A")
        self.assertEqual(store.list_bookmarks(self.conn)[0].tags, ())

    def test_a_bad_tag_saves_nothing(self) -> None:
        with self.assertRaises(store.BookmarkError):
            store.add_bookmark(self.conn, "https://a.example", "A", tags=["ok", "not ok!"])
        self.assertEqual(store.list_bookmarks(self.conn), [])
        self.assertEqual(store.tag_counts(self.conn), [])
        # The URL is still free.
        store.add_bookmark(self.conn, "https://a.example", "A", tags=["ok"])

    def test_an_empty_tag_is_rejected(self) -> None:
        with self.assertRaises(store.BookmarkError):
            store.add_bookmark(self.conn, "https://a.example", "A", tags=["   "])

    def test_list_filters_by_tag(self) -> None:
        self.seed()
        self.assertEqual([b.title for b in store.list_bookmarks(self.conn, tag="python")],
                         ["Python docs", "PyPI"])
        self.assertEqual([b.title for b in store.list_bookmarks(self.conn, tag=" PYTHON ")],
                         ["Python docs", "PyPI"])
        self.assertEqual(store.list_bookmarks(self.conn, tag="rust"), [])
        self.assertEqual(len(store.list_bookmarks(self.conn)), 3)

    def test_tag_counts_and_delete(self) -> None:
        self.seed()
        self.assertEqual(store.tag_counts(self.conn), [("docs", 1), ("python", 2)])
        store.delete_bookmark(self.conn, 1)
        self.assertEqual(store.tag_counts(self.conn), [("python", 1)])

    def test_search_fills_in_tags(self) -> None:
        self.seed()
        self.assertEqual([b.tags for b in store.search(self.conn, "pypi")], [("python",)])

    def test_tags_persist_in_the_database_file(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "b.db")
            conn = db.connect(path)
            store.add_bookmark(conn, "https://a.example", "A", tags=["x"])
            conn.close()
            again = db.connect(path)
            self.assertEqual(store.get_bookmark(again, 1).tags, ("x",))
            again.close()


class TagCliTests(unittest.TestCase):
    def setUp(self) -> None:
        self.tmp = tempfile.TemporaryDirectory()
        self.db = os.path.join(self.tmp.name, "bookmarks.db")

    def tearDown(self) -> None:
        self.tmp.cleanup()

    def run_cli(self, *args: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        code = cli.main(["--db", self.db, *args], out=out, err=err)
        return code, out.getvalue(), err.getvalue()

    def seed(self) -> None:
        self.run_cli("add", "https://docs.python.org", "--title", "Python docs",
                     "--tag", "python", "--tag", "Docs")
        self.run_cli("add", "https://example.com", "--title", "Example")
        self.run_cli("add", "https://pypi.org", "--title", "PyPI", "--tag", "python")

    def test_list_shows_tags(self) -> None:
        self.seed()
        code, out, _ = self.run_cli("list")
        self.assertEqual(code, 0)
        self.assertEqual(out.splitlines(), [
            "1. Python docs <https://docs.python.org> [docs, python]",
            "2. Example <https://example.com>",
            "3. PyPI <https://pypi.org> [python]",
        ])

    def test_list_by_tag(self) -> None:
        self.seed()
        code, out, _ = self.run_cli("list", "--tag", "docs")
        self.assertEqual((code, out),
                         (0, "1. Python docs <https://docs.python.org> [docs, python]\n"))

    def test_tags_command(self) -> None:
        self.seed()
        code, out, _ = self.run_cli("tags")
        self.assertEqual((code, out), (0, "docs (1)\npython (2)\n"))

    def test_a_bad_tag_is_an_error(self) -> None:
        code, out, err = self.run_cli("add", "https://a.example", "--tag", "no spaces")
        self.assertEqual((code, out), (1, ""))
        self.assertTrue(err.startswith("error:"))
        self.assertEqual(self.run_cli("list")[1], "")


if __name__ == "__main__":
    unittest.main()
