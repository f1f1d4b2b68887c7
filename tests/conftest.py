"""Shared test setup: every test reads the real Fashion-MNIST files, never a download."""
import os
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "fashion-mnist"

# The notebooks and the package find the data through LENET_DATA; point it at the shared copy
# when the caller has not chosen a folder (CI sets it explicitly too).
if not os.environ.get("LENET_DATA") and SHARED_DATA.is_dir():
    os.environ["LENET_DATA"] = str(SHARED_DATA)


@pytest.fixture(scope="session")
def data_dir() -> Path:
    folder = os.environ.get("LENET_DATA")
    if not folder or not Path(folder).is_dir():
        pytest.fail("The tests need the real Fashion-MNIST files: set LENET_DATA to the folder that holds "
                    "the four *-ubyte.gz files (e.g. ../shared/data/fashion-mnist).")
    return Path(folder)
