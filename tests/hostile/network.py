"""Try the network: a listener on the host's 127.0.0.1, an outside address and a DNS lookup.

argv: MARKER HARNESS_PIDNS PORT. 10.255.255.1 is a private address that routes nowhere, and
safety.check() has made sure there is no interface but loopback, so no packet leaves at all.
The last attempt is left uncaught so the run fails with its error.
"""

import socket
import sys

import safety

safety.check()

port = int(sys.argv[3])
for host, p in [("127.0.0.1", port), ("10.255.255.1", 9)]:
    try:
        with socket.create_connection((host, p), timeout=3):
            print("connected", host, p)
    except OSError as exc:
        print("connect", host, p, "failed:", exc, file=sys.stderr)
try:
    print("resolved", socket.getaddrinfo("example.com", 80))
except OSError as exc:
    print("dns failed:", exc, file=sys.stderr)
socket.create_connection(("10.255.255.1", 9), timeout=3)
