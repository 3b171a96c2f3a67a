"""Diagnoses: from the answer text (syntax, truncation, repetition) and from real runs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from showdown.diagnose import (
    diagnose_answer,
    diagnose_runs,
    is_repetitive,
    merge,
    syntax_problem,
)
from showdown.extract import extract_code
from showdown.records import Diagnosis, ExecResult
from showdown.sandbox import Limits, ProcessSandbox
from showdown.sandbox.base import scratch_dir

ANSWERS = Path(__file__).resolve().parents[1] / "examples" / "answers"


def codes(answer: str, finish_reason: str | None = None) -> list[str]:
    found = diagnose_answer(answer, extract_code(answer), finish_reason)
    return [d.code for d in found]


def run_program(source: str) -> ExecResult:
    """Run a small program the way functional tests do: a real process, stdin never fed."""
    with scratch_dir({"prog.py": source}) as workdir:
        return ProcessSandbox().exec([sys.executable, "-S", "prog.py", "add", "x"],
                                     workdir=workdir, limits=Limits(timeout_s=10))


# --- syntax versus truncation ------------------------------------------------------------


def test_code_that_compiles_has_no_syntax_problem() -> None:
    assert syntax_problem("import sys\nprint(sys.argv)\n") is None


def test_wrong_code_is_a_syntax_error_not_truncation() -> None:
    problem = syntax_problem('import sys\nprint "hi"\nx = 1\ny = 2\n')
    assert problem is not None
    message, ends_early = problem
    assert message.startswith("line 2: Missing parentheses")
    assert not ends_early


@pytest.mark.parametrize(
    "code",
    [
        "import sys\ndef main():\n",  # a block that never came
        'import sys\nHELP = """usage:\n  todo.py add\n',  # inside a docstring
        "import sys\nparser.add_argument(\n    'id',\n    type=int,\n",  # open call
        'import sys\nprint(f"Added {task',  # mid-string
    ],
)
def test_code_cut_mid_statement_ends_early(code: str) -> None:
    problem = syntax_problem(code)
    assert problem is not None
    assert problem[1], problem


def test_truncated_answer_is_truncated_and_a_syntax_error() -> None:
    answer = (ANSWERS / "truncated.md").read_text(encoding="utf-8")
    found = merge(diagnose_answer(answer, extract_code(answer), None))
    assert [d.code for d in found] == ["truncated", "syntax_error"]
    assert found[0].message == "the answer ends inside an unterminated code fence"


def test_truncated_mid_statement_without_an_open_fence() -> None:
    answer = "```python\nimport sys\n\ndef main():\n    sys.exit(\n```\n"
    assert codes(answer) == ["syntax_error", "truncated"]


def test_wrong_code_in_a_closed_fence_is_only_a_syntax_error() -> None:
    answer = '```python\nimport sys\nprint "hi"\nx = 1\ny = 2\n```\n'
    assert codes(answer) == ["syntax_error"]


def test_length_finish_reason_is_truncated() -> None:
    answer = (ANSWERS / "clean.md").read_text(encoding="utf-8")
    found = diagnose_answer(answer, extract_code(answer), "length")
    assert found == [Diagnosis("truncated", "the server stopped at the max-tokens limit")]
    assert codes(answer, "stop") == []


def test_no_code_and_interactive() -> None:
    assert codes((ANSWERS / "prose-only.md").read_text(encoding="utf-8")) == ["no_code"]
    answer = "```python\nname = input('Task: ')\nprint(name)\n```\n"
    found = diagnose_answer(answer, extract_code(answer), None)
    assert found == [Diagnosis("interactive", "calls input() on line 1")]


# --- repetition ---------------------------------------------------------------------------


def test_repetition_one_line_over_and_over() -> None:
    answer = "Let me write the code.\n" + "I will now write the todo application.\n" * 40
    assert is_repetitive(answer)
    assert "repetition" in codes(answer)


def test_repetition_short_period_tail_without_newlines() -> None:
    answer = "Here is the program:\n```python\nimport sys\n" + "sys.argv, " * 400
    assert is_repetitive(answer)


def test_repetition_in_code_that_loops() -> None:
    body = "".join("    conn.execute('SELECT 1')\n    conn.commit()\n" for _ in range(30))
    assert is_repetitive(f"```python\nimport sqlite3\ndef f(conn):\n{body}")


def test_repetition_in_a_real_smollm2_answer() -> None:
    """SmolLM2-135M on todo-cli (a real `showdown run`): one function rewritten until the
    8192-token context ran out, each copy a little different in its name."""
    answer = (Path(__file__).parent / "fixtures" / "smollm2-todo-looping.md").read_text()
    assert is_repetitive(answer)
    assert "repetition" in codes(answer)


def test_no_repetition_in_our_own_source() -> None:
    for path in sorted((Path(__file__).parents[1] / "src" / "showdown").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert not is_repetitive(text), path.name


def test_no_repetition_in_normal_answers() -> None:
    for path in sorted(ANSWERS.glob("*.md")):
        assert not is_repetitive(path.read_text(encoding="utf-8")), path.name


def test_no_repetition_in_a_long_regular_program() -> None:
    # Many similar functions, as a generated CRUD module has, still vary enough.
    parts = [
        f"def cmd_{name}(conn, args):\n"
        f"    cur = conn.execute('UPDATE tasks SET {name} = ? WHERE id = ?', (args.v, args.id))\n"
        f"    if cur.rowcount == 0:\n"
        f"        sys.exit(f'task {{args.id}} not found')\n"
        f"    conn.commit()\n"
        f"    print(f'{name} set for task {{args.id}}')\n"
        for name in ("title", "due", "priority", "owner", "status", "notes", "tags", "project")
    ]
    program = "import sqlite3\nimport sys\n\n\n" + "\n\n".join(parts)
    assert len(program) > 1500
    assert not is_repetitive(program)


# --- run-time diagnoses from real processes -----------------------------------------------


def test_traceback_is_crashed_with_its_last_line() -> None:
    run = run_program("import sys\nraise ValueError('bad task id: ' + sys.argv[2])\n")
    assert run.exit_code == 1
    assert diagnose_runs([run]) == [
        Diagnosis("crashed", "`prog.py add x`: ValueError: bad task id: x")]


def test_command_is_shown_as_typed_without_the_interpreter() -> None:
    crash = "Traceback (most recent call last):\n  ...\nKeyError: 'x'\n"
    runs = [ExecResult(["/usr/bin/python3", "-S", "todo.py", "list"], 1, "", crash, 0.1),
            ExecResult(["python3", "todo.py", "add", "Buy milk"], 1, "", crash, 0.1)]
    assert [d.message for d in diagnose_runs(runs)] == [
        "`todo.py list`: KeyError: 'x'", "`todo.py add 'Buy milk'`: KeyError: 'x'"]


def test_module_not_found_is_missing_dependency_naming_it() -> None:
    run = run_program("from colorama import Fore\nprint(Fore.GREEN)\n")
    assert diagnose_runs([run]) == [Diagnosis("missing_dependency", "needs module 'colorama'")]


def test_reading_stdin_is_interactive() -> None:
    # stdin is a pipe nobody writes to: the read blocks and the watcher stops the program.
    run = run_program("choice = input('Choose an option: ')\n")
    assert run.exit_code is None and run.limit_hit == "interactive"
    assert not run.timed_out
    found = diagnose_runs([run])
    assert [d.code for d in found] == ["interactive"]


def test_eof_spinning_input_loop_is_interactive_too() -> None:
    spin = "while True:\n    try:\n        input()\n    except EOFError:\n        continue\n"
    run = run_program(spin)
    assert run.limit_hit == "interactive" and not run.timed_out


def test_reading_stdin_in_another_thread_is_interactive_too() -> None:
    code = ("import threading, time\n"
            "threading.Thread(target=input, daemon=True).start()\ntime.sleep(30)\n")
    run = run_program(code)
    assert run.limit_hit == "interactive" and not run.timed_out


def test_a_program_that_never_reads_stdin_is_left_alone() -> None:
    run = run_program("import time\ntime.sleep(0.3)\nprint('done')\n")
    assert run.exit_code == 0 and run.limit_hit is None and run.stdout == "done\n"


def test_eof_error_text_is_still_read_as_interactive() -> None:
    # A run from before the watcher (stdin closed): the EOFError in its stderr.
    run = ExecResult(["python3", "todo.py"], 1, "", "EOFError: EOF when reading a line\n", 0.1)
    assert [d.code for d in diagnose_runs([run])] == ["interactive"]


def test_clean_run_and_handled_error_have_no_diagnosis() -> None:
    ok = run_program("print('ok')\n")
    handled = run_program("import sys\nsys.exit('Error: task 9 not found')\n")
    assert handled.exit_code == 1
    assert diagnose_runs([ok, handled]) == []


def test_timeout_and_other_limits() -> None:
    argv = ["python", "-S", "todo.py", "list"]
    timed_out = ExecResult(argv, None, "", "", 10.0, timed_out=True, limit_hit="timeout")
    assert diagnose_runs([timed_out]) == [
        Diagnosis("timeout", "`todo.py list` did not finish in time and was killed")]
    memory = ExecResult(argv, -9, "", "", 1.0, signal=9, limit_hit="memory")
    assert [d.code for d in diagnose_runs([memory])] == ["memory"]


def test_merge_keeps_one_per_code_first_message_first_order() -> None:
    first = [Diagnosis("interactive", "calls input() on line 3"), Diagnosis("timeout", "a")]
    second = [Diagnosis("interactive", "waited for input"), Diagnosis("crashed", "b")]
    assert merge(first, second) == [
        Diagnosis("interactive", "calls input() on line 3"),
        Diagnosis("timeout", "a"),
        Diagnosis("crashed", "b"),
    ]
