"""The speed benchmark (lenet_helpers.benchmark, run by
benchmarks/train_speed.py) and the fast path (lenet_helpers.speed), on the
real data.

Speed itself is never asserted here (the machine may be busy): these tests
check that the benchmark runs, reports what it says it reports, ships its
published results, and that the fast step computes exactly the plain step.
"""

import copy
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from torch import nn

from lenet_helpers import (
    benchmark,
    init_weights,
    lenet,
    load_data_fashion_mnist,
    set_seed,
)
from lenet_helpers.speed import TrainStep

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "benchmarks" / "train_speed.py"
# The reference for the ratios and the book's path; chapter 6 runs "fast"
# and the other variants under nbval, and checks that they learn.
QUICK_VARIANTS = ["reference", "project"]


@pytest.fixture(scope="module")
def quick_report(data_dir, tmp_path_factory):
    """One quick run of the command-line benchmark (2 epochs of the full
    data), read back from its JSON.
    """
    out = tmp_path_factory.mktemp("results")
    variants = ",".join(QUICK_VARIANTS)
    command = [sys.executable, str(SCRIPT), "--quick", "--device", "cpu"]
    command += ["--variants", variants, "--out", str(out)]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    files = sorted(p.name for p in out.iterdir())
    name = benchmark.results_name(torch.device("cpu"), local=True)
    assert files == [f"{name}.json", f"{name}.md"]
    report = json.loads((out / files[0]).read_text())
    return report, proc.stdout, (out / files[1]).read_text()


def test_quick_run_reports_every_figure(quick_report):
    report, stdout, markdown = quick_report
    env, settings = report["environment"], report["settings"]
    assert env["device"] == "cpu" and env["torch"] == torch.__version__
    assert env["torch_threads"] >= 1
    expected = {
        "epochs": 2,
        "batch_size": 256,
        "lr": 0.9,
        "seed": 0,
        "quick": True,
        "train_examples": 60_000,
        "test_examples": 10_000,
    }
    assert settings == settings | expected
    assert report["command"].startswith("python benchmarks/train_speed.py")
    assert [r["name"] for r in report["results"]] == QUICK_VARIANTS
    for r in report["results"]:
        assert r["status"] == "ok", r
        assert len(r["epoch_seconds"]) == r["epochs"] == 2
        assert r["seconds"] == pytest.approx(sum(r["epoch_seconds"]))
        assert r["first_epoch_seconds"] == r["epoch_seconds"][0]
        assert 0 <= r["setup_seconds"] < r["total_seconds"]
        speed = 2 * 60_000 / r["seconds"]
        assert r["examples_per_sec"] == pytest.approx(speed)
        steady = 60_000 / r["epoch_seconds"][1]
        assert r["steady_examples_per_sec"] == pytest.approx(steady)
    assert report["targets"]["full_run"] is False
    # The printed table is the Markdown file, one row per variant.
    assert markdown in stdout
    rows = [line for line in markdown.splitlines() if line.startswith("| ")]
    assert [row.split("|")[1].strip() for row in rows[1:]] == QUICK_VARIANTS


def test_ratios_are_throughput_over_the_reference(quick_report):
    report, _, _ = quick_report
    rows = {r["name"]: r for r in report["results"]}
    ref = rows["reference"]
    assert ref["ratio"] == 1.0 and ref["test_acc_diff"] == 0.0
    for r in rows.values():
        speed_up = r["examples_per_sec"] / ref["examples_per_sec"]
        assert r["ratio"] == pytest.approx(speed_up)
        # The same examples: a ratio of times.
        assert r["ratio"] == pytest.approx(ref["seconds"] / r["seconds"])
        steady = r["steady_examples_per_sec"] / ref["steady_examples_per_sec"]
        assert r["steady_ratio"] == pytest.approx(steady)
        acc_diff = r["test_acc"] - ref["test_acc"]
        assert r["test_acc_diff"] == pytest.approx(acc_diff)


def test_every_variant_learns(quick_report):
    report, _, _ = quick_report
    for r in report["results"]:
        losses = r["train_loss_per_epoch"]
        assert losses[1] < losses[0] < 2.5, r["name"]
        # Chance is 0.1; two epochs reach about 0.5.
        assert r["test_acc"] > 0.25, r["name"]


def test_add_ratios_and_targets_on_made_up_rows():
    rows = [
        {
            "name": "reference",
            "status": "ok",
            "examples_per_sec": 5000.0,
            "steady_examples_per_sec": 6000.0,
            "test_acc": 0.80,
        },
        {
            "name": "project",
            "status": "ok",
            "examples_per_sec": 20000.0,
            "steady_examples_per_sec": None,
            "test_acc": 0.79,
        },
        {"name": "fast-bf16", "status": "skipped", "reason": "needs cuda"},
    ]
    benchmark.add_ratios(rows)
    assert rows[1]["ratio"] == 4.0 and rows[1]["steady_ratio"] is None
    assert rows[1]["test_acc_diff"] == pytest.approx(-0.01)
    assert "ratio" not in rows[2]
    report = {
        "results": rows,
        "environment": {"device": "cpu"},
        "settings": {
            "epochs": 10,
            "quick": False,
            "train_examples": 60_000,
            "test_examples": 10_000,
        },
    }
    assert benchmark.check_targets(report) == {
        "full_run": True,
        "cpu_project_2x": True,
        "cpu_project_acc_within_0.02": True,
    }
    # Learns better: counts, but is not "within".
    rows[1]["test_acc"], rows[1]["test_acc_diff"] = 0.85, 0.05
    assert benchmark.check_targets(report) == {
        "full_run": True,
        "cpu_project_2x": True,
        "cpu_project_acc_within_0.02": False,
    }
    # Faster but learns worse: does not count.
    rows[1]["test_acc"], rows[1]["test_acc_diff"] = 0.70, -0.10
    assert benchmark.check_targets(report)["cpu_project_2x"] is False


def test_bar_chart_has_one_bar_per_variant(quick_report):
    report, _, _ = quick_report
    fig = benchmark.plot_results(report)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == QUICK_VARIANTS[::-1]
    widths = [round(p.get_width()) for p in ax.patches]
    speeds = [round(r["examples_per_sec"]) for r in report["results"]]
    assert widths == speeds[::-1]


def test_torchvision_reads_the_prepared_files(data_dir, tmp_path):
    torchvision = pytest.importorskip("torchvision")
    root = benchmark.torchvision_root(tmp_path)
    test_set = torchvision.datasets.FashionMNIST(
        root, train=False, download=False
    )
    _, test_iter = load_data_fashion_mnist(10_000)
    pixels = (test_iter.X[:, 0] * 255).round().to(torch.uint8)
    assert torch.equal(test_set.data, pixels)
    assert torch.equal(test_set.targets, test_iter.y)


def test_results_name_names_the_device():
    cpu = benchmark.results_name(torch.device("cpu"))
    assert cpu.startswith("cpu-") and cpu == cpu.lower()
    local = benchmark.results_name(torch.device("cpu"), local=True)
    assert local == cpu + "-quick-local"


def test_published_results_ship_with_the_package():
    package = Path(benchmark.__file__).parent
    assert benchmark.RESULTS == package / "results"
    assert (benchmark.RESULTS / "cpu-vm.json").is_file()
    reports = benchmark.published_results()
    cpu = [r for r in reports if r["environment"]["device"] == "cpu"]
    assert cpu, "the committed CPU record is missing"
    for report in cpu:
        assert report["settings"]["epochs"] == 10
        assert report["targets"]["full_run"] is True
        names = [r["name"] for r in report["results"]]
        assert names == ["reference", "project", "project-nchw", "fast"]
        assert all(r["status"] == "ok" for r in report["results"])
    # Each published JSON has its Markdown table beside it.
    cpu_vm = json.loads((benchmark.RESULTS / "cpu-vm.json").read_text())
    table = (benchmark.RESULTS / "cpu-vm.md").read_text()
    assert cpu_vm in reports and table == benchmark.markdown_table(cpu_vm)


def test_published_results_leave_out_local_runs(tmp_path, monkeypatch):
    for name in ("b-gpu", "a-cpu", "a-cpu-quick-local"):
        (tmp_path / f"{name}.json").write_text(json.dumps({"name": name}))
    shutil.copy(benchmark.RESULTS / "cpu-vm.md", tmp_path / "a-cpu.md")
    monkeypatch.setattr(benchmark, "RESULTS", tmp_path)
    names = [r["name"] for r in benchmark.published_results()]
    assert names == ["a-cpu", "b-gpu"]


def test_module_and_script_print_their_help(tmp_path):
    module = [sys.executable, "-m", "lenet_helpers.benchmark", "--help"]
    # From another folder: the installed package, not the clone's files.
    proc = subprocess.run(
        module, capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("usage: python -m lenet_helpers.benchmark")
    # argparse wraps the help to the terminal's width.
    text = " ".join(proc.stdout.split())
    assert "(default: benchmark-results)" in text
    assert "--variants" in text and "reference-workers0" in text
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--help"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    published = REPO / "lenet_helpers" / "results"
    assert proc.stdout.startswith("usage: python benchmarks/train_speed.py")
    assert f"(default: {published})" in " ".join(proc.stdout.split())
    assert not list(tmp_path.iterdir())


def plain_sgd_step(net, X, y, lr):
    """The textbook step, written out: the fast step must compute exactly
    this.
    """
    net.zero_grad(set_to_none=True)
    y_hat = net(X)
    loss = nn.functional.cross_entropy(y_hat, y)
    loss.backward()
    with torch.no_grad():
        for p in net.parameters():
            p -= lr * p.grad
    return loss.item(), (y_hat.argmax(1) == y).sum().item()


def twin_nets(device):
    set_seed(0)
    net = lenet()
    net.apply(init_weights)
    net.to(device)
    return net, copy.deepcopy(net)


def batches(device, sizes=(256, 96, 256)):
    train_iter, _ = load_data_fashion_mnist(256)
    X, y = train_iter.X.to(device), train_iter.y.to(device)
    start = 0
    for n in sizes:
        end = start + n
        yield X[start:end], y[start:end]
        start = end


def sgd_step(net, graphs):
    """A ``TrainStep`` of ``net`` with plain SGD at learning rate 0.9."""
    optimizer = torch.optim.SGD(net.parameters(), lr=0.9)
    return TrainStep(net, optimizer, graphs=graphs)


def check_same_as_plain(device, graphs):
    net, twin = twin_nets(device)
    step = sgd_step(net, graphs)
    loss_sum, correct, n = 0.0, 0, 0
    for X, y in batches(device):
        step(X, y)
        loss, hits = plain_sgd_step(twin, X, y, 0.9)
        loss_sum += loss * len(y)
        correct += hits
        n += len(y)
        for p, q in zip(net.parameters(), twin.parameters()):
            # The same arithmetic up to rounding (and, on a GPU, cuDNN's
            # atomics); a wrong step is off by far more.
            torch.testing.assert_close(p, q, rtol=1e-4, atol=1e-5)
    assert step.loss_sum.item() == pytest.approx(loss_sum, rel=1e-4)
    assert step.correct.item() == correct


def test_fast_step_equals_the_plain_step_on_cpu(data_dir):
    # No CUDA: the eager step runs.
    check_same_as_plain(torch.device("cpu"), graphs=None)


def test_fast_step_refuses_graphs_without_cuda():
    with pytest.raises(ValueError, match="CUDA graphs need"):
        sgd_step(lenet(), graphs=True)


needs_cuda = pytest.mark.skipif(
    not torch.cuda.is_available(), reason="CUDA graphs need a CUDA GPU"
)


@needs_cuda
def test_graphed_step_equals_the_plain_step_on_cuda(data_dir):
    check_same_as_plain(torch.device("cuda"), graphs=True)


@needs_cuda
def test_capture_leaves_the_weights_alone(data_dir):
    net, twin = twin_nets(torch.device("cuda"))
    step = sgd_step(net, graphs=True)
    X, y = next(batches(torch.device("cuda")))
    step.capture(X, y)
    for p, q in zip(net.parameters(), twin.parameters()):
        assert torch.equal(p, q)
    assert step.loss_sum.item() == 0 and step.correct.item() == 0
