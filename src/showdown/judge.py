"""Judge any answer, never crash: the one entry to a task's judge for ``run`` and ``score``.

The model under test is hostile, so whatever it sends gets a verdict. An answer over
``MAX_ANSWER_CHARS`` is refused unjudged (``answer_too_large``, score 0); anything that goes
wrong while judging becomes a verdict with a ``judge_error`` diagnosis naming what failed
(score 0, never a pass), so a run stores it and goes on. Faults of the machine rather than of
the answer (no sandbox can run, a task file is broken, an unknown case) still raise: they
would fail every answer alike and the user must fix them.
"""

from __future__ import annotations

import traceback
from pathlib import Path

from showdown import checks, pyparse
from showdown.diagnose import is_repetitive
from showdown.pyparse import MAX_SOURCE_CHARS
from showdown.records import Diagnosis, Verdict
from showdown.sandbox import Sandbox, SandboxUnavailable
from showdown.tasks import Answer, Task, TaskError

__all__ = ["MAX_ANSWER_CHARS", "judge_answer", "refused_verdict", "score_file"]

# 1 MiB (of ASCII). A 16,384-token answer is about 64 KB, so this is 16 times the longest
# answer the default --max-tokens allows, and room for 256k-token outputs; beyond it an answer
# is degenerate (a loop, a dump), and judging it would cost seconds per MiB and ~130 MB of
# memory per MiB of code parsed.
MAX_ANSWER_CHARS = MAX_SOURCE_CHARS
# UTF-8 takes at most 4 bytes a character: a file larger than this is over the limit unread.
_MAX_FILE_BYTES = 4 * MAX_ANSWER_CHARS
_PACKAGE = Path(__file__).resolve().parent


def judge_answer(task: Task, answer: Answer, sandbox: Sandbox, case: str | None = None,
                 seed: int | None = None) -> Verdict:
    """``task``'s verdict on ``answer``; an answer too large or one that breaks the judge
    still gets a verdict (score 0) saying so. ``seed``: see ``Task.judge``."""
    if len(answer.text) > MAX_ANSWER_CHARS:
        return refused_verdict(task, answer, sandbox, f"{len(answer.text):,} characters")
    try:
        return task.judge(_readable(answer), sandbox, case, seed)
    except (SandboxUnavailable, TaskError):
        raise
    except Exception as exc:  # the safety net: a hostile answer must not stop the run
        try:
            what = _what_failed(exc)
        except Exception:  # e.g. the working folder is gone and paths cannot be resolved
            what = type(exc).__name__
        message = f"judging failed: {what}; the answer scores 0"
        return Verdict(task=task.id, syntax_ok=False, isolation=sandbox.isolation,
                       diagnoses=[Diagnosis("judge_error", message)])
    finally:
        pyparse.forget()  # the trees of a hostile MiB weigh hundreds of MB
        checks.forget()


def refused_verdict(task: Task, answer: Answer, sandbox: Sandbox, size: str) -> Verdict:
    """The verdict on an answer over ``MAX_ANSWER_CHARS``: not judged, score 0."""
    found = [Diagnosis("answer_too_large", f"the answer is {size}, over the "
                       f"{MAX_ANSWER_CHARS:,} characters showdown judges; not judged")]
    if answer.finish_reason == "length":
        found.append(Diagnosis("truncated", "the server stopped at the max-tokens limit"))
    if is_repetitive(answer.text[-MAX_ANSWER_CHARS:]):
        found.append(Diagnosis("repetition", "the answer repeats itself (degenerate looping)"))
    return Verdict(task=task.id, syntax_ok=False, isolation=sandbox.isolation, diagnoses=found)


def score_file(path: Path, task: Task, sandbox: Sandbox, case: str | None = None,
               seed: int | None = None) -> Verdict:
    """Judge a saved answer: a ``.py`` file is code as-is, anything else is a model's reply."""
    is_code = path.suffix == ".py"
    size = path.stat().st_size
    if size > _MAX_FILE_BYTES:
        with path.open(encoding="utf-8", errors="replace") as file:
            head = file.read(MAX_ANSWER_CHARS)
        return refused_verdict(task, Answer(head, is_code_file=is_code), sandbox, f"{size:,} bytes")
    text = path.read_text(encoding="utf-8", errors="replace")
    return judge_answer(task, Answer(text, is_code_file=is_code), sandbox, case, seed)


def _readable(answer: Answer) -> Answer:
    """The answer with lone surrogates (JSON can carry them; no file can) as U+FFFD, so it
    is judged as the text ``showdown score`` would read back from a saved copy."""
    try:
        answer.text.encode("utf-8")
    except UnicodeEncodeError:
        text = answer.text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
        return Answer(text, answer.finish_reason, answer.is_code_file)
    return answer


def _what_failed(exc: BaseException) -> str:
    """The exception and where in showdown it was raised, e.g. ``RecursionError in
    checks.py:40 (dotted_names): maximum recursion depth exceeded``."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if Path(f.filename).resolve().is_relative_to(_PACKAGE)]
    where = ""
    if frames:
        frame = (ours or frames)[-1]
        path = Path(frame.filename).resolve()
        shown = path.relative_to(_PACKAGE).as_posix() if path.is_relative_to(_PACKAGE) else path.name
        where = f" in {shown}:{frame.lineno} ({frame.name})"
    detail = str(exc).strip()
    detail = f": {detail.splitlines()[0][:200]}" if detail else ""
    return f"{type(exc).__name__}{where}{detail}"
