"""The config command: the effective settings, each with its help, range and default."""

from __future__ import annotations

import argparse
import sys

from ..config import DEFAULT_FILE, Config, to_toml
from .common import UsageError, add_config_args, config_from


def register(sub) -> None:
    p = sub.add_parser("config", help="print the effective settings as TOML, with each one's help and range",
                       description="Print the settings a command would use (defaults, then --profile, --config and "
                                   "--set) as a TOML file that --config reads back. Every setting is defined once, in "
                                   "kernel/config.py; kernel/default.toml is this command's output for the defaults.")
    p.add_argument("--defaults", action="store_true", help=f"write the defaults to {DEFAULT_FILE.name} beside "
                                                           "kernel/config.py (in the source tree: for developers "
                                                           "who changed a setting) instead of printing")
    add_config_args(p)
    p.set_defaults(func=cmd_config)


def cmd_config(args: argparse.Namespace) -> int:
    if args.defaults:
        if args.profile or args.config or args.overrides:
            raise UsageError("--defaults writes the defaults alone: leave out --profile, --config and --set")
        DEFAULT_FILE.write_text(to_toml(Config()))
        print(f"wrote {DEFAULT_FILE}")
        return 0
    sys.stdout.write(to_toml(config_from(args)))
    return 0
