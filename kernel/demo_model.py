"""A tiny random Qwen2 model with its own tokenizer and chat template, built in seconds
without any download, so the whole pipeline (vLLM, transformers, LoRA, the Kaggle bundle)
can be smoke-tested without a real model. It writes garbage, which is what the parsing,
sandbox and fallback paths need to see."""

from __future__ import annotations

import json
from pathlib import Path

CHATML = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)
SPECIAL = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]


def _corpus() -> list[str]:
    """What the tokenizer learns its merges from: the prompt templates, grids and Python."""
    from .dsl import catalogue
    from .prompting.templates import BUILTIN_DIR

    texts = [p.read_text() for p in sorted(BUILTIN_DIR.glob("*.toml"))] + [catalogue()]
    rows = ["".join(str((r * 7 + c * 3 + k) % 10) for c in range(w)) for k in range(10) for r in range(5)
            for w in (3, 5, 10, 30)]
    texts.append("\n".join(rows))
    texts.append("import numpy as np\nfrom kernel import dsl\n\ndef transform(grid):\n"
                 "    g = np.array(grid)\n    return g[::-1].tolist()\n")
    return texts


def make_demo_model(out: str | Path, seed: int = 0, hidden_size: int = 128, layers: int = 2,
                    vocab_size: int = 2048, max_positions: int = 32768) -> Path:
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import GenerationConfig, PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=SPECIAL,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(_corpus(), trainer=trainer)
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|im_end|>", pad_token="<|endoftext|>",
                                   bos_token=None, unk_token=None, additional_special_tokens=SPECIAL[1:2])
    fast.chat_template = CHATML
    fast.save_pretrained(out)

    eos, pad = fast.convert_tokens_to_ids("<|im_end|>"), fast.convert_tokens_to_ids("<|endoftext|>")
    # head_dim 64: the CPU build of vLLM rejects smaller attention heads.
    config = Qwen2Config(vocab_size=len(fast), hidden_size=hidden_size, intermediate_size=hidden_size * 2,
                         num_hidden_layers=layers, num_attention_heads=hidden_size // 64, num_key_value_heads=1,
                         max_position_embeddings=max_positions, tie_word_embeddings=True,
                         bos_token_id=pad, eos_token_id=eos, pad_token_id=pad, torch_dtype="float32")
    torch.manual_seed(seed)
    model = Qwen2ForCausalLM(config)
    model.generation_config = GenerationConfig(eos_token_id=eos, pad_token_id=pad, bos_token_id=pad)
    model.save_pretrained(out)
    (out / "demo_model.json").write_text(json.dumps({"what": "random demo model made by kernel make-demo-model",
                                                     "seed": seed, "hidden_size": hidden_size, "layers": layers}))
    return out
