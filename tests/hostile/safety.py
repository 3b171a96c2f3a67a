"""Refuse to misbehave outside a sandbox: a sandbox regression must fail a test, not harm the host.

Every hostile program calls ``check()`` first. argv[1] is the run's marker and argv[2] the
harness's PID namespace (``readlink /proc/self/ns/pid``). Outside bubblewrap one of these
fails, the program prints ``UNSAFE`` and exits 99 without doing anything hostile.
"""

import os
import resource
import socket
import sys


def refuse(why: str) -> None:
    print(f"UNSAFE: {why}; refusing to run outside a sandbox", file=sys.stderr)
    sys.exit(99)


def check() -> None:
    if os.getuid() == 0:
        refuse("running as root")
    if os.readlink("/proc/self/ns/pid") == sys.argv[2]:
        refuse("sharing the harness's PID namespace")
    if [name for _index, name in socket.if_nameindex()] != ["lo"]:
        refuse("network interfaces besides loopback")
    for limit in ("RLIMIT_NPROC", "RLIMIT_AS", "RLIMIT_FSIZE", "RLIMIT_CPU"):
        if resource.getrlimit(getattr(resource, limit))[0] == resource.RLIM_INFINITY:
            refuse(f"no {limit}")
    with open("/proc/self/status") as status:
        fields = dict(line.split(":", 1) for line in status if ":" in line)
    if fields.get("Seccomp", "").strip() != "2":
        refuse("no seccomp filter")
    if os.path.exists("/var") or os.path.exists("/home"):
        refuse("the host's folders are in sight")
