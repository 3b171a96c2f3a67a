"""A seccomp filter for the sandbox, as classic BPF for bubblewrap's ``--seccomp FD``.

Hand-assembled (no libseccomp: Debian's python3-seccomp binds Debian's python only) and small
enough to read. Denied with EPERM, because no test program needs them and each is kernel attack
surface or a way to leave state behind for a later program:

- keyring: ``add_key``, ``request_key``, ``keyctl`` (the user keyring outlives the program, so a
  key added by one judged program could be read by the next);
- ``io_uring_*``, ``bpf``, ``perf_event_open``, ``userfaultfd`` (frequent kernel exploit paths);
- ``ptrace``, ``process_vm_readv``/``writev`` (other processes' memory);
- kernel modules, kexec, swap, accounting, quotas, file handles (``open_by_handle_at``);
- mounts: ``mount``, ``umount2``, ``pivot_root`` and the new mount API (``fsopen`` ... ``mount_setattr``);
- namespaces: ``unshare`` and ``setns`` always, ``clone`` with any ``CLONE_NEW*`` flag (new user
  namespaces above all). ``clone3`` passes its flags in memory a filter cannot read, so it fails
  with ENOSYS, which makes the C library fall back to ``clone``.
- sockets of families no network namespace isolates or that are kernel attack surface:
  ``AF_VSOCK`` (the hypervisor's sockets on a virtual machine), ``AF_ALG``, ``AF_KEY``; these
  fail with EAFNOSUPPORT, as on a kernel built without them.

x86-64 and aarch64 are known (numbers from the kernel's unistd headers); x32 calls on x86-64
are denied, and any other architecture is killed rather than let through unfiltered.
"""

from __future__ import annotations

import errno
import struct

__all__ = ["DENIED", "filter_bytes"]

# struct sock_filter {u16 code; u8 jt; u8 jf; u32 k}; seccomp_data {int nr; u32 arch; u64 ip; ...}
_LD_ABS = 0x20  # BPF_LD | BPF_W | BPF_ABS
_JEQ = 0x15  # BPF_JMP | BPF_JEQ | BPF_K
_JGE = 0x35  # BPF_JMP | BPF_JGE | BPF_K
_JSET = 0x45  # BPF_JMP | BPF_JSET | BPF_K
_RET = 0x06  # BPF_RET | BPF_K
_NR, _ARCH, _ARG0 = 0, 4, 16  # offsets in seccomp_data (arg0's low word on little endian)
_ALLOW = 0x7FFF0000
_KILL = 0x80000000  # SECCOMP_RET_KILL_PROCESS
_EPERM = 0x00050000 | errno.EPERM
_ENOSYS = 0x00050000 | errno.ENOSYS
_X32_BIT = 0x40000000
#: CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET.
_CLONE_NEW = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000

_X86_64 = 0xC000003E  # AUDIT_ARCH_X86_64
_AARCH64 = 0xC00000B7  # AUDIT_ARCH_AARCH64

#: name -> (x86-64 number, aarch64 number)
DENIED: dict[str, tuple[int, int]] = {
    "add_key": (248, 217), "request_key": (249, 218), "keyctl": (250, 219),
    "io_uring_setup": (425, 425), "io_uring_enter": (426, 426), "io_uring_register": (427, 427),
    "bpf": (321, 280), "perf_event_open": (298, 241), "userfaultfd": (323, 282),
    "ptrace": (101, 117), "process_vm_readv": (310, 270), "process_vm_writev": (311, 271),
    "init_module": (175, 105), "finit_module": (313, 273), "delete_module": (176, 106),
    "kexec_load": (246, 104), "kexec_file_load": (320, 294), "swapon": (167, 224),
    "acct": (163, 89), "quotactl": (179, 60), "open_by_handle_at": (304, 265),
    "mount": (165, 40), "umount2": (166, 39), "pivot_root": (155, 41),
    "open_tree": (428, 428), "move_mount": (429, 429), "fsopen": (430, 430),
    "fsconfig": (431, 431), "fsmount": (432, 432), "fspick": (433, 433),
    "mount_setattr": (442, 442), "unshare": (272, 97), "setns": (308, 268),
}
_CLONE = (56, 220)
_CLONE3 = (435, 435)
_SOCKET = (41, 198)
_FAMILIES = (40, 38, 15)  # AF_VSOCK, AF_ALG, AF_KEY
_EAFNOSUPPORT = 0x00050000 | errno.EAFNOSUPPORT


def _op(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
    return struct.pack("=HBBI", code, jt, jf, k)


def _arch_block(index: int, x86: bool) -> list[bytes]:
    """Checks for one architecture, entered with the syscall number not yet loaded."""
    block = [_op(_LD_ABS, _NR)]
    if x86:
        block += [_op(_JGE, _X32_BIT, 0, 1), _op(_RET, _EPERM)]
    for numbers in DENIED.values():
        block += [_op(_JEQ, numbers[index], 0, 1), _op(_RET, _EPERM)]
    block += [_op(_JEQ, _CLONE3[index], 0, 1), _op(_RET, _ENOSYS)]
    families = [_op(_LD_ABS, _ARG0)]
    for family in _FAMILIES:
        families += [_op(_JEQ, family, 0, 1), _op(_RET, _EAFNOSUPPORT)]
    families += [_op(_RET, _ALLOW)]
    block += [_op(_JEQ, _SOCKET[index], 0, len(families)), *families]
    block += [
        _op(_JEQ, _CLONE[index], 0, 3),
        _op(_LD_ABS, _ARG0),
        _op(_JSET, _CLONE_NEW, 0, 1),
        _op(_RET, _EPERM),
        _op(_RET, _ALLOW),
    ]
    return block


def filter_bytes() -> bytes:
    """The whole program, ready to be written to the fd bubblewrap reads with ``--seccomp``."""
    x86, arm = _arch_block(0, True), _arch_block(1, False)
    program = [
        _op(_LD_ABS, _ARCH),
        _op(_JEQ, _X86_64, 0, len(x86)),  # x86-64: fall into its block, else skip over it
        *x86,
        _op(_JEQ, _AARCH64, 0, len(arm)),
        *arm,
        _op(_RET, _KILL),
    ]
    assert max(len(x86), len(arm)) < 256, "a BPF jump offset is one byte"
    return b"".join(program)
