#!/usr/bin/env python3
"""Bundle a model, offline wheels and the orchestrator into a push-ready Kaggle kernel.

Not built yet: this lands with the build_kernel issue (#7). Until then this script only
says so, so nobody mistakes it for a working bundler.
"""

import argparse
import sys


def main() -> int:
    parser = argparse.ArgumentParser(
        description="Bundle model weights, offline wheels and the orchestrator into what "
                    "`kaggle datasets create` and `kaggle kernels push` take. NOT BUILT YET (issue #7).")
    parser.add_argument("--model", metavar="DIR", help="model folder (Hugging Face layout)")
    parser.add_argument("--out", metavar="DIR", default="build", help="output folder")
    parser.parse_args()
    print("build_kernel.py is not built yet: it lands with issue #7 (build_kernel.py). "
          "Nothing was written.", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
