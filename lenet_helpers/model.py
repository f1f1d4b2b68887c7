"""The LeNet-5 model as the d2l chapter builds it, and a way to look at its
layers.
"""

from pathlib import Path

import torch
from torch import nn

# Chapter 3's network after its recipe, shipped so that chapter 4 need not
# train it again. Made with
#   python -m lenet_helpers --save-weights lenet_helpers/weights/lenet_ch3.pt
TRAINED_WEIGHTS = Path(__file__).parent / "weights" / "lenet_ch3.pt"


def lenet() -> nn.Sequential:
    """LeNet-5 with sigmoid activations and average pooling, for 1x28x28 images
    and 10 classes.

    It is a plain ``nn.Sequential`` so that ``for layer in net`` walks through
    the twelve layers.
    """
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2),
        nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5),
        nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120),
        nn.Sigmoid(),
        nn.Linear(120, 84),
        nn.Sigmoid(),
        nn.Linear(84, 10),
    )


def trained_lenet(device: torch.device | str = "cpu") -> nn.Sequential:
    """``lenet()`` trained with chapter 3's recipe (seed 0, 10 epochs, SGD
    with learning rate 0.9, batches of 256), on ``device``, in evaluation
    mode. Its weights ship with this package; nothing is downloaded.
    """
    if not TRAINED_WEIGHTS.is_file():
        raise FileNotFoundError(
            f"The trained weights are missing: {TRAINED_WEIGHTS}. Reinstall "
            "lenet_helpers, or make them again with `python -m "
            f"lenet_helpers --save-weights {TRAINED_WEIGHTS}` (ten epochs)."
        )
    net = lenet()
    state = torch.load(TRAINED_WEIGHTS, map_location="cpu", weights_only=True)
    net.load_state_dict(state)
    return net.to(device).eval()


def init_weights(module: nn.Module) -> None:
    """Xavier-uniform weights for every Conv2d and Linear layer (use with
    ``net.apply``).
    """
    if isinstance(module, (nn.Conv2d, nn.Linear)):
        nn.init.xavier_uniform_(module.weight)


def layer_shapes(
    net: nn.Sequential, X: torch.Tensor
) -> list[tuple[str, tuple[int, ...]]]:
    """Pass ``X`` through ``net`` one layer at a time; return each layer's name
    and output shape.
    """
    shapes = []
    with torch.no_grad():
        for layer in net:
            X = layer(X)
            shapes.append((type(layer).__name__, tuple(X.shape)))
    return shapes


def count_parameters(net: nn.Module) -> int:
    """Number of trainable parameters (weights and biases) in ``net``."""
    return sum(p.numel() for p in net.parameters() if p.requires_grad)
