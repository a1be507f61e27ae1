"""The real engines on the demo model: vLLM's CPU build (one process per engine) and
transformers, plus the replay engine. Nothing here is mocked."""

import os
import signal
import time

import pytest

from kernel.engines import Adapter, Request, Sampling
from kernel.engines.hf_engine import HFEngine
from kernel.engines.replay import ReplayEngine
from kernel.engines.vllm_engine import VLLMEngine, resolve_devices
from kernel.config import VLLMConfig
from kernel.engines.vllm_worker import VLLMLaunch, llm_kwargs, pick_attention, pick_dtype

PROMPT = "<|im_start|>user\n2 2\n12\n34\nOutput:<|im_end|>\n<|im_start|>assistant\n"


def reqs(count, n=2, max_tokens=16, temperature=1.0, adapter=None, prefix="r"):
    return [Request(f"{prefix}{i}", PROMPT + str(i), Sampling(n, temperature, 1.0, max_tokens, seed=i), adapter)
            for i in range(count)]


def launch(model, enable_lora=False, **vllm):
    """A small CPU engine; `vllm` overrides [vllm] settings."""
    settings = dict(max_model_len=1024, cpu_kvcache_gb=1.0, start_timeout_s=300.0) | vllm
    return VLLMLaunch(str(model), VLLMConfig(**settings), enable_lora=enable_lora)


# --- pure choices -------------------------------------------------------------------------

def test_dtype_is_float16_on_gpus_without_bfloat16_and_left_to_vllm_elsewhere():
    assert pick_dtype("auto", (7, 5)) == "float16"      # T4
    assert pick_dtype("auto", (9, 0)) == "auto"         # H100
    assert pick_dtype("auto", None) == "auto"           # CPU
    assert pick_dtype("float32", (7, 5)) == "float32"   # an explicit choice stands


def test_attention_is_triton_on_gpus_below_compute_capability_8_and_left_to_vllm_elsewhere():
    assert pick_attention("auto", (7, 5)) == "TRITON_ATTN"     # T4: vLLM 0.19.1 itself would pick FlashInfer
    assert pick_attention("auto", (8, 0)) is None              # A100 and newer: vLLM's choice
    assert pick_attention("auto", None) is None                # CPU
    assert pick_attention("FLASHINFER", (7, 5)) == "FLASHINFER"  # an explicit choice stands
    on_t4 = llm_kwargs(VLLMLaunch("m"), (7, 5), on_gpu=True)
    assert on_t4["attention_config"] == {"backend": "TRITON_ATTN"} and on_t4["dtype"] == "float16"
    assert "attention_config" not in llm_kwargs(VLLMLaunch("m"), None, on_gpu=False)


def test_devices_resolve_from_the_spec_and_the_visible_gpus(monkeypatch):
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0,1")
    assert resolve_devices("auto") == ["0", "1"]
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    assert resolve_devices("auto") == [None]
    assert resolve_devices("cpu*2") == [None, None]
    assert resolve_devices("0,0") == ["0", "0"]
    with pytest.raises(ValueError):
        resolve_devices("gpu0")


# --- vLLM -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def vllm_engine(demo_model):
    """Two engine processes on the CPU, as on two GPUs, shared by the tests that leave them whole."""
    with VLLMEngine(launch(demo_model, enable_lora=True, max_lora_rank=8, queue_depth=4, stop_grace_s=20.0),
                    [None, None]) as engine:
        yield engine


@pytest.fixture()
def own_engine(demo_model):
    """Starts engines for one test that breaks them (kills or hangs their processes), so no
    test depends on running before or after another."""
    started = []

    def start(workers: int, **vllm) -> VLLMEngine:
        started.append(VLLMEngine(launch(demo_model, **vllm), [None] * workers))
        return started[-1]

    yield start
    for engine in started:
        engine.close()


def test_vllm_returns_n_samples_per_request_with_tokens_and_timings(vllm_engine):
    before = time.time()
    done = list(vllm_engine.generate(reqs(6, n=3)))
    assert sorted(c.request_id for c in done) == [f"r{i}" for i in range(6)]
    for c in done:
        assert c.error is None and len(c.texts) == 3 and len(c.output_tokens) == 3
        assert all(1 <= t <= 16 for t in c.output_tokens) and c.prompt_tokens > 5
        assert before <= c.t_start <= c.t_end
    assert {c.worker for c in done} == {"vllm:0", "vllm:1"}  # spread over both engines


def test_vllm_streams_so_a_caller_can_stop_early_and_the_engine_serves_on(vllm_engine):
    stream = vllm_engine.generate(reqs(40, n=4, max_tokens=400))
    first = next(stream)
    assert first.error is None
    stream.close()  # stop reading: the rest is aborted in the engine
    again = list(vllm_engine.generate(reqs(2, prefix="again")))
    assert sorted(c.request_id for c in again) == ["again0", "again1"] and all(c.texts for c in again)


def test_vllm_stops_at_the_deadline_and_on_stop(vllm_engine):
    assert list(vllm_engine.generate(reqs(4), deadline=time.monotonic() - 1)) == []
    got = []
    for c in vllm_engine.generate(reqs(40, n=4, max_tokens=400)):
        got.append(c)
        vllm_engine.stop()
    assert len(got) < 40
    assert len(list(vllm_engine.generate(reqs(2, prefix="after")))) == 2


def test_vllm_serves_a_lora_adapter_through_lora_request(vllm_engine, demo_adapter):
    greedy = dict(n=1, max_tokens=12, temperature=0.0)
    base = {c.request_id: c.texts for c in vllm_engine.generate(reqs(3, **greedy))}
    lora = Adapter("demo-lora", str(demo_adapter))
    tuned = {c.request_id: c.texts for c in vllm_engine.generate(reqs(3, adapter=lora, **greedy))}
    assert all(tuned[k] and tuned[k] != base[k] for k in base)
    assert {c.request_id: c.texts for c in vllm_engine.generate(reqs(3, **greedy))} == base


def test_vllm_prompt_longer_than_the_context_fails_alone(vllm_engine):
    long = Request("long", PROMPT * 200, Sampling(max_tokens=8))
    done = {c.request_id: c for c in vllm_engine.generate([long] + reqs(2))}
    assert done["long"].error and not done["long"].texts
    assert done["r0"].texts and done["r1"].texts


def test_killed_engine_process_loses_only_its_unfinished_requests(own_engine):
    engine = own_engine(2, queue_depth=4)
    assert len(engine.live) == 2
    victim = engine.workers[0].proc.pid
    done = []
    for c in engine.generate(reqs(16, n=2, max_tokens=400)):
        if not done:
            os.killpg(victim, signal.SIGKILL)  # the worker leads its own process group
        done.append(c)
    assert sorted(c.request_id for c in done) == sorted(f"r{i}" for i in range(16))
    lost = [c for c in done if c.error]
    assert lost and all("died" in c.error for c in lost)
    assert {c.worker for c in done if c.error is None} >= {"vllm:1"}
    assert [w.wid for w in engine.live] == [1]
    assert len(list(engine.generate(reqs(2, prefix="after")))) == 2


def test_hung_engine_is_killed_after_the_grace_period_past_its_deadline(own_engine):
    engine = own_engine(1, stop_grace_s=2.0)
    (survivor,) = engine.live
    os.killpg(survivor.proc.pid, signal.SIGSTOP)  # hung: alive, but never answers
    t0 = time.monotonic()
    assert list(engine.generate(reqs(4, max_tokens=64), deadline=t0 + 2.0)) == []
    assert engine.live == [] and not survivor.proc.is_alive()
    left = list(engine.generate(reqs(2, prefix="after")))
    assert [c.error for c in left] == ["no vLLM engine left"] * 2


def test_vllm_engine_that_cannot_start_says_why(tmp_path):
    from kernel.engines import EngineError

    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(EngineError, match="no vLLM engine started"):
        VLLMEngine(launch(tmp_path), [None])


# --- transformers -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def hf_engine(demo_model):
    return HFEngine(str(demo_model))


def test_hf_returns_n_samples_per_request(hf_engine):
    done = list(hf_engine.generate(reqs(2, n=3)))
    assert [c.request_id for c in done] == ["r0", "r1"]
    assert all(len(c.texts) == 3 and c.error is None and c.tokens > 0 for c in done)


def test_hf_stops_at_the_deadline(hf_engine):
    assert list(hf_engine.generate(reqs(3), deadline=time.monotonic() - 1)) == []


def test_hf_serves_a_lora_adapter_and_the_base_weights_after_it(demo_model, demo_adapter):
    engine = HFEngine(str(demo_model))
    greedy = dict(n=1, max_tokens=12, temperature=0.0)
    base = [c.texts for c in engine.generate(reqs(2, **greedy))]
    tuned = [c.texts for c in engine.generate(reqs(2, adapter=Adapter("demo-lora", str(demo_adapter)), **greedy))]
    assert tuned != base
    assert [c.texts for c in engine.generate(reqs(2, **greedy))] == base


# --- replay ---------------------------------------------------------------------------------

def test_replay_serves_recorded_texts_by_prompt_digest_then_by_id(tmp_path):
    import json

    from kernel.prompting.builder import prompt_digest

    path = tmp_path / "c.jsonl"
    lines = [{"prompt_id": "other-id", "prompt_digest": prompt_digest(PROMPT + "0"), "text": "a", "output_tokens": 1},
             {"prompt_id": "other-id", "prompt_digest": prompt_digest(PROMPT + "0"), "text": "b", "output_tokens": 1},
             {"prompt_id": "r1", "prompt_digest": "stale", "text": "c"},
             {"prompt_id": "r2", "text": None, "error": "engine died"}]
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\nnot json\n")
    done = {c.request_id: c for c in ReplayEngine([path]).generate(reqs(3, n=5))}
    assert done["r0"].texts == ("a", "b") and done["r1"].texts == ("c",)
    assert done["r2"].error and not done["r2"].texts
