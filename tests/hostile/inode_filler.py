"""Exhaust the work folder's inodes with empty files (argv[3]: the most it tries)."""

import sys

import safety

safety.check()

most = int(sys.argv[3])
made = 0
for index in range(most):
    with open(f"f{index}", "w"):
        made += 1
    if made % 500 == 0:
        print(f"made {made} files", flush=True)
print(f"made {made} files", flush=True)
