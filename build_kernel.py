#!/usr/bin/env python3
"""Bundle a model, offline wheels and the orchestrator into a push-ready Kaggle kernel.

Writes OUT/kernel (kernel-metadata.json and one entry script), OUT/datasets/wheels and
OUT/datasets/model (each with dataset-metadata.json), checks the metadata against the kaggle
CLI's rules and the wheel set with an offline resolver run, then prints the kaggle commands to
run, in order, with each upload's size."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from kernel.bundle.build import BuildError, BuildOptions, build, human  # noqa: E402
from kernel.bundle.wheels import IMAGE_FILE, WheelError  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] + " " + __doc__.split("\n\n")[1].replace("\n", " "))
    p.add_argument("--model", required=True, type=Path, metavar="DIR", help="Hugging Face model folder (your fine-tuned model)")
    p.add_argument("--adapter", type=Path, metavar="DIR", help="a peft LoRA adapter to ship with it")
    p.add_argument("--merge-adapter", action="store_true", help="merge --adapter into the weights instead of shipping it")
    p.add_argument("--config", type=Path, metavar="FILE", help="run config (TOML, as `kernel run --config`) bundled into "
                                                              "the entry script (default: kernel/default.toml's values)")
    p.add_argument("--id", dest="kernel_id", metavar="OWNER/SLUG",
                   help="the kernel's Kaggle id (default: kernel-metadata.json's); datasets are OWNER/SLUG-wheels, -model")
    p.add_argument("--title", help="kernel title (default: from the slug; it must slugify back to it)")
    p.add_argument("--requirements", type=Path, default=ROOT / "requirements-offline.txt", metavar="FILE",
                   help="what the kernel needs beyond the Kaggle image (default: requirements-offline.txt)")
    p.add_argument("--image", type=Path, default=IMAGE_FILE, metavar="FILE",
                   help="packages the Kaggle image has, name==version (default: kernel/bundle/kaggle-image.txt)")
    p.add_argument("--wheels", dest="cache", type=Path, default=ROOT / "wheels", metavar="DIR",
                   help="wheel download cache (default: wheels/)")
    p.add_argument("--offline", action="store_true", help="download nothing: use only the wheels already in the cache")
    p.add_argument("--run-arg", dest="run_args", action="append", default=[], metavar="ARG",
                   help="extra argument for `kernel run` in the entry script (repeatable), e.g. --run-arg=--profile "
                        "--run-arg=t4x2")
    p.add_argument("--out", type=Path, default=ROOT / "build", metavar="DIR", help="output folder (default: build/)")
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    try:
        result = build(BuildOptions(model=args.model, out=args.out, adapter=args.adapter,
                                    merge_adapter=args.merge_adapter, config=args.config, kernel_id=args.kernel_id,
                                    title=args.title, requirements=args.requirements, image=args.image,
                                    cache=args.cache, offline=args.offline, run_args=args.run_args))
    except (BuildError, WheelError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"built {args.out}: kernel {human(result.sizes['kernel'])}, wheels {human(result.sizes['wheels'])} "
          f"({len(result.wheels)} wheels), model {human(result.sizes['model'])}")
    print("checks passed: Kaggle metadata rules; the wheel set resolves with no index for the image's Python")
    print("next, in order:")
    for i, command in enumerate(result.commands, 1):
        print(f"  {i}. {command}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
