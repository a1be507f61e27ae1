import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kernel.config import SandboxConfig  # noqa: E402
from kernel.sandbox import Sandbox, SandboxLimits  # noqa: E402
from kernel.tasks import Pair, Task  # noqa: E402
from kernel.verify import Verifier  # noqa: E402

PRELOAD = SandboxConfig().preload  # what programs may import, as in a run

# Set before any sandbox starts: the hostile-program tests check that programs cannot see it.
os.environ["ARC_TEST_SECRET"] = "s3cret-token"


def make_task(pairs, tests=(((0,),),), task_id="t"):
    """pairs: [(input, output), ...] as nested lists or tuples; tests: test input grids."""
    as_grid = lambda g: tuple(tuple(r) for r in g)  # noqa: E731
    return Task(task_id, tuple(Pair(as_grid(i), as_grid(o)) for i, o in pairs),
                tuple(Pair(as_grid(t)) for t in tests))


@pytest.fixture(scope="session")
def sandbox():
    with Sandbox(2, SandboxLimits(timeout_s=1.0, memory_mb=256), PRELOAD) as sb:
        yield sb


@pytest.fixture()
def verifier(sandbox):
    with Verifier(sandbox) as v:
        yield v


def run_cli(*args, cwd=ROOT, timeout=120):
    return subprocess.run([sys.executable, "-m", "kernel", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="session")
def demo_model(tmp_path_factory):
    """A tiny random Qwen2 model folder, built once per test session."""
    from kernel.demo_model import make_demo_model

    return make_demo_model(tmp_path_factory.mktemp("demo-model"))


@pytest.fixture(scope="session")
def demo_adapter(demo_model, tmp_path_factory):
    """A peft LoRA adapter for the demo model with random (not zero) B matrices, so it
    changes the model's outputs."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(1)
    model = AutoModelForCausalLM.from_pretrained(demo_model)
    peft_model = get_peft_model(model, LoraConfig(r=8, lora_alpha=64, target_modules=["q_proj", "v_proj", "o_proj"],
                                                  init_lora_weights=False))
    out = tmp_path_factory.mktemp("adapter") / "demo-lora"
    peft_model.save_pretrained(out)
    return out


# Modules whose every test runs a real engine (vLLM's CPU build, torch, transformers, peft).
ENGINE_MODULES = {"test_engines", "test_ttft", "test_likelihood"}
ENGINE_FIXTURES = {"demo_model", "demo_adapter"}
SLOW_FIXTURES = {"recorded"}  # test_tuning's recorded dry run


def pytest_collection_modifyitems(config, items):
    """`engines` marks every test that needs the engines, found from its module or fixtures,
    so a new test that uses the demo model is marked without anyone remembering to; tests on
    the slow shared fixtures are marked `slow` the same way."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if item.module.__name__ in ENGINE_MODULES or ENGINE_FIXTURES & fixtures:
            item.add_marker(pytest.mark.engines)
        if SLOW_FIXTURES & fixtures:
            item.add_marker(pytest.mark.slow)
