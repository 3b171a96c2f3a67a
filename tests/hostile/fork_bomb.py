"""Fork without bound: every child holds its process slot by sleeping; the parent keeps forking."""

import os
import time

import safety

safety.check()

while True:
    if os.fork() == 0:
        time.sleep(120)
        os._exit(0)
