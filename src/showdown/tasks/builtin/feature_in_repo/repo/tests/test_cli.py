import io
import os
import tempfile
import unittest

from bookmarks.cli import main


class CliTests(unittest.TestCase):
    def setUp(self) -> None:
        self.tmp = tempfile.TemporaryDirectory()
        self.db = os.path.join(self.tmp.name, "bookmarks.db")

    def tearDown(self) -> None:
        self.tmp.cleanup()

    def run_cli(self, *args: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        code = main(["--db", self.db, *args], out=out, err=err)
        return code, out.getvalue(), err.getvalue()

    def test_add_then_list(self) -> None:
        code, out, _ = self.run_cli("add", "https://docs.python.org", "--title", "Python docs")
        self.assertEqual(code, 0)
        self.assertEqual(out, "added 1. Python docs <https://docs.python.org>\n")
        self.run_cli("add", "https://example.com")
        code, out, _ = self.run_cli("list")
        self.assertEqual(code, 0)
        self.assertEqual(out.splitlines(), ["1. Python docs <https://docs.python.org>",
                                            "2. (untitled) <https://example.com>"])

    def test_search(self) -> None:
        self.run_cli("add", "https://docs.python.org", "--title", "Python docs")
        self.run_cli("add", "https://example.com", "--title", "Example")
        code, out, _ = self.run_cli("search", "exam")
        self.assertEqual((code, out), (0, "2. Example <https://example.com>\n"))

    def test_delete_and_unknown_id(self) -> None:
        self.run_cli("add", "https://example.com")
        self.assertEqual(self.run_cli("delete", "1")[:2], (0, "deleted 1\n"))
        code, _, err = self.run_cli("delete", "1")
        self.assertEqual(code, 1)
        self.assertIn("no bookmark with id 1", err)

    def test_bad_url_is_an_error(self) -> None:
        code, out, err = self.run_cli("add", "not-a-url")
        self.assertEqual((code, out), (1, ""))
        self.assertTrue(err.startswith("error:"))


if __name__ == "__main__":
    unittest.main()
