"""Read, overwrite and delete files outside the work folder; print whatever it could read.

argv: MARKER HARNESS_PIDNS then the paths to attack. Every attempt is reported; the last one
(planting a file beside the first path) is left uncaught so the run fails with the sandbox's
error.
"""

import os
import shutil
import sys

import safety

safety.check()


def attack(path: str, action: str) -> None:
    if action == "read":
        with open(path) as f:
            print("read", path, f.read())
    elif action == "write":
        with open(path, "a") as out:
            out.write("pwned")
        print("wrote", path)
    elif os.path.isdir(path):
        shutil.rmtree(path)
        print("deleted", path)
    else:
        os.remove(path)
        print("deleted", path)


targets = sys.argv[3:]
for path in targets:
    for action in ("read", "write", "delete"):
        try:
            attack(path, action)
        except OSError as exc:
            print(action, path, "failed:", exc, file=sys.stderr)
for folder in ("/root", os.path.expanduser("~"), "/tmp", "/home"):
    try:
        print("listing", folder, os.listdir(folder))
    except OSError as exc:
        print("listing", folder, "failed:", exc, file=sys.stderr)
with open(os.path.join(os.path.dirname(targets[0]), "planted.txt"), "w") as out:
    out.write("pwned")
