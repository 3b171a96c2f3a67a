"""Typed records for everything showdown measures, judges and stores.

Every record is a plain dataclass so it can be stored as JSON and rebuilt without loss;
``to_dict``/``from_dict`` are the only (de)serialisation path the store and reports use.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import typing
from dataclasses import dataclass, field
from typing import Any, TypeVar

from showdown.facts import Figures, Host, ModelInfo

__all__ = [
    "SCHEMA_VERSION",
    "CheckResult",
    "Diagnosis",
    "ExecResult",
    "Figures",
    "Generation",
    "GenerationSettings",
    "Host",
    "ModelInfo",
    "Result",
    "RunInfo",
    "RunOptions",
    "StyleMetrics",
    "TestRun",
    "Verdict",
    "from_dict",
    "is_failed",
    "result_id",
    "to_dict",
]


@dataclass(frozen=True)
class GenerationSettings:
    """The fair settings every model gets; recorded with every result."""

    max_tokens: int = 16384
    ctx: int = 16384
    temperature: float = 0.0
    seed: int = 42


@dataclass
class Generation:
    """One streamed answer and the clocks around it.

    Client figures come from a monotonic clock in showdown's process; ``server_*`` figures are
    what the backend itself reported (None where it reported nothing). README's "What is
    measured" defines each figure. ``error`` set means the generation FAILED (the server or
    the connection, not the model): what arrived is kept for inspection, never judged.
    """

    text: str = ""
    reasoning: str = ""
    ttft_s: float | None = None
    total_s: float | None = None
    output_tokens: int | None = None
    prompt_tokens: int | None = None
    tokens_per_s: float | None = None
    finish_reason: str | None = None
    server_tokens_per_s: float | None = None
    server_timings: dict[str, Any] = field(default_factory=dict)
    load_s: float | None = None
    attempts: int = 1
    error: str | None = None
    #: Reasoning tokens the server counted (``completion_tokens_details.reasoning_tokens``,
    #: Anthropic's ``thinking_tokens``), streamed or hidden; None when it said nothing.
    reasoning_tokens: int | None = None
    ttft_reasoning_s: float | None = None  # first reasoning text; None when none was streamed
    ttft_answer_s: float | None = None  # first answer (or refusal) text, after any reasoning
    total_tokens_per_s: float | None = None  # every output token, hidden ones too, / total_s
    refusal: str = ""  # what the model said when it refused (OpenAI ``delta.refusal``)


@dataclass
class ExecResult:
    """What one sandboxed process did: a program's failure is data, not an exception."""

    argv: list[str]
    exit_code: int | None
    stdout: str
    stderr: str
    duration_s: float
    timed_out: bool = False
    signal: int | None = None
    stdout_truncated: bool = False
    stderr_truncated: bool = False
    isolation: str = "process"
    limit_hit: str | None = None
    #: The limits this run ran under, as enforced (e.g. memory_mb, disk_mb, cgroup, seccomp).
    limits: dict[str, int | float | str] = field(default_factory=dict)


@dataclass
class CheckResult:
    """One static check on the extracted code."""

    name: str
    passed: bool
    detail: str = ""


@dataclass
class TestRun:
    """One functional test: the commands it ran and whether what came back was right."""

    __test__ = False  # not a pytest test class, despite the name

    name: str
    passed: bool
    detail: str = ""
    commands: list[ExecResult] = field(default_factory=list)


@dataclass(frozen=True)
class Diagnosis:
    """A machine-readable reason a result is what it is (``code``) and a sentence for people."""

    code: str
    message: str


@dataclass(frozen=True)
class StyleMetrics:
    """Style counts of one piece of code (None shares where nothing could carry one); worked
    out once when an answer is judged (``showdown.codestyle``) and stored with its verdict."""

    lines: int
    functions: int
    classes: int
    docstring_share: float | None
    type_hint_share: float | None
    try_blocks: int
    with_blocks: int
    third_party: tuple[str, ...]
    comment_density: float
    #: A digest of the code itself, so reports can tell whether two answers wrote the same
    #: code (``run --set``: did a setting change it?) without the code at hand.
    code_sha256: str | None = None


@dataclass
class Verdict:
    """How a task judged one answer."""

    task: str
    syntax_ok: bool
    features: list[CheckResult] = field(default_factory=list)
    functional: list[TestRun] = field(default_factory=list)
    score: int = 0
    diagnoses: list[Diagnosis] = field(default_factory=list)
    code: str = ""
    code_lines: int = 0
    isolation: str = ""
    #: The judging's seed where the task varies its tests per judging (``score --seed`` replays).
    seed: int | None = None
    #: Style counts of ``code`` (None: it did not parse, or stored before they were kept).
    style: StyleMetrics | None = None

    @property
    def features_passed(self) -> int:
        return sum(c.passed for c in self.features)

    @property
    def functional_passed(self) -> int:
        return sum(t.passed for t in self.functional)


#: The stored records' shape: 2 adds ``size_bytes`` to every model_info (``store.py`` upgrades
#: an older store when it opens it).
SCHEMA_VERSION = 2


@dataclass
class RunOptions:
    """A run's per-model options, one table per model in ``RunInfo.models`` order, so a
    resumed run starts each model as the first part did."""

    model_options: list[dict[str, Any]] = field(default_factory=list)
    #: The cluster node (a Ray resource name) each model ran on, "" for any (``--cluster``).
    nodes: list[str] = field(default_factory=list)


@dataclass
class Result:
    """One (model, task, trial) measurement: the row the store keeps and reports read."""

    run_id: str
    model: str
    spec: str
    task: str
    trial: int
    settings: GenerationSettings
    generation: Generation
    verdict: Verdict | None
    started_at: str
    model_info: dict[str, Any] = field(default_factory=dict)
    host: dict[str, Any] = field(default_factory=dict)
    case: str = ""
    telemetry: dict[str, Any] = field(default_factory=dict)

    @property
    def info(self) -> ModelInfo:
        """``model_info`` typed (placement, size, server, context)."""
        return ModelInfo.decode(self.model_info)

    @property
    def host_info(self) -> Host:
        """``host`` typed (CPU, RAM, GPUs, OS, what was busy)."""
        return Host.decode(self.host)

    @property
    def figures(self) -> Figures:
        """``telemetry`` typed (peak memory, energy)."""
        return Figures.decode(self.telemetry)


@dataclass
class RunInfo:
    """One ``showdown run``: its settings, where it ran and how it ended."""

    run_id: str
    started_at: str
    settings: GenerationSettings
    round: str = ""
    finished_at: str | None = None
    status: str = "running"  # running, finished, or interrupted (also by a crash)
    models: list[str] = field(default_factory=list)
    tasks: list[str] = field(default_factory=list)
    trials: int = 1
    host: dict[str, Any] = field(default_factory=dict)
    options: RunOptions = field(default_factory=RunOptions)
    task_dirs: list[str] = field(default_factory=list)
    case_limit: int | None = None
    only_cases: list[str] | None = None
    pid: int | None = None


def result_id(result: Result) -> str:
    """A short stable id of a result (its key hashed), to address it in ``showdown show``."""
    key = "/".join((result.run_id, result.model, result.task, result.case, str(result.trial)))
    return hashlib.sha1(key.encode("utf-8"), usedforsecurity=False).hexdigest()[:10]


def is_failed(result: Result) -> bool:
    """A failed generation (``generation.error`` set): never ranked, scored or counted as
    measured; reports list it apart with its reason."""
    return result.generation.error is not None


T = TypeVar("T")


def to_dict(record: Any) -> dict[str, Any]:
    """A JSON-ready dict of any record above."""
    return dataclasses.asdict(record)


def from_dict(cls: type[T], data: dict[str, Any]) -> T:
    """Rebuild a record (and the records nested in it) from ``to_dict`` output."""
    return _build(cls, data)  # type: ignore[no-any-return]


def _build(cls: Any, data: Any) -> Any:
    return data if data is None or not _is_record(cls) else _decoder(cls)(data)


def _is_record(hint: Any) -> bool:
    """A record class (a plain bool: ``is_dataclass`` narrows to a type mypy cannot hash)."""
    return isinstance(hint, type) and dataclasses.is_dataclass(hint)


#: How to rebuild one field's value from JSON.
_Converter = typing.Callable[[Any], Any]


@functools.cache
def _decoder(cls: Any) -> _Converter:
    """A function that rebuilds one ``cls`` from its dict, worked out once per class: reading
    type hints is dear, and a store of 100k results rebuilds millions of records."""
    hints = typing.get_type_hints(cls)
    names = frozenset(f.name for f in dataclasses.fields(cls))
    nested = tuple((f.name, convert) for f in dataclasses.fields(cls)
                   if (convert := _converter(hints[f.name])) is not None)

    def decode(data: dict[str, Any]) -> Any:
        if nested:
            data = dict(data)
            for name, convert in nested:
                if name in data:
                    data[name] = convert(data[name])
        try:
            return cls(**data)
        except TypeError:
            if data.keys() <= names:
                raise
            # Written by another version: its extra keys are dropped.
            return cls(**{k: v for k, v in data.items() if k in names})

    return decode


def _converter(hint: Any) -> _Converter | None:
    """Rebuild nested records: ``Record``, ``Record | None``, ``list[Record]``; and tuples
    (JSON has only lists) as tuples. None: the value is used as it is."""
    records = [a for a in typing.get_args(hint) if _is_record(a)]
    if _is_record(hint):
        records = [hint]
    elif typing.get_origin(hint) is list and records:
        item = _decoder(records[0])
        return lambda value: None if value is None else [item(v) for v in value]
    elif typing.get_origin(hint) is tuple:
        return lambda value: None if value is None else tuple(value)
    if not records:
        return None
    decode = _decoder(records[0])
    return lambda value: None if value is None else decode(value)
