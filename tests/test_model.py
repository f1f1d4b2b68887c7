import torch
from torch import nn

import pytest

from lenet_helpers import (count_parameters, evaluate_accuracy_gpu, init_weights, layer_shapes, lenet,
                           load_data_fashion_mnist, trained_lenet)
from lenet_helpers import model

EXPECTED = [
    ("Conv2d", (1, 6, 28, 28)), ("Sigmoid", (1, 6, 28, 28)), ("AvgPool2d", (1, 6, 14, 14)),
    ("Conv2d", (1, 16, 10, 10)), ("Sigmoid", (1, 16, 10, 10)), ("AvgPool2d", (1, 16, 5, 5)),
    ("Flatten", (1, 400)), ("Linear", (1, 120)), ("Sigmoid", (1, 120)),
    ("Linear", (1, 84)), ("Sigmoid", (1, 84)), ("Linear", (1, 10)),
]


def test_lenet_is_a_sequential_of_the_seed_layers():
    net = lenet()
    assert isinstance(net, nn.Sequential)
    assert [type(layer).__name__ for layer in net] == [name for name, _ in EXPECTED]
    conv1, conv2 = net[0], net[3]
    assert (conv1.in_channels, conv1.out_channels, conv1.kernel_size, conv1.padding) == (1, 6, (5, 5), (2, 2))
    assert (conv2.in_channels, conv2.out_channels, conv2.kernel_size, conv2.padding) == (6, 16, (5, 5), (0, 0))
    assert [(m.in_features, m.out_features) for m in net if isinstance(m, nn.Linear)] == [(400, 120), (120, 84), (84, 10)]


def test_layer_shapes_and_parameter_count():
    net = lenet()
    assert layer_shapes(net, torch.rand(1, 1, 28, 28)) == EXPECTED
    assert count_parameters(net) == 61_706
    # per layer: 6*25+6, 16*6*25+16, 400*120+120, 120*84+84, 84*10+10
    assert [sum(p.numel() for p in m.parameters()) for m in net if list(m.parameters())] == [156, 2416, 48120, 10164, 850]


def test_init_weights_is_xavier_uniform():
    torch.manual_seed(0)
    net = lenet()
    net.apply(init_weights)
    linear = net[7]  # 400 -> 120: bound sqrt(6 / (400 + 120))
    bound = (6 / (400 + 120)) ** 0.5
    assert linear.weight.abs().max() <= bound
    assert linear.weight.abs().max() > 0.9 * bound  # uniform fills the interval
    assert abs(linear.weight.std().item() - bound / 3 ** 0.5) < 0.01


def test_trained_lenet_is_chapter_3s_network_after_its_recipe(data_dir):
    net = trained_lenet()
    assert not net.training and next(net.parameters()).device.type == "cpu"
    assert layer_shapes(net, torch.rand(1, 1, 28, 28)) == EXPECTED
    _, test_iter = load_data_fashion_mnist(256, root=data_dir)
    # Chapter 3 prints about 0.81 after 10 epochs; chapter 4 says so of this network.
    assert abs(evaluate_accuracy_gpu(net, test_iter) - 0.81) <= 0.03


def test_trained_lenet_without_its_file_says_how_to_get_it(monkeypatch, tmp_path):
    monkeypatch.setattr(model, "TRAINED_WEIGHTS", tmp_path / "missing.pt")
    with pytest.raises(FileNotFoundError, match="--save-weights"):
        trained_lenet()
