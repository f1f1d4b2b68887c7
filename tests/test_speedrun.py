"""The speedrun of chapter 8: its network, its clock and rules, its command."""
import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import torch
from torch import nn

from lenet_helpers import read_fashion_mnist
from lenet_helpers import speedrun as sr

# A run of a fraction of an epoch, evaluated often: seconds, not minutes.
SHORT = sr.Recipe(epochs=0.2, evals_per_epoch=10, eval_from=0.1, target=1.0)


def test_speedrun_net_keeps_lenets_shape():
    net = sr.speedrun_lenet()
    kinds = [type(m) for m in net]
    assert kinds.count(nn.Conv2d) == 2 and kinds.count(nn.MaxPool2d) == 2
    assert kinds.count(nn.Linear) == 3
    # Each convolution is pooled before batch norm and ReLU.
    first = kinds.index(nn.Conv2d)
    assert kinds[first:first + 4] == [nn.Conv2d, nn.MaxPool2d, nn.BatchNorm2d, nn.ReLU]
    assert [m.kernel_size for m in net if isinstance(m, nn.Conv2d)] == [(5, 5), (5, 5)]
    assert net(torch.zeros(3, 1, 28, 28)).shape == (3, 10)
    assert sr.speedrun_lenet((6, 16, 120, 84))[0].out_channels == 6


def test_chapter5_net_is_the_one_chapter_5_builds():
    # build_lenet as chapter 5's notebook defines it, run from its own cell.
    path = Path(__file__).resolve().parents[1] / "notebooks" / "05_modern_lenet.ipynb"
    cell = next(c for c in nbformat.read(path, as_version=4).cells
                if c.cell_type == "code" and "def build_lenet" in c.source)
    namespace = {"nn": nn}
    exec(cell.source, namespace)
    chapter5 = namespace["build_lenet"](activation=nn.ReLU, pool=nn.MaxPool2d, batch_norm=True)
    assert str(sr.chapter5_lenet()) == str(chapter5)
    torch.manual_seed(0)
    ours = sr.chapter5_lenet()
    assert [p.shape for p in ours.parameters()] == [p.shape for p in chapter5.parameters()]


def test_unknown_net_is_named():
    with pytest.raises(ValueError, match="chapter5"):
        sr.Recipe(net="resnet").build()


def test_validate_holds_out_the_last_10000_training_images(data_dir):
    X, y, X_held, y_held = sr.load_tensors("cpu", validate=True)
    _, labels = read_fashion_mnist(True)
    assert X.shape == (50_000, 1, 28, 28) and X_held.shape == (10_000, 1, 28, 28)
    assert torch.equal(y_held, labels[-10_000:]) and torch.equal(y, labels[:50_000])
    # Scaled with the training part's own mean and spread.
    assert abs(X.mean().item()) < 1e-3 and abs(X.std().item() - 1) < 1e-3


def test_a_run_times_every_evaluation_and_reads_the_files_anew(data_dir):
    read_fashion_mnist(True)  # cached in this process...
    result = sr.run(SHORT, 0, "cpu", validate=True)
    # ...but the run read and decoded them itself.
    assert sr.data._read_idx.cache_info().misses >= 2
    epochs = [round(e, 2) for _, e, _ in result.curve]
    assert epochs == [0.1, 0.2], epochs
    seconds = [s for s, _, _ in result.curve]
    assert 0 < seconds[0] < seconds[1] <= result.total_seconds
    assert result.seconds is None and not result.reached
    assert 0.5 < result.test_acc < 1 and result.test_acc == result.curve[-1][2]
    assert isinstance(result.net, nn.Module) and not result.net.training


def test_a_run_stops_at_the_first_evaluation_that_reaches_the_target(data_dir):
    recipe = sr.Recipe(epochs=1, evals_per_epoch=20, eval_from=0.05, target=0.7)
    result = sr.run(recipe, 0, "cpu", validate=True)
    assert result.reached
    accs = [a for _, _, a in result.curve]
    assert accs[-1] >= 0.7 and all(a < 0.7 for a in accs[:-1]), accs
    assert result.seconds == result.curve[-1][0]
    assert result.curve[-1][1] < 1  # it stopped before the schedule's end


def test_summary_median_worst_and_a_missed_seed():
    def result(seed, seconds, acc):
        return sr.Result(seed, seconds, acc, seconds or 20.0, [], "cpu")

    runs = [result(0, 9.0, 0.91), result(1, 7.0, 0.90), result(2, 8.0, 0.905)]
    summary = sr.summarize(runs, sr.Recipe())
    assert summary["seconds"] == 8.0 and summary["worst_seconds"] == 9.0
    assert summary["test_acc"] == pytest.approx(0.905) and summary["device"] == "cpu"
    missed = sr.summarize(runs[:2] + [result(2, None, 0.89)], sr.Recipe())
    assert missed["seconds"] is None and missed["worst_seconds"] is None
    assert "not every seed reached 0.90" in sr.report(runs, missed, False)


def run_cli(*args, timeout=300):
    return subprocess.run([sys.executable, "-m", "lenet_helpers.speedrun", *args],
                          capture_output=True, text=True, timeout=timeout)


def test_cli_json_reaches_the_target(data_dir):
    result = run_cli("--seeds", "1", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert {"seconds", "worst_seconds", "test_acc", "device"} <= set(report)
    assert report["device"] in ("cpu", "cuda:0", "mps")
    # Seed 0 ends at 0.90 or above on the machines tried; a tolerance for
    # other rounding.
    assert report["test_acc"] >= 0.895
    assert report["seeds"][0]["seed"] == 0
    assert report["recipe"]["batch_size"] == 256


def test_cli_rejects_no_seeds_and_explains_missing_data(tmp_path):
    bad = run_cli("--seeds", "0", timeout=60)
    assert bad.returncode == 2 and "--seeds must be 1 or more" in bad.stderr
    missing = run_cli("--data", str(tmp_path), timeout=60)
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    assert re.search(r"Fashion-MNIST was not found", missing.stderr)
