"""Process plumbing every layer may use: leaving the parent's session, dying with the parent,
killing a process group, adopting orphans."""

from __future__ import annotations

import os
import signal


def die_with_parent() -> None:
    """A process that leaves its parent's session (so the parent can kill its whole group) has
    nothing else to stop it if the parent dies: ask the kernel to (Linux; elsewhere a no-op)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def become_subreaper() -> bool:
    """Orphans of this process's descendants become its children (not init's), so it can kill
    them. False where the platform has no such thing."""
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        return False


def kill_group(pid: int, sig: int = signal.SIGKILL) -> bool:
    """Signal the process group `pid` leads; False if there is none (or it is not ours)."""
    try:
        os.killpg(pid, sig)
        return True
    except (ProcessLookupError, PermissionError):
        return False
