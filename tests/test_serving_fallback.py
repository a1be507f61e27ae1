"""LoRA serving is unverified on Turing GPUs: an engine that will not start with adapters is
started once more on the merged weights (one adapter) or without adapters, and the run says so."""

import threading

import pytest

from kernel.engines import Adapter, AdapterSet, EngineError
from kernel.stages.context import start_engine


class Starts:
    """Records each start; refuses every start with LoRA serving enabled."""

    def __init__(self, fail_without_lora=False):
        self.calls, self.fail_without_lora = [], fail_without_lora

    def __call__(self, model, lora):
        self.calls.append((model, lora))
        if lora or self.fail_without_lora:
            raise EngineError("no vLLM engine started (LoRA kernels need compute capability 8.0)\ntraceback")
        return f"engine on {model}"


def test_an_engine_that_starts_with_adapters_is_kept_as_it_is():
    adapter = Adapter("a", "/adapters/a")
    engine, model, served, note = start_engine(lambda m, lora: f"engine lora={lora}", "/base", adapter,
                                               merge=lambda a: pytest.fail("no merge when LoRA serving works"))
    assert (engine, model, served, note) == ("engine lora=True", "/base", adapter, None)


def test_one_adapter_that_cannot_be_served_is_merged_into_the_weights():
    starts = Starts()
    engine, model, served, note = start_engine(starts, "/base", Adapter("a", "/adapters/a"),
                                               merge=lambda a: f"/run/merged-{a.name}")
    assert starts.calls == [("/base", True), ("/run/merged-a", False)]
    assert (engine, model, served) == ("engine on /run/merged-a", "/run/merged-a", None)
    assert "LoRA serving failed (no vLLM engine started" in note and "merged weights of adapter a" in note


def test_per_task_adapters_that_cannot_be_served_fall_back_to_the_base_weights():
    starts = Starts()
    per_task = AdapterSet({"t1": Adapter("t1", "/x/t1"), "t2": Adapter("t2", "/x/t2")})
    engine, model, served, note = start_engine(starts, "/base", per_task, merge=lambda a: pytest.fail("two adapters"))
    assert starts.calls == [("/base", True), ("/base", False)] and served is None
    assert note.endswith("sampled without adapters")


def test_a_failed_merge_still_samples_from_the_base_weights():
    def merge(adapter):
        raise OSError("disk full")

    starts = Starts()
    _, model, served, note = start_engine(starts, "/base", AdapterSet({"t": Adapter("a", "/x/a")}, Adapter("a", "/x/a")),
                                          merge=merge)
    assert (model, served) == ("/base", None) and "without adapters" in note


def test_an_engine_that_fails_without_adapters_is_not_retried():
    starts = Starts(fail_without_lora=True)
    with pytest.raises(EngineError):
        start_engine(starts, "/base", None, merge=lambda a: pytest.fail("no adapter"))
    assert starts.calls == [("/base", False)]


@pytest.mark.slow
def test_vllm_that_refuses_the_lora_settings_samples_from_the_merged_weights(demo_model, demo_adapter, tmp_path):
    """Real vLLM (CPU build): max_lora_rank 3 is not a rank vLLM accepts, so the engine with LoRA
    serving fails at start-up; the stage serves the adapter merged into the weights instead."""
    from kernel.config import load_config
    from kernel.engines import Request, Sampling
    from kernel.stages.context import StageContext, engine_and_renderer
    from kernel.trace import TraceWriter, read_trace

    cfg = load_config(None, ["vllm.devices=cpu", "vllm.max_lora_rank=3", "ttft.rank=3",
                                     "vllm.max_model_len=512", "vllm.cpu_kvcache_gb=1", "vllm.start_timeout_s=300"])
    ctx = StageContext("sample_output", (), cfg, str(tmp_path / "trace.jsonl"), deadline=0.0, model=str(demo_model),
                       adapter=str(demo_adapter))
    trace = TraceWriter(ctx.trace_path, "sample_output")
    engine, renderer, adapter, note = engine_and_renderer(ctx, threading.Event(), trace)
    with engine:
        out = list(engine.generate([Request("r", "0 1 2", Sampling(1, 0.0, 1.0, 4, 0))]))
    trace.close()
    assert adapter is None and "merged weights of adapter demo-lora" in note
    assert (tmp_path / "merged-demo-lora" / "config.json").exists()
    assert out[0].error is None and len(out[0].texts) == 1
    assert [e["note"] for e in read_trace(ctx.trace_path) if e["event"] == "engine_fallback"] == [note]
