"""Per-judging variation of todo-cli's tests (pure) and the "requires" rule for vacuous points."""

from __future__ import annotations

from showdown.records import CheckResult, TestRun, Verdict, from_dict, to_dict
from showdown.tasks import find_task
from showdown.tasks.program import ProgramTask, count_required
from showdown.tasks.seeding import draw_values, place_movable

IDS = ["add", "list_shows", "add_second", "complete", "delete", "unknown_id", "persists"]


def todo() -> ProgramTask:
    task = find_task("todo-cli")
    assert isinstance(task, ProgramTask)
    return task


def test_a_seed_draws_the_same_values_every_time_and_seeds_differ() -> None:
    seeding = todo().seeding
    assert draw_values(seeding, 11) == draw_values(seeding, 11)
    assert draw_values(seeding, 11) != draw_values(seeding, 12)


def test_drawn_values_keep_the_behaviours_meaning() -> None:
    seeding = todo().seeding
    for seed in range(200):
        v = draw_values(seeding, seed)
        names = [v["name1"], v["name2"], v["name3"]]
        # Distinct, and none inside another (a "lacks" check must not see a longer name).
        assert all(a == b or a not in b for a in names for b in names)
        assert {v["done_id"], v["gone_id"]} == {"1", "2"}
        assert v[f"name{v['done_id']}"] == v["done_name"]
        assert int(v["unknown_id"]) > 3


def test_both_tasks_get_completed_and_the_unknown_id_moves_over_seeds() -> None:
    task = todo()
    plans = [task.plan(seed) for seed in range(60)]
    assert all(sorted(t.id for t in plan) == sorted(IDS) for plan in plans)
    assert all([t.id for t in plan][:3] == IDS[:3] for plan in plans)
    assert {plan[3].steps[0].args[1] for plan in plans if plan[3].id == "complete"} == {"1", "2"}
    assert len({[t.id for t in plan].index("unknown_id") for plan in plans}) >= 3
    assert len({plan[0].steps[0].args[1] for plan in plans}) == 60


def test_place_movable_puts_items_after_the_fixed_head_only() -> None:
    seeding = todo().seeding
    for seed in range(40):
        placed = place_movable(IDS, IDS, seeding, seed)
        assert placed[:3] == IDS[:3] and sorted(placed) == sorted(IDS)


def test_a_check_counts_only_when_the_tests_it_needs_count() -> None:
    checks = [CheckResult("no_input", True, "no input() call")]
    tests = [TestRun("add", True, "ok"), TestRun("list_shows", False, "output lacks 'x'"),
             TestRun("unknown_id", True, "ok")]
    requires = {"no_input": ("add",), "add": ("list_shows",), "unknown_id": ("add",)}
    count_required(checks, tests, requires)
    # list_shows failed, so add does not count, so neither do unknown_id nor no_input.
    assert [t.passed for t in tests] == [False, False, False]
    assert not checks[0].passed
    assert tests[0].detail == "not counted: needs list_shows to pass (ok)"
    assert checks[0].detail.startswith("not counted: needs add to pass")


def test_nothing_changes_when_every_need_is_met() -> None:
    checks = [CheckResult("no_input", True, "ok")]
    tests = [TestRun("add", True, "ok"), TestRun("list_shows", True, "ok")]
    count_required(checks, tests, {"no_input": ("add",), "add": ("list_shows",)})
    assert checks[0].passed and all(t.passed for t in tests)


def test_the_seed_is_stored_with_the_verdict() -> None:
    verdict = Verdict(task="todo-cli", syntax_ok=True, seed=123)
    assert from_dict(Verdict, to_dict(verdict)).seed == 123
    old = to_dict(verdict)
    del old["seed"]  # a verdict stored before seeds
    assert from_dict(Verdict, old).seed is None
