"""The loaders against the real Fashion-MNIST files, and every way the data can be missing or wrong."""
import gzip
import os
import shutil
import urllib.error
from pathlib import Path

import pytest
import torch

import lenet_helpers.data as data
from lenet_helpers import (FashionMNISTError, find_data_dir, get_fashion_mnist_labels, load_data_fashion_mnist,
                           read_fashion_mnist)

NAMES = list(data.FILES)


@pytest.fixture(scope="module")
def loaders(data_dir):
    return load_data_fashion_mnist(256)


def fingerprints(X: torch.Tensor) -> torch.Tensor:
    """One number per image, so that sets of images can be compared after shuffling."""
    weights = torch.linspace(1, 2, X[0].numel(), dtype=torch.float64)
    return X.reshape(len(X), -1).double() @ weights


def test_batches_have_the_right_shapes_types_and_range(loaders):
    train_iter, test_iter = loaders
    assert len(train_iter) == 235 and len(test_iter) == 40
    assert train_iter.num_examples == 60000 and test_iter.num_examples == 10000
    X, y = next(iter(train_iter))
    assert X.shape == (256, 1, 28, 28) and X.dtype == torch.float32
    assert y.shape == (256,) and y.dtype == torch.int64
    assert 0.0 <= X.min() and X.max() <= 1.0 and X.max() > 0.99
    assert set(y.tolist()) <= set(range(10))
    sizes = [len(y) for _, y in test_iter]
    assert sizes == [256] * 39 + [10000 - 39 * 256]


def test_pixels_match_torchvision_to_tensor(data_dir, tmp_path):
    """X is scaled as torchvision's ToTensor scales the original images."""
    import torchvision
    copy_data(data_dir, tmp_path / "FashionMNIST" / "raw", compressed=False)
    reference = torchvision.datasets.FashionMNIST(tmp_path, train=False, transform=torchvision.transforms.ToTensor())
    X, y = next(iter(load_data_fashion_mnist(16)[1]))
    for i in range(16):
        image, label = reference[i]
        assert torch.equal(X[i], image) and y[i].item() == label


def test_every_train_example_once_per_epoch_and_reshuffled(loaders):
    train_iter, _ = loaders
    images, labels = read_fashion_mnist(train=True)
    expected = fingerprints(images.float() / 255).sort().values
    epochs = []
    for _ in range(2):
        batches = list(train_iter)
        X = torch.cat([X for X, _ in batches])
        y = torch.cat([y for _, y in batches])
        assert len(y) == 60000
        assert torch.equal(fingerprints(X).sort().values, expected)
        assert torch.equal(torch.bincount(y, minlength=10), torch.bincount(labels, minlength=10))
        epochs.append(y)
    assert not torch.equal(epochs[0], epochs[1])  # a new order every epoch


def test_test_split_is_not_shuffled(loaders):
    _, test_iter = loaders
    _, labels = read_fashion_mnist(train=False)
    first = torch.cat([y for _, y in test_iter])
    second = torch.cat([y for _, y in test_iter])
    assert torch.equal(first, labels) and torch.equal(second, labels)


def test_same_seed_same_order(loaders):
    train_iter, _ = loaders
    torch.manual_seed(3)
    a = next(iter(train_iter))[1]
    torch.manual_seed(3)
    b = next(iter(train_iter))[1]
    assert torch.equal(a, b)


def test_resize(data_dir):
    train_iter, test_iter = load_data_fashion_mnist(32, resize=64)
    X, _ = next(iter(test_iter))
    assert X.shape == (32, 1, 64, 64) and X.dtype == torch.float32
    assert 0.0 <= X.min() and X.max() <= 1.0
    X, _ = next(iter(load_data_fashion_mnist(8, resize=(32, 40))[1]))
    assert X.shape == (8, 1, 32, 40)


def test_text_labels():
    assert get_fashion_mnist_labels(torch.tensor([0, 6, 9])) == ["t-shirt", "shirt", "ankle boot"]


@pytest.mark.parametrize("bad", [0, -3, 2.5, "256", None, True])
def test_bad_batch_size_says_what_to_pass(bad):
    with pytest.raises(ValueError, match="batch_size must be a positive whole number"):
        load_data_fashion_mnist(bad)


@pytest.mark.parametrize("bad", [0, (28,), "big", (28, -1)])
def test_bad_resize_says_what_to_pass(bad, data_dir):
    with pytest.raises(ValueError, match="resize must be"):
        load_data_fashion_mnist(8, resize=bad)


def copy_data(data_dir: Path, folder: Path, compressed: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in NAMES:
        if compressed:
            shutil.copy(data_dir / f"{name}.gz", folder / f"{name}.gz")
        else:
            with gzip.open(data_dir / f"{name}.gz") as src, open(folder / name, "wb") as dst:
                shutil.copyfileobj(src, dst)
    return folder


def test_flat_uncompressed_folder_and_torchvision_layout(data_dir, tmp_path):
    flat = copy_data(data_dir, tmp_path / "flat", compressed=False)
    images, labels = read_fashion_mnist(False, root=flat, download=False)
    reference_images, reference_labels = read_fashion_mnist(False)
    assert torch.equal(images, reference_images) and torch.equal(labels, reference_labels)
    copy_data(data_dir, tmp_path / "tv" / "FashionMNIST" / "raw")
    assert find_data_dir(tmp_path / "tv", download=False) == tmp_path / "tv"


def test_root_argument_wins_over_lenet_data(data_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("LENET_DATA", str(tmp_path / "nowhere"))
    assert find_data_dir(data_dir, download=False) == data_dir
    with pytest.raises(FashionMNISTError, match="nowhere"):
        find_data_dir(download=False)


def test_default_folder_then_debian_folder(data_dir, tmp_path, monkeypatch):
    monkeypatch.delenv("LENET_DATA")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(data, "DEBIAN_DIR", data_dir)
    assert find_data_dir(download=False) == data_dir  # nothing in the default folder yet
    default = copy_data(data_dir, tmp_path / "cache" / "lenet_helpers" / "fashion-mnist")
    assert find_data_dir(download=False) == default


def test_missing_data_without_download_explains_every_fix(tmp_path):
    with pytest.raises(FashionMNISTError) as err:
        load_data_fashion_mnist(256, root=tmp_path, download=False)
    message = str(err.value)
    assert str(tmp_path) in message and "train-images-idx3-ubyte.gz" in message
    assert "download=False" in message
    for fix in ("LENET_DATA", "apt-get install dataset-fashion-mnist", "Copy the four files"):
        assert fix in message


def test_no_network_gives_one_clear_error_and_leaves_no_partial_file(tmp_path, monkeypatch):
    import torchvision.datasets.mnist as tv_mnist

    def offline(url, download_root, filename=None, md5=None, **kwargs):
        Path(download_root, filename or "partial").write_bytes(b"\x1f\x8b half a file")
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(tv_mnist, "download_and_extract_archive", offline)
    target = tmp_path / "data"
    with pytest.raises(FashionMNISTError) as err:
        load_data_fashion_mnist(256, root=target)
    message = str(err.value)
    assert "Downloading into" in message and "name resolution" in message and "LENET_DATA" in message
    assert list(target.iterdir()) == []  # the half-written download was cleaned up


def test_truncated_file_is_reported_not_trained_on(data_dir, tmp_path):
    folder = copy_data(data_dir, tmp_path / "truncated")
    path = folder / "train-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[: 1_000_000])
    with pytest.raises(FashionMNISTError, match="truncated") as err:
        load_data_fashion_mnist(256, root=folder, download=False)
    assert str(path) in str(err.value) and "Delete" in str(err.value)
    assert path.exists()  # the reader's file is left for them to inspect


def test_corrupted_content_is_caught_by_the_checksum(data_dir, tmp_path):
    folder = copy_data(data_dir, tmp_path / "corrupt", compressed=False)
    path = folder / "t10k-images-idx3-ubyte"
    content = bytearray(path.read_bytes())
    content[5000] ^= 0xFF  # one flipped pixel: same size, wrong data
    path.write_bytes(bytes(content))
    with pytest.raises(FashionMNISTError, match="SHA-256 mismatch"):
        read_fashion_mnist(False, root=folder, download=False)


def test_a_file_instead_of_a_folder(tmp_path):
    not_a_folder = tmp_path / "fashion.zip"
    not_a_folder.write_text("zip")
    with pytest.raises(FashionMNISTError, match="is a file, not a folder"):
        load_data_fashion_mnist(256, root=not_a_folder)


def test_keep_data_on_a_device(data_dir):
    train_iter, _ = load_data_fashion_mnist(64, device="cpu")
    assert train_iter.device == torch.device("cpu")
    if torch.cuda.is_available():
        train_iter, _ = load_data_fashion_mnist(64, device="cuda")
        X, y = next(iter(train_iter))
        assert X.is_cuda and y.is_cuda
