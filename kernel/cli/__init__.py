"""Command line: `python -m kernel COMMAND --help` (or `arc-kernel`). One module per family
of commands; each adds its parsers in `register`.

Exit codes: 0 done, 2 bad arguments or unusable input (the message says which file and why).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Sequence

from .. import __version__
from ..config import ConfigError
from ..tasks import InputFileError
from . import model, run, settings, tasks, tuning
from .common import UsageError

FAMILIES = (tasks, run, model, tuning, settings)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m kernel",
        description="ARC Prize submission kernel: sample programs and grids from a model, search DSL programs, "
                    "verify programs in a sandbox, build submission.json, score it.",
        epilog="Run 'python -m kernel COMMAND --help' for the options of each command.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging on stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for family in FAMILIES:
        family.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # Kaggle runs with the internet off: never let transformers or vLLM try a model hub.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(levelname)s %(message)s", stream=sys.stderr)
    try:
        return args.func(args)
    except (InputFileError, ConfigError, UsageError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
