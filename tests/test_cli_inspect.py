"""``showdown runs``, ``runs delete``, ``show`` and ``run --retry-failed`` on a real run.

The models are a local server speaking OpenAI's chat-completions streaming format (server-sent
events, as in OpenAI's API reference): one answers with a clean program, the other drops the
connection mid-answer until it is "fixed", as a server that was down and then started.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from httpfake import DROP, Reply, fake_server, sse
from test_runner import CLEAN, answer_stream

from showdown.cli import cli
from showdown.records import is_failed
from showdown.store import Store


class Flaky:
    """Drops every stream until ``fixed`` is set, then answers like the good model."""

    def __init__(self) -> None:
        self.fixed = False

    def __call__(self, path: str, body: dict[str, Any]) -> Reply:
        if self.fixed:
            return answer_stream(CLEAN)
        return Reply(steps=[sse({"choices": [{"delta": {"content": "```python\nimport"}}]}), DROP])


def showdown(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


def test_runs_show_retry_failed_and_delete(tmp_path: Path, store_target: str,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """On SQLite and on PostgreSQL (whose run reports go to the data folder)."""
    db = store_target
    reports = tmp_path / "reports"
    if db.startswith("postgresql://"):
        monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
        reports = tmp_path / "data" / "showdown" / "reports"
    flaky = Flaky()
    good_routes = {"POST /good/v1/chat/completions": lambda p, b: answer_stream(CLEAN)}
    with fake_server({"POST /flaky/v1/chat/completions": flaky}) as server:
        with fake_server(good_routes) as good_server:
            models = ["-m", f"good=openai-compat:{good_server.url}/good/v1#m",
                      "-m", f"flaky=openai-compat:{server.url}/flaky/v1#m"]
            ran = showdown("run", "--db", db, "--json", "--max-tokens", "512", *models)
        # From here on the good model's server is gone: only the failed model runs again.
        assert ran.exit_code == 1, ran.output  # one model failed, and the exit code says so
        out = json.loads(ran.stdout)
        run_id = out["run_id"]
        by_model = {r["model"]: r for r in out["results"]}
        assert by_model["flaky"]["error"] and not by_model["good"]["error"]
        # Progress went to stderr as plain lines (not a terminal): no spinner, no cursor codes.
        assert "good: generating" in ran.stderr and "\x1b[" not in ran.stderr
        assert f"[{by_model['flaky']['id']}]" in ran.stderr and "did not run" in ran.stderr

        listed = json.loads(showdown("runs", "--db", db, "--json").stdout)
        assert [(r["run_id"], r["status"], r["results"], r["failed"]) for r in listed] == [
            (run_id, "finished", 2, 1)]
        assert showdown("runs", "--db", db).exit_code == 0

        overview = showdown("show", run_id[:12], "--db", db)
        assert overview.exit_code == 0
        assert by_model["good"]["id"] in overview.stdout and "did not run" in overview.stdout

        detail = json.loads(showdown("show", by_model["good"]["id"], "--db", db, "--json").stdout)
        assert detail["status"] == "score 100" and detail["answer"] == CLEAN
        assert "todo" in (detail["prompt"] or "").lower() and "def " in detail["code"]
        tests = detail["functional"]["tests"]
        assert tests and all(t["commands"] and "stdout" in t["commands"][0] for t in tests)
        text = showdown("show", by_model["good"]["id"], "--db", db)
        assert text.exit_code == 0 and "Extracted code" in text.stdout and "$ " in text.stdout

        page = (reports / f"{run_id}.html").read_text(encoding="utf-8")
        assert f'id="r-{by_model["flaky"]["id"]}"' in page and 'href="#g-' in page
        assert "Did not run" in page

        flaky.fixed = True  # the server is back: run only what failed
        again = showdown("run", "--db", db, "--retry-failed")
        assert again.exit_code == 0, again.output
        results = Store(db).results(run_ids=[run_id])
        assert len(results) == 2 and not any(is_failed(r) for r in results)
        good = next(r for r in results if r.model == "good")
        assert good.started_at == by_model["good"]["started_at"]  # not run again
        nothing = showdown("run", "--db", db, "--retry-failed", run_id)
        assert nothing.exit_code == 0 and "nothing to retry" in nothing.stderr

    resumed = showdown("run", "--db", db, "--resume", run_id)
    assert resumed.exit_code == 0 and "already finished" in resumed.stderr
    assert resumed.stdout == ""

    deleted = showdown("runs", "delete", run_id, "--db", db)
    assert deleted.exit_code == 0, deleted.output
    assert Store(db).runs() == [] and Store(db).results() == []
    missing = showdown("show", "nosuch", "--db", db)
    assert missing.exit_code == 2 and len(missing.stderr.strip().splitlines()) == 1
