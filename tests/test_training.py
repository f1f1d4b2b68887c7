"""evaluate_accuracy_gpu, try_gpu, set_seed and train, on the real data."""
import re

import pytest
import torch

from lenet_helpers import (History, TensorBatches, evaluate_accuracy_gpu, lenet, load_data_fashion_mnist, set_seed, train,
                           try_gpu)


@pytest.fixture(scope="module")
def loaders(data_dir):
    return load_data_fashion_mnist(256)


def test_try_gpu_picks_an_available_device():
    device = try_gpu()
    expected = "cuda" if torch.cuda.is_available() else "mps" if torch.backends.mps.is_available() else "cpu"
    assert device.type == expected
    assert try_gpu(10_000).type in ("mps", "cpu")  # no such GPU: fall back


@pytest.mark.parametrize("mode", [True, False])
def test_evaluate_restores_mode_and_counts_right(loaders, mode):
    _, test_iter = loaders
    torch.manual_seed(0)
    net = lenet().train(mode)
    acc = evaluate_accuracy_gpu(net, test_iter)
    assert net.training is mode
    with torch.no_grad():
        net.eval()
        manual = sum((net(X).argmax(1) == y).sum().item() for X, y in test_iter) / 10000
    assert acc == pytest.approx(manual)
    assert 0.0 <= acc <= 1.0


def test_evaluate_restores_mode_even_when_the_net_fails():
    net = lenet().train()
    bad_batches = [(torch.rand(4, 3, 28, 28), torch.zeros(4, dtype=torch.int64))]  # 3 channels: Conv2d raises
    with pytest.raises(RuntimeError):
        evaluate_accuracy_gpu(net, bad_batches)
    assert net.training


def test_short_training_run_learns(loaders, capsys):
    train_iter, test_iter = loaders
    set_seed(0)
    net = lenet()
    history = train(net, train_iter, test_iter, num_epochs=2, lr=0.9, device="cpu")
    assert len(history.train_loss) == len(history.test_acc) == len(history.examples_per_sec) == 2
    assert history.train_loss[1] < history.train_loss[0] < 2.4
    assert history.test_acc[-1] > 0.3  # chance is 0.1
    assert all(speed > 0 for speed in history.examples_per_sec)
    loss_points = history.animator.series()["train loss"][1]
    assert len(loss_points) == 10  # five points per epoch (235 batches: every 47th)
    assert loss_points[-1] < loss_points[0]
    assert history.animator.series()["test acc"][1] == history.test_acc
    out = capsys.readouterr().out.splitlines()
    assert re.fullmatch(r"loss \d\.\d{3}, train acc \d\.\d{3}, test acc \d\.\d{3}", out[-2])
    assert re.fullmatch(r"\d+\.\d examples/sec on cpu", out[-1])
    assert f"test acc {history.test_acc[-1]:.3f}" in out[-2]


def test_same_seed_same_result(data_dir):
    results = []
    for _ in range(2):
        set_seed(7)
        train_iter, test_iter = load_data_fashion_mnist(256)
        small = TensorBatches(train_iter.X[:2048], train_iter.y[:2048], 256, shuffle=True)
        history = train(lenet(), small, test_iter, 1, 0.9, "cpu", plot=False, verbose=False)
        results.append((history.train_loss[0], history.test_acc[0]))
    assert results[0] == pytest.approx(results[1], abs=1e-6)


def test_epochs_shorter_than_five_batches_still_plot(loaders):
    train_iter, test_iter = loaders
    tiny = TensorBatches(train_iter.X[:300], train_iter.y[:300], 128, shuffle=True)  # 3 batches
    history = train(lenet(), tiny, test_iter, 2, 0.9, "cpu", verbose=False)
    assert len(history.animator.series()["train loss"][0]) == 6  # a point after every batch
    assert history.animator.series()["test acc"][0] == [1.0, 2.0]


@pytest.mark.parametrize("kwargs, message", [
    (dict(num_epochs=0, lr=0.9), "num_epochs must be a positive whole number"),
    (dict(num_epochs=1, lr=-1), "lr must be a positive number"),
    (dict(num_epochs=1, lr=None), "lr must be a positive number"),
])
def test_bad_arguments_say_what_to_pass(loaders, kwargs, message):
    train_iter, test_iter = loaders
    with pytest.raises(ValueError, match=message):
        train(lenet(), train_iter, test_iter, device="cpu", **kwargs)


def test_own_optimizer_and_scheduler(loaders):
    train_iter, test_iter = loaders
    small = TensorBatches(train_iter.X[:1024], train_iter.y[:1024], 256, shuffle=True)
    net = lenet()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.5, total_steps=2 * len(small))
    train(net, small, test_iter, 2, None, "cpu", optimizer=optimizer, scheduler=scheduler, plot=False, verbose=False)
    assert scheduler.last_epoch == 2 * len(small)  # stepped once per batch


def test_train_says_where_it_trains_first(loaders, capsys):
    train_iter, test_iter = loaders
    tiny = TensorBatches(train_iter.X[:256], train_iter.y[:256], 128)
    train(lenet(), tiny, test_iter, 1, 0.9, "cpu", plot=False)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "training on cpu"
    assert re.fullmatch(r"loss \d\.\d{3}, train acc \d\.\d{3}, test acc \d\.\d{3}", lines[1])
    assert re.fullmatch(r"\d+\.\d examples/sec on cpu", lines[2])


def test_evaluate_accepts_a_list_of_input_tensors(loaders):
    _, test_iter = loaders

    class TwoInputs(torch.nn.Module):
        """A net whose input is a list of two tensors (as the seed's evaluator allows)."""

        def __init__(self):
            super().__init__()
            self.net = lenet()

        def forward(self, X):
            first, second = X
            return self.net(first + 0 * second)

    torch.manual_seed(0)
    net = TwoInputs()
    pairs = [([X, X.clone()], y) for X, y in test_iter]
    assert evaluate_accuracy_gpu(net, pairs) == pytest.approx(evaluate_accuracy_gpu(net.net, test_iter))


def test_history_record_appends_one_epoch():
    history = History()
    history.record(train_loss=0.5, train_acc=0.8, test_acc=0.75, seconds=2.0, examples=60_000)
    history.record(train_loss=0.4, train_acc=0.85, test_acc=0.8, seconds=3.0, examples=60_000)
    assert history.train_loss == [0.5, 0.4] and history.test_acc == [0.75, 0.8]
    assert history.examples_per_sec == [30_000, 20_000] and history.epoch_seconds == [2.0, 3.0]
    assert history.overall_examples_per_sec == pytest.approx(120_000 / 5.0)


def test_channels_last_on_cpu_except_with_batch_norm(loaders):
    train_iter, test_iter = loaders
    tiny = TensorBatches(train_iter.X[:256], train_iter.y[:256], 128)
    plain = lenet()
    train(plain, tiny, test_iter, 1, 0.9, "cpu", plot=False, verbose=False)
    conv2 = plain[3].weight  # [16, 6, 5, 5]: the two layouts differ
    assert conv2.is_contiguous(memory_format=torch.channels_last) and not conv2.is_contiguous()
    nn = torch.nn
    with_bn = nn.Sequential(nn.Conv2d(1, 6, 5), nn.BatchNorm2d(6), nn.Conv2d(6, 8, 5), nn.Flatten(),
                            nn.Linear(8 * 20 * 20, 10))
    train(with_bn, tiny, test_iter, 1, 0.1, "cpu", plot=False, verbose=False)
    assert with_bn[2].weight.is_contiguous()
