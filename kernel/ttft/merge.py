"""A LoRA adapter folded into its base weights, saved as a plain model folder: what vLLM serves
when it cannot serve the adapter itself (and what `build_kernel.py --merge-adapter` ships)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def merge_adapter(model_dir: str | Path, adapter_dir: str | Path, out: str | Path, dtype: str = "float16") -> Path:
    """Written atomically: a reader never sees a half-written folder. float16 by default: a T4 has
    no bfloat16 and vLLM would convert the weights at load time anyway."""
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    out = Path(out)
    base = AutoModelForCausalLM.from_pretrained(str(model_dir), dtype=getattr(torch, dtype))
    merged = PeftModel.from_pretrained(base, str(adapter_dir)).merge_and_unload()
    tmp = out.with_name(f".{out.name}.tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    merged.save_pretrained(str(tmp))
    AutoTokenizer.from_pretrained(str(model_dir)).save_pretrained(str(tmp))
    shutil.rmtree(out, ignore_errors=True)
    os.replace(tmp, out)
    return out
