"""Pure parsing of a model's edit to a code base: whole files or a unified diff, applied in memory.

An answer names files in fenced blocks (a path on the opening line, a ``# file: PATH`` first line,
or a path on the line just above the fence) or gives a unified diff. Nothing here touches the
disk: a repository is a ``{path: text}`` mapping, and every path is checked to stay inside it.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from showdown.extract import split_reasoning

__all__ = [
    "Applied",
    "FilePatch",
    "Hunk",
    "PatchError",
    "RepoEdit",
    "apply_edit",
    "apply_patch",
    "parse_answer",
    "parse_diff",
    "safe_path",
]

_OPEN = re.compile(r"^[ \t]*(`{3,}|~{3,})[ \t]*(.*)$")
_FILE_LINE = re.compile(
    r"^\s*(?:#|//|--|;|<!--)\s*(?:file(?:name)?|path)\s*:\s*(\S+?)\s*(?:-->)?\s*$", re.IGNORECASE)
_PATHLIKE = re.compile(r"^[\w.-]+(?:/[\w.-]+)*$")
_HUNK = re.compile(r"^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@")
_DIFF_LANGS = {"diff", "patch", "udiff"}
# The most files and diff hunks one answer may change (see _Quota).
MAX_PATHS = 200
MAX_HUNKS = 1000


class PatchError(ValueError):
    """A diff that does not apply to the file it names (the message says which hunk)."""


@dataclass(frozen=True)
class Hunk:
    """One ``@@`` section: where it claims to start and its ' ', '-' and '+' lines."""

    old_start: int
    lines: tuple[str, ...]

    @property
    def old(self) -> list[str]:
        return [ln[1:] for ln in self.lines if ln[0] in " -"]

    @property
    def new(self) -> list[str]:
        return [ln[1:] for ln in self.lines if ln[0] in " +"]


@dataclass(frozen=True)
class FilePatch:
    """The hunks for one file; ``old_path`` None creates it, ``new_path`` None deletes it."""

    old_path: str | None
    new_path: str | None
    hunks: tuple[Hunk, ...]


@dataclass(frozen=True)
class RepoEdit:
    """What an answer asks to change: whole files, patches, and paths refused as unsafe."""

    files: dict[str, str] = field(default_factory=dict)
    patches: list[FilePatch] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    unlabelled: int = 0
    unterminated: bool = False

    @property
    def empty(self) -> bool:
        return not self.files and not self.patches


@dataclass(frozen=True)
class Applied:
    """The repository after an edit: every file, the paths that changed, and what failed."""

    files: dict[str, str]
    changed: list[str]
    deleted: list[str]
    problems: list[str]


def safe_path(raw: str) -> str | None:
    """A clean relative POSIX path inside the repository, or None for one that escapes it."""
    path = raw.strip().strip("`'\"*").strip()
    if path.startswith("./"):
        path = path[2:]
    if not path or "\\" in path or path.startswith(("/", "~")) or re.match(r"^[A-Za-z]:", path):
        return None
    parts = PurePosixPath(path).parts
    if any(part in ("..", "") for part in parts) or path.endswith("/"):
        return None
    return PurePosixPath(*parts).as_posix()


def _info_path(info: str) -> str | None:
    """A path written on a fence's opening line: "python app/x.py", "app/x.py", "py:app/x.py"."""
    for token in info.split():
        token = re.sub(r"^(?:file|path|title|filename)=", "", token).strip("'\"")
        token = token.split(":", 1)[1] if ":" in token else token
        if _PATHLIKE.match(token) and ("/" in token or re.search(r"\.\w+$", token)):
            return token
    return None


def _label_path(line: str) -> str | None:
    """A path a model put on the line above a fence: "**app/x.py**", "### `app/x.py`:"."""
    text = re.sub(r"^\s*(?:#+|[-*]|\d+\.)\s+", "", line.strip())
    text = re.sub(r"^(?:file(?:name)?|path)\s*:\s*", "", text, flags=re.IGNORECASE)
    text = text.strip().strip("*_`").rstrip(":").strip().strip("*_`").strip()
    if " " not in text and _PATHLIKE.match(text) and ("/" in text or re.search(r"\.\w+$", text)):
        return text
    return None


def _blocks(text: str) -> list[tuple[str, str, str, bool]]:
    """Every fenced block as (info string, body, line above the fence, terminated)."""
    lines = text.splitlines()
    found: list[tuple[str, str, str, bool]] = []
    i = 0
    while i < len(lines):
        opening = _OPEN.match(lines[i])
        if opening is None:
            i += 1
            continue
        fence, info = opening.group(1), opening.group(2).strip()
        above = next((ln for ln in reversed(lines[max(0, i - 2) : i]) if ln.strip()), "")
        closing = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        end = next((j for j in range(i + 1, len(lines)) if closing.match(lines[j])), None)
        body = lines[i + 1 : end if end is not None else len(lines)]
        found.append((info, "\n".join(body) + "\n" if body else "", above, end is not None))
        i = end + 1 if end is not None else len(lines)
    return found


def _looks_like_diff(text: str) -> bool:
    return bool(re.search(r"^\+\+\+ ", text, re.M) and re.search(r"^@@ ", text, re.M))


def parse_answer(answer: str) -> RepoEdit:
    """The files and patches an answer gives, reasoning dropped; later blocks win per path."""
    text, _ = split_reasoning(answer)
    blocks = _blocks(text)
    if not blocks and _looks_like_diff(text):
        blocks = [("diff", text, "", True)]
    files: dict[str, str] = {}
    patches: list[FilePatch] = []
    refused: list[str] = []
    unlabelled = 0
    for info, body, above, _ in blocks:
        lang = info.split()[0].lower() if info else ""
        first, _, rest = body.partition("\n")
        named = _FILE_LINE.match(first)
        if lang in _DIFF_LANGS or _looks_like_diff(body):
            for patch in parse_diff(body):
                bad = [p for p in (patch.old_path, patch.new_path) if p and safe_path(p) is None]
                refused += bad
                if not bad:
                    patches.append(patch)
            continue
        raw = _info_path(info) or (named.group(1) if named else None) or _label_path(above)
        if raw is None:
            unlabelled += 1
            continue
        path = safe_path(raw)
        if path is None:
            refused.append(raw)
            continue
        files[path] = rest if named else body
    unterminated = bool(blocks) and not blocks[-1][3]
    return RepoEdit(files, patches, refused, unlabelled, unterminated)


def _diff_path(header: str) -> str | None:
    path = header[4:].split("\t")[0].strip()
    if path == "/dev/null":
        return None
    return path[2:] if re.match(r"^[ab]/", path) else path


def parse_diff(text: str) -> list[FilePatch]:
    """The file patches in a unified diff; hunk line counts are not trusted (models miscount)."""
    lines = text.splitlines()
    patches: list[FilePatch] = []
    i = 0
    while i < len(lines):
        if not (lines[i].startswith("--- ") and i + 1 < len(lines)
                and lines[i + 1].startswith("+++ ")):
            i += 1
            continue
        old, new = _diff_path(lines[i]), _diff_path(lines[i + 1])
        hunks: list[Hunk] = []
        i += 2
        while i < len(lines) and (start := _HUNK.match(lines[i])):
            body: list[str] = []
            i += 1
            while i < len(lines) and not _HUNK.match(lines[i]) and not _file_header(lines, i):
                line = lines[i]
                if line.startswith("\\"):  # "\ No newline at end of file"
                    pass
                elif line == "" or line[0] in " -+":
                    body.append(line or " ")
                else:
                    break
                i += 1
            hunks.append(Hunk(int(start.group(1)), tuple(body)))
        patches.append(FilePatch(old, new, tuple(hunks)))
    return patches


def _file_header(lines: list[str], i: int) -> bool:
    if lines[i].startswith("diff --git "):
        return True
    return lines[i].startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ ")


def _find(lines: list[str], old: list[str], hint: int, start: int) -> int | None:
    """Where ``old`` occurs from ``start``, nearest ``hint``; failing that, ignoring end spaces."""
    at = _nearest(lines, old, hint, start)
    if at is None:
        at = _nearest([ln.rstrip() for ln in lines], [ln.rstrip() for ln in old], hint, start)
    return at


def _nearest(lines: list[str], old: list[str], hint: int, start: int) -> int | None:
    """The index ``i >= start`` nearest ``hint`` (the lower on a tie) where ``lines[i:]``
    begins with ``old``, found by ``str.find`` on the joined text: linear, where comparing at
    every index would take (file lines x hunk lines) steps, minutes for a hostile diff."""
    if len(old) > len(lines) - start:
        return None
    text = "\n" + "\n".join(lines) + "\n"  # lines hold no line breaks: matches align to lines
    needle = "\n" + "\n".join(old) + "\n"
    pivot = min(max(hint, start), len(lines))

    def offset(index: int) -> int:  # where line ``index``'s leading "\n" sits in ``text``
        return sum(map(len, lines[:index])) + index

    low, mid = offset(start), offset(pivot)
    after = text.find(needle, mid)
    before = text.rfind(needle, low, mid + len(needle) - 1)
    spots = [text.count("\n", 0, p) for p in (before, after) if p >= 0]
    return min(spots, key=lambda i: (abs(i - hint), i)) if spots else None


def apply_patch(content: str, patch: FilePatch) -> str:
    """The file's new text after every hunk, or PatchError naming the hunk that does not fit."""
    lines = content.splitlines()
    offset = 0
    cursor = 0
    for number, hunk in enumerate(patch.hunks, 1):
        old, new = hunk.old, hunk.new
        if not old:
            # A pure insertion: "-N,0" means after line N.
            at: int | None = min(max(hunk.old_start + offset, 0), len(lines))
        else:
            at = _find(lines, old, hunk.old_start - 1 + offset, cursor)
        if at is None:
            raise PatchError(f"hunk {number} of {patch.new_path or patch.old_path} does not match")
        lines[at : at + len(old)] = _merge(hunk, lines[at : at + len(old)])
        offset += len(new) - len(old)
        cursor = at + len(new)
    return "\n".join(lines) + "\n" if lines else ""


def _merge(hunk: Hunk, matched: list[str]) -> list[str]:
    """The hunk's new lines, keeping the file's own context lines (whitespace and all)."""
    out: list[str] = []
    k = 0
    for line in hunk.lines:
        if line[0] == "+":
            out.append(line[1:])
            continue
        if line[0] == " ":
            out.append(matched[k])
        k += 1
    return out


def apply_edit(
    files: Mapping[str, str], edit: RepoEdit, reserved: Collection[str] = (),
    reserved_prefixes: Collection[str] = (),
) -> Applied:
    """The repository after ``edit``; paths at or under a ``reserved`` path are refused.

    So are paths starting with one of ``reserved_prefixes`` (names the harness keeps for
    itself at the top level, such as its outcome files).
    """
    result = dict(files)
    problems = [f"refused path outside the repository: {p}" for p in edit.refused]
    quota = _Quota()

    def allowed(path: str) -> bool:
        if (any(path == r or path.startswith(r.rstrip("/") + "/") for r in reserved)
                or any(path.startswith(prefix) for prefix in reserved_prefixes)):
            problems.append(f"refused reserved path: {path}")
            return False
        return True

    for path, text in edit.files.items():
        if allowed(path) and quota.fits(path):
            result[path] = text
    for patch in edit.patches:
        target = safe_path(patch.new_path or patch.old_path or "")
        if target is not None and allowed(target) and quota.fits(target, len(patch.hunks)):
            problem = _apply_file_patch(result, patch, target)
            if problem:
                problems.append(problem)
    problems += quota.problems()
    changed = sorted(p for p in result if files.get(p) != result[p])
    deleted = sorted(p for p in files if p not in result)
    return Applied(result, changed, deleted, problems)


@dataclass
class _Quota:
    """How much one answer may change: writing tens of thousands of files, or applying tens of
    thousands of hunks, costs minutes and disk; no honest feature needs a fraction of it."""

    paths: set[str] = field(default_factory=set)
    hunks: int = 0
    over: list[str] = field(default_factory=list)

    def fits(self, path: str, hunks: int = 0) -> bool:
        if (path not in self.paths and len(self.paths) >= MAX_PATHS) or \
                self.hunks + hunks > MAX_HUNKS:
            self.over.append(path)
            return False
        self.paths.add(path)
        self.hunks += hunks
        return True

    def problems(self) -> list[str]:
        if not self.over:
            return []
        return [f"refused {len(self.over)} change(s) beyond the {MAX_PATHS} files and "
                f"{MAX_HUNKS} diff hunks one answer may make (first: {self.over[0]})"]


def _apply_file_patch(files: dict[str, str], patch: FilePatch, target: str) -> str | None:
    """Apply one file's patch to ``files`` in place; what went wrong, or None."""
    source = safe_path(patch.old_path) if patch.old_path else None
    if patch.old_path is not None and (source is None or source not in files):
        return f"the diff changes {patch.old_path}, which does not exist"
    try:
        text = apply_patch(files[source] if source else "", patch)
    except PatchError as exc:
        return str(exc)
    if source and source != target:
        del files[source]
    if patch.new_path is None:
        files.pop(target, None)
    else:
        files[target] = text
    return None
