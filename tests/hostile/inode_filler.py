"""Exhaust a folder's inodes with empty files (argv[3]: the most it tries; argv[4]: the folder,
the work folder by default)."""

import sys

import safety

safety.check()

most = int(sys.argv[3])
folder = sys.argv[4] if len(sys.argv) > 4 else "."
made = 0
for index in range(most):
    with open(f"{folder}/f{index}", "w"):
        made += 1
    if made % 500 == 0:
        print(f"made {made} files", flush=True)
print(f"made {made} files", flush=True)
