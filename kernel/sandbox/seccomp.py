"""A hand-built seccomp-BPF allowlist, loaded with prctl through ctypes.

Hand-built so the sandbox needs no libseccomp on the target machine. It is an allowlist:
whatever a pure computation (CPython, numpy) does not need -- open, exec, clone/fork,
sockets, kill, ptrace, process_vm_* -- fails with EPERM, which Python reports as a
PermissionError inside the program, so a denied call is a clear error, not a mystery
crash. Syscalls from a foreign ABI (i386, x32) kill the process outright.
"""

from __future__ import annotations

import ctypes
import errno
import platform
import struct

AUDIT_ARCH_X86_64 = 0xC000003E
X32_SYSCALL_BIT = 0x40000000

# x86_64 syscall numbers (asm/unistd_64.h); the tests check them against the header.
X86_64_ALLOWED: dict[str, int] = {
    "read": 0, "write": 1, "close": 3, "fstat": 5, "poll": 7, "lseek": 8, "mmap": 9,
    "mprotect": 10, "munmap": 11, "brk": 12, "rt_sigaction": 13, "rt_sigprocmask": 14,
    "rt_sigreturn": 15, "pread64": 17, "readv": 19, "writev": 20, "select": 23,
    "sched_yield": 24, "mremap": 25, "mincore": 27, "madvise": 28, "pause": 34,
    "nanosleep": 35, "getitimer": 36, "alarm": 37, "setitimer": 38, "getpid": 39,
    "exit": 60, "uname": 63, "fcntl": 72, "gettimeofday": 96, "getrlimit": 97,
    "getrusage": 98, "sysinfo": 99, "times": 100, "getuid": 102, "getgid": 104,
    "geteuid": 107, "getegid": 108, "getppid": 110, "getpgrp": 111, "sigaltstack": 131,
    "gettid": 186, "time": 201, "futex": 202, "sched_getaffinity": 204,
    "restart_syscall": 219, "clock_gettime": 228, "clock_getres": 229,
    "clock_nanosleep": 230, "exit_group": 231, "newfstatat": 262, "pselect6": 270,
    "ppoll": 271, "set_robust_list": 273, "get_robust_list": 274, "getrandom": 318,
    "rseq": 334,
}

# BPF opcodes (linux/filter.h) and seccomp return values (linux/seccomp.h).
_LD_W_ABS = 0x20
_JEQ_K = 0x15
_JGE_K = 0x35
_RET_K = 0x06
_RET_ALLOW = 0x7FFF0000
_RET_KILL_PROCESS = 0x80000000
_RET_ERRNO = 0x00050000

_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2


def _insn(code: int, jt: int, jf: int, k: int) -> bytes:
    return struct.pack("HBBI", code, jt, jf, k)


def build_filter(allowed: dict[str, int] = X86_64_ALLOWED, arch: int = AUDIT_ARCH_X86_64) -> bytes:
    """The BPF program as raw `struct sock_filter` bytes."""
    nrs = sorted(set(allowed.values()))
    n = len(nrs)
    prog = [
        _insn(_LD_W_ABS, 0, 0, 4),                    # A = seccomp_data.arch
        _insn(_JEQ_K, 0, n + 4, arch),                # foreign arch -> kill
        _insn(_LD_W_ABS, 0, 0, 0),                    # A = seccomp_data.nr
        _insn(_JGE_K, n + 2, 0, X32_SYSCALL_BIT),     # x32 ABI -> kill
    ]
    for i, nr in enumerate(nrs):
        prog.append(_insn(_JEQ_K, n - i, 0, nr))      # -> allow
    prog.append(_insn(_RET_K, 0, 0, _RET_ERRNO | errno.EPERM))
    prog.append(_insn(_RET_K, 0, 0, _RET_ALLOW))
    prog.append(_insn(_RET_K, 0, 0, _RET_KILL_PROCESS))
    return b"".join(prog)


def supported() -> bool:
    return platform.system() == "Linux" and platform.machine() in ("x86_64", "AMD64")


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


class Filter:
    """Prepared once in the fork server; `install()` runs in each child (a few microseconds)."""

    def __init__(self) -> None:
        raw = build_filter()
        self._buf = ctypes.create_string_buffer(raw, len(raw))
        self._prog = _SockFprog(len(raw) // 8, ctypes.cast(self._buf, ctypes.c_void_p))
        self._libc = ctypes.CDLL(None, use_errno=True)
        self._prctl = self._libc.prctl
        self._prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong]

    def install(self) -> None:
        if self._prctl(_PR_SET_NO_NEW_PRIVS, 1, None, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
        if self._prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.addressof(self._prog), 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_SECCOMP) failed")
