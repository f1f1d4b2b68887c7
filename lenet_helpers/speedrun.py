"""How fast can a LeNet learn? Train until 90% test accuracy on
Fashion-MNIST, counting every second from the files on disk.

    python -m lenet_helpers.speedrun              # 3 seeds, then the median
    python -m lenet_helpers.speedrun --json       # the same as one JSON object
    python -m lenet_helpers.speedrun --validate   # tuning: a held-out split

The rules (chapter 8 explains them). The clock starts before the four
Fashion-MNIST files are read, so reading, decompressing and decoding them
count; Python's start-up, ``import torch`` and a warm-up do not. The
warm-up, as in CIFAR-10 speedruns, runs a few steps of a throwaway network
on random numbers, so that PyTorch prepares its kernels for every shape of
the run; it sees no data. The clock stops at the first evaluation on the
test set that reaches the target, with the device synchronized, and every
evaluation before that one counts too. The test set is only evaluated,
four times an epoch from epoch 1.5 on: every hyperparameter of ``Recipe``
was chosen with ``--validate``, which trains on the first 50,000 training
images and evaluates on the other 10,000, never on the test set.
"""

import argparse
import dataclasses
import json
import math
import statistics
import sys
import time
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from . import data
from .data import FashionMNISTError, TensorBatches, read_fashion_mnist
from .metrics import synchronize
from .training import try_gpu

PROG = "python -m lenet_helpers.speedrun"
HELD_OUT = 10_000  # training images kept apart by --validate


def speedrun_lenet(widths=(8, 16, 256, 128)) -> nn.Sequential:
    """LeNet-5's shape (two 5x5 convolutions, two pools, three dense layers)
    with modern layers, ordered and sized for speed on a CPU.

    Each convolution is max-pooled *before* batch norm and ReLU: ReLU and
    max-pooling commute, and normalizing the pooled map is the same kind of
    layer on a quarter of the values. ``widths`` are the channels of the two
    convolutions and the sizes of the two hidden dense layers: 8 channels
    run faster than LeNet's 6 on x86 CPUs, whose kernels work on blocks of
    8 or 16 values, and wide dense layers cost little.
    """
    c1, c2, h1, h2 = widths

    def conv_block(c_in, c_out, padding):
        return [
            nn.Conv2d(c_in, c_out, kernel_size=5, padding=padding, bias=False),
            nn.MaxPool2d(kernel_size=2, stride=2),
            nn.BatchNorm2d(c_out),
            nn.ReLU(),
        ]

    def dense_block(n_in, n_out):
        return [nn.Linear(n_in, n_out, bias=False), nn.BatchNorm1d(n_out),
                nn.ReLU()]

    return nn.Sequential(
        *conv_block(1, c1, padding=2),
        *conv_block(c1, c2, padding=0),
        nn.Flatten(),
        *dense_block(c2 * 5 * 5, h1),
        *dense_block(h1, h2),
        nn.Linear(h2, 10),
    )


def chapter5_lenet() -> nn.Sequential:
    """Chapter 5's modern LeNet: batch norm after every convolution and
    hidden dense layer, then ReLU, then (for convolutions) max-pooling.
    """

    def block(layer, norm):
        layer.bias = None  # batch norm has its own shift
        return [layer, norm, nn.ReLU()]

    return nn.Sequential(
        *block(nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.BatchNorm2d(6)),
        nn.MaxPool2d(kernel_size=2, stride=2),
        *block(nn.Conv2d(6, 16, kernel_size=5), nn.BatchNorm2d(16)),
        nn.MaxPool2d(kernel_size=2, stride=2),
        nn.Flatten(),
        *block(nn.Linear(16 * 5 * 5, 120), nn.BatchNorm1d(120)),
        *block(nn.Linear(120, 84), nn.BatchNorm1d(84)),
        nn.Linear(84, 10),
    )


NETS = {"speedrun": speedrun_lenet, "chapter5": chapter5_lenet}


@dataclass(frozen=True)
class Recipe:
    """Everything a run does, with the speedrun's choices as defaults.

    ``epochs`` is the length of the one-cycle schedule (the run stops there
    at the latest); the test set is evaluated ``evals_per_epoch`` times an
    epoch from ``eval_from`` epochs on. ``channels_last`` and ``bf16`` are
    None for "where they help": channels_last on a CPU; bfloat16 on a CUDA
    GPU and on a CPU with bfloat16 instructions (``native_bf16``).
    ``loader`` feeds the batches through a DataLoader, one image at a time,
    as a comparison; ``compile`` runs the net through ``torch.compile``.
    """

    net: str = "speedrun"
    widths: tuple = (8, 16, 256, 128)
    epochs: float = 2.5
    batch_size: int = 256
    max_lr: float = 0.02
    weight_decay: float = 0.01
    label_smoothing: float = 0.1
    evals_per_epoch: int = 4
    eval_from: float = 1.5  # epochs before the first evaluation
    channels_last: bool | None = None
    bf16: bool | None = None
    compile: bool = False
    loader: bool = False
    target: float = 0.90

    def build(self) -> nn.Sequential:
        if self.net not in NETS:
            raise ValueError(
                f"Unknown net {self.net!r}; choose one of {sorted(NETS)}."
            )
        if self.net == "speedrun":
            return speedrun_lenet(self.widths)
        return NETS[self.net]()


def native_bf16() -> bool:
    """Whether this CPU computes in bfloat16 natively (AVX-512 BF16 or AMX);
    elsewhere bfloat16 is emulated and slower than float32.
    """
    checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(getattr(torch.cpu, name, lambda: False)() for name in checks)


@dataclass
class Result:
    """One seed's run. ``seconds`` is None if the target was not reached;
    ``curve`` holds (seconds, epochs, test accuracy) of every evaluation;
    ``net`` is the trained network; ``warmup_seconds`` the time of the
    warm-up before the clock started.
    """

    seed: int
    seconds: float | None
    test_acc: float
    total_seconds: float
    curve: list
    device: str
    net: nn.Module | None = dataclasses.field(default=None, repr=False)
    warmup_seconds: float = 0.0

    @property
    def reached(self) -> bool:
        return self.seconds is not None


def load_tensors(device, validate: bool = False, root=None):
    """Read and decode the files, scale the images to mean 0 and variance
    1, and put both splits on ``device``.

    With ``validate`` the evaluation split is the last 10,000 training
    images, and training uses only the others.
    """
    data._read_idx.cache_clear()  # an honest clock reads the files anew
    X, y = read_fashion_mnist(True, root, download=False)
    if validate:
        X_eval, y_eval = X[-HELD_OUT:], y[-HELD_OUT:]
        X, y = X[:-HELD_OUT], y[:-HELD_OUT]
    else:
        X_eval, y_eval = read_fashion_mnist(False, root, download=False)
    X = X.to(device).float().unsqueeze(1)
    mean, std = X.mean(), X.std()  # of the training images only
    X = (X - mean) / std
    X_eval = (X_eval.to(device).float().unsqueeze(1) - mean) / std
    return X, y.to(device), X_eval, y_eval.to(device)


def batches(X, y, batch_size: int, loader: bool = False):
    """One epoch of shuffled minibatches: slices of one shuffled copy, or
    (``loader``) a DataLoader that picks and stacks one image at a time.
    """
    if loader:
        dataset = torch.utils.data.TensorDataset(X.cpu(), y.cpu())
        for X_b, y_b in torch.utils.data.DataLoader(
            dataset, batch_size, shuffle=True
        ):
            yield X_b.to(X.device), y_b.to(y.device)
        return
    yield from TensorBatches(X, y, batch_size, shuffle=True)


def warm_up(recipe: Recipe, device, memory_format, autocast,
            train_size: int, eval_batch: int) -> None:
    """Run the recipe's step for each batch size of an epoch, and one
    evaluation, on random numbers with a throwaway network.
    """
    net = recipe.build().to(device, memory_format=memory_format)
    optimizer = torch.optim.AdamW(net.parameters())
    sizes = {recipe.batch_size, train_size % recipe.batch_size} - {0}
    for size in sorted(sizes):
        X = torch.randn(size, 1, 28, 28, device=device)
        y = torch.randint(0, 10, (size,), device=device)
        for _ in range(2):
            with autocast():
                logits = net(X.contiguous(memory_format=memory_format))
            F.cross_entropy(logits.float(), y).backward()
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
    X = torch.randn(eval_batch, 1, 28, 28, device=device)
    evaluate(net, X.contiguous(memory_format=memory_format),
             torch.zeros(eval_batch, dtype=torch.int64, device=device),
             eval_batch, autocast)


def evaluate(net, X, y, batch_size: int, autocast) -> float:
    """Test accuracy, in big batches, read with one host sync."""
    net.eval()
    correct = torch.zeros((), dtype=torch.int64, device=y.device)
    with torch.no_grad(), autocast():
        for i in range(0, len(y), batch_size):
            logits = net(X[i : i + batch_size])
            correct += (logits.argmax(dim=1) == y[i : i + batch_size]).sum()
    net.train()
    return correct.item() / len(y)


def schedule_steps(recipe: Recipe, num_images: int = 60_000) -> int:
    """The optimizer steps of ``recipe``'s one-cycle schedule on
    ``num_images`` training images: its epochs times the batches of an
    epoch (the last, smaller batch is a step too), rounded to a whole step.
    """
    return round(recipe.epochs * math.ceil(num_images / recipe.batch_size))


def run(
    recipe: Recipe = Recipe(),
    seed: int = 0,
    device=None,
    validate: bool = False,
    root=None,
) -> Result:
    """Train from the files on disk until ``recipe.target`` is reached or
    the schedule ends; time all of it.
    """
    device = torch.device(device) if device is not None else try_gpu()
    on_cpu = device.type == "cpu"
    layout = recipe.channels_last
    layout = on_cpu if layout is None else layout
    bf16 = recipe.bf16
    if bf16 is None:
        bf16 = device.type == "cuda" or (on_cpu and native_bf16())
    memory_format = torch.channels_last if layout else torch.contiguous_format

    def autocast():
        return torch.autocast(device.type, torch.bfloat16, enabled=bf16)

    eval_batch = 2_000 if on_cpu else 10_000
    warm = time.perf_counter()
    warm_up(recipe, device, memory_format, autocast,
            60_000 - (HELD_OUT if validate else 0), eval_batch)
    synchronize(device)
    start = time.perf_counter()
    warmup_seconds = start - warm
    X, y, X_eval, y_eval = load_tensors(device, validate, root)
    X = X.contiguous(memory_format=memory_format)
    X_eval = X_eval.contiguous(memory_format=memory_format)
    torch.manual_seed(seed)
    net = recipe.build().to(device, memory_format=memory_format)
    model = torch.compile(net) if recipe.compile else net
    steps_per_epoch = math.ceil(len(y) / recipe.batch_size)
    total_steps = schedule_steps(recipe, len(y))
    optimizer = torch.optim.AdamW(
        net.parameters(), lr=recipe.max_lr,
        weight_decay=recipe.weight_decay,
    )
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=recipe.max_lr, total_steps=total_steps
    )
    # The steps after which the test set is evaluated: every 1/evals_per_epoch
    # of an epoch from eval_from on, and at the end of the schedule.
    per = recipe.evals_per_epoch
    evals = {
        min(round(k / per * steps_per_epoch), total_steps)
        for k in range(1, math.ceil(recipe.epochs * per) + 1)
        if k / per >= recipe.eval_from
    } | {total_steps}
    curve, step, seconds, test_acc = [], 0, None, 0.0
    while step < total_steps and seconds is None:
        for X_b, y_b in batches(X, y, recipe.batch_size, recipe.loader):
            with autocast():
                logits = model(X_b)
            loss = F.cross_entropy(
                logits.float(), y_b, label_smoothing=recipe.label_smoothing
            )
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            scheduler.step()
            step += 1
            if step in evals:
                test_acc = evaluate(model, X_eval, y_eval, eval_batch,
                                    autocast)  # .item() syncs the device
                elapsed = time.perf_counter() - start
                curve.append((elapsed, step / steps_per_epoch, test_acc))
                if test_acc >= recipe.target:
                    seconds = elapsed
                    break
            if step == total_steps:
                break
    synchronize(device)
    return Result(seed, seconds, test_acc, time.perf_counter() - start,
                  curve, str(device), net.eval(), warmup_seconds)


def summarize(results: list[Result], recipe: Recipe) -> dict:
    """The figures ``--json`` prints: the median and worst seconds to the
    target (None if a seed missed it) and the mean final test accuracy.
    """
    times = [r.seconds for r in results]
    missed = any(t is None for t in times)
    return {
        "seconds": None if missed else statistics.median(times),
        "worst_seconds": None if missed else max(times),
        "test_acc": statistics.fmean(r.test_acc for r in results),
        "device": results[0].device,
        "target": recipe.target,
        "seeds": [
            {"seed": r.seed, "seconds": r.seconds, "test_acc": r.test_acc}
            for r in results
        ],
        "recipe": dataclasses.asdict(recipe),
    }


def seed_line(r: Result, validate: bool) -> str:
    """One seed's seconds to the target and final accuracy."""
    when = (f"{r.seconds:6.2f} s" if r.reached
            else f"not reached in {r.total_seconds:.2f} s")
    split = "held-out" if validate else "test"
    return f"seed {r.seed}: {when}, final {split} acc {r.test_acc:.4f}"


def summary_line(summary: dict, validate: bool) -> str:
    """The median and worst seconds to the target, or that a seed missed it."""
    if summary["seconds"] is None:
        return f"not every seed reached {summary['target']:.2f}"
    split = "held-out" if validate else "test"
    return (f"median {summary['seconds']:.2f} s, worst "
            f"{summary['worst_seconds']:.2f} s to "
            f"{split} acc {summary['target']:.2f} on {summary['device']}")


def report(results: list[Result], summary: dict, validate: bool) -> str:
    """The run as lines of text, one per seed, then the median and worst."""
    lines = [seed_line(r, validate) for r in results]
    return "\n".join(lines + [summary_line(summary, validate)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog=PROG, description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--seeds", type=int, default=3,
                        help="how many seeds to run, from 0 (default 3)")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object instead of text")
    parser.add_argument("--validate", action="store_true",
                        help="evaluate on 10,000 held-out training images")
    parser.add_argument("--device", default=None,
                        help="cpu, cuda, mps (default: the best present)")
    parser.add_argument("--data", default=None,
                        help="folder with the Fashion-MNIST files")
    args = parser.parse_args(argv)
    if args.seeds < 1:
        parser.error(f"--seeds must be 1 or more; got {args.seeds}")
    recipe = Recipe()
    results = []
    try:
        for seed in range(args.seeds):
            results.append(run(recipe, seed, args.device, args.validate,
                               args.data))
            if not args.json:
                print(seed_line(results[-1], args.validate), flush=True)
    except FashionMNISTError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    summary = summarize(results, recipe)
    if args.json:
        print(json.dumps(summary))
    else:
        print(summary_line(summary, args.validate))
    return 0


if __name__ == "__main__":
    sys.exit(main())
