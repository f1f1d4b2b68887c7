"""How fast does LeNet-5 train on Fashion-MNIST? The d2l pipeline against
this project's, side by side.

    python -m lenet_helpers.benchmark --epochs 10
    python -m lenet_helpers.benchmark --quick
    python benchmarks/train_speed.py --epochs 10

The first runs every variant this device supports; the second is a 2-epoch
smoke test whose files end in -local. The third, from a clone of the book's
repository, writes where the results are published.

Each variant trains the same model (the sigmoid LeNet of
``lenet_helpers.lenet``) with the same recipe (Xavier init, SGD with
learning rate 0.9, batch 256, cross-entropy) from the same seed, and is timed
on the wall clock with the device synchronized: loading the data, the steps
and the test evaluation of every epoch all count. Setup (building the
loaders, moving the data, capturing CUDA graphs) is timed apart, and so is
the first epoch, where compilation and autotuning happen. The figures go to
a JSON file and a Markdown table in ``--out`` (default ``benchmark-results``
in the current folder; ``lenet_helpers/results`` for the script in
``benchmarks/``), and the table is printed.
"""

import argparse
import datetime
import json
import os
import platform
import re
import socket
import struct
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import torch
from torch import nn
from torch.profiler import record_function

from .data import TensorBatches, load_data_fashion_mnist, read_fashion_mnist
from .metrics import Accumulator, accuracy, synchronize
from .model import init_weights, lenet
from .speed import train_fast
from .training import History, set_seed, train, try_gpu

# The published results, shipped with the package.
RESULTS = Path(__file__).parent / "results"
# Where a run writes its files unless told (never into the installed
# package).
DEFAULT_OUT = Path("benchmark-results")
PROG = "python -m lenet_helpers.benchmark"


# --- The reference: the pipeline of the d2l LeNet chapter, rebuilt ---------


def torchvision_root(folder: Path, root=None) -> Path:
    """Write the four Fashion-MNIST files, uncompressed, into
    ``folder/FashionMNIST/raw``, where torchvision's ``FashionMNIST(folder,
    download=False)`` reads them.

    The files come from ``read_fashion_mnist`` and so are checked first;
    nothing is downloaded.
    """
    raw = Path(folder) / "FashionMNIST" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    for train_split, prefix in ((True, "train"), (False, "t10k")):
        images, labels = read_fashion_mnist(train_split, root, download=False)
        files = {
            f"{prefix}-images-idx3-ubyte": images,
            f"{prefix}-labels-idx1-ubyte": labels,
        }
        for name, data in files.items():
            # The idx header: a magic number (uint8, number of dims), then
            # the size of each dim.
            magic = 0x0800 + data.dim()
            header = struct.pack(f">I{data.dim()}I", magic, *data.shape)
            body = data.to(torch.uint8).numpy().tobytes()
            (raw / name).write_bytes(header + body)
    return Path(folder)


def reference_loaders(
    folder: Path,
    batch_size: int = 256,
    num_workers: int = 4,
    n_train: int | None = None,
    n_test: int | None = None,
):
    """torchvision's FashionMNIST with ToTensor, in DataLoaders with worker
    processes, as d2l builds them.
    """
    import torchvision
    from torch.utils.data import DataLoader, Subset

    to_tensor = torchvision.transforms.ToTensor()
    train_set = torchvision.datasets.FashionMNIST(
        folder, train=True, transform=to_tensor, download=False
    )
    test_set = torchvision.datasets.FashionMNIST(
        folder, train=False, transform=to_tensor, download=False
    )
    if n_train:
        train_set = Subset(train_set, range(n_train))
    if n_test:
        test_set = Subset(test_set, range(n_test))
    train_iter = DataLoader(
        train_set, batch_size, shuffle=True, num_workers=num_workers
    )
    test_iter = DataLoader(
        test_set, batch_size, shuffle=False, num_workers=num_workers
    )
    return train_iter, test_iter


def reference_accuracy(
    net: nn.Module, data_iter, device: torch.device
) -> float:
    """Test accuracy the d2l way: one ``float()`` per batch, each a wait for
    the device.
    """
    net.eval()
    # Correct predictions, examples.
    metric = Accumulator(2)
    with torch.no_grad():
        for X, y in data_iter:
            X, y = X.to(device), y.to(device)
            metric.add(accuracy(net(X), y), y.numel())
    return metric[0] / metric[1]


def reference_epoch(
    net: nn.Module,
    train_iter,
    optimizer,
    loss_fn,
    device: torch.device,
    max_batches: int | None = None,
) -> tuple[float, float]:
    """One training epoch the d2l way; returns (train loss, train accuracy).

    Each phase is labelled for the profiler; ``max_batches`` stops early
    (for a short profile).
    """
    net.train()
    # Summed loss, correct predictions, examples.
    metric = Accumulator(3)
    batches = iter(train_iter)
    for _ in range(max_batches or len(train_iter)):
        with record_function("optimizer"):
            optimizer.zero_grad()
        with record_function("data"):
            X, y = next(batches)
            X, y = X.to(device), y.to(device)
        with record_function("forward"):
            y_hat = net(X)
            loss = loss_fn(y_hat, y)
        with record_function("backward"):
            loss.backward()
        with record_function("optimizer"):
            optimizer.step()
        # Two host syncs: float() of the loss, and accuracy's float().
        with record_function("metrics"), torch.no_grad():
            metric.add(loss * X.shape[0], accuracy(y_hat, y), X.shape[0])
    return metric[0] / metric[2], metric[1] / metric[2]


def reference_train(
    net: nn.Module,
    train_iter,
    test_iter,
    num_epochs: int,
    lr: float,
    device: torch.device,
) -> History:
    """The d2l chapter's training loop, without its live plot (drawing would
    only slow it down).
    """
    net.apply(init_weights)
    net.to(device)
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    history = History(device=str(device))
    for _ in range(num_epochs):
        start = time.perf_counter()
        train_loss, train_acc = reference_epoch(
            net, train_iter, optimizer, loss_fn, device
        )
        test_acc = reference_accuracy(net, test_iter, device)
        synchronize(device)
        seconds = time.perf_counter() - start
        examples = len(train_iter.dataset)
        history.record(train_loss, train_acc, test_acc, seconds, examples)
    return history


# --- The variants -----------------------------------------------------------


@dataclass
class Setup:
    """What every variant is given: the device, the recipe and where the
    data is.
    """

    device: torch.device
    epochs: int
    batch_size: int
    lr: float
    # None: all 60,000.
    n_train: int | None
    # None: all 10,000.
    n_test: int | None
    # The folder of the .gz files (None: lenet_helpers' default search).
    data_root: str | None
    # The uncompressed copy for torchvision.
    tv_root: Path

    def project_data(self) -> tuple[TensorBatches, TensorBatches]:
        """Both splits as ``load_data_fashion_mnist`` gives them, cut to
        ``n_train`` and ``n_test`` examples when those are set.
        """
        train_iter, test_iter = load_data_fashion_mnist(
            self.batch_size, root=self.data_root, device=self.device
        )
        if self.n_train:
            X, y = train_iter.X, train_iter.y
            train_iter = TensorBatches(
                X[: self.n_train], y[: self.n_train], self.batch_size, True
            )
        if self.n_test:
            X, y = test_iter.X, test_iter.y
            test_iter = TensorBatches(
                X[: self.n_test], y[: self.n_test], self.batch_size
            )
        return train_iter, test_iter


def _reference(workers: int) -> Callable[[Setup], History]:
    def run(s: Setup) -> History:
        train_iter, test_iter = reference_loaders(
            s.tv_root, s.batch_size, workers, s.n_train, s.n_test
        )
        return reference_train(
            lenet(), train_iter, test_iter, s.epochs, s.lr, s.device
        )

    return run


def _project(
    channels_last: bool | None = None, compile_mode: str | None = None
) -> Callable[[Setup], History]:
    def run(s: Setup) -> History:
        net = lenet()
        if compile_mode is not None:
            net = torch.compile(net, mode=compile_mode)
        return train(
            net,
            *s.project_data(),
            s.epochs,
            s.lr,
            s.device,
            plot=False,
            verbose=False,
            channels_last=channels_last,
        )

    return run


def _fast(
    graphs: bool | None = None, amp: bool = False, compiled: bool = False
) -> Callable[[Setup], History]:
    def run(s: Setup) -> History:
        net = torch.compile(lenet()) if compiled else lenet()
        return train_fast(
            net,
            *s.project_data(),
            s.epochs,
            s.lr,
            s.device,
            graphs=graphs,
            amp=amp,
        )

    return run


@dataclass
class Variant:
    """One way of training: what it is, how to run it, where it runs."""

    description: str
    run: Callable[[Setup], History]
    devices: tuple[str, ...] = ("cpu", "cuda", "mps")


VARIANTS = {
    "reference": Variant(
        "d2l pipeline: torchvision FashionMNIST + ToTensor, "
        "DataLoader(num_workers=4), float() per batch, "
        "evaluation with the same loaders",
        _reference(4),
    ),
    "reference-workers0": Variant(
        "as reference, but DataLoader(num_workers=0)", _reference(0)
    ),
    "project": Variant(
        "this project's default: lenet_helpers.load_data_fashion_mnist "
        "+ train(plot=False): tensors in memory (on the GPU when training "
        "there), batches by indexing, sums kept on the device, "
        "channels_last weights on the CPU",
        _project(),
    ),
    "project-nchw": Variant(
        "as project, with channels_last off",
        _project(channels_last=False),
        ("cpu",),
    ),
    "fast": Variant(
        "lenet_helpers.speed.train_fast: data on the device, one step "
        "function (a CUDA graph per batch size on a GPU, eager elsewhere), "
        "test set in big batches, one sync per epoch",
        _fast(),
    ),
    "fast-eager": Variant(
        "as fast, without CUDA graphs", _fast(graphs=False), ("cuda",)
    ),
    "fast-bf16": Variant(
        "as fast, forward pass in bfloat16 (autocast)",
        _fast(amp=True),
        ("cuda",),
    ),
    "fast-compiled": Variant(
        "as fast, with torch.compile(net) inside the graphs (fused kernels; "
        "compile time counts in setup)",
        _fast(compiled=True),
        ("cuda",),
    ),
    "compile": Variant(
        "as project, with torch.compile(net) (compile time counts in epoch 1)",
        _project(compile_mode="default"),
    ),
    "compile-reduce-overhead": Variant(
        "as project, with torch.compile(net, mode='reduce-overhead') "
        "(CUDA graphs of forward and backward; "
        "compile time counts in epoch 1)",
        _project(compile_mode="reduce-overhead"),
        ("cuda",),
    ),
}
# torch.compile on two CPU cores spends minutes compiling: ask for it by
# name (--variants compile).
DEFAULT_VARIANTS = {
    "cpu": ["reference", "project", "project-nchw", "fast"],
    "cuda": [
        "reference",
        "project",
        "fast",
        "fast-eager",
        "fast-bf16",
        "fast-compiled",
        "compile-reduce-overhead",
    ],
    "mps": ["reference", "project", "fast"],
}


# --- Measuring --------------------------------------------------------------


def environment(device: torch.device) -> dict:
    """Where the figures were measured."""
    env = {
        "device": str(device),
        "device_name": device_name(device),
        "host": socket.gethostname(),
        "cpu": cpu_name(),
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        # Other programs' work slows every figure.
        "load_average_at_start": _load_average(),
    }
    try:
        import torchvision

        env["torchvision"] = torchvision.__version__
    except ImportError:
        pass
    if device.type == "cuda":
        memory = torch.cuda.get_device_properties(device).total_memory
        env.update(
            cuda=torch.version.cuda,
            cudnn=torch.backends.cudnn.version(),
            gpu_memory_gib=round(memory / 2**30, 1),
        )
    return env


def _load_average() -> list[float] | None:
    if not hasattr(os, "getloadavg"):
        return None
    return [round(x, 2) for x in os.getloadavg()]


def cpu_name() -> str:
    """The CPU's model name, as the system reports it."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def device_name(device: torch.device) -> str:
    """A readable name for the device: the GPU's, or the CPU's with its
    cores and threads.
    """
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    if device.type == "mps":
        return "Apple MPS"
    cores, threads = os.cpu_count(), torch.get_num_threads()
    return f"CPU: {cpu_name()} ({cores} cores, {threads} torch threads)"


def results_name(device: torch.device, local: bool = False) -> str:
    """File name (without extension) for a device: ``cpu-<host>`` or the
    GPU's name, e.g. ``nvidia-h100-80gb-hbm3``.

    ``local`` (quick and partial runs) adds ``-quick-local``, which git
    ignores.
    """
    if device.type == "cpu":
        name = f"cpu-{socket.gethostname()}"
    else:
        name = device_name(device)
    name = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return name + ("-quick-local" if local else "")


def warm_up(device: torch.device) -> float:
    """Run a few untimed steps in both memory layouts, so that the variant
    that runs first does not pay alone for the process's one-off costs
    (kernel setup, first allocations). Returns the seconds it took.
    """
    start = time.perf_counter()
    for memory_format in (torch.contiguous_format, torch.channels_last):
        net = lenet().to(device, memory_format=memory_format)
        for n in (256, 96, 1000):
            X = torch.rand(n, 1, 28, 28, device=device)
            y = torch.zeros(n, dtype=torch.int64, device=device)
            nn.functional.cross_entropy(net(X), y).backward()
    synchronize(device)
    return time.perf_counter() - start


def measure(name: str, s: Setup, seed: int) -> dict:
    """Run one variant from ``seed`` and time it; returns its row of
    figures.
    """
    variant = VARIANTS[name]
    row = {"name": name, "description": variant.description}
    if s.device.type not in variant.devices:
        needs = " or ".join(variant.devices)
        return row | {"status": "skipped", "reason": f"needs {needs}"}
    set_seed(seed)
    synchronize(s.device)
    start = time.perf_counter()
    try:
        history = variant.run(s)
    except Exception as err:
        # One failing variant must not lose the others' figures.
        error = f"{type(err).__name__}: {err}"
        return row | {"status": "error", "error": error}
    synchronize(s.device)
    total = time.perf_counter() - start
    epochs = history.epoch_seconds
    n_train = s.n_train or 60_000
    # Epochs 2 to N: the speed once everything is warm.
    steady = None
    if len(epochs) > 1:
        steady = n_train * (len(epochs) - 1) / sum(epochs[1:])
    row |= {
        "status": "ok",
        "epochs": len(epochs),
        "train_examples": n_train,
        "test_examples": s.n_test or 10_000,
        "total_seconds": total,
        "setup_seconds": total - sum(epochs),
        "epoch_seconds": epochs,
        "first_epoch_seconds": epochs[0],
        "seconds": sum(epochs),
        "examples_per_sec": n_train * len(epochs) / sum(epochs),
        "steady_examples_per_sec": steady,
        "train_loss": history.train_loss[-1],
        "train_acc": history.train_acc[-1],
        "test_acc": history.test_acc[-1],
        "train_loss_per_epoch": history.train_loss,
        "test_acc_per_epoch": history.test_acc,
    }
    return row


def add_ratios(rows: list[dict], baseline: str = "reference") -> None:
    """Add each row's speed-up over the baseline row (throughput ratios) and
    its accuracy difference.
    """
    ok = [r for r in rows if r.get("status") == "ok"]
    base = next((r for r in ok if r["name"] == baseline), None)
    if base is None:
        return
    base_steady = base["steady_examples_per_sec"]
    for r in ok:
        r["ratio"] = r["examples_per_sec"] / base["examples_per_sec"]
        steady = r["steady_examples_per_sec"]
        r["steady_ratio"] = (
            steady / base_steady if steady and base_steady else None
        )
        r["test_acc_diff"] = r["test_acc"] - base["test_acc"]


def check_targets(report: dict) -> dict:
    """The issue's targets, judged on this report (they are only meant for
    full 10-epoch runs).

    Accuracy: a faster variant must not learn worse, i.e. its final test
    accuracy may be at most 0.02 below the reference's
    (``*_acc_within_0.02`` also says whether it is within 0.02 either way;
    the last epoch's test accuracy of this sigmoid LeNet at lr 0.9 moves by
    a few points from epoch to epoch).
    """
    ok = {r["name"]: r for r in report["results"] if r.get("status") == "ok"}
    st = report["settings"]
    examples = (st["train_examples"], st["test_examples"])
    full = (
        st["epochs"] >= 10 and not st["quick"] and examples == (60_000, 10_000)
    )
    targets = {"full_run": full}
    if "reference" not in ok:
        return targets
    device = report["environment"]["device"]
    if device.startswith("cpu") and "project" in ok:
        p = ok["project"]
        targets["cpu_project_2x"] = (
            p["ratio"] >= 2 and p["test_acc_diff"] >= -0.02
        )
        targets["cpu_project_acc_within_0.02"] = (
            abs(p["test_acc_diff"]) <= 0.02
        )
    if device.startswith("cuda"):
        fastest = max(ok.values(), key=lambda r: r["examples_per_sec"])
        targets["gpu_fastest"] = fastest["name"]
        targets["gpu_1m_examples_per_sec"] = (
            fastest["examples_per_sec"] >= 1_000_000
        )
        targets["gpu_10x_reference"] = (
            fastest["ratio"] >= 10 and fastest["test_acc_diff"] >= -0.02
        )
        targets["gpu_fastest_acc_within_0.02"] = (
            abs(fastest["test_acc_diff"]) <= 0.02
        )
    return targets


def _print_line(line: str) -> None:
    print(line, flush=True)


def run_benchmark(
    variants: list[str] | None = None,
    epochs: int = 10,
    device: str | torch.device | None = None,
    n_train: int | None = None,
    n_test: int | None = None,
    batch_size: int = 256,
    lr: float = 0.9,
    seed: int = 0,
    data_root: str | None = None,
    quick: bool = False,
    log: Callable[[str], None] = _print_line,
    on_update: Callable[[dict], None] | None = None,
) -> dict:
    """Run the variants one after the other in this process and return the
    report (a JSON-able dict).

    ``on_update`` is called with the report so far after each variant (e.g.
    to save it).
    """
    device = torch.device(device) if device is not None else try_gpu()
    variants = variants or DEFAULT_VARIANTS.get(
        device.type, ["reference", "project"]
    )
    unknown = [v for v in variants if v not in VARIANTS]
    if unknown:
        raise ValueError(
            f"Unknown variant(s) {unknown}; choose from {', '.join(VARIANTS)}."
        )
    # Decode and check the files once, before any clock starts.
    for train_split in (True, False):
        read_fashion_mnist(train_split, data_root, download=False)
    now = datetime.datetime.now(datetime.timezone.utc)
    report = {
        "benchmark": "LeNet-5 on Fashion-MNIST, end-to-end training speed",
        "created": now.isoformat(timespec="seconds"),
        "environment": environment(device),
        "settings": {
            "epochs": epochs,
            "batch_size": batch_size,
            "lr": lr,
            "seed": seed,
            "train_examples": n_train or 60_000,
            "test_examples": n_test or 10_000,
            "quick": quick,
        },
    }
    report["settings"]["warm_up_seconds"] = warm_up(device)
    report["results"] = rows = []
    with tempfile.TemporaryDirectory(prefix="lenet-torchvision-") as tmp:
        tv_root = torchvision_root(Path(tmp), data_root)
        s = Setup(
            device, epochs, batch_size, lr, n_train, n_test, data_root, tv_root
        )
        for name in variants:
            log(f"running {name} ...")
            rows.append(measure(name, s, seed))
            r = rows[-1]
            if r["status"] == "ok":
                log(
                    f"  {r['seconds']:.2f} s for {r['epochs']} epochs, "
                    f"{r['examples_per_sec']:,.0f} examples/s, "
                    f"test acc {r['test_acc']:.3f}"
                )
            else:
                log(f"  {r['status']}: {r.get('reason') or r.get('error')}")
            add_ratios(rows)
            report["environment"]["load_average_at_end"] = _load_average()
            report["targets"] = check_targets(report)
            if on_update:
                on_update(report)
    return report


# --- Reporting --------------------------------------------------------------


def _num(x, fmt: str) -> str:
    return "–" if x is None else format(x, fmt)


def markdown_table(report: dict) -> str:
    """The figures as a Markdown table, with what was measured where above
    it.
    """
    env, st = report["environment"], report["settings"]
    header = (
        f"**{env['device_name']}** · torch {env['torch']} · "
        f"{env['torch_threads']} threads · "
        f"{st['epochs']} epochs of {st['train_examples']:,} train examples "
        f"(batch {st['batch_size']}, lr {st['lr']}, seed {st['seed']}), "
        f"test on {st['test_examples']:,} · {report['created']}"
    )
    columns = (
        f"| variant | setup s | epoch 1 s | {st['epochs']} epochs s "
        "| train examples/s | after epoch 1 | × reference "
        "| train loss | test acc |"
    )
    lines = [header, "", columns, "|---|--:|--:|--:|--:|--:|--:|--:|--:|"]
    notes = []
    for r in report["results"]:
        if r["status"] != "ok":
            why = r.get("reason") or r.get("error")
            notes.append(f"- `{r['name']}` {r['status']}: {why}")
            continue
        steady = _num(r["steady_examples_per_sec"], ",.0f")
        ratio = _num(r.get("ratio"), ".1f")
        lines.append(
            f"| {r['name']} | {r['setup_seconds']:.2f} "
            f"| {r['first_epoch_seconds']:.2f} | {r['seconds']:.2f} "
            f"| {r['examples_per_sec']:,.0f} | {steady} | {ratio} "
            f"| {r['train_loss']:.3f} | {r['test_acc']:.3f} |"
        )
    lines += ["", "Variants:"]
    for r in report["results"]:
        if r["status"] == "ok":
            lines.append(f"- `{r['name']}`: {r['description']}")
    if notes:
        lines += [""] + notes
    return "\n".join(lines) + "\n"


def plot_results(report: dict, ax=None):
    """A bar chart of train examples per second (log scale), each bar
    labelled with its speed-up.
    """
    from matplotlib.figure import Figure

    rows = [r for r in report["results"] if r["status"] == "ok"]
    if ax is None:
        fig = Figure(figsize=(6, 0.5 + 0.45 * len(rows)), layout="constrained")
        ax = fig.add_subplot()
    # Bottom to top, so that the first variant is the top bar.
    rows = rows[::-1]
    names = [r["name"] for r in rows]
    speeds = [r["examples_per_sec"] for r in rows]
    colors = [
        "tab:gray" if n.startswith("reference") else "tab:blue" for n in names
    ]
    bars = ax.barh(names, speeds, color=colors)
    ax.bar_label(bars, [f" {_num(r.get('ratio'), '.1f')}×" for r in rows])
    ax.set_xscale("log")
    ax.set_xlabel("train examples per second, end to end (log scale)")
    ax.set_title(report["environment"]["device_name"], fontsize=9)
    ax.margins(x=0.25)
    return ax.figure


def published_results() -> list[dict]:
    """The reports of the full runs published with the package (the JSON
    files in ``RESULTS``, except those ending in -local), sorted by name.
    """
    paths = sorted(RESULTS.glob("*.json"))
    return [
        json.loads(p.read_text())
        for p in paths
        if not p.stem.endswith("-local")
    ]


def save(report: dict, out: Path, name: str) -> tuple[Path, Path]:
    """Write the report to ``out/<name>.json`` and its table to
    ``out/<name>.md``.
    """
    out.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out / f"{name}.json", out / f"{name}.md"
    json_path.write_text(json.dumps(report, indent=2) + "\n")
    md_path.write_text(markdown_table(report))
    return json_path, md_path


def parse_args(
    argv: list[str] | None, default_out: Path, prog: str
) -> argparse.Namespace:
    """The command line's options."""
    parser = argparse.ArgumentParser(
        prog=prog,
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--epochs",
        type=int,
        default=None,
        help="epochs per variant (default 10; 2 with --quick)",
    )
    parser.add_argument(
        "--device",
        default=None,
        help="cpu, cuda or mps (default: the best one present)",
    )
    parser.add_argument(
        "--variants",
        default=None,
        help=f"comma-separated, from: {', '.join(VARIANTS)} "
        "(default: those for the device)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="2 epochs (LeNet needs about 400 steps to leave chance level), "
        "files named *-quick-local",
    )
    parser.add_argument(
        "--train-examples",
        type=int,
        default=None,
        help="use only the first N train examples",
    )
    parser.add_argument(
        "--test-examples",
        type=int,
        default=None,
        help="use only the first N test examples",
    )
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--lr", type=float, default=0.9)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="torch.set_num_threads (default: torch's)",
    )
    parser.add_argument(
        "--data",
        default=None,
        help="folder of the Fashion-MNIST .gz files "
        "(default: LENET_DATA, ...)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=default_out,
        help="folder for the JSON and Markdown files "
        f"(default: {default_out})",
    )
    parser.add_argument(
        "--name",
        default=None,
        help="file name without extension (default: from the device)",
    )
    return parser.parse_args(argv)


def main(
    argv: list[str] | None = None,
    default_out: Path = DEFAULT_OUT,
    prog: str = PROG,
) -> int:
    """Run the benchmark from the command line; ``default_out`` is where the
    files go unless ``--out`` says otherwise.
    """
    args = parse_args(argv, default_out, prog)
    if args.threads:
        torch.set_num_threads(args.threads)
    epochs = args.epochs or (2 if args.quick else 10)
    n_train, n_test = args.train_examples, args.test_examples
    variants = args.variants.split(",") if args.variants else None
    device = torch.device(args.device) if args.device else try_gpu()
    full = not args.quick and epochs >= 10 and not (n_train or n_test)
    name = args.name or results_name(device, local=not full)
    words = sys.argv[1:] if argv is None else argv
    command = " ".join([prog, *words])

    def save_report(report: dict) -> tuple[Path, Path]:
        return save(report | {"command": command}, args.out, name)

    # Saved after every variant, so a run cut short still leaves the
    # figures it measured.
    report = run_benchmark(
        variants,
        epochs,
        device,
        n_train,
        n_test,
        args.batch_size,
        args.lr,
        args.seed,
        args.data,
        quick=args.quick,
        on_update=save_report,
    )
    paths = save_report(report)
    print()
    print(markdown_table(report))
    print("targets:", json.dumps(report["targets"]))
    print("written:", *paths)
    errors = [r for r in report["results"] if r["status"] == "error"]
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
