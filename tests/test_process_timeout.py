"""ProcessSandbox's watchdog: the limit holds while stdin is fed; a quick exit is no timeout."""

from __future__ import annotations

import sys

from showdown.sandbox import Limits, ProcessSandbox
from showdown.sandbox.base import scratch_dir


def test_program_that_never_reads_a_large_stdin_is_killed_at_the_limit() -> None:
    # 1 MiB fills the pipe; before the watchdog, feeding it blocked until the program exited.
    with scratch_dir({"p.py": "import time\ntime.sleep(30)\n"}) as workdir:
        run = ProcessSandbox().exec([sys.executable, "-S", "p.py"], workdir=workdir,
                                    limits=Limits(timeout_s=1), stdin=b"x" * (1 << 20))
    assert run.timed_out
    assert run.exit_code is None
    assert run.limit_hit == "timeout"


def test_quick_program_is_not_a_timeout_and_reads_its_stdin() -> None:
    code = "import sys\ndata = sys.stdin.read()\nprint(len(data))\nsys.exit(3)\n"
    with scratch_dir({"p.py": code}) as workdir:
        run = ProcessSandbox().exec([sys.executable, "-S", "p.py"], workdir=workdir,
                                    limits=Limits(timeout_s=10), stdin=b"abc")
    assert (run.timed_out, run.exit_code, run.stdout, run.limit_hit) == (False, 3, "3\n", None)
