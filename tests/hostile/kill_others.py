"""Signal its parent, init, a bystander, every process it can (kill -1) and the harness.

argv: MARKER HARNESS_PIDNS HARNESS_PID BYSTANDER_PID. The last attempt (the harness) is left
uncaught.
"""

import os
import signal
import sys

import safety

safety.check()

harness, bystander = int(sys.argv[3]), int(sys.argv[4])
for pid in (os.getppid(), 1, bystander, -1):
    try:
        os.kill(pid, signal.SIGKILL)
        print("signalled", pid)
    except OSError as exc:
        print("kill", pid, "failed:", exc, file=sys.stderr)
os.kill(harness, signal.SIGTERM)
print("signalled the harness")
