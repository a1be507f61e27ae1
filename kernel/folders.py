"""The checks on folders a user hands over (a model, an adapter), written once: each returns
what is wrong, in words that say what to do, or None; callers raise their own error type."""

from __future__ import annotations

import os
from pathlib import Path


def model_folder_problem(path: str | os.PathLike) -> str | None:
    if not Path(path, "config.json").is_file():
        return (f"{path}: not a Hugging Face model folder (no config.json); make one with "
                "`python -m kernel make-demo-model DIR` to try the pipeline")
    return None


def adapter_folder_problem(path: str | os.PathLike) -> str | None:
    if not Path(path, "adapter_config.json").is_file():
        return f"{path}: not a peft adapter folder (no adapter_config.json)"
    return None
