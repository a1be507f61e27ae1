"""The hand-built seccomp filter: syscall numbers and program layout."""

import re
import struct
from pathlib import Path

import pytest

from kernel.sandbox.seccomp import X86_64_ALLOWED, build_filter

HEADER = Path("/usr/include/x86_64-linux-gnu/asm/unistd_64.h")


@pytest.mark.skipif(not HEADER.exists(), reason="kernel headers not installed")
def test_allowed_syscall_numbers_match_the_kernel_header():
    numbers = dict(re.findall(r"#define __NR_(\w+) (\d+)", HEADER.read_text()))
    for name, nr in X86_64_ALLOWED.items():
        assert int(numbers[name]) == nr, name


def test_dangerous_syscalls_are_not_allowed():
    for name in ("open", "openat", "execve", "fork", "vfork", "clone", "clone3", "socket", "kill",
                 "tgkill", "ptrace", "process_vm_readv", "setrlimit", "prlimit64", "unlink", "ioctl"):
        assert name not in X86_64_ALLOWED


def test_filter_jumps_land_on_allow_errno_and_kill():
    prog = build_filter()
    insns = [struct.unpack("HBBI", prog[i:i + 8]) for i in range(0, len(prog), 8)]
    n = len(insns)
    allow, errno_ret, kill = n - 2, n - 3, n - 1
    assert insns[allow][3] == 0x7FFF0000 and insns[kill][3] == 0x80000000 and insns[errno_ret][3] & 0xFFFF0000 == 0x00050000
    assert 1 + 1 + insns[1][2] == kill        # wrong architecture
    assert 3 + 1 + insns[3][1] == kill        # x32 syscalls
    for i in range(4, errno_ret):
        code, jt, jf, nr = insns[i]
        assert i + 1 + jt == allow and jf == 0
