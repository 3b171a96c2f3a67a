"""Try to reach host Unix sockets and FIFOs, and list host folders (argv[3:]: socket, FIFO)."""

import os
import socket
import sys

import safety

safety.check()

sock_path, fifo_path = sys.argv[3], sys.argv[4]
try:
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    client.connect(sock_path)
    client.sendall(b"reached the host socket")
    print("connected to", sock_path)
except OSError as exc:
    print("socket failed:", exc)
try:
    fd = os.open(fifo_path, os.O_WRONLY | os.O_NONBLOCK)
    os.write(fd, b"reached the host FIFO")
    print("wrote to", fifo_path)
except OSError as exc:
    print("fifo failed:", exc)
for folder in ("/var", "/srv", "/opt", "/mnt", "/run", "/home", "/sys", "/var/run"):
    print(folder, "exists" if os.path.exists(folder) else "absent")
