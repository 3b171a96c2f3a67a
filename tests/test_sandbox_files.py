"""Cleanup and folder walks survive whatever a program leaves: depth, long paths, modes, links.

The trees here are built by the test itself (harmless), the shapes tests/hostile/deep_tree.py
leaves inside the sandbox.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from showdown.sandbox import files
from showdown.sandbox.base import scratch_dir


def _deep_tree(root: Path, depth: int = 1200) -> None:
    """A tree ``depth`` levels deep with data at the bottom, a path past PATH_MAX, mode 000
    folders and links out of the tree (to ``root.parent / "canary"``)."""
    start = os.open(root, os.O_RDONLY)
    try:
        fd = os.open(root, os.O_RDONLY)
        for _ in range(depth):
            os.mkdir("d", dir_fd=fd)
            child = os.open("d", os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = child
        with open(os.open("bottom.bin", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), "wb") as f:
            f.write(b"x" * 70_000)
        os.close(fd)
        fd = os.dup(start)
        for _ in range(20):  # 20 * 251 bytes: past PATH_MAX
            os.mkdir("n" * 250, dir_fd=fd)
            child = os.open("n" * 250, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = child
        os.symlink(str(root.parent / "canary"), "out", dir_fd=fd)
        os.close(fd)
        os.mkdir("locked", dir_fd=start)
        os.symlink(str(root.parent), "locked/up", dir_fd=start)
        os.chmod("locked", 0, dir_fd=start)
        os.symlink("/nonexistent", ".tmp", dir_fd=start)
    finally:
        os.close(start)


@pytest.fixture(params=[1200])
def tree(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    canary = tmp_path / "canary"
    canary.mkdir()
    (canary / "keep.txt").write_text("keep")
    root = tmp_path / "work"
    root.mkdir()
    _deep_tree(root, request.param)
    return root


def test_remove_tree_deletes_deep_long_locked_trees_and_never_follows_links(tree: Path) -> None:
    files.remove_tree(tree)
    assert not tree.exists()
    assert (tree.parent / "canary" / "keep.txt").read_text() == "keep"
    files.remove_tree(tree)  # already gone: nothing to do, no error


@pytest.mark.parametrize("tree", [300], indirect=True)
def test_largest_file_and_hand_over_walk_the_whole_tree(tree: Path) -> None:
    assert files.largest_file(tree) == 70_000
    if os.geteuid() == 0:
        files.hand_over(tree, 65534)
        assert tree.stat().st_uid == 65534
        assert os.lstat(tree / ".tmp").st_uid == 65534
        assert (tree.parent / "canary").stat().st_uid == 0  # not reached through a link
    files.remove_tree(tree)


@pytest.mark.parametrize("tree", [10], indirect=True)
def test_ensure_private_dir_replaces_a_planted_link(tree: Path) -> None:
    files.ensure_private_dir(tree, ".tmp")
    assert (tree / ".tmp").is_dir() and not (tree / ".tmp").is_symlink()
    files.remove_tree(tree)


def _dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_sweep_stale_removes_folders_of_dead_owners_only(tmp_path: Path) -> None:
    dead = tmp_path / f"showdown-{_dead_pid()}-abc"
    alive = tmp_path / f"showdown-{os.getppid()}-abc"
    other = tmp_path / "showdown-canary-xyz"
    for folder in (dead, alive, other):
        folder.mkdir()
    _deep_tree(dead, depth=50)
    mounted = os.geteuid() == 0
    if mounted:  # a killed run can leave its tmpfs work folder mounted
        (dead / "w").mkdir()
        files.mount_tmpfs(dead / "w", 1 << 20, 100)
        (dead / "w" / "x").write_text("x")
    foreign = tmp_path / f"showdown-{_dead_pid()}-planted"
    foreign.mkdir()
    if os.geteuid() == 0:
        os.chown(foreign, 65534, 65534)  # another user's folder: never ours to delete
    as_root = os.geteuid() == 0  # only then can the test give the folder to another user
    assert set(files.sweep_stale(tmp_path)) == {dead} | (set() if as_root else {foreign})
    assert foreign.exists() is as_root
    assert not dead.exists() and alive.is_dir() and other.is_dir()
    assert str(dead) not in Path("/proc/self/mountinfo").read_text()


def test_scratch_dir_names_its_owner_and_cleans_up_a_mounted_folder() -> None:
    with scratch_dir({"a.txt": "a"}) as root:
        assert root.name.startswith(f"showdown-{os.getpid()}-")
        if os.geteuid() == 0:
            files.mount_tmpfs(root, 4 << 20, 10_000)
        _deep_tree(root, depth=300)
    assert not root.exists()
    assert str(root) not in Path("/proc/self/mountinfo").read_text()


def test_a_walk_that_climbs_into_a_mount_stops(tmp_path: Path) -> None:
    """``..`` from a folder crosses into a mount made over its parent: the walk must notice."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    for name in ("a/x.txt", "b/y.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("original")
    under = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        files.mount_tmpfs(tmp_path, 1 << 20, 100)
        files.copy_in(under, tmp_path)
        files.clear_dir(under)  # climbs out of the first folder into the mount: must stop there
    finally:
        os.close(under)
    try:
        assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")) == [
            "a", "a/x.txt", "b", "b/y.txt"]
    finally:
        files.remove_tree(tmp_path)
        tmp_path.mkdir()  # for pytest's own cleanup
