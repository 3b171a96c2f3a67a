"""Look for showdown's installation, checkout, .git, task data, HumanEval's data file and the
results database (argv[3:]: the paths as the harness knows them)."""

import os
import sys

import safety

safety.check()

for path in sys.argv[3:]:
    try:
        if os.path.isdir(path):
            print("listed", path, sorted(os.listdir(path))[:5])
        else:
            with open(path, "rb") as f:
                print("read", path, f.read(64))
    except OSError as exc:
        print("failed", path, type(exc).__name__)
