"""Call what the seccomp filter denies; argv[3] "add" leaves a key in the user keyring first,
"read" looks for one. Prints each call's errno name."""

import ctypes
import errno
import sys

import safety

safety.check()

libc = ctypes.CDLL(None, use_errno=True)
KEY_SPEC_USER_KEYRING = -4
CLONE_NEWUSER = 0x10000000
SIGCHLD = 17


def call(name: str, number: int, *args: object) -> None:
    result = libc.syscall(number, *args)
    code = ctypes.get_errno() if result == -1 else 0
    print(f"{name}: {errno.errorcode.get(code, 'ok')}", flush=True)
    if result == 0 and name == "clone":
        libc._exit(0)  # the child, had the clone gone through


if sys.argv[3] == "add":
    call("add_key", 248, b"user", b"showdown-leak", b"left for the next program", 25,
         KEY_SPEC_USER_KEYRING)
else:
    call("request_key", 249, b"user", b"showdown-leak", None, 0)
    call("keyctl", 250, 2, KEY_SPEC_USER_KEYRING)  # KEYCTL_DESCRIBE
call("unshare", 272, CLONE_NEWUSER)
call("clone", 56, CLONE_NEWUSER | SIGCHLD, None, None, None, None)
call("clone3", 435, None, 0)
call("io_uring_setup", 425, 8, ctypes.create_string_buffer(120))
call("bpf", 321, 0, None, 0)
call("perf_event_open", 298, None, 0, -1, -1, 0)
call("userfaultfd", 323, 0)
call("ptrace", 101, 16, 1, None, None)  # PTRACE_ATTACH to our namespace's init
call("mount", 165, b"none", b"/tmp", b"tmpfs", 0, None)
call("init_module", 175, None, 0, b"")
call("setns", 308, 0, 0)
for family, name in ((40, "AF_VSOCK"), (38, "AF_ALG"), (15, "AF_KEY")):
    call(f"socket {name}", 41, family, 1, 0)  # creating one only: nothing is connected to
call("socket AF_UNIX", 41, 1, 1, 0)
