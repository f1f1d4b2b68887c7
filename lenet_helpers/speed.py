"""The fast path: the data on the device, no host sync per batch, and on a GPU one CUDA graph per step.

LeNet is tiny. On a GPU each of its kernels finishes in a few microseconds, sooner than Python can
launch the next one, so an eager training step mostly waits on launches. A CUDA graph records the
fifty or so kernels of one step (forward, loss, backward, SGD update, running sums) once, and then
replays them all with a single launch. Where there is no CUDA, the very same step runs eagerly.
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
    """One minibatch SGD step of ``net``, and running sums of the loss and the correct predictions.

    Call it with a batch ``(X, y)``. On CUDA (unless ``graphs=False``) each batch size is captured
    once as a CUDA graph and replayed after that; elsewhere ``eager`` runs, which is the same code.
    ``amp`` computes the forward pass in bfloat16. The sums stay on the device: read them once an epoch.
    """

    def __init__(self, net: nn.Module, optimizer: torch.optim.Optimizer, loss_fn: nn.Module | None = None,
                 graphs: bool | None = None, amp: bool = False):
        self.device = next(net.parameters()).device
        self.graphs = self.device.type == "cuda" if graphs is None else graphs
        if self.graphs and self.device.type != "cuda":
            raise ValueError(f"CUDA graphs need the net on a CUDA GPU, but it is on {self.device}; "
                             "pass graphs=False (or leave graphs unset) to run the step eagerly.")
        self.net, self.optimizer, self.amp = net, optimizer, amp
        self.loss_fn = loss_fn or nn.CrossEntropyLoss()
        self.loss_sum = torch.zeros((), device=self.device)
        self.correct = torch.zeros((), dtype=torch.int64, device=self.device)
        self.graphed: dict[int, tuple] = {}  # batch size -> (graph, its input X, its input y)

    def eager(self, X: torch.Tensor, y: torch.Tensor) -> None:
        """The step itself, labelled for the profiler. Gradients are zeroed in place, never freed,
        so that every captured graph keeps using the same gradient tensors."""
        autocast = (torch.autocast(self.device.type, torch.bfloat16, cache_enabled=False) if self.amp
                    else contextlib.nullcontext())
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
        static_X.copy_(X)  # a graph reads its inputs from fixed addresses
        static_y.copy_(y)
        graph.replay()

    def capture(self, X: torch.Tensor, y: torch.Tensor, warmup: int = 3) -> None:
        """Record the step for ``X``'s batch size as a CUDA graph; weights and sums are left as they were."""
        params = list(self.net.parameters())
        for p in params:  # gradients made outside the graph: graphs of every batch size share them
            if p.grad is None:
                p.grad = torch.zeros_like(p)
        saved = [t.detach().clone() for t in params + [self.loss_sum, self.correct]]
        static_X, static_y = X.clone(), y.clone()
        side = torch.cuda.Stream()  # warm-up steps let cuDNN and cuBLAS set up before capturing
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):
            for _ in range(warmup):
                self.eager(static_X, static_y)
        torch.cuda.current_stream().wait_stream(side)
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph):  # records the kernels without running them
            self.eager(static_X, static_y)
        if self.optimizer.state:
            raise ValueError("TrainStep captures optimizers without state, such as plain SGD; "
                             f"{type(self.optimizer).__name__} kept state during the warm-up.")
        with torch.no_grad():  # undo the warm-up steps
            for t, s in zip(params + [self.loss_sum, self.correct], saved):
                t.copy_(s)
        self.graphed[len(y)] = (graph, static_X, static_y)


def on_device(data: TensorBatches, device: torch.device, batch_size: int | None = None,
              shuffle: bool | None = None) -> TensorBatches:
    """The same examples as ``data``, held on ``device`` (copied once), optionally in another batch size."""
    return TensorBatches(data.X.to(device), data.y.to(device), batch_size or data.batch_size,
                         data.shuffle if shuffle is None else shuffle, data.resize)


def train_fast(net: nn.Module, train_iter: TensorBatches, test_iter: TensorBatches, num_epochs: int, lr: float,
               device: torch.device | str | None = None, *, graphs: bool | None = None, amp: bool = False,
               eval_batch_size: int | None = None, init: bool = True) -> History:
    """``train``'s recipe (Xavier init, SGD with ``lr``, cross-entropy) built for speed, with no plot.

    Both splits are kept on ``device``; each step is a ``TrainStep``, captured for the two batch sizes
    an epoch has before the first epoch starts; the test split is evaluated in big batches
    (``eval_batch_size``, default: all 10,000 at once on a GPU, 1,000 elsewhere; without gradients the
    batch size does not change the result). The host waits
    for the device once an epoch, to read the loss and the accuracies. Epochs are timed as in ``train``.
    """
    device = torch.device(device) if device is not None else try_gpu()
    if init:
        net.apply(init_weights)
    net.to(device, memory_format=torch.channels_last if device.type == "cpu" else torch.preserve_format)
    train_iter = on_device(train_iter, device)
    test_iter = on_device(test_iter, device, batch_size=eval_batch_size or (10_000 if device.type == "cuda" else 1000))
    step = TrainStep(net, torch.optim.SGD(net.parameters(), lr=lr), graphs=graphs, amp=amp)
    n, size = train_iter.num_examples, train_iter.batch_size
    if step.graphs:
        for b in {min(size, n), n % size} - {0}:  # e.g. 256, and the last batch's 96
            step.capture(train_iter.X[:b], train_iter.y[:b])
    history, timer = History(device=str(device)), Timer()
    for _ in range(num_epochs):
        timer.start()
        step.loss_sum.zero_()
        step.correct.zero_()
        net.train()
        for X, y in train_iter:
            step(X, y)
        test_acc = evaluate_accuracy_gpu(net, test_iter, device)  # the one host sync of the epoch
        seconds = timer.stop()
        history.train_loss.append(step.loss_sum.item() / n)
        history.train_acc.append(step.correct.item() / n)
        history.test_acc.append(test_acc)
        history.epoch_seconds.append(seconds)
        history.examples_per_sec.append(n / seconds)
    return history
