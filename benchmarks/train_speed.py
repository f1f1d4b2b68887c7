"""The speed benchmark, run from a clone of the book's repository.

    python benchmarks/train_speed.py --epochs 10

The benchmark itself is ``lenet_helpers.benchmark`` (see
``python -m lenet_helpers.benchmark --help``); this script only writes its
files where the results are published, ``lenet_helpers/results/``.
"""

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# Use the package of this clone, installed or not.
sys.path.insert(0, str(REPO))

from lenet_helpers.benchmark import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(
        main(
            default_out=REPO / "lenet_helpers" / "results",
            prog="python benchmarks/train_speed.py",
        )
    )
