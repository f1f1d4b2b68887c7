"""Counting and timing: Accumulator, accuracy, Timer."""

import time

import torch


class Accumulator:
    """Running sums of ``n`` quantities, e.g. total loss, correct predictions,
    examples seen.
    """

    def __init__(self, n: int):
        self.data = [0.0] * n

    def add(self, *args) -> None:
        if len(args) != len(self.data):
            raise ValueError(
                f"Accumulator holds {len(self.data)} sums but add() got "
                f"{len(args)} values."
            )
        self.data = [a + float(b) for a, b in zip(self.data, args)]

    def reset(self) -> None:
        self.data = [0.0] * len(self.data)

    def __getitem__(self, idx: int) -> float:
        return self.data[idx]

    def __repr__(self) -> str:
        return f"Accumulator({self.data})"


def num_correct(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Correct predictions as a 0-d tensor on the data's device (no host sync).

    ``y_hat`` holds logits ``[N, C]`` or predicted labels ``[N]``; ``y`` holds
    true labels ``[N]``.
    """
    if y_hat.dim() > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(dim=1)
    return (y_hat.type(y.dtype) == y).sum()


def accuracy(y_hat: torch.Tensor, y: torch.Tensor) -> float:
    """Number of correct predictions, as a float (divide by ``len(y)`` for the
    fraction).
    """
    return float(num_correct(y_hat, y))


def synchronize(device: torch.device | str | None = None) -> None:
    """Wait until the GPU (CUDA or MPS) has finished its queued work, so a
    clock reads true time.
    """
    device = torch.device(device) if device is not None else None
    if device is None or device.type == "cuda":
        if torch.cuda.is_available():
            torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


class Timer:
    """Wall-clock stopwatch that records several runs."""

    def __init__(self):
        self.times: list[float] = []
        self.start()

    def start(self) -> None:
        self.tik = time.perf_counter()

    def stop(self) -> float:
        """Stop the timer, record the time since ``start`` and return it (in
        seconds).
        """
        self.times.append(time.perf_counter() - self.tik)
        return self.times[-1]

    def avg(self) -> float:
        return sum(self.times) / len(self.times)

    def sum(self) -> float:
        return sum(self.times)

    def cumsum(self) -> list[float]:
        total, out = 0.0, []
        for t in self.times:
            total += t
            out.append(total)
        return out
