"""Extraction: reasoning removed first, then the program chosen among fenced blocks or prose."""

from __future__ import annotations

from pathlib import Path

from showdown.extract import extract_code, fenced_blocks, split_reasoning

ANSWERS = Path(__file__).resolve().parents[1] / "examples" / "answers"

PROGRAM = '''import sys


def main():
    print("hello", sys.argv[1:])


if __name__ == "__main__":
    main()
'''


def fence(code: str, lang: str = "python", mark: str = "```") -> str:
    return f"{mark}{lang}\n{code}{mark}\n"


# --- reasoning ---------------------------------------------------------------------------


def test_think_block_is_removed_and_kept_as_reasoning() -> None:
    text, reasoning = split_reasoning("<think>\nplan the table\n</think>\nThe answer.")
    assert text == "The answer."
    assert reasoning == "plan the table"


def test_thinking_tag_is_removed_too() -> None:
    text, reasoning = split_reasoning("<thinking>weigh argparse</thinking>\nFinal.")
    assert text == "Final."
    assert reasoning == "weigh argparse"


def test_orphan_closing_tag_drops_everything_before_it() -> None:
    # Servers that put <think> in the prompt template stream only the closing tag.
    text, reasoning = split_reasoning("draft idea\n</think>\nFinal answer.")
    assert text == "Final answer."
    assert reasoning == "draft idea"


def test_unclosed_opening_tag_drops_the_rest() -> None:
    # Cut off while still thinking: nothing after the tag is an answer.
    text, reasoning = split_reasoning("Intro.\n<think>\nstill thinking about ```python")
    assert text == "Intro."
    assert "still thinking" in reasoning


def test_tags_are_case_insensitive() -> None:
    text, reasoning = split_reasoning("<THINK>x</THINK>answer")
    assert (text, reasoning) == ("answer", "x")


def test_draft_inside_think_is_never_judged() -> None:
    broken = "import sys\nprint('draft'\n"
    answer = f"<think>\n{fence(broken)}\nno, fix it\n</think>\n{fence(PROGRAM)}"
    extraction = extract_code(answer)
    assert extraction.code == PROGRAM
    assert "print('draft'" in extraction.reasoning
    assert extraction.blocks == 1


def test_draft_inside_orphan_closing_tag_is_not_judged() -> None:
    answer = f"{fence('import os  # draft')}\n</think>\nFinal:\n{fence(PROGRAM)}"
    assert extract_code(answer).code == PROGRAM


# --- fence choice ------------------------------------------------------------------------


def test_bash_usage_block_before_the_program_loses() -> None:
    usage = "python todo.py add 'Buy milk'\npython todo.py list\n"
    answer = f"Usage:\n{fence(usage, 'bash')}\nCode:\n{fence(PROGRAM)}"
    extraction = extract_code(answer)
    assert extraction.code == PROGRAM
    assert extraction.language == "python"
    assert extraction.blocks == 2


def test_unlabelled_shell_block_loses_to_unlabelled_program() -> None:
    usage = "$ python todo.py add milk\n$ python todo.py list\n"
    answer = f"{fence(usage, '')}\n{fence(PROGRAM, '')}"
    assert extract_code(answer).code == PROGRAM


def test_only_a_shell_block_means_no_code() -> None:
    extraction = extract_code(fence("python todo.py list\n", "bash"))
    assert extraction.code == ""
    assert extraction.source == "none"


def test_whole_program_beats_a_short_snippet_draft() -> None:
    snippet = "def complete(conn, i):\n    conn.execute('DELETE FROM t WHERE id=?', (i,))\n"
    answer = f"First idea:\n{fence(snippet)}\nThe complete program:\n{fence(PROGRAM)}"
    assert extract_code(answer).code == PROGRAM


def test_final_program_that_parses_beats_a_longer_broken_draft() -> None:
    draft = PROGRAM.replace('print("hello", sys.argv[1:])', 'print("hello"') + "\n# more\n" * 5
    answer = f"Draft:\n{fence(draft)}\nFixed:\n{fence(PROGRAM)}"
    assert extract_code(answer).code == PROGRAM


def test_python_block_after_prose_and_output_blocks() -> None:
    output = fence("1 [ ] Buy milk\n", "text")
    answer = f"Output:\n{output}\n{fence(PROGRAM, 'py')}"
    extraction = extract_code(answer)
    assert extraction.code == PROGRAM
    assert extraction.language == "py"


def test_tilde_fences() -> None:
    extraction = extract_code(f"Here:\n{fence(PROGRAM, 'python', '~~~')}Done.")
    assert extraction.code == PROGRAM
    assert not extraction.unterminated_fence


def test_longer_fence_holds_a_shorter_one_inside() -> None:
    code = 'HELP = """\n```\nusage\n```\n"""\nprint(HELP)\n'
    extraction = extract_code(f"````python\n{code}````\n")
    assert extraction.code == code


def test_fence_info_string_after_language_is_ignored() -> None:
    blocks = fenced_blocks(f"```python title=todo.py\n{PROGRAM}```\n")
    assert [(b.language, b.code, b.terminated) for b in blocks] == [("python", PROGRAM, True)]


# --- truncation, unfenced code, no code --------------------------------------------------


def test_unterminated_last_fence_runs_to_the_end() -> None:
    cut = PROGRAM[:40]
    extraction = extract_code(f"Sure:\n```python\n{cut}")
    assert extraction.unterminated_fence
    assert extraction.code == cut.rstrip() + "\n"


def test_terminated_fence_is_not_marked_unterminated() -> None:
    assert not extract_code(fence(PROGRAM)).unterminated_fence


def test_unfenced_code_with_prose_around_it() -> None:
    answer = f"Here is the program, save it as todo.py:\n\n{PROGRAM}\nRun it with python todo.py x."
    extraction = extract_code(answer)
    assert extraction.source == "unfenced"
    assert extraction.code == PROGRAM


def test_unfenced_code_alone() -> None:
    extraction = extract_code(PROGRAM)
    assert (extraction.source, extraction.code) == ("unfenced", PROGRAM)


def test_unfenced_code_that_does_not_parse_is_still_returned_for_diagnosis() -> None:
    answer = "Code:\nimport sys\ndef main(:\n    pass\n"
    extraction = extract_code(answer)
    assert extraction.source == "unfenced"
    assert extraction.code.startswith("import sys\ndef main(:")


def test_unfenced_syntax_error_mid_program_is_not_hidden_by_trimming() -> None:
    # Trimming the tail until something parses would judge only the lines before the typo.
    broken = PROGRAM.replace("def main():", "def main(:")
    extraction = extract_code(f"The program:\n{broken}\nThat is all.")
    assert extraction.code.startswith("import sys")
    assert "def main(:" in extraction.code
    assert 'print("hello", sys.argv[1:])' in extraction.code


def test_unfenced_code_is_not_started_after_a_broken_function() -> None:
    broken = "import sys\n\ndef helper(:\n    return 1\n\n" + PROGRAM.replace("import sys\n", "")
    extraction = extract_code(broken + "\nEnjoy.")
    assert extraction.code.startswith("import sys\n\ndef helper(:")


def test_unfenced_trailing_prose_with_a_bullet_list_is_trimmed() -> None:
    answer = f"{PROGRAM}\nNotes:\n  - it uses argv\n  1. run it\n"
    extraction = extract_code(answer)
    assert extraction.code == PROGRAM


def test_unfenced_prose_line_that_looks_like_an_import_is_skipped() -> None:
    answer = f"import the module below into your project:\n\n{PROGRAM}"
    assert extract_code(answer).code == PROGRAM


def test_prose_only_has_no_code() -> None:
    extraction = extract_code((ANSWERS / "prose-only.md").read_text(encoding="utf-8"))
    assert extraction.code == ""
    assert extraction.source == "none"


def test_empty_answer_has_no_code() -> None:
    assert extract_code("").source == "none"


# --- the shipped example answers ---------------------------------------------------------


def test_examples_extract_the_program() -> None:
    for name in ("clean", "reasoning-draft", "bash-first", "home-db", "colorama"):
        extraction = extract_code((ANSWERS / f"{name}.md").read_text(encoding="utf-8"))
        assert extraction.source == "fence", name
        assert "import sqlite3" in extraction.code, name
        assert 'if __name__ == "__main__":' in extraction.code, name


def test_example_reasoning_draft_keeps_draft_out_of_code() -> None:
    extraction = extract_code((ANSWERS / "reasoning-draft.md").read_text(encoding="utf-8"))
    assert "DELETE FROM t WHERE" not in extraction.code
    assert "DELETE FROM t WHERE" in extraction.reasoning
    assert "UPDATE todos SET done = 1" in extraction.code


def test_example_unfenced_and_truncated() -> None:
    unfenced = extract_code((ANSWERS / "unfenced.md").read_text(encoding="utf-8"))
    assert unfenced.source == "unfenced"
    assert unfenced.code.startswith("import sqlite3\n")
    assert unfenced.code.rstrip().endswith("main()")
    truncated = extract_code((ANSWERS / "truncated.md").read_text(encoding="utf-8"))
    assert truncated.unterminated_fence
    assert truncated.code.rstrip().endswith("set_defaults(func=cmd_")
