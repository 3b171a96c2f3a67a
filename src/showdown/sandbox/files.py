"""Folder operations on trees a hostile program left: iterative, fd-relative, never following links.

A program can leave a tree thousands of levels deep, paths longer than PATH_MAX, folders of
mode 000 and links pointing anywhere. Everything here walks with one open folder at a time
(``..`` to climb back, checked to land where it came from), names entries relative to it
(``dir_fd``) and uses ``O_NOFOLLOW``, so there is no recursion limit, no path length limit and
no way to be led outside the tree.

Scratch folders are named ``showdown-<pid>-…``: ``sweep_stale`` removes those whose owner
process is gone (a showdown killed before its cleanup ran).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import functools
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = [
    "clear_dir", "copy_in", "ensure_private_dir", "hand_over", "largest_file", "mount_tmpfs",
    "pid_alive", "remove_tree", "sweep_stale", "walk_fd",
]

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_MNT_DETACH = 2
_MS_NOSUID, _MS_NODEV = 2, 4
_STALE = re.compile(r"showdown-(\d+)-")
#: Called for every entry: (folder fd, name, is_dir).
Visit = Callable[[int, str, bool], None]


def _open_child(parent_fd: int, name: str) -> int | None:
    """Open a sub-folder for walking; make it walkable first when its mode forbids it."""
    try:
        return os.open(name, _DIR_FLAGS, dir_fd=parent_fd)
    except PermissionError:
        with contextlib.suppress(OSError):
            # The entry was a folder by lstat (d_type) and nothing runs there any more.
            os.chmod(name, 0o700, dir_fd=parent_fd)
    except OSError:
        return None
    try:
        return os.open(name, _DIR_FLAGS, dir_fd=parent_fd)
    except OSError:
        return None


def _entries(fd: int, visit: Visit) -> list[str]:
    """Visit every entry of the folder open at ``fd``; return the names of its sub-folders."""
    folders: list[str] = []
    try:
        with os.scandir(fd) as listing:
            entries = [(e.name, e.is_dir(follow_symlinks=False)) for e in listing]
    except OSError:
        return folders
    for name, is_dir in entries:
        visit(fd, name, is_dir)
        if is_dir:
            folders.append(name)
    return folders


def _identity(fd: int) -> tuple[int, int]:
    info = os.fstat(fd)
    return info.st_dev, info.st_ino


def walk_fd(root_fd: int, visit: Visit, leave: Visit | None = None) -> None:
    """Visit every entry below the folder open at ``root_fd`` (which stays open and unchanged).

    ``leave(parent_fd, name, True)`` runs once a sub-folder's entries are all done. Climbing
    back uses ``..``, checked against the folder we came from: ``..`` crosses into a mount made
    on a folder, so a walk that finds itself elsewhere stops rather than touch the wrong tree.
    """
    fd = os.dup(root_fd)
    stack: list[tuple[str, list[str], tuple[int, int]]] = [("", _entries(fd, visit), _identity(fd))]
    try:
        while stack:
            name, pending, _here = stack[-1]
            if pending:
                child = pending.pop()
                child_fd = _open_child(fd, child)
                if child_fd is not None:
                    os.close(fd)
                    fd = child_fd
                    stack.append((child, _entries(fd, visit), _identity(fd)))
                continue
            stack.pop()
            if stack:
                parent = os.open("..", _DIR_FLAGS, dir_fd=fd)
                os.close(fd)
                fd = parent
                if _identity(fd) != stack[-1][2]:
                    return
                if leave is not None:
                    leave(fd, name, True)
    finally:
        os.close(fd)


def _unlink(fd: int, name: str, is_dir: bool) -> None:
    if not is_dir:
        with contextlib.suppress(OSError):
            os.unlink(name, dir_fd=fd)


def _rmdir(fd: int, name: str, _is_dir: bool) -> None:
    try:
        os.rmdir(name, dir_fd=fd)
    except OSError as exc:
        if exc.errno != errno.EBUSY:
            return
        with contextlib.suppress(OSError):  # a mount of ours (a killed run's work folder)
            _umount(Path(f"/proc/self/fd/{fd}") / name)
            os.rmdir(name, dir_fd=fd)


def clear_dir(fd: int) -> None:
    """Delete everything inside the folder open at ``fd``."""
    walk_fd(fd, _unlink, _rmdir)


def remove_tree(path: Path) -> None:
    """Delete ``path`` and all below it, unmounting it first when it is a mount; never raises."""
    with contextlib.suppress(OSError):
        if os.path.ismount(path):
            _umount(path)
    try:
        info = os.lstat(path)
        parent = os.open(path.parent, _DIR_FLAGS)
    except OSError:
        return
    try:
        if stat.S_ISDIR(info.st_mode):
            fd = _open_child(parent, path.name)
            if fd is not None:
                try:
                    clear_dir(fd)
                finally:
                    os.close(fd)
            _rmdir(parent, path.name, True)
        else:
            _unlink(parent, path.name, False)
    finally:
        os.close(parent)


def hand_over(workdir: Path, uid: int) -> None:
    """Give the folder and everything in it to ``uid``, never following a link."""

    def chown(fd: int, name: str, _is_dir: bool) -> None:
        with contextlib.suppress(OSError):
            os.chown(name, uid, uid, dir_fd=fd, follow_symlinks=False)

    fd = os.open(workdir, _DIR_FLAGS)
    try:
        walk_fd(fd, chown)
        os.fchown(fd, uid, uid)
    finally:
        os.close(fd)


def largest_file(workdir: Path) -> int:
    """The size of the biggest file below ``workdir`` (links are measured, not followed)."""
    biggest = 0

    def measure(fd: int, name: str, is_dir: bool) -> None:
        nonlocal biggest
        if not is_dir:
            with contextlib.suppress(OSError):
                biggest = max(biggest, os.stat(name, dir_fd=fd, follow_symlinks=False).st_size)

    try:
        fd = os.open(workdir, _DIR_FLAGS)
    except OSError:
        return biggest
    try:
        walk_fd(fd, measure)
    finally:
        os.close(fd)
    return biggest


def ensure_private_dir(workdir: Path, name: str) -> None:
    """Make ``workdir/name`` a real folder, removing whatever the program put there instead."""
    fd = os.open(workdir, _DIR_FLAGS)
    try:
        try:
            info = os.stat(name, dir_fd=fd, follow_symlinks=False)
            if stat.S_ISDIR(info.st_mode):
                return
            os.unlink(name, dir_fd=fd)  # a file, or a link (dangling or not) planted there
        except FileNotFoundError:
            pass
        os.mkdir(name, 0o755, dir_fd=fd)
    finally:
        os.close(fd)


@functools.cache
def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


def mount_tmpfs(path: Path, size_bytes: int, inodes: int, mode: str = "0755") -> None:
    """Mount a tmpfs capped at ``size_bytes`` and ``inodes`` on ``path`` (root only)."""
    options = f"size={size_bytes},nr_inodes={inodes},mode={mode}".encode()
    if _libc().mount(b"tmpfs", os.fsencode(path), b"tmpfs", _MS_NOSUID | _MS_NODEV, options):
        err = ctypes.get_errno()
        raise OSError(err, f"mount tmpfs on {path}: {os.strerror(err)}")


def _umount(path: Path) -> None:
    if _libc().umount2(os.fsencode(path), _MNT_DETACH):
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists (one we may not signal counts as alive)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_stale(folder: Path | None = None) -> list[Path]:
    """Remove our scratch folders whose owner process is gone; return what was removed."""
    where = Path(folder or tempfile.gettempdir())
    removed: list[Path] = []
    try:
        names = os.listdir(where)
    except OSError:
        return removed
    for name in names:
        match = _STALE.match(name)
        if match and int(match.group(1)) != os.getpid() and not pid_alive(int(match.group(1))):
            try:
                if os.lstat(where / name).st_uid != os.geteuid():
                    continue  # another user's, or planted by one: not ours to delete
            except OSError:
                continue
            remove_tree(where / name)
            removed.append(where / name)
    return removed


def copy_in(source_fd: int, dest: Path) -> None:
    """Copy the harness's files from the folder open at ``source_fd`` into ``dest`` (modes and
    links kept), reading only through folder fds: the folder is hidden under a mount by now."""
    stack = [(os.dup(source_fd), dest)]
    while stack:
        fd, target = stack.pop()
        try:
            with os.scandir(fd) as listing:
                names = [entry.name for entry in listing]
            for name in names:
                _copy_entry(fd, name, target / name, stack)
        finally:
            os.close(fd)


def _copy_entry(fd: int, name: str, target: Path, stack: list[tuple[int, Path]]) -> None:
    info = os.stat(name, dir_fd=fd, follow_symlinks=False)
    if stat.S_ISLNK(info.st_mode):
        os.symlink(os.readlink(name, dir_fd=fd), target)
        return
    if stat.S_ISDIR(info.st_mode):
        target.mkdir(exist_ok=True)
        stack.append((os.open(name, _DIR_FLAGS, dir_fd=fd), target))
    elif stat.S_ISREG(info.st_mode):
        source = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=fd)
        with open(source, "rb") as fin, open(target, "wb") as fout:
            shutil.copyfileobj(fin, fout)
    else:
        return  # sockets, FIFOs, devices: nothing a task's files hold
    target.chmod(stat.S_IMODE(info.st_mode))
