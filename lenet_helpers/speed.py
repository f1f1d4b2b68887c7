"""The fast path: the data on the device, no host sync per batch, and on a
GPU one CUDA graph per step.

LeNet is tiny. On a GPU each of its kernels is expected to finish in a few
microseconds, sooner than Python can launch the next one, so an eager step
mostly waits on launches. A CUDA graph records all the kernels of one step
(forward, loss, backward, SGD update, running sums) once, and then replays
them with a single launch. Without CUDA the very same step runs eagerly.
"""

import contextlib

import torch
from torch import nn
from torch.profiler import record_function

from .data import TensorBatches
from .metrics import Timer, num_correct
from .model import init_weights
from .training import History, evaluate_accuracy_gpu, try_gpu


class TrainStep:
    """One minibatch SGD step of ``net``, with running sums of the loss and
    of the correct predictions.

    Call it with a batch ``(X, y)``. On CUDA (unless ``graphs=False``) each
    batch size is captured once as a CUDA graph and replayed after that;
    elsewhere ``eager`` runs, which is the same code. ``amp`` computes the
    forward pass in bfloat16. The sums stay on the device: read them once an
    epoch.
    """

    def __init__(
        self,
        net: nn.Module,
        optimizer: torch.optim.Optimizer,
        loss_fn: nn.Module | None = None,
        graphs: bool | None = None,
        amp: bool = False,
    ):
        self.device = next(net.parameters()).device
        on_cuda = self.device.type == "cuda"
        self.graphs = on_cuda if graphs is None else graphs
        if self.graphs and not on_cuda:
            raise ValueError(
                "CUDA graphs need the net on a CUDA GPU, but it is on "
                f"{self.device}; pass graphs=False (or leave graphs unset) "
                "to run the step eagerly."
            )
        self.net, self.optimizer, self.amp = net, optimizer, amp
        self.loss_fn = loss_fn or nn.CrossEntropyLoss()
        self.loss_sum = torch.zeros((), device=self.device)
        self.correct = torch.zeros((), dtype=torch.int64, device=self.device)
        # batch size -> (graph, its input X, its input y)
        self.graphed: dict[int, tuple] = {}

    def eager(self, X: torch.Tensor, y: torch.Tensor) -> None:
        """The step itself, labelled for the profiler. Gradients are zeroed
        in place, never freed, so every captured graph keeps using them.
        """
        autocast = contextlib.nullcontext()
        if self.amp:
            autocast = torch.autocast(
                self.device.type, torch.bfloat16, cache_enabled=False
            )
        with record_function("forward"), autocast:
            y_hat = self.net(X)
            loss = self.loss_fn(y_hat, y)
        with record_function("backward"):
            loss.backward()
        with record_function("optimizer"):
            self.optimizer.step()
            self.optimizer.zero_grad(set_to_none=False)
        with record_function("metrics"), torch.no_grad():
            self.loss_sum += loss.detach().float() * y.shape[0]
            self.correct += num_correct(y_hat, y)

    def __call__(self, X: torch.Tensor, y: torch.Tensor) -> None:
        if not self.graphs:
            return self.eager(X, y)
        if len(y) not in self.graphed:
            self.capture(X, y)
        graph, static_X, static_y = self.graphed[len(y)]
        # A graph reads its inputs from fixed addresses.
        static_X.copy_(X)
        static_y.copy_(y)
        graph.replay()

    def capture(
        self, X: torch.Tensor, y: torch.Tensor, warmup: int = 3
    ) -> None:
        """Record the step for ``X``'s batch size as a CUDA graph; weights
        and sums are left as they were.
        """
        params = list(self.net.parameters())
        # Gradients made outside the graph: graphs of every size share them.
        for p in params:
            if p.grad is None:
                p.grad = torch.zeros_like(p)
        state = params + [self.loss_sum, self.correct]
        saved = [t.detach().clone() for t in state]
        static_X, static_y = X.clone(), y.clone()
        # Warm-up steps on a side stream let cuDNN and cuBLAS set up.
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):
            for _ in range(warmup):
                self.eager(static_X, static_y)
        torch.cuda.current_stream().wait_stream(side)
        graph = torch.cuda.CUDAGraph()
        # Records the kernels without running them.
        with torch.cuda.graph(graph):
            self.eager(static_X, static_y)
        if self.optimizer.state:
            name = type(self.optimizer).__name__
            raise ValueError(
                "TrainStep captures optimizers without state, such as "
                f"plain SGD; {name} kept state during the warm-up."
            )
        with torch.no_grad():  # undo the warm-up steps
            for t, s in zip(state, saved):
                t.copy_(s)
        self.graphed[len(y)] = (graph, static_X, static_y)


def on_device(
    data: TensorBatches,
    device: torch.device,
    batch_size: int | None = None,
    shuffle: bool | None = None,
) -> TensorBatches:
    """The same examples as ``data``, held on ``device`` (copied once),
    optionally in another batch size.
    """
    return TensorBatches(
        data.X.to(device),
        data.y.to(device),
        batch_size or data.batch_size,
        data.shuffle if shuffle is None else shuffle,
        data.resize,
    )


def train_fast(
    net: nn.Module,
    train_iter: TensorBatches,
    test_iter: TensorBatches,
    num_epochs: int,
    lr: float,
    device: torch.device | str | None = None,
    *,
    graphs: bool | None = None,
    amp: bool = False,
    eval_batch_size: int | None = None,
    init: bool = True,
) -> History:
    """``train``'s recipe (Xavier init, SGD with ``lr``, cross-entropy)
    built for speed, with no plot.

    Both splits are kept on ``device``; each step is a ``TrainStep``,
    captured for the two batch sizes of an epoch before the first epoch. The
    test split is evaluated in big batches (``eval_batch_size``, default: all
    10,000 at once on a GPU, 1,000 elsewhere). The host waits for the device
    once an epoch. Epochs are timed as in ``train``.
    """
    device = torch.device(device) if device is not None else try_gpu()
    if init:
        net.apply(init_weights)
    on_cpu = device.type == "cpu"
    layout = torch.channels_last if on_cpu else torch.preserve_format
    net.to(device, memory_format=layout)
    train_iter = on_device(train_iter, device)
    eval_batch_size = eval_batch_size or (1000 if on_cpu else 10_000)
    test_iter = on_device(test_iter, device, batch_size=eval_batch_size)
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    step = TrainStep(net, optimizer, graphs=graphs, amp=amp)
    n, size = train_iter.num_examples, train_iter.batch_size
    if step.graphs:
        # Both batch sizes of an epoch, e.g. 256 and the last batch's 96.
        for b in {min(size, n), n % size} - {0}:
            step.capture(train_iter.X[:b], train_iter.y[:b])
    history, timer = History(device=str(device)), Timer()
    for _ in range(num_epochs):
        timer.start()
        step.loss_sum.zero_()
        step.correct.zero_()
        net.train()
        for X, y in train_iter:
            step(X, y)
        # The one host sync of the epoch.
        test_acc = evaluate_accuracy_gpu(net, test_iter, device)
        seconds = timer.stop()
        history.record(
            step.loss_sum.item() / n, step.correct.item() / n, test_acc,
            seconds, n,
        )
    return history
