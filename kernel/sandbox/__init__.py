"""Running untrusted `transform(grid)` programs: a slim fork server per worker, one
short-lived, locked-down child per program (see `server.py` for the mechanism)."""

from .client import JobResult, Sandbox, SandboxLimits, SandboxUnavailable

__all__ = ["JobResult", "Sandbox", "SandboxLimits", "SandboxUnavailable"]
