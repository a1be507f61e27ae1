"""Test-time fine-tuning: LoRA adapters trained on the test tasks' own train pairs."""

from .run import MANIFEST, Manifest, read_manifest, run_ttft

__all__ = ["MANIFEST", "Manifest", "read_manifest", "run_ttft"]
