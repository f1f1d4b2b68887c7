"""Fashion-MNIST: find the four original files, check them, decode them once,
batch them by indexing.

Where the data comes from, in this order:
1. the ``root`` argument, or else the environment variable ``LENET_DATA``: the
   folder you name is the only place looked at (and where a download goes);
2. otherwise the default folder ``~/.cache/lenet_helpers/fashion-mnist``, then
   Debian's ``/usr/share/datasets/fashion-mnist`` (``apt-get install
   dataset-fashion-mnist``);
3. otherwise the files are downloaded from torchvision's mirrors into the
   default folder.

A folder may hold the four ``*-idx?-ubyte`` files (gzipped or not) directly, or
in torchvision's layout ``FashionMNIST/raw/``. Every file is checked (size and
SHA-256 of its decompressed content) before it is used, so a truncated or wrong
file is reported instead of trained on.
"""

import functools
import gzip
import hashlib
import math
import os
import tempfile
from pathlib import Path

import torch
import torch.nn.functional as F

TEXT_LABELS = [
    "t-shirt",
    "trouser",
    "pullover",
    "dress",
    "coat",
    "sandal",
    "shirt",
    "sneaker",
    "bag",
    "ankle boot",
]

# SHA-256 and shape of each decompressed idx file, as published with the
# dataset.
FILES = {
    "train-images-idx3-ubyte": (
        "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
        (60000, 28, 28),
    ),
    "train-labels-idx1-ubyte": (
        "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
        (60000,),
    ),
    "t10k-images-idx3-ubyte": (
        "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
        (10000, 28, 28),
    ),
    "t10k-labels-idx1-ubyte": (
        "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
        (10000,),
    ),
}
DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
SOURCE_URL = "https://github.com/zalandoresearch/fashion-mnist"


class FashionMNISTError(RuntimeError):
    """The Fashion-MNIST files are missing, unreadable or not genuine."""


def default_data_dir() -> Path:
    """The folder used when neither ``root`` nor ``LENET_DATA`` names one."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "lenet_helpers" / "fashion-mnist"


def _find(folder: Path, name: str) -> Path | None:
    """The path of one idx file in ``folder``, in the flat or torchvision
    layout, or None.
    """
    for sub in (folder, folder / "FashionMNIST" / "raw"):
        for candidate in (sub / name, sub / f"{name}.gz"):
            if candidate.is_file():
                return candidate
    return None


def _find_all(folder: Path) -> dict[str, Path | None]:
    return {name: _find(folder, name) for name in FILES}


def _fix_hint(folder: Path) -> str:
    names = "".join(f"\n       {name}.gz" for name in FILES)
    return (
        "To fix it, do one of:\n"
        "  1. Connect to the internet and run again; the files are\n"
        f"     downloaded into {folder}\n"
        f"  2. Copy the four files{names}\n"
        f"     into {folder}\n"
        f"     (get them from {SOURCE_URL}).\n"
        "  3. On Debian or Ubuntu:\n"
        "     sudo apt-get install dataset-fashion-mnist\n"
        f"     (it puts them in {DEBIAN_DIR}).\n"
        "  4. Point the environment variable LENET_DATA, or the root\n"
        "     argument, at the folder that holds them."
    )


def _download(folder: Path) -> None:
    """Download the four .gz files with torchvision into ``folder``, never
    leaving a partial file there.
    """
    import torchvision

    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".download-") as tmp:
        torchvision.datasets.FashionMNIST(tmp, train=True, download=True)
        torchvision.datasets.FashionMNIST(tmp, train=False, download=True)
        raw = Path(tmp) / "FashionMNIST" / "raw"
        # os.replace is atomic: a file is either absent or complete.
        for name in FILES:
            os.replace(raw / f"{name}.gz", folder / f"{name}.gz")


def find_data_dir(
    root: str | os.PathLike | None = None, download: bool = True
) -> Path:
    """The folder holding all four Fashion-MNIST files; download them if
    allowed and needed.
    """
    if root is not None or os.environ.get("LENET_DATA"):
        origin = "the root argument" if root is not None else "LENET_DATA"
        candidates = [
            (
                Path(
                    root if root is not None else os.environ["LENET_DATA"]
                ).expanduser(),
                origin,
            )
        ]
    else:
        candidates = [
            (default_data_dir(), "the default folder"),
            (DEBIAN_DIR, "Debian's dataset folder"),
        ]

    looked = []
    for folder, origin in candidates:
        if folder.exists() and not folder.is_dir():
            raise FashionMNISTError(
                f"{folder} ({origin}) is a file, not a folder. "
                "Name the folder that holds the four Fashion-MNIST files."
            )
        found = _find_all(folder)
        if all(found.values()):
            return folder
        missing = [name for name, path in found.items() if path is None]
        missing = "all four files" if len(missing) == 4 else ", ".join(missing)
        looked.append(f"  - {folder} ({origin})\n    missing: {missing}")

    target = candidates[0][0]
    if download:
        try:
            _download(target)
            return target
        except Exception as err:  # no network, no permission, mirror down...
            reason = (
                f"Downloading into {target} failed:\n"
                f"  {type(err).__name__}: {err}"
            )
    else:
        reason = "Downloading was switched off (download=False)."
    raise FashionMNISTError(
        "Fashion-MNIST was not found.\nLooked in:\n"
        + "\n".join(looked)
        + f"\n{reason}\n"
        + _fix_hint(target)
    )


@functools.lru_cache(maxsize=8)
def _read_idx(path: Path, name: str, mtime_ns: int) -> torch.Tensor:
    """Decode one verified idx file into a uint8 tensor (cached per file and
    modification time).
    """
    sha, shape = FILES[name]
    advice = (
        f"Delete {path}\nand run again to download a fresh copy, or replace it"
        f" with the genuine file\nfrom {SOURCE_URL}."
    )
    try:
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
    except (OSError, EOFError, gzip.BadGzipFile) as err:
        raise FashionMNISTError(
            f"Could not read {path}:\nit is truncated or corrupted ({err}).\n"
            + advice
        ) from err
    header = 4 + 4 * len(shape)
    expected_size = header + math.prod(shape)
    if len(data) != expected_size:
        raise FashionMNISTError(
            f"{path} holds {len(data):,} bytes once decompressed,\n"
            f"but {name} has {expected_size:,}: the file is truncated\n"
            f"or is not {name}.\n{advice}"
        )
    if hashlib.sha256(data).hexdigest() != sha:
        raise FashionMNISTError(
            f"{path} has the right size but not the content of\n"
            f"Fashion-MNIST's {name} (SHA-256 mismatch): it is corrupted\n"
            f"or comes from another dataset.\n{advice}"
        )
    return torch.frombuffer(
        bytearray(data), dtype=torch.uint8, offset=header
    ).view(shape)


def read_fashion_mnist(
    train: bool = True,
    root: str | os.PathLike | None = None,
    download: bool = True,
) -> tuple[torch.Tensor, torch.Tensor]:
    """The raw split as tensors: images uint8 ``[N, 28, 28]`` and labels int64
    ``[N]``.
    """
    files = _find_all(find_data_dir(root, download))
    prefix = "train" if train else "t10k"
    image_path, label_path = (
        files[f"{prefix}-images-idx3-ubyte"],
        files[f"{prefix}-labels-idx1-ubyte"],
    )
    images = _read_idx(
        image_path,
        f"{prefix}-images-idx3-ubyte",
        image_path.stat().st_mtime_ns,
    )
    labels = _read_idx(
        label_path,
        f"{prefix}-labels-idx1-ubyte",
        label_path.stat().st_mtime_ns,
    )
    return images, labels.long()


def get_fashion_mnist_labels(labels) -> list[str]:
    """Class names for numeric labels (a tensor or a list of ints)."""
    return [TEXT_LABELS[int(i)] for i in labels]


class TensorBatches:
    """Minibatches ``(X, y)`` of tensors held in memory, like a DataLoader
    without worker processes.

    ``len()`` is the number of batches. With ``shuffle`` the order is drawn
    anew from torch's random generator every time iteration starts, so each
    example still appears exactly once per epoch.
    """

    def __init__(
        self,
        X: torch.Tensor,
        y: torch.Tensor,
        batch_size: int,
        shuffle: bool = False,
        resize: tuple[int, int] | None = None,
    ):
        self.X, self.y = X, y
        self.batch_size, self.shuffle, self.resize = (
            batch_size,
            shuffle,
            resize,
        )

    def __len__(self) -> int:
        return math.ceil(len(self.y) / self.batch_size)

    @property
    def num_examples(self) -> int:
        return len(self.y)

    @property
    def device(self) -> torch.device:
        return self.X.device

    def __iter__(self):
        X, y = self.X, self.y
        if self.shuffle:
            # One copy in a new random order per epoch; every batch is then
            # a slice of it, a view that copies nothing. On a quiet computer
            # one large copy costs a little more than 235 small ones (about
            # 0.1 s against 0.03 s per epoch on two cores); on a busy one far
            # less, since each copy waits for all of torch's threads.
            order = torch.randperm(len(y)).to(X.device)
            X, y = X[order], y[order]
        for start in range(0, len(y), self.batch_size):
            X_batch = X[start : start + self.batch_size]
            y_batch = y[start : start + self.batch_size]
            if self.resize is not None:
                X_batch = F.interpolate(
                    X_batch,
                    size=self.resize,
                    mode="bilinear",
                    antialias=True,
                    align_corners=False,
                )
            yield X_batch, y_batch


def load_data_fashion_mnist(
    batch_size: int,
    resize: int | tuple[int, int] | None = None,
    root: str | os.PathLike | None = None,
    device: torch.device | str | None = None,
    download: bool = True,
) -> tuple[TensorBatches, TensorBatches]:
    """Fashion-MNIST as ``(train_iter, test_iter)``.

    Each yields ``X`` float32 ``[B, 1, 28, 28]`` (or ``resize``'s size) scaled
    to [0, 1] as ``ToTensor`` does, and ``y`` int64 class indices. The train
    split is reshuffled every epoch, the test split is not. ``device`` keeps
    the whole dataset there (e.g. ``'cuda'``), so training on a GPU never waits
    for host-to-device copies.
    """
    if (
        isinstance(batch_size, bool)
        or not isinstance(batch_size, int)
        or batch_size < 1
    ):
        raise ValueError(
            "batch_size must be a positive whole number, such as 256; "
            f"got {batch_size!r}."
        )
    if resize is not None:
        size = (resize, resize) if isinstance(resize, int) else tuple(resize)
        if len(size) != 2 or not all(
            isinstance(s, int) and s > 0 for s in size
        ):
            raise ValueError(
                "resize must be a positive int or a pair (height, width), "
                f"such as 224; got {resize!r}."
            )
        resize = size
    device = (
        torch.device(device) if device is not None else torch.device("cpu")
    )

    def split(train: bool) -> TensorBatches:
        images, labels = read_fashion_mnist(train, root, download)
        X = images.to(device).unsqueeze(1).float().div_(255)
        return TensorBatches(
            X, labels.to(device), batch_size, shuffle=train, resize=resize
        )

    return split(True), split(False)
