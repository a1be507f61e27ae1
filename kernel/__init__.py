"""ARC Prize submission kernel: tasks, sandboxed program verification, submission and scoring."""

__version__ = "0.1.0"
