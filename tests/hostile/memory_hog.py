"""Allocate (and touch) memory without bound, 32 MiB at a time."""

import safety

safety.check()

hog = []
while True:
    hog.append(b"x" * (32 * 1024 * 1024))
