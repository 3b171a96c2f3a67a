"""Pin memory outside the address-space limit: SysV shared memory, then memfds.

argv: MARKER HARNESS_PIDNS CEILING_MB [shm|memfd|both]. Segments are attached, touched and detached again (so
RLIMIT_AS never sees them); memfds are written, never mapped. Prints the running total after
every chunk; gives up at CEILING_MB so even a broken sandbox cannot take the machine's memory.
"""

import ctypes
import os
import sys

import safety

safety.check()

CHUNK = 16 * 1024 * 1024
ceiling = int(sys.argv[3]) * 1024 * 1024
mode = sys.argv[4] if len(sys.argv) > 4 else "both"
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
pinned = 0


def report(how: str) -> None:
    print(f"pinned {pinned // (1024 * 1024)} MiB ({how})", flush=True)


while pinned < ceiling and mode != "memfd":
    segment = libc.shmget(0, CHUNK, 0o1600)  # IPC_PRIVATE, IPC_CREAT | 0600
    if segment < 0:
        print("shmget failed:", os.strerror(ctypes.get_errno()), flush=True)
        break
    address = libc.shmat(segment, None, 0)
    if address in (None, ctypes.c_void_p(-1).value):
        print("shmat failed:", os.strerror(ctypes.get_errno()), flush=True)
        break
    ctypes.memset(address, 1, CHUNK)
    libc.shmdt(ctypes.c_void_p(address))
    pinned += CHUNK
    report("shm")
keep = []
block = b"x" * (1024 * 1024)
while pinned < ceiling:
    fd = os.memfd_create("hog")
    keep.append(fd)
    for _ in range(CHUNK // len(block)):
        os.write(fd, block)
    pinned += CHUNK
    report("memfd")
print("pinned everything it asked for", flush=True)
