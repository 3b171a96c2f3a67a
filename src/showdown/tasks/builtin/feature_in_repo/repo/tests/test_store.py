import unittest

from bookmarks.db import connect
from bookmarks.store import (
    BookmarkError,
    add_bookmark,
    delete_bookmark,
    get_bookmark,
    list_bookmarks,
    search,
)


class StoreTests(unittest.TestCase):
    def setUp(self) -> None:
        self.conn = connect(":memory:")

    def tearDown(self) -> None:
        self.conn.close()

    def test_add_and_get(self) -> None:
        added = add_bookmark(self.conn, "https://docs.python.org", "  Python docs ")
        self.assertEqual(added.title, "Python docs")
        self.assertEqual(get_bookmark(self.conn, added.id), added)
        self.assertTrue(added.created_at.endswith("Z"))

    def test_rejects_a_non_http_url(self) -> None:
        for url in ["ftp://example.com", "example.com", "https://"]:
            with self.assertRaises(BookmarkError):
                add_bookmark(self.conn, url)
        self.assertEqual(list_bookmarks(self.conn), [])

    def test_rejects_a_duplicate_url(self) -> None:
        add_bookmark(self.conn, "https://example.com")
        with self.assertRaises(BookmarkError):
            add_bookmark(self.conn, "https://example.com", "again")

    def test_list_is_oldest_first(self) -> None:
        first = add_bookmark(self.conn, "https://a.example")
        second = add_bookmark(self.conn, "https://b.example")
        self.assertEqual([b.id for b in list_bookmarks(self.conn)], [first.id, second.id])

    def test_search_ignores_case_and_looks_at_url_and_title(self) -> None:
        add_bookmark(self.conn, "https://docs.python.org", "Python docs")
        add_bookmark(self.conn, "https://www.sqlite.org", "SQLite")
        self.assertEqual([b.title for b in search(self.conn, "PYTHON")], ["Python docs"])
        self.assertEqual([b.title for b in search(self.conn, "sqlite.org")], ["SQLite"])
        self.assertEqual(search(self.conn, "nothing"), [])

    def test_delete(self) -> None:
        bookmark = add_bookmark(self.conn, "https://example.com")
        delete_bookmark(self.conn, bookmark.id)
        self.assertEqual(list_bookmarks(self.conn), [])
        with self.assertRaises(BookmarkError):
            delete_bookmark(self.conn, bookmark.id)
        with self.assertRaises(BookmarkError):
            get_bookmark(self.conn, bookmark.id)


if __name__ == "__main__":
    unittest.main()
