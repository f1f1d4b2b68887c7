"""LeNet-5 as published: LeCun, Bottou, Bengio and Haffner, "Gradient-based
learning applied to document recognition", Proc. IEEE 86(11), 1998.

Sections II-B (the layers), Appendix A (squashing function, initialization)
and II-C (the loss) are followed as closely as PyTorch allows.
"""

from collections import OrderedDict
from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

A, S = 1.7159, 2 / 3  # Appendix A: f(a) = A tanh(S a), so f(1) = 1, f(-1) = -1


def scaled_tanh(a: torch.Tensor) -> torch.Tensor:
    """The squashing function f(a) = A tanh(S a) (eq. 6, Appendix A)."""
    return A * torch.tanh(S * a)


class ScaledTanh(nn.Module):
    """``scaled_tanh`` as a layer, to place after C1, C3, C5 and F6."""

    def forward(self, a: torch.Tensor) -> torch.Tensor:
        return scaled_tanh(a)


class Subsampling(nn.Module):
    """S2 and S4: sum each 2x2 block, times one coefficient plus one bias per
    map (2 parameters per map), then squash (Section II-B).
    """

    def __init__(self, channels: int):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        block_sums = 4 * F.avg_pool2d(X, kernel_size=2)  # sum = 4 x mean
        a = block_sums * self.weight.view(1, -1, 1, 1)
        return scaled_tanh(a + self.bias.view(1, -1, 1, 1))

    def extra_repr(self) -> str:
        return f"channels={self.weight.numel()}"


# Table I: the S2 maps (0-5) that each of the 16 C3 maps reads.
C3_TABLE = (
    (0, 1, 2), (1, 2, 3), (2, 3, 4), (3, 4, 5), (4, 5, 0), (5, 0, 1),
    (0, 1, 2, 3), (1, 2, 3, 4), (2, 3, 4, 5),
    (3, 4, 5, 0), (4, 5, 0, 1), (5, 0, 1, 2),
    (0, 1, 3, 4), (1, 2, 4, 5), (0, 2, 3, 5),
    (0, 1, 2, 3, 4, 5),
)


class PartialConv2d(nn.Conv2d):
    """A convolution in which output map ``o`` reads only the input maps in
    ``table[o]``: C3 with Table I (Section II-B).

    The 0/1 ``mask`` multiplies the kernels in every forward pass, so absent
    connections have zero weight and receive zero gradient.
    """

    def __init__(
        self, in_channels: int, table: Sequence[Sequence[int]],
        kernel_size: int = 5,
    ):
        super().__init__(in_channels, len(table), kernel_size)
        mask = torch.zeros_like(self.weight)
        for out_map, in_maps in enumerate(table):
            mask[out_map, list(in_maps)] = 1.0
        self.register_buffer("mask", mask)
        with torch.no_grad():
            self.weight.mul_(mask)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return self._conv_forward(X, self.weight * self.mask, self.bias)


def default_codes(num_classes: int = 10) -> torch.Tensor:
    """Pairwise orthogonal +-1 codes of length 84: rows of a 12x12 Hadamard
    matrix, each repeated 7 times (a 7x12 bitmap, as in the paper's codes).
    """
    if not 1 <= num_classes <= 11:
        raise ValueError(
            f"default_codes makes at most 11 codes, not {num_classes}; pass "
            "your own [num_classes, 84] tensor of +-1 to RBFOutput(codes)."
        )
    # Paley's construction, q = 11: +1 where k - i is 0 or a square mod 11.
    squares = {i * i % 11 for i in range(11)}
    row = torch.tensor([1.0 if k in squares else -1.0 for k in range(11)])
    H = torch.ones(12, 12)
    H[1:, 0] = -1.0
    H[1:, 1:] = torch.stack([row.roll(i) for i in range(11)])
    # Skip the all-ones row 0; any two codes differ in 42 of 84 places.
    return H[1 : num_classes + 1].repeat(1, 7)


class RBFOutput(nn.Module):
    """Euclidean RBF units y_i = sum_j (x_j - w_ij)^2 with fixed codes w_i
    (eq. 7); the smallest distance is the prediction, so use -y as logits.
    """

    def __init__(self, codes: torch.Tensor | None = None):
        super().__init__()
        codes = default_codes() if codes is None else codes
        self.register_buffer("codes", codes.float())  # a buffer: not trained

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        diff = X.unsqueeze(1) - self.codes  # [batch, classes, 84]
        return (diff**2).sum(dim=2)

    def extra_repr(self) -> str:
        return "classes={}, features={}".format(*self.codes.shape)


def rbf_loss(
    distances: torch.Tensor, labels: torch.Tensor, j: float | None = 10.0
) -> torch.Tensor:
    """The MAP loss of eq. (9), mean of y_D + log(e^-j + sum_i e^-y_i);
    ``j=None`` gives eq. (8), mean of y_D, which the paper warns about.
    """
    # The paper gives no value for j. The pull on y_D is sigmoid(y_D - j):
    # it fades once y_D < j. We take 10, far below 42, the distance from
    # the point halfway between two default codes to either of them.
    # (As j grows, this becomes cross-entropy with -distances as logits.)
    y_correct = distances.gather(1, labels.view(-1, 1)).squeeze(1)
    if j is None:
        return y_correct.mean()
    rubbish = torch.full_like(y_correct, -j).unsqueeze(1)  # log e^-j
    scores = torch.cat([rubbish, -distances], dim=1)
    return (y_correct + torch.logsumexp(scores, dim=1)).mean()


def lenet1998(codes: torch.Tensor | None = None) -> nn.Sequential:
    """LeNet-5 of Section II-B for 1x32x32 inputs; it outputs 10 distances,
    the smallest for the predicted class. Initialize with init_lenet1998.
    """
    return nn.Sequential(OrderedDict([
        ("C1", nn.Conv2d(1, 6, kernel_size=5)),  # 6@28x28
        ("f1", ScaledTanh()),
        ("S2", Subsampling(6)),  # 6@14x14, squashes inside
        ("C3", PartialConv2d(6, C3_TABLE)),  # 16@10x10
        ("f3", ScaledTanh()),
        ("S4", Subsampling(16)),  # 16@5x5
        ("C5", nn.Conv2d(16, 120, kernel_size=5)),  # 120@1x1
        ("f5", ScaledTanh()),
        ("flatten", nn.Flatten()),
        ("F6", nn.Linear(120, 84)),
        ("f6", ScaledTanh()),
        ("output", RBFOutput(codes)),  # 10 distances
    ]))


@torch.no_grad()
def init_lenet1998(module: nn.Module) -> None:
    """Appendix A: weights uniform in (-2.4/F, 2.4/F), F the unit's fan-in
    (connected inputs); biases drawn alike. Use with ``net.apply``.
    """
    if isinstance(module, (nn.Conv2d, nn.Linear)):
        mask = getattr(module, "mask", torch.ones_like(module.weight))
        fan_in = mask.flatten(1).sum(dim=1)  # one per output unit
        bound = 2.4 / fan_in
        shape = (-1,) + (1,) * (module.weight.dim() - 1)
        module.weight.uniform_(-1, 1).mul_(bound.view(shape) * mask)
        if module.bias is not None:
            module.bias.uniform_(-1, 1).mul_(bound)
    elif isinstance(module, Subsampling):
        bound = 2.4 / 4  # each unit reads 4 inputs
        module.weight.uniform_(-bound, bound)
        module.bias.uniform_(-bound, bound)


def pad_and_normalize(X: torch.Tensor) -> torch.Tensor:
    """Pad 28x28 images in [0, 1] to 32x32 and map background 0 to -0.1 and
    foreground 1 to 1.175, the paper's input scaling (Section II-B).
    """
    if X.shape[-2:] != (28, 28):
        raise ValueError(
            f"pad_and_normalize expects 28x28 images, got {tuple(X.shape)}; "
            "pass the batches of load_data_fashion_mnist without resize."
        )
    return F.pad(X, (2, 2, 2, 2)) * 1.275 - 0.1


def paper_parameter_count(module: nn.Module) -> int:
    """Trainable parameters as the paper counts them: without the masked-out
    C3 weights, which torch's ``numel`` includes.
    """
    total = sum(p.numel() for p in module.parameters())
    for layer in module.modules():
        if isinstance(layer, PartialConv2d):
            total -= int((layer.mask == 0).sum())
    return total


PAPER_LAYER_COUNTS = {
    "C1": 156, "S2": 12, "C3": 1_516, "S4": 32, "C5": 48_120, "F6": 10_164,
}


def paper_layer_counts(net: nn.Sequential) -> dict[str, int]:
    """Parameter counts of ``net``'s layers C1 to F6, to set beside the
    paper's ``PAPER_LAYER_COUNTS`` (Section II-B).
    """
    return {
        name: paper_parameter_count(net.get_submodule(name))
        for name in PAPER_LAYER_COUNTS
    }
