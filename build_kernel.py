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
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from kernel.bundle.build import BuildError, BuildOptions, build, human  # noqa: E402
from kernel.bundle.wheels import IMAGE_FILE, Image, WheelError, image_list_text, parse_freeze, read_image  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] + " " + __doc__.split("\n\n")[1].replace("\n", " "))
    p.add_argument("--model", type=Path, metavar="DIR", help="Hugging Face model folder (your fine-tuned model); "
                                                           "required unless --image-freeze is given alone")
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
    p.add_argument("--image-freeze", type=Path, metavar="FILE",
                   help="refresh the image list (--image) from what a Kaggle notebook printed for "
                        "`!python --version; pip list --format=freeze`, pasted as it is; then build if --model is given")
    p.add_argument("--image-python", metavar="X.Y", help="the image's Python, when --image-freeze's file does not say it")
    p.add_argument("--wheels", dest="cache", type=Path, default=ROOT / "wheels", metavar="DIR",
                   help="wheel download cache (default: wheels/)")
    p.add_argument("--offline", action="store_true", help="download nothing: use only the wheels already in the cache")
    p.add_argument("--prompt", dest="prompts", action="append", default=[], metavar="NAME|FILE.toml",
                   help="the prompt preset of your model's format (repeatable: one output and one code preset), as "
                        "`kernel run --prompt`; a preset file ships in the model dataset, and the module its programs "
                        "import must be in the model folder")
    p.add_argument("--run-arg", dest="run_args", action="append", default=[], metavar="ARG",
                   help="extra argument for `kernel run` in the entry script (repeatable), e.g. --run-arg=--profile "
                        "--run-arg=t4x2")
    p.add_argument("--out", type=Path, default=ROOT / "build", metavar="DIR", help="output folder (default: build/)")
    return p.parse_args(argv)


def refresh_image(freeze: Path, image_file: Path, python: str | None) -> int:
    """Rewrite the image list from a notebook's freeze; print what changed among the packages the
    old list named (the ones the plan depends on)."""
    found_python, packages, skipped = parse_freeze(freeze.read_text())
    old = read_image(image_file) if image_file.exists() else Image("", {})
    python = python or found_python or old.python
    if not python:
        raise WheelError(f"{freeze}: no Python version in it; add the output of `!python --version` or pass "
                         "--image-python X.Y")
    if not packages:
        raise WheelError(f"{freeze}: no name==version lines; paste the output of `pip list --format=freeze`")
    new = Image(python, packages)
    image_file.write_text(image_list_text(new, f"{freeze.name} ({date.today().isoformat()})"))
    print(f"wrote {image_file}: Python {python}, {len(packages)} packages"
          + (f" ({len(skipped)} lines not understood, skipped: {skipped[0].strip()!r}...)" if skipped else ""))
    if old.python and old.python != python:
        print(f"  python: {old.python} -> {python}")
    for name in sorted(old.packages):
        if name not in packages:
            print(f"  {name}: {old.packages[name]} -> not in the image")
        elif packages[name] != old.packages[name]:
            print(f"  {name}: {old.packages[name]} -> {packages[name]}")
    return 0


def main(argv=None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    if args.image_freeze is not None:
        try:
            refresh_image(args.image_freeze, args.image, args.image_python)
        except (WheelError, OSError) as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
        if args.model is None:
            return 0
    if args.model is None:
        print("error: --model DIR is required (or --image-freeze FILE alone, to refresh the image list)", file=sys.stderr)
        return 2
    try:
        result = build(BuildOptions(model=args.model, out=args.out, adapter=args.adapter,
                                    merge_adapter=args.merge_adapter, config=args.config, kernel_id=args.kernel_id,
                                    title=args.title, requirements=args.requirements, image=args.image,
                                    cache=args.cache, offline=args.offline, run_args=args.run_args,
                                    prompts=args.prompts))
    except (BuildError, WheelError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"built {args.out}: kernel {human(result.sizes['kernel'])}, wheels {human(result.sizes['wheels'])} "
          f"({len(result.wheels)} wheels), model {human(result.sizes['model'])}")
    for u in result.upgrades:
        print(f"upgrade on the image: {u.name} {u.image} -> {u.bundled} (needed by {u.needed_by})")
    print("checks passed: Kaggle metadata rules; the wheel set resolves with no index for the image's Python, "
          "keeping its torch, triton and NVIDIA libraries")
    print("next, in order:")
    for i, command in enumerate(result.commands, 1):
        print(f"  {i}. {command}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
