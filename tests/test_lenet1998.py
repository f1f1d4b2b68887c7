"""Tests for lenet_helpers.lenet1998: LeNet-5 as the 1998 paper has it."""
import math

import pytest
import torch
import torch.nn.functional as F

from lenet_helpers import load_data_fashion_mnist
from lenet_helpers.lenet1998 import (
    C3_TABLE,
    PAPER_LAYER_COUNTS,
    PartialConv2d,
    RBFOutput,
    ScaledTanh,
    Subsampling,
    default_codes,
    init_lenet1998,
    lenet1998,
    pad_and_normalize,
    paper_layer_counts,
    paper_parameter_count,
    rbf_loss,
    scaled_tanh,
)


def make_net(seed: int = 0):
    torch.manual_seed(seed)
    net = lenet1998()
    net.apply(init_lenet1998)
    return net


def test_layer_counts_are_the_papers():
    net = make_net()
    counts = paper_layer_counts(net)
    assert counts == {"C1": 156, "S2": 12, "C3": 1_516, "S4": 32,
                      "C5": 48_120, "F6": 10_164}
    assert counts == PAPER_LAYER_COUNTS
    # "only 60,000 trainable parameters" (Section II-B)
    assert paper_parameter_count(net) == 60_000
    # torch's numel counts the 36 masked-out C3 kernels (36 * 25 = 900)
    assert sum(p.numel() for p in net.C3.parameters()) == 1_516 + 900


def test_shapes_through_the_net():
    net = make_net()
    X = torch.randn(3, 1, 32, 32)
    shapes = {}
    with torch.no_grad():
        for name, layer in net.named_children():
            X = layer(X)
            shapes[name] = tuple(X.shape)
    assert shapes == {
        "C1": (3, 6, 28, 28), "f1": (3, 6, 28, 28), "S2": (3, 6, 14, 14),
        "C3": (3, 16, 10, 10), "f3": (3, 16, 10, 10), "S4": (3, 16, 5, 5),
        "C5": (3, 120, 1, 1), "f5": (3, 120, 1, 1), "flatten": (3, 120),
        "F6": (3, 84), "f6": (3, 84), "output": (3, 10),
    }


def test_c3_table_is_table_one():
    assert len(C3_TABLE) == 16
    sizes = [len(maps) for maps in C3_TABLE]
    assert sizes == [3] * 6 + [4] * 9 + [6]
    assert sum(sizes) == 60  # 60 kernels: 60 * 25 + 16 = 1,516
    for o in range(6):  # contiguous (cyclic) triples, then quadruples
        assert set(C3_TABLE[o]) == {(o + k) % 6 for k in range(3)}
        assert set(C3_TABLE[6 + o]) == {(o + k) % 6 for k in range(4)}
    assert [set(m) for m in C3_TABLE[12:15]] == [
        {0, 1, 3, 4}, {1, 2, 4, 5}, {0, 2, 3, 5}]
    assert set(C3_TABLE[15]) == set(range(6))
    # in the paper's table every S2 map feeds exactly 10 C3 maps
    assert [sum(i in m for m in C3_TABLE) for i in range(6)] == [10] * 6


def test_c3_maps_read_only_their_inputs():
    torch.manual_seed(0)
    conv = PartialConv2d(6, C3_TABLE)
    X = torch.randn(1, 6, 14, 14)
    X2 = X.clone()
    X2[:, 3] += 1.0  # change S2 map 3 only
    with torch.no_grad():
        changed = (conv(X2) - conv(X)).abs().flatten(2).amax(2)[0] > 0
    assert changed.tolist() == [3 in maps for maps in C3_TABLE]


def test_masked_weights_stay_zero_through_training():
    net = make_net()
    absent = net.C3.mask == 0
    assert int(absent.sum()) == 36 * 25
    assert (net.C3.weight[absent] == 0).all()
    before = net.C3.weight.detach().clone()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9,
                                weight_decay=1e-4)
    torch.manual_seed(1)
    for _ in range(3):
        X, y = torch.randn(8, 1, 32, 32), torch.randint(0, 10, (8,))
        loss = rbf_loss(net(X), y)
        optimizer.zero_grad()
        loss.backward()
        assert (net.C3.weight.grad[absent] == 0).all()
        assert net.C3.weight.grad[~absent].abs().sum() > 0
        optimizer.step()
    assert (net.C3.weight[absent] == 0).all()  # exactly zero
    assert not torch.equal(net.C3.weight[~absent], before[~absent])


def test_subsampling_by_hand():
    layer = Subsampling(2)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor([0.5, -0.25]))
        layer.bias.copy_(torch.tensor([0.1, 0.2]))
    X = torch.arange(32.0).view(1, 2, 4, 4) / 10
    out = layer(X)
    assert out.shape == (1, 2, 2, 2)
    for c, (coef, bias) in enumerate([(0.5, 0.1), (-0.25, 0.2)]):
        for i in range(2):
            for j in range(2):
                block = X[0, c, 2 * i:2 * i + 2, 2 * j:2 * j + 2]
                a = coef * float(block.sum()) + bias
                expected = 1.7159 * math.tanh(2 / 3 * a)
                assert out[0, c, i, j].item() == pytest.approx(expected,
                                                               rel=1e-6)
    assert sum(p.numel() for p in layer.parameters()) == 4  # 2 per map


def test_scaled_tanh_values():
    a = torch.tensor([-1.0, 0.0, 1.0, 20.0])
    f = scaled_tanh(a)
    # A and S were chosen so that f(1) = 1 and f(-1) = -1
    assert f[0].item() == pytest.approx(-1.0, abs=1e-4)
    assert f[1].item() == 0.0
    assert f[2].item() == pytest.approx(1.0, abs=1e-4)
    assert f[3].item() == pytest.approx(1.7159, abs=1e-5)  # the asymptote A
    assert torch.equal(ScaledTanh()(a), f)


def test_rbf_distances_by_hand_and_codes_are_fixed():
    codes = torch.tensor([[1.0, -1.0, 1.0], [-1.0, -1.0, 1.0]])
    rbf = RBFOutput(codes)
    X = torch.tensor([[0.5, 0.0, 2.0], [-1.0, -1.0, 1.0]])
    expected = [[0.25 + 1 + 1, 2.25 + 1 + 1], [4 + 0 + 0, 0.0]]
    assert rbf(X).tolist() == expected
    assert list(rbf.parameters()) == []
    assert "codes" in rbf.state_dict()  # a buffer, saved with the model

    net = make_net()
    codes = net.output.codes
    assert not codes.requires_grad
    assert all(p.data_ptr() != codes.data_ptr() for p in net.parameters())
    assert sum(p.numel() for p in net.output.parameters()) == 0


def test_default_codes_are_far_apart():
    codes = default_codes()
    assert codes.shape == (10, 84)
    assert set(codes.unique().tolist()) == {-1.0, 1.0}
    assert torch.equal(codes @ codes.T, 84 * torch.eye(10))  # orthogonal
    differ = (codes[:, None, :] != codes[None, :, :]).sum(2)
    assert differ[~torch.eye(10, dtype=torch.bool)].eq(42).all()
    bitmaps = codes.view(10, 7, 12)  # 7x12 bitmaps of 7 equal rows
    assert torch.equal(bitmaps, bitmaps[:, :1].expand(-1, 7, -1))
    assert torch.equal(default_codes(), codes)  # deterministic
    with pytest.raises(ValueError, match="pass your own"):
        default_codes(12)


def test_rbf_loss_by_hand():
    distances = torch.tensor([[1.0, 2.0, 3.0], [4.0, 0.5, 6.0]])
    labels = torch.tensor([0, 1])
    j = 1.0
    by_hand = [
        1.0 + math.log(math.exp(-j) + sum(math.exp(-d) for d in (1, 2, 3))),
        0.5 + math.log(math.exp(-j) + sum(math.exp(-d)
                                          for d in (4, 0.5, 6))),
    ]
    loss = rbf_loss(distances, labels, j=j)
    assert loss.item() == pytest.approx(sum(by_hand) / 2, rel=1e-6)
    assert rbf_loss(distances, labels, j=None).item() == 0.75  # eq. (8)
    # a huge j leaves cross-entropy with -distances as logits
    ce = F.cross_entropy(-distances, labels)
    assert rbf_loss(distances, labels, j=1e4).item() == pytest.approx(
        ce.item(), rel=1e-6)


def test_map_loss_escapes_the_collapse_that_eq8_allows():
    # The collapse: all codes equal and F6 equal to them, all distances 0.
    distances = torch.zeros(4, 10, requires_grad=True)
    labels = torch.tensor([0, 3, 5, 9])
    wrong = torch.ones(4, 10, dtype=torch.bool)
    wrong[torch.arange(4), labels] = False

    eq8 = rbf_loss(distances, labels, j=None)
    (grad8,) = torch.autograd.grad(eq8, distances)
    assert eq8.item() == 0.0  # the lowest eq. (8) can go: nothing to fix
    assert (grad8[wrong] == 0).all()  # no push on the other classes

    eq9 = rbf_loss(distances, labels, j=10.0)
    (grad9,) = torch.autograd.grad(eq9, distances)
    assert eq9.item() == pytest.approx(math.log(math.exp(-10) + 10))
    assert eq9.item() > 2.0  # far from its minimum
    assert (grad9[wrong] < 0).all()  # descent raises the wrong distances
    assert (grad9[~wrong] > 0).all()  # and lowers the right one


def test_pad_and_normalize():
    out = pad_and_normalize(torch.zeros(2, 1, 28, 28))
    assert out.shape == (2, 1, 32, 32)
    assert torch.allclose(out, torch.full_like(out, -0.1))
    out = pad_and_normalize(torch.ones(2, 1, 28, 28))
    assert torch.allclose(out[..., 2:30, 2:30], torch.tensor(1.175))
    assert out[..., :2, :].eq(out[0, 0, 0, 0]).all()
    assert out[0, 0, 0, 0].item() == pytest.approx(-0.1)  # padding
    with pytest.raises(ValueError, match="28x28"):
        pad_and_normalize(torch.zeros(2, 1, 32, 32))


def test_init_follows_the_fan_in():
    net = make_net()
    checks = [(net.C1.weight, 25), (net.C5.weight, 400),
              (net.F6.weight, 120), (net.S2.weight, 4)]
    for weight, fan_in in checks:
        bound = 2.4 / fan_in
        assert weight.abs().max() <= bound
        assert weight.abs().max() > 0.5 * bound
    kernels = net.C3.weight.abs().flatten(1).amax(1)  # one per C3 map
    for o, maps in enumerate(C3_TABLE):
        assert kernels[o] <= 2.4 / (25 * len(maps))
    assert (net.C3.weight[net.C3.mask == 0] == 0).all()


def test_init_accepts_layers_without_bias():
    # a variant built with bias=False (e.g. before batch norm) still works
    layer = torch.nn.Conv2d(6, 16, kernel_size=5, bias=False)
    layer.apply(init_lenet1998)
    assert layer.weight.abs().max() <= 2.4 / 150


def test_a_few_batches_reduce_the_loss():
    train_iter, test_iter = load_data_fashion_mnist(256)
    X_test, y_test = next(iter(test_iter))
    X_test = pad_and_normalize(X_test)
    net = make_net()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.01)
    with torch.no_grad():
        before = rbf_loss(net(X_test), y_test).item()
    for step, (X, y) in enumerate(train_iter):
        loss = rbf_loss(net(pad_and_normalize(X)), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step == 19:
            break
    with torch.no_grad():
        after = rbf_loss(net(X_test), y_test).item()
    assert math.isfinite(after)
    assert after < 0.95 * before
