"""Helpers for the book "LeNet, step by step": model, data, metrics,
plots and the training loop.
"""

from .data import (
    FashionMNISTError,
    TEXT_LABELS,
    TensorBatches,
    default_data_dir,
    find_data_dir,
    get_fashion_mnist_labels,
    load_data_fashion_mnist,
    read_fashion_mnist,
)
from .metrics import Accumulator, Timer, accuracy, num_correct, synchronize
from .model import (
    count_parameters,
    init_weights,
    layer_shapes,
    lenet,
    trained_lenet,
)
from .plotting import Animator, in_notebook, show_images
from .training import History, evaluate_accuracy_gpu, set_seed, train, try_gpu

__version__ = "0.1.0"
__all__ = [
    "Accumulator",
    "Animator",
    "FashionMNISTError",
    "History",
    "TEXT_LABELS",
    "TensorBatches",
    "Timer",
    "accuracy",
    "count_parameters",
    "default_data_dir",
    "evaluate_accuracy_gpu",
    "find_data_dir",
    "get_fashion_mnist_labels",
    "in_notebook",
    "init_weights",
    "layer_shapes",
    "lenet",
    "load_data_fashion_mnist",
    "num_correct",
    "read_fashion_mnist",
    "set_seed",
    "show_images",
    "synchronize",
    "train",
    "trained_lenet",
    "try_gpu",
]
