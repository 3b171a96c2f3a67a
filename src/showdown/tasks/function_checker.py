"""Judge one function across a process boundary (standard library only; runs in the sandbox).

The function task copies this file and the answer's module (``solution.py``) into a fresh
folder and runs ``python -I -S function_checker.py`` with the job on stdin. The process makes
itself non-dumpable, forks, and splits in two:

- the **candidate** (the child) loads the answer's module and answers calls: it reads
  arguments, calls the function, writes the result. It never holds the tests: it is forked
  before the job is read and waits until the job has been read to the end, so the stdin pipe
  is empty by the time the answer's code runs, and its stdout goes to stderr.
- the **checker** (the parent) reads the job (the problem's prompt and tests, and a token),
  runs the tests' ``check(candidate)`` with ``candidate`` a proxy that sends each call over a
  pipe, and prints ``TOKEN pass`` only once ``check`` returns, else ``TOKEN fail CODE MESSAGE``.

What crosses is plain data only, encoded as JSON with tags so tuples stay tuples, ints ints
and floats floats (NaN and infinities included): None, bool, int, float, complex, str, bytes,
list, tuple, dict, set, frozenset, nested up to ``MAX_DEPTH``, at most ``MAX_LINE`` bytes a
message. Exact types only: a subclass (an int that is "equal to everything") cannot cross, and
an exception crosses as its type name and message. Tracing, patching or exiting inside the
candidate changes nothing in the checker: a separate address space the candidate cannot read
(non-dumpable: no ptrace, no ``/proc/PID/mem``, ``/fd`` or ``/environ``). It can still kill
the checker (same user): then no verdict is printed, and no verdict is a fail.
"""

from __future__ import annotations

import builtins
import json
import os
import sys
import traceback
from typing import IO, Any

__all__ = ["MAX_DEPTH", "MAX_LINE", "NotPlainData", "decode", "encode", "main"]

MAX_DEPTH = 100
MAX_LINE = 64 * 1024 * 1024
_TAGS = ("t", "s", "fs", "d", "b", "c")
# Exceptions the checker may raise by name; anything else crosses as RuntimeError.
_NOT_RAISED = {"StopIteration", "StopAsyncIteration"}


class NotPlainData(TypeError):
    """A value that is not plain data (or is nested too deep) cannot cross the boundary."""


def encode(value: Any, depth: int = 0) -> Any:
    """``value`` as JSON-ready data with tags for tuple, set, dict, bytes and complex."""
    if depth > MAX_DEPTH:
        raise NotPlainData(f"nested deeper than {MAX_DEPTH} levels")
    kind = type(value)
    if value is None or kind in (bool, int, float, str):
        return value
    if kind not in _EXACT:
        # A subclass of a plain type (a namedtuple, an IntEnum) crosses as the plain value its
        # base type's own methods read out of it; its overrides (an ``__eq__`` that is always
        # true) stay behind. ``type()``, not ``isinstance``: ``__class__`` can be faked.
        base = next((b for b in _BASES if issubclass(kind, b)), None)
        if base is None:
            raise NotPlainData(f"a {kind.__name__} is not plain data")
        value, kind = _BASES[base](value), base
        if kind in (int, float, str):
            return value
    if kind is list:
        return [encode(v, depth + 1) for v in value]
    if kind is tuple:
        return {"t": [encode(v, depth + 1) for v in value]}
    if kind is set or kind is frozenset:
        return {"s" if kind is set else "fs": [encode(v, depth + 1) for v in value]}
    if kind is dict:
        return {"d": [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in value.items()]}
    if kind is bytes:
        return {"b": value.hex()}
    if kind is complex:
        return {"c": [value.real, value.imag]}
    raise NotPlainData(f"a {kind.__name__} is not plain data")


_BASES: dict[type, Any] = {
    int: int.__int__, float: float.__float__, str: str.__str__,
    list: lambda v: list(list.__iter__(v)), tuple: lambda v: tuple(tuple.__iter__(v)),
    dict: lambda v: dict(dict.items(v)), set: lambda v: set(set.__iter__(v)),
    frozenset: lambda v: frozenset(frozenset.__iter__(v)), bytes: lambda v: bytes(memoryview(v)),
    complex: lambda v: complex(complex.__complex__(v)) if hasattr(complex, "__complex__")
    else complex(float(v.real), float(v.imag)),
}
_EXACT = frozenset({type(None), *_BASES})


def decode(data: Any, depth: int = 0) -> Any:
    """The value ``encode`` made ``data`` from; NotPlainData for anything it cannot have made."""
    if depth > MAX_DEPTH:
        raise NotPlainData(f"nested deeper than {MAX_DEPTH} levels")
    kind = type(data)
    if data is None or kind in (bool, int, float, str):
        return data
    if kind is list:
        return [decode(v, depth + 1) for v in data]
    if kind is not dict or len(data) != 1 or next(iter(data)) not in _TAGS:
        raise NotPlainData("malformed message")
    tag, body = next(iter(data.items()))
    try:
        if tag == "b":
            return bytes.fromhex(body)
        if tag == "c":
            return complex(float(body[0]), float(body[1]))
        items = [decode(v, depth + 1) for v in body] if tag != "d" else None
        if tag == "t":
            return tuple(items or ())
        if tag in ("s", "fs"):
            return (set if tag == "s" else frozenset)(items or ())
        return {decode(k, depth + 1): decode(v, depth + 1) for k, v in body}
    except (TypeError, ValueError, IndexError) as exc:
        raise NotPlainData(f"malformed message ({type(exc).__name__})") from exc


def _send(pipe: IO[bytes], message: Any) -> None:
    pipe.write(json.dumps(message).encode("ascii") + b"\n")
    pipe.flush()


def _receive(pipe: IO[bytes]) -> Any:
    """One message, or None at end of file; NotPlainData when it is too large or not JSON."""
    line = pipe.readline(MAX_LINE + 1)
    if not line:
        return None
    if len(line) > MAX_LINE:
        raise NotPlainData(f"a message over {MAX_LINE} bytes")
    try:
        return json.loads(line)
    except (ValueError, RecursionError) as exc:
        raise NotPlainData("malformed message") from exc


def _no_dumps() -> None:
    """Make this process (and the fork) non-dumpable: no ptrace or /proc reads by its user."""
    try:
        import ctypes  # noqa: PLC0415 (only where the checker runs)

        ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE, 0
    except (OSError, AttributeError):  # not Linux: the sandbox is the only boundary left
        pass


# --- the candidate's side ---------------------------------------------------------------


def _serve(calls: IO[bytes], replies: IO[bytes]) -> None:
    """Load the answer's module, then answer calls until the checker goes away."""
    if calls.readline() != b"go\n":
        return
    import _sitebuiltins  # noqa: PLC0415 (``exit``/``quit`` as ``python -S`` lacks them)

    builtins.exit = _sitebuiltins.Quitter("exit", "Ctrl-D (i.e. EOF)")  # type: ignore[attr-defined]
    builtins.quit = _sitebuiltins.Quitter("quit", "Ctrl-D (i.e. EOF)")  # type: ignore[attr-defined]
    sys.argv = ["solution.py"]
    namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
    entry = calls.readline().decode("ascii", "replace").strip()
    try:
        with open("solution.py", encoding="utf-8") as handle:
            exec(compile(handle.read(), "solution.py", "exec"), namespace)  # noqa: S102
        function = namespace[entry]
    except Exception as exc:  # noqa: BLE001 (the answer's failure is the verdict's data)
        traceback.print_exc()
        _send(replies, {"load": _headline(exc)})
        return
    _send(replies, {"ready": 1})
    while (request := _receive(calls)) is not None:
        try:
            args, kwargs = decode(request[0]), decode(request[1])
            result = function(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001
            _send(replies, {"e": type(exc).__name__, "m": str(exc)[:500]})
            continue
        try:
            reply = {"r": encode(result)}
        except (NotPlainData, RecursionError) as exc:
            reply = {"x": str(exc)[:500]}
        _send(replies, reply)


# --- the checker's side -----------------------------------------------------------------


class _Proxy:
    """What the tests call ``candidate``: each call crosses to the candidate's process."""

    def __init__(self, calls: IO[bytes], replies: IO[bytes], pid: int) -> None:
        self.calls, self.replies, self.pid = calls, replies, pid
        self.__name__ = "candidate"

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            _send(self.calls, [encode(list(args)), encode(kwargs)])
        except BrokenPipeError:
            raise _Gone() from None
        reply = _receive(self.replies)
        if reply is None:
            raise _Gone()
        if isinstance(reply, dict) and "r" in reply:
            return decode(reply["r"])
        if isinstance(reply, dict) and "e" in reply:
            raise _exception(str(reply.get("e")), str(reply.get("m", "")))
        if isinstance(reply, dict) and "x" in reply:
            raise NotPlainData(str(reply["x"]))
        raise NotPlainData("malformed reply")


class _Gone(Exception):  # noqa: N818 (a state, not an error of the tests)
    """The candidate's process ended while the tests still needed it."""


def _exception(name: str, message: str) -> Exception:
    found = getattr(builtins, name, None)
    if (isinstance(found, type) and issubclass(found, Exception) and name not in _NOT_RAISED
            and not issubclass(found, NotPlainData)):
        return found(message)
    return RuntimeError(f"{name}: {message}")


def _headline(exc: BaseException) -> str:
    lines = "".join(traceback.format_exception_only(type(exc), exc)).strip().splitlines()
    return (lines[-1] if lines else type(exc).__name__)[:300]


def _status(pid: int) -> str:
    """How the candidate's process ended, in words (it is reaped here)."""
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return "ended"
    if os.WIFSIGNALED(status):
        return f"was killed by signal {os.WTERMSIG(status)}"
    return f"exited with status {os.WEXITSTATUS(status)}"


def _judge(job: dict[str, Any], calls: IO[bytes], replies: IO[bytes], pid: int) -> tuple[str, str]:
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
    namespace: dict[str, Any] = {"__name__": "__checker__"}
    exec(compile(job["prompt"], "prompt.py", "exec"), namespace)  # noqa: S102 (dataset code)
    candidate = _Proxy(calls, replies, pid)
    # Tests may call the function by its own name too (HumanEval/33 does): that is the answer's.
    namespace[job["entry_point"]] = candidate
    exec(compile(job["test"], "test.py", "exec"), namespace)  # noqa: S102 (dataset code)
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
    except Exception as exc:  # noqa: BLE001 (a crash in the tests is the answer's fault)
        return "crashed", _headline(exc)
    return "pass", ""


def main() -> int:
    """Fork the candidate, read the job, judge, print the verdict line; exit 0 only on a pass."""
    _no_dumps()
    calls_in, calls_out = os.pipe()
    replies_in, replies_out = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            os.close(calls_out)
            os.close(replies_in)
            os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
            os.dup2(2, 1)
            _serve(os.fdopen(calls_in, "rb"), os.fdopen(replies_out, "wb"))
        except SystemExit as exc:
            code = 0 if exc.code is None else exc.code if isinstance(exc.code, int) else 1
        except BaseException:  # noqa: BLE001
            traceback.print_exc()
            code = 1
        finally:
            # Never return into the checker's code below, whatever the answer did.
            os._exit(code)
    os.close(calls_in)
    os.close(replies_out)
    job = json.loads(sys.stdin.buffer.read())
    token = job["token"]
    calls, replies = os.fdopen(calls_out, "wb"), os.fdopen(replies_in, "rb")
    try:
        code, message = _judge(job, calls, replies, pid)
    except BaseException as exc:  # noqa: BLE001 (any other end is a fail, never a pass)
        code, message = "crashed", _headline(exc)
    try:
        os.kill(pid, 9)
    except OSError:
        pass
    if code == "pass":
        print(f"\n{token} pass", flush=True)
        return 0
    print(message, file=sys.stderr, flush=True)
    print(f"\n{token} fail {code} {message}", flush=True)
    return 1


if __name__ == "__main__":
    sys.exit(main())
