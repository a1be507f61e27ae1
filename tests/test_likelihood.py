"""Log-probabilities of sampled completions and teacher-forced scores of given answers, from
both engines, checked against a token-by-token computation written here with transformers."""

import json
import math

import pytest

from kernel import arc_mini
from kernel.config import VLLMConfig
from kernel.engines import Request, Sampling
from kernel.engines.hf_engine import HFEngine
from kernel.engines.vllm_engine import VLLMEngine
from kernel.engines.vllm_worker import VLLMLaunch
from kernel.augment import task_views
from kernel.likelihood import most_voted, score_requests
from kernel.prompting import build_prompts, load_template
from kernel.prompting.builder import TokenizerRenderer
from kernel.reference_model import REFERENCE_DIR
from tests.conftest import run_cli

TOLERANCE = 1e-3


@pytest.fixture(scope="module")
def reference():
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.manual_seed(0)
    return AutoModelForCausalLM.from_pretrained(REFERENCE_DIR, dtype=torch.float32).eval(), \
        AutoTokenizer.from_pretrained(REFERENCE_DIR)


def token_by_token(model, tokenizer, prompt: str, answer: str) -> float:
    """The answer's log-probability, one position at a time: no batching, no cache, nothing
    shared with the engines' code but the model."""
    import torch

    head = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    tail = tokenizer(answer, add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id]
    ids, total = list(head), 0.0
    with torch.no_grad():
        for token in tail:
            logits = model(input_ids=torch.tensor([ids])).logits[0, -1].double()
            total += float(torch.log_softmax(logits, -1)[token])
            ids.append(token)
    return total


@pytest.fixture(scope="module")
def scoring(reference):
    """Requests scoring the right answer and a wrong one of two arc-mini tasks under 2 views."""
    _, tokenizer = reference
    template = load_template("output-from-examples")
    renderer = TokenizerRenderer(tokenizer)
    out = []
    for task in arc_mini.load("arc-mini/evaluation").limit(2).tasks:
        right = task.test[0].output
        wrong = tuple(tuple((v + 1) % 10 for v in row) for row in right)
        out += [sr.request for sr in score_requests(task, 0, [right, wrong], task_views(2, 0, n_train=len(task.train)),
                                                     template, renderer, 4000)]
    return out


def test_hf_engine_scores_an_answer_as_the_token_by_token_computation_does(reference, scoring):
    model, tokenizer = reference
    engine = HFEngine(str(REFERENCE_DIR), dtype="float32", device="cpu")
    got = {c.request_id: c for c in engine.generate(scoring)}
    worst = 0.0
    for r in scoring:
        c = got[r.id]
        assert c.error is None and c.texts == (r.answer,) and c.finish_reasons == ("scored",)
        worst = max(worst, abs(c.logprobs[0] - token_by_token(model, tokenizer, r.prompt, r.answer)))
    assert worst < TOLERANCE, worst


def test_vllm_engine_scores_an_answer_as_the_token_by_token_computation_does(reference, scoring):
    model, tokenizer = reference
    launch = VLLMLaunch(str(REFERENCE_DIR), VLLMConfig(max_model_len=4096, cpu_kvcache_gb=1.0, dtype="float32"))
    with VLLMEngine(launch, [None]) as engine:
        got = {c.request_id: c for c in engine.generate(scoring)}
    worst = 0.0
    for r in scoring:
        c = got[r.id]
        assert c.error is None and c.texts == (r.answer,)
        worst = max(worst, abs(c.logprobs[0] - token_by_token(model, tokenizer, r.prompt, r.answer)))
    assert worst < TOLERANCE, worst


def test_the_right_answer_scores_higher_than_a_wrong_one(reference, scoring):
    engine = HFEngine(str(REFERENCE_DIR), dtype="float32", device="cpu")
    got = {c.request_id: c.logprobs[0] for c in engine.generate(scoring)}
    # request ids end in /0 (the right grid) or /1 (its colors shifted by one)
    for r in scoring:
        if r.id.endswith("/0"):
            assert got[r.id] > got[r.id[:-1] + "1"]


def test_a_sampled_completion_carries_the_log_probability_its_score_has(reference):
    """Greedy: the completion's own log-probability (end token included) equals its
    teacher-forced score."""
    model, tokenizer = reference
    task = arc_mini.load("arc-mini/evaluation").limit(1).tasks[0]
    (p,), _ = build_prompts([task], load_template("code-from-examples"), TokenizerRenderer(tokenizer), 4000)
    prompt = p.text
    hf = HFEngine(str(REFERENCE_DIR), dtype="float32", device="cpu")
    (c,) = hf.generate([Request("g", prompt, Sampling(1, 0.0, 1.0, 128))])
    assert c.finish_reasons == ("stop",) and c.logprobs[0] < 0
    assert abs(c.logprobs[0] - token_by_token(model, tokenizer, prompt, c.texts[0])) < TOLERANCE
    launch = VLLMLaunch(str(REFERENCE_DIR), VLLMConfig(max_model_len=4096, cpu_kvcache_gb=1.0, dtype="float32"))
    with VLLMEngine(launch, [None]) as engine:
        (v,) = engine.generate([Request("g", prompt, Sampling(1, 0.0, 1.0, 128))])
    assert v.texts == c.texts and abs(v.logprobs[0] - c.logprobs[0]) < TOLERANCE


def test_most_voted_keeps_the_k_most_sampled_grids_per_test_input():
    events = [{"event": "candidate", "kind": "grid", "task_id": "t", "test_index": 0, "grid": g}
              for g in ([[1]], [[2]], [[2]], [[3]], [[3]], [[3]], None, [[1, 2], [3]])]
    events.append({"event": "candidate", "kind": "grid", "task_id": "other", "test_index": 0, "grid": [[5]]})
    assert most_voted(events, {"t": 1}, 2) == {("t", 0): [((3,),), ((2,),)]}


def test_score_output_stage_writes_one_score_per_test_input_and_each_method_selects_from_it(tmp_path):
    out = tmp_path / "run"
    r = run_cli("dry-run", "--model", "reference", "--dataset", "arc-mini/evaluation", "--limit", "2", "--no-search",
                "--stages", "sample_output,score_output", "--profile", "cpu", "--out", out,
                "--set", "sampling.engine=hf", "--set", "sampling.n=3", "--set", "sampling.max_tokens_output=128",
                "--set", "run.augmentations=2", "--set", "selection.views=2", "--set", "selection.top_k=2",
                "--set", "selection.method=product-of-experts", timeout=900)
    assert r.returncode == 0, r.stderr
    events = [json.loads(line) for line in (out / "trace.jsonl").read_text().splitlines()]
    grids = [e for e in events if e.get("kind") == "grid" and e.get("grid") is not None]
    assert grids and all(isinstance(e["logprob"], float) and e["mean_logprob"] < 0 for e in grids)
    scores = [e for e in events if e.get("kind") == "score"]
    assert scores, "no test input was scored"
    for e in scores:
        assert len(e["views"]) == 2 and len(e["grids"]) == len(e["logprobs"]) <= 2
        assert all(x < 0 for row in e["logprobs"] for x in row)
    start = next(e for e in events if e["event"] == "run_start")
    assert start["selection_method"] == "product-of-experts"


def test_hf_depth_first_sampling_returns_the_greedy_completion_first_and_only_probable_ones(reference):
    model, tokenizer = reference
    task = arc_mini.load("arc-mini/evaluation").limit(1).tasks[0]
    (p,), _ = build_prompts([task], load_template("code-from-examples"), TokenizerRenderer(tokenizer), 4000)
    hf = HFEngine(str(REFERENCE_DIR), dtype="float32", device="cpu")
    (greedy,) = hf.generate([Request("g", p.text, Sampling(1, 0.0, 1.0, 128))])
    (walk,) = hf.generate([Request("d", p.text, Sampling(max_tokens=128, min_prob=0.05))])
    assert walk.error is None and walk.texts
    if greedy.logprobs[0] >= math.log(0.05):   # the greedy completion is probable enough: it comes first
        assert walk.texts[0] == greedy.texts[0]
    else:
        assert greedy.texts[0] not in walk.texts
    assert len(set(walk.texts)) == len(walk.texts) <= 20
    for text, lp in zip(walk.texts, walk.logprobs):
        assert lp >= math.log(0.05) - 1e-9
        assert abs(lp - token_by_token(model, tokenizer, p.text, text)) < TOLERANCE
