"""Judge one function across a process boundary (standard library only; runs in the sandbox).

The function task copies this file, the problem's prompt (``prompt.py``: no secret, the
answer's module starts with it) and the answer's module (``solution.py``) into a fresh folder
and runs ``python -I -S function_checker.py`` with the job on stdin. The process makes itself
non-dumpable, runs the prompt (its imports then serve both sides), forks, and splits in two:

- the **candidate** (the child) loads the answer's module and answers calls: it reads
  arguments, calls the function, writes the result. It never holds the tests: it is forked
  before the job is read and waits until the job has been read to the end, so the stdin pipe
  is empty by the time the answer's code runs, and its stdout goes to stderr.
- the **checker** (the parent) reads the job (the problem's tests, and a token),
  runs the tests' ``check(candidate)`` with ``candidate`` a proxy that sends each call over a
  pipe, and prints ``TOKEN pass`` only once ``check`` returns, else ``TOKEN fail CODE MESSAGE``.

What crosses is plain data only: None, bool, int, float, complex, str, bytes, list, tuple,
dict, set and frozenset, nested at most ``MAX_DEPTH`` deep, at most ``MAX_MESSAGE`` bytes a
message, so tuples stay tuples, ints ints and floats floats (NaN and infinities included).
``encode`` walks a value and keeps exactly those types; the walked copy travels in ``marshal``'s
format (built into the interpreter: nothing to import, which matters at ~160 runs a task), and
``decode`` walks what arrives again, refusing anything else marshal can carry (code objects,
self-referencing lists). A subclass crosses as its base type's plain value, its overrides left
behind (an int "equal to everything" arrives as a plain int); any other object cannot cross.
An exception crosses as its type name and message. Tracing, patching or exiting inside the
candidate changes nothing in the checker: a separate address space the candidate cannot read
(non-dumpable: no ptrace, no ``/proc/PID/mem``, ``/fd`` or ``/environ``). It can still kill
the checker (same user): then no verdict is printed, and no verdict is a fail.
"""

from __future__ import annotations

import builtins
import marshal
import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs ~5 ms to import, at every one of HumanEval's 164 runs
    from typing import IO, Any

__all__ = ["MAX_DEPTH", "MAX_MESSAGE", "PROMPT_FILE", "NotPlainData", "decode", "encode", "main"]

MAX_DEPTH = 100
#: The problem's prompt, written beside this file by showdown (the checker runs it first).
PROMPT_FILE = "prompt.py"
MAX_MESSAGE = 64 * 1024 * 1024
_HEADER = 4
# Exceptions the checker may raise by name; anything else crosses as RuntimeError.
_NOT_RAISED = {"StopIteration", "StopAsyncIteration"}
_SCALARS = (type(None), bool, int, float, complex, str, bytes)
_CONTAINERS = (list, tuple, set, frozenset, dict)


class NotPlainData(TypeError):
    """A value that is not plain data (or is nested too deep) cannot cross the boundary."""


_BASES: dict[type, Any] = {
    int: int.__int__, float: float.__float__, str: str.__str__,
    bytes: lambda v: bytes(memoryview(v)), complex: lambda v: complex(v.real, v.imag),
    list: lambda v: list(list.__iter__(v)), tuple: lambda v: tuple(tuple.__iter__(v)),
    dict: lambda v: dict(dict.items(v)), set: lambda v: set(set.__iter__(v)),
    frozenset: lambda v: frozenset(frozenset.__iter__(v)),
}


def encode(value: Any, depth: int = 0) -> Any:
    """A copy of ``value`` made of plain types only; NotPlainData when it has anything else."""
    if depth > MAX_DEPTH:
        raise NotPlainData(f"nested deeper than {MAX_DEPTH} levels")
    kind = type(value)
    if kind not in _SCALARS and kind not in _CONTAINERS:
        # A subclass of a plain type (a namedtuple, an IntEnum) crosses as the plain value its
        # base type's own methods read out of it; its overrides (an ``__eq__`` that is always
        # true) stay behind. ``type()``, not ``isinstance``: ``__class__`` can be faked.
        base = next((b for b in _BASES if issubclass(kind, b)), None)
        if base is None:
            raise NotPlainData(f"a {kind.__name__} is not plain data")
        value, kind = _BASES[base](value), base
    if kind in _SCALARS:
        return value
    if kind is dict:
        return {encode(k, depth + 1): encode(v, depth + 1) for k, v in value.items()}
    items = [encode(v, depth + 1) for v in value]
    return items if kind is list else kind(items)


def decode(data: bytes) -> Any:
    """The value in a message; NotPlainData for anything ``encode`` cannot have made."""
    try:
        value = marshal.loads(data)
    except (ValueError, EOFError, TypeError) as exc:
        raise NotPlainData("malformed message") from exc
    _check_plain(value, 0)
    return value


def _check_plain(value: Any, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise NotPlainData(f"nested deeper than {MAX_DEPTH} levels")
    kind = type(value)
    if kind in _SCALARS:
        return
    if kind not in _CONTAINERS:
        raise NotPlainData(f"a {kind.__name__} is not plain data")
    for item in (value if kind is not dict else [*value.keys(), *value.values()]):
        _check_plain(item, depth + 1)


def _send(pipe: IO[bytes], message: Any) -> None:
    data = marshal.dumps(message)
    if len(data) > MAX_MESSAGE:
        raise NotPlainData(f"a message over {MAX_MESSAGE} bytes")
    pipe.write(len(data).to_bytes(_HEADER, "big") + data)
    pipe.flush()


def _receive(pipe: IO[bytes]) -> Any:
    """One message, or None at end of file; NotPlainData when too large or malformed."""
    header = pipe.read(_HEADER)
    if len(header) < _HEADER:
        return None
    size = int.from_bytes(header, "big")
    if size > MAX_MESSAGE:
        raise NotPlainData(f"a message over {MAX_MESSAGE} bytes")
    data = pipe.read(size)
    if len(data) < size:
        return None
    return decode(data)


def _no_dumps() -> None:
    """Make this process non-dumpable: no ptrace, no /proc/PID/mem, fd or environ by its user."""
    try:
        import ctypes  # only here: the checker needs it, and the import costs

        ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE, 0
    except (OSError, AttributeError):  # not Linux: the sandbox is the only boundary left
        pass


def _headline(exc: BaseException) -> str:
    text = str(exc)
    return (f"{type(exc).__name__}: {text}" if text else type(exc).__name__)[:300]


# --- the candidate's side ---------------------------------------------------------------


def _serve(calls: IO[bytes], replies: IO[bytes]) -> None:
    """Load the answer's module, then answer calls until the checker goes away."""
    if calls.readline() != b"go\n":
        return
    import _sitebuiltins  # ``exit``/``quit``, which ``python -S`` leaves out

    builtins.exit = _sitebuiltins.Quitter("exit", "Ctrl-D (i.e. EOF)")
    builtins.quit = _sitebuiltins.Quitter("quit", "Ctrl-D (i.e. EOF)")
    sys.argv = ["solution.py"]
    namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
    entry = calls.readline().decode("ascii", "replace").strip()
    try:
        with open("solution.py", encoding="utf-8") as handle:
            exec(compile(handle.read(), "solution.py", "exec"), namespace)
        function = namespace[entry]
    except Exception as exc:  # the answer's failure is the verdict's data
        sys.excepthook(type(exc), exc, exc.__traceback__)
        _send(replies, {"load": _headline(exc)})
        return
    _send(replies, {"ready": 1})
    while (request := _receive(calls)) is not None:
        try:
            args, kwargs = request
            result = function(*args, **kwargs)
        except Exception as exc:
            _send(replies, {"e": type(exc).__name__, "m": str(exc)[:500]})
            continue
        try:
            _send(replies, {"r": encode(result)})
        except (NotPlainData, RecursionError, ValueError) as exc:
            _send(replies, {"x": str(exc)[:500]})


# --- the checker's side -----------------------------------------------------------------


class _Proxy:
    """What the tests call ``candidate``: each call crosses to the candidate's process."""

    def __init__(self, calls: IO[bytes], replies: IO[bytes], pid: int) -> None:
        self.calls, self.replies, self.pid = calls, replies, pid
        self.__name__ = "candidate"

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            _send(self.calls, (encode(args), encode(kwargs)))
        except BrokenPipeError:
            raise _Gone() from None
        reply = _receive(self.replies)
        if reply is None:
            raise _Gone()
        if isinstance(reply, dict) and "r" in reply:
            return reply["r"]
        if isinstance(reply, dict) and "e" in reply:
            raise _exception(str(reply.get("e")), str(reply.get("m", "")))
        if isinstance(reply, dict) and "x" in reply:
            raise NotPlainData(str(reply["x"]))
        raise NotPlainData("malformed reply")


class _Gone(Exception):
    """The candidate's process ended while the tests still needed it."""


def _exception(name: str, message: str) -> Exception:
    found = getattr(builtins, name, None)
    if (isinstance(found, type) and issubclass(found, Exception) and name not in _NOT_RAISED
            and not issubclass(found, NotPlainData)):
        return found(message)
    return RuntimeError(f"{name}: {message}")


def _status(pid: int) -> str:
    """How the candidate's process ended, in words (it is reaped here)."""
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return "ended"
    if os.WIFSIGNALED(status):
        return f"was killed by signal {os.WTERMSIG(status)}"
    return f"exited with status {os.WEXITSTATUS(status)}"


def _judge(job: dict[str, Any], namespace: dict[str, Any], calls: IO[bytes], replies: IO[bytes],
           pid: int) -> tuple[str, str]:
    """(code, message): ("pass", "") once ``check`` returns, else why not."""
    calls.write(b"go\n" + job["entry_point"].encode("ascii", "replace") + b"\n")
    calls.flush()
    ready = _receive(replies)
    if ready is None:
        status = _status(pid)
        code = "exited_early" if status.endswith("status 0") else "crashed"
        return code, f"the answer's process {status} before the unit tests ran"
    if not (isinstance(ready, dict) and ready.get("ready") == 1):
        return "crashed", str(ready.get("load", "malformed reply") if isinstance(ready, dict)
                              else "malformed reply")
    candidate = _Proxy(calls, replies, pid)
    # Tests may call the function by its own name too (HumanEval/33 does): that is the answer's.
    namespace[job["entry_point"]] = candidate
    exec(compile(job["test"], "test.py", "exec"), namespace)
    try:
        namespace["check"](candidate)
    except _Gone:
        status = _status(pid)
        code = "exited_early" if status.endswith("status 0") else "crashed"
        return code, f"the answer's process {status} before the unit tests finished"
    except NotPlainData as exc:
        return "not_plain_data", f"the function's result cannot cross: {exc}"
    except AssertionError as exc:
        return "tests_failed", _headline(exc)
    except Exception as exc:  # a crash in the tests' calls is the answer's fault
        return "crashed", _headline(exc)
    return "pass", ""


def _candidate(calls: tuple[int, int], replies: tuple[int, int]) -> None:
    """The forked child: stdin emptied, stdout onto stderr, serve; never returns."""
    status = 0
    try:
        os.close(calls[1])
        os.close(replies[0])
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        os.dup2(2, 1)
        _serve(os.fdopen(calls[0], "rb"), os.fdopen(replies[1], "wb"))
    except SystemExit as exc:
        status = 0 if exc.code is None else exc.code if isinstance(exc.code, int) else 1
    except BaseException as exc:
        sys.excepthook(type(exc), exc, exc.__traceback__)
        status = 1
    finally:
        # Never return into the checker's code, whatever the answer did.
        os._exit(status)


def main() -> int:
    """Fork the candidate, read the job, judge, print the verdict line; exit 0 only on a pass."""
    _no_dumps()
    # The problem's prompt (its imports, its helpers) is no secret: the answer's module starts
    # with it. Run before the fork, its imports (typing, mostly) are loaded once for both.
    namespace: dict[str, Any] = {"__name__": "__checker__"}
    with open(PROMPT_FILE, encoding="utf-8") as handle:
        exec(compile(handle.read(), PROMPT_FILE, "exec"), namespace)  # the dataset's own code
    calls_in, calls_out = os.pipe()
    replies_in, replies_out = os.pipe()
    pid = os.fork()
    if pid == 0:
        _candidate((calls_in, calls_out), (replies_in, replies_out))
    os.close(calls_in)
    os.close(replies_out)
    job = marshal.loads(sys.stdin.buffer.read())
    token = job["token"]
    calls, replies = os.fdopen(calls_out, "wb"), os.fdopen(replies_in, "rb")
    try:
        code, message = _judge(job, namespace, calls, replies, pid)
    except BaseException as exc:  # any other end is a fail, never a pass
        code, message = "crashed", _headline(exc)
    try:  # reaped before the verdict: its ends of stdout/stderr are closed when we exit
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    except OSError:
        pass
    if code == "pass":
        print(f"\n{token} pass", flush=True)
        return 0
    print(message, file=sys.stderr, flush=True)
    print(f"\n{token} fail {code} {message}", flush=True)
    return 1


if __name__ == "__main__":
    _code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(_code)  # no interpreter teardown: ~2 ms a problem, nothing left to clean
