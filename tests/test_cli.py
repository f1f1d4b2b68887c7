"""The command a newcomer runs first: python -m lenet_helpers."""
import os
import re
import subprocess
import sys

import torch

from lenet_helpers import lenet


def run(args, env=None, timeout=300):
    return subprocess.run([sys.executable, "-m", "lenet_helpers", *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


def test_cli_trains_prints_the_seed_lines_and_saves_the_plot(data_dir, tmp_path):
    plot, weights = tmp_path / "training.png", tmp_path / "lenet.pt"
    result = run(["--epochs", "1", "--plot", str(plot), "--save-weights", str(weights)])
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert re.fullmatch(r"training on (cpu|cuda:0|mps)", lines[0])
    assert re.fullmatch(r"loss \d\.\d{3}, train acc \d\.\d{3}, test acc \d\.\d{3}", lines[1])
    assert re.fullmatch(r"\d+\.\d examples/sec on (cpu|cuda:0|mps)", lines[2])
    assert plot.read_bytes()[:4] == b"\x89PNG"
    assert lines[-1] == f"weights saved to {weights}"
    # The file is a state_dict that fills a fresh lenet() exactly (strict: every key, every shape).
    state = torch.load(weights, weights_only=True)
    lenet().load_state_dict(state)
    assert all(t.device.type == "cpu" and t.isfinite().all() for t in state.values())


def test_cli_without_data_explains_instead_of_a_traceback(tmp_path):
    # A proxy that nothing listens on: the download fails here and on an online machine alike.
    offline = {"http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9", "no_proxy": ""}
    offline |= {name.upper(): value for name, value in offline.items()}
    result = run(["--epochs", "1", "--data", str(tmp_path / "empty")], env={"LENET_DATA": "", **offline},
                 timeout=120)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "Fashion-MNIST was not found" in result.stderr and "LENET_DATA" in result.stderr
