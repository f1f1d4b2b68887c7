"""Training and evaluation: pick a device, seed, evaluate accuracy, and the
training loop.
"""

import random
import sys
import time
from dataclasses import dataclass, field

import torch
from torch import nn
from tqdm import tqdm

from .metrics import Timer, num_correct, synchronize
from .model import init_weights
from .plotting import Animator, in_notebook


def try_gpu(i: int = 0) -> torch.device:
    """GPU ``i`` if CUDA has one, else Apple's MPS GPU, else the CPU."""
    if torch.cuda.device_count() > i:
        return torch.device(f"cuda:{i}")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def set_seed(seed: int) -> None:
    """Seed Python's and torch's random generators (CPU and GPU) for a
    repeatable run.
    """
    random.seed(seed)
    torch.manual_seed(seed)


def evaluate_accuracy_gpu(
    net: nn.Module, data_iter, device: torch.device | str | None = None
) -> float:
    """Fraction of correct predictions of ``net`` over ``data_iter``.

    Runs in eval mode without gradients, on the net's own device unless
    ``device`` is given, and puts the net back in the train/eval mode it was
    in. ``X`` may also be a list of tensors (a net with several inputs).
    """
    device = (
        torch.device(device)
        if device is not None
        else next(net.parameters()).device
    )
    was_training = net.training
    net.eval()
    correct, total = torch.zeros((), dtype=torch.int64, device=device), 0
    try:
        with torch.no_grad():
            for X, y in data_iter:
                if isinstance(X, list):
                    X = [x.to(device) for x in X]
                else:
                    X = X.to(device)
                y = y.to(device)
                # The count stays on the device: one host sync at the end.
                correct += num_correct(net(X), y)
                total += y.numel()
    finally:
        net.train(was_training)
    if total == 0:
        raise ValueError(
            "data_iter yielded no examples: there is no accuracy to compute."
        )
    return correct.item() / total


@dataclass
class History:
    """What ``train`` measured, one entry per epoch."""

    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    test_acc: list[float] = field(default_factory=list)
    examples_per_sec: list[float] = field(default_factory=list)
    epoch_seconds: list[float] = field(default_factory=list)
    device: str = "cpu"
    animator: Animator | None = None

    def record(
        self,
        train_loss: float,
        train_acc: float,
        test_acc: float,
        seconds: float,
        examples: int,
    ) -> None:
        """Append one epoch: its figures, its time and the train examples it
        saw.
        """
        self.train_loss.append(train_loss)
        self.train_acc.append(train_acc)
        self.test_acc.append(test_acc)
        self.epoch_seconds.append(seconds)
        self.examples_per_sec.append(examples / seconds)

    @property
    def overall_examples_per_sec(self) -> float:
        """Train examples per second over all epochs together."""
        examples = sum(
            s * t for s, t in zip(self.examples_per_sec, self.epoch_seconds)
        )
        return examples / sum(self.epoch_seconds)


def train(
    net: nn.Module,
    train_iter,
    test_iter,
    num_epochs: int,
    lr: float | None,
    device: torch.device | str | None = None,
    *,
    optimizer: torch.optim.Optimizer | None = None,
    scheduler=None,
    init: bool = True,
    plot: bool = True,
    save_plot: str | None = None,
    verbose: bool = True,
    channels_last: bool | None = None,
) -> History:
    """Train ``net`` with cross-entropy and minibatch SGD, plotting loss and
    accuracy as it goes.

    The recipe of the LeNet chapter: Xavier-uniform weights (``init``), plain
    SGD with learning rate ``lr``. Pass your own ``optimizer`` (and a
    ``scheduler``, stepped after every batch) to change it.

    The speed figure is honest: each epoch is timed on the wall clock from the
    first batch to the end of the test evaluation, so it includes loading the
    data, forward, backward, the update and evaluation (the GPU is synchronized
    before the clock is read). Only drawing the plot is left out. examples/sec
    is train examples divided by that time.

    ``channels_last`` stores the convolution weights in the memory layout that
    PyTorch's CPU convolution and pooling kernels are fastest with. By default
    it is on for the CPU, except for nets with batch norm, whose CPU kernels
    are slower in that layout.
    """
    if not isinstance(num_epochs, int) or num_epochs < 1:
        raise ValueError(
            f"num_epochs must be a positive whole number; got {num_epochs!r}."
        )
    if optimizer is None and not (isinstance(lr, (int, float)) and lr > 0):
        raise ValueError(
            "lr must be a positive number such as 0.9 (or pass an "
            f"optimizer); got {lr!r}."
        )
    device = torch.device(device) if device is not None else try_gpu()
    if verbose:
        print(f"training on {device}")
    if init:
        net.apply(init_weights)
    if channels_last is None:
        batch_norm = nn.modules.batchnorm._BatchNorm
        has_bn = any(isinstance(m, batch_norm) for m in net.modules())
        channels_last = device.type == "cpu" and not has_bn
    net.to(
        device,
        memory_format=(
            torch.channels_last if channels_last else torch.preserve_format
        ),
    )
    optimizer = optimizer or torch.optim.SGD(net.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    animator = None
    if plot:
        animator = Animator(
            xlabel="epoch",
            xlim=[0, num_epochs],
            legend=["train loss", "train acc", "test acc"],
            # Markers: the test accuracy has one point per epoch.
            fmts=("-", "m--", "g-.o"),
        )
    history = History(device=str(device), animator=animator)
    num_batches = len(train_iter)
    # About five points per epoch, even for epochs of fewer than five batches.
    plot_every = max(1, num_batches // 5)
    timer = Timer()
    epochs = tqdm(
        range(num_epochs),
        desc="training",
        unit="epoch",
        file=sys.stderr,
        disable=not verbose or in_notebook(),
    )
    for epoch in epochs:
        timer.start()
        net.train()
        loss_sum = torch.zeros((), device=device)
        correct = torch.zeros((), dtype=torch.int64, device=device)
        seen, plot_seconds = 0, 0.0
        for i, (X, y) in enumerate(train_iter):
            X = X.to(device, non_blocking=True)
            y = y.to(device, non_blocking=True)
            y_hat = net(X)
            loss = loss_fn(y_hat, y)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
            # The sums stay on the device: no host sync per batch.
            with torch.no_grad():
                loss_sum += loss.detach() * y.shape[0]
                correct += num_correct(y_hat, y)
            seen += y.shape[0]
            if animator is not None and (
                (i + 1) % plot_every == 0 or i == num_batches - 1
            ):
                point = (loss_sum.item() / seen, correct.item() / seen, None)
                drawing = time.perf_counter()  # drawing is not training
                animator.add(epoch + (i + 1) / num_batches, point)
                plot_seconds += time.perf_counter() - drawing
        test_acc = evaluate_accuracy_gpu(net, test_iter, device)
        synchronize(device)
        seconds = timer.stop() - plot_seconds
        history.record(
            loss_sum.item() / seen,
            correct.item() / seen,
            test_acc,
            seconds,
            seen,
        )
        if animator is not None:
            animator.add(epoch + 1, (None, None, test_acc))
        epochs.set_postfix(
            loss=f"{history.train_loss[-1]:.3f}", test_acc=f"{test_acc:.3f}"
        )
    epochs.close()
    if animator is not None and save_plot:
        animator.save(save_plot)
    if verbose:
        loss, train_acc = history.train_loss[-1], history.train_acc[-1]
        print(
            f"loss {loss:.3f}, train acc {train_acc:.3f}, "
            f"test acc {history.test_acc[-1]:.3f}"
        )
        print(
            f"{history.overall_examples_per_sec:.1f} examples/sec on {device}"
        )
    return history
