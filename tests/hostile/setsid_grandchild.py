"""Detach a grandchild into its own session that ignores hangups and sleeps on.

argv: MARKER HARNESS_PIDNS then "exit" (the parent exits at once) or "spin" (the parent spins
until killed). The grandchild keeps stdout and stderr open, so a harness that waits for EOF
would hang too.
"""

import os
import signal
import sys
import time

import safety

safety.check()

if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        time.sleep(120)
    os._exit(0)
print("detached a grandchild", flush=True)
if sys.argv[3] == "spin":
    while True:
        pass
