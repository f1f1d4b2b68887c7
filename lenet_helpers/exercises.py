"""Practice tasks that check your answer on the spot.

Every chapter has a section "Practice": a few small tasks, each in a cell
like this one::

    from lenet_helpers import exercises as ex

    answer = ...  # a whole number
    solved = ex.check("1.1", answer)

``check(id, answer)`` prints a verdict and returns True or False (kept in
``solved`` rather than shown: a notebook would print it under the verdict). A wrong
answer gets a message, never a traceback; when it is a common mistake (say,
forgetting the padding), the message names it. ``hint(id)`` prints a nudge,
``solution(id)`` shows a worked answer, ``ids()`` lists the tasks, and
``prompt(id)`` and ``stub(id)`` give a task's text and its starting cell.

An id that does not exist: ``check``, ``hint`` and ``solution`` print the
valid ids (``check`` returns False), so a typo in a cell ends in a sentence,
not a traceback; ``prompt`` and ``stub``, which tools call, raise ValueError.

Every check runs offline on the CPU in well under a second: a task that runs
a network uses a few synthetic tensors, never the dataset.
"""

import contextlib
import copy
import dis
import inspect
import math
import numbers
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from . import lenet1998, metrics, model
from .plotting import in_notebook

__all__ = ["check", "hint", "ids", "prompt", "solution", "stub"]


# --- What a task is -------------------------------------------------------

@dataclass(frozen=True)
class Mistake:
    """A common wrong answer and what ``check`` says when it sees it.

    ``example`` makes the mistake: a number, or a function that ``check``
    runs beside yours to compare. It is None where the task's checker spots
    the mistake itself (the tests then bring their own example).
    """

    name: str
    message: str
    example: Any = None


@dataclass(frozen=True)
class Task:
    """One practice task: what the reader sees and how an answer is judged."""

    id: str
    kind: str  # what the answer is: "number", "shape", "function", "class"
    prompt: str  # one or two sentences, Markdown
    stub: str  # the cell's starting code, without the ex.check line
    hint: str
    solution: str  # code that sets `answer`; the tests run it through check
    judge: Callable[[Any], None]  # raises _Wrong unless the answer is right
    mistakes: tuple[Mistake, ...] = ()


class _Wrong(Exception):
    """Raised by a judge with the sentence to show; check() prints it."""


def _code(text: str) -> str:
    """Source text written indented inside this file, dedented."""
    return textwrap.dedent(text).strip("\n") + "\n"


def _def_stub(signature: str, comment: str) -> str:
    """A cell that defines a function with an empty body, then names it."""
    name = signature.split("(")[0]
    return (f"def {signature}:\n    ...  # {comment}\n\n\n"
            f"answer = {name}\n")


def _nudge(id: str) -> str:
    return f' Run ex.hint("{id}") for a nudge.'


def _say(mistakes: tuple[Mistake, ...], name: str) -> None:
    """Raise the message of the mistake called ``name``."""
    raise _Wrong(next(m.message for m in mistakes if m.name == name))


# --- Describing and comparing answers -------------------------------------

def _show(value: Any) -> str:
    """A value in a few words, for a message: small tensors in full."""
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu()
        if value.numel() <= 12:
            return " ".join(str(value).split())
        return f"a tensor of shape {tuple(value.shape)}"
    if value is None or isinstance(value, numbers.Number):
        return repr(value)
    if isinstance(value, str):
        return f"the text {value[:40]!r}"
    if isinstance(value, type):
        return f"the class {value.__name__}"
    if callable(value):
        return f"the function {getattr(value, '__name__', '?')}"
    if isinstance(value, (tuple, list)) and len(value) <= 8:
        return repr(value)
    return f"a {type(value).__name__}"


def _error(err: Exception) -> str:
    """An exception in one line: its type and the first line of its text."""
    lines = str(err).strip().splitlines()
    return f"{type(err).__name__}: {lines[0][:200] if lines else ''}"


def _plain_number(value: Any) -> float | None:
    """``value`` as a float when it is one number (a 0-d tensor too)."""
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        return float(value.detach())
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return float(value)
    return None


def _same(got: Any, expected: Any, exact_dtype: bool = False) -> bool:
    """True if ``got`` equals ``expected`` up to float rounding."""
    if isinstance(expected, torch.Tensor) and expected.dim() == 0:
        expected = expected.item()
    if isinstance(expected, torch.Tensor):
        if not isinstance(got, torch.Tensor) or got.shape != expected.shape:
            return False
        if exact_dtype and got.dtype != expected.dtype:
            return False
        return torch.allclose(got.detach().cpu().double(), expected.double(),
                              rtol=1e-4, atol=1e-6, equal_nan=True)
    if isinstance(expected, tuple):
        return (isinstance(got, (tuple, list)) and len(got) == len(expected)
                and all(_same(g, e) for g, e in zip(got, expected)))
    number = _plain_number(got)
    if number is None:
        return False
    if math.isnan(number) or math.isnan(expected):
        return math.isnan(number) and math.isnan(expected)
    return math.isclose(number, expected, rel_tol=1e-4, abs_tol=1e-6)


def _outcome(fn: Callable, args: tuple) -> Any:
    """``fn(*args)`` on copies of the tensors, or the exception it raised."""
    args = tuple(a.clone() if isinstance(a, torch.Tensor) else a
                 for a in args)
    try:
        return fn(*args)
    except Exception as err:
        return err


def _same_outcome(got: Any, other: Any, exact_dtype: bool) -> bool:
    """Both raised the same error, or both returned the same value."""
    if isinstance(got, Exception) or isinstance(other, Exception):
        return (type(got) is type(other)) and str(got) == str(other)
    return _same(got, other, exact_dtype)


def _call(thunk: Callable[[], Any], text: str) -> Any:
    """Run a piece of the reader's code; an error becomes one sentence."""
    try:
        return thunk()
    except Exception as err:
        raise _Wrong(f"{text} raised {_error(err)}.") from None


def _require_function(answer: Any, name: str) -> None:
    if isinstance(answer, type) or not callable(answer):
        raise _Wrong(f"Your answer is {_show(answer)}; it should be your "
                     f"function itself: answer = {name}, without "
                     "parentheses.")


def _does_nothing(answer: Any) -> bool:
    """True for a stub not filled in yet: a function whose body is only
    ``...`` (or ``pass``), or a class whose methods all are.
    """
    if isinstance(answer, type):
        methods = [v for v in vars(answer).values() if inspect.isfunction(v)]
        return all(_does_nothing(m) for m in methods)
    if not inspect.isfunction(answer):
        return False
    for op in dis.get_instructions(answer):
        if op.opname in ("RESUME", "NOP", "CACHE", "RETURN_VALUE"):
            continue
        if op.opname in ("LOAD_CONST", "RETURN_CONST") and op.argval is None:
            continue
        return False
    return True


# --- The three kinds of judge ---------------------------------------------

def _as_number(answer: Any) -> int | float:
    if isinstance(answer, torch.Tensor) and answer.numel() == 1:
        answer = answer.detach().item()
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise _Wrong(f"Your answer is {_show(answer)}; it should be a "
                     "number, written without quotes.")
    return answer


def _as_shape(answer: Any) -> tuple:
    if isinstance(answer, (tuple, list, torch.Size)) and all(
            isinstance(n, numbers.Integral) and not isinstance(n, bool)
            for n in answer):
        return tuple(int(n) for n in answer)
    raise _Wrong(f"Your answer is {_show(answer)}; it should be a shape: a "
                 "tuple of whole numbers in parentheses.")


def _value_task(id: str, prompt: str, hint: str, solution: str,
                expected: Any, mistakes: tuple[Mistake, ...],
                rel: float = 0.0, kind: str = "number",
                stub: str = "answer = ...  # a whole number\n") -> Task:
    """A task whose answer is a value: a number (an int exactly, a float
    within ``rel``) or a shape. A known wrong value names its mistake.
    """
    convert = _as_shape if kind == "shape" else _as_number

    def close(value: Any, target: Any) -> bool:
        return math.isclose(value, target, rel_tol=rel) if rel else (
            value == target)

    def judge(answer: Any) -> None:
        value = convert(answer)
        if close(value, expected):
            return
        for mistake in mistakes:
            if close(value, mistake.example):
                raise _Wrong(mistake.message)
        shown = f"{value:,}" if kind == "number" else str(value)
        raise _Wrong(f"{shown} is not it." + _nudge(id))

    return Task(id, kind, prompt, stub, hint, solution, judge, mistakes)


def _function_task(id: str, signature: str, comment: str, prompt: str,
                   hint: str, solution: str, oracle: Callable,
                   cases: Callable[[], list[tuple[str, tuple]]],
                   mistakes: tuple[Mistake, ...],
                   exact_dtype: bool = False) -> Task:
    """A task whose answer is a function. It is run on every case and
    compared with ``oracle`` (PyTorch's own, where PyTorch has one); where
    it goes wrong, each mistake's example is run on that case too, and the
    one that gives the same result is named.
    """
    name = signature.split("(")[0]

    def judge(answer: Any) -> None:
        _require_function(answer, name)
        for description, args in cases():
            expected = oracle(*args)
            got = _outcome(answer, args)
            if (not isinstance(got, Exception)
                    and _same(got, expected, exact_dtype)):
                continue
            for mistake in mistakes:
                example = _outcome(mistake.example, args)
                if _same_outcome(got, example, exact_dtype):
                    raise _Wrong(f"{mistake.message} (Seen with "
                                 f"{description}.)")
            raise _Wrong(_unexpected(name, got, expected, description)
                         + _nudge(id))

    stub = _def_stub(signature, comment)
    return Task(id, "function", prompt, stub, hint, solution, judge,
                mistakes)


def _unexpected(name: str, got: Any, expected: Any, case: str) -> str:
    """What a function did wrong on one case, when no known mistake fits."""
    if isinstance(got, Exception):
        return f"{name} raised {_error(got)} when called with {case}."
    if got is None:
        return (f"{name} returned None for {case}: it needs a return "
                "statement that gives the result.")
    said = f"For {case}, {name} returned {_show(got)}"
    if isinstance(expected, torch.Tensor) and expected.dim() > 0:
        if not isinstance(got, torch.Tensor):
            return f"{said}; it should return a tensor."
        if got.shape != expected.shape:
            return (f"For {case}, {name} returned a tensor of shape "
                    f"{tuple(got.shape)}; the right shape is "
                    f"{tuple(expected.shape)}.")
        if got.dtype != expected.dtype:
            return (f"For {case}, {name} returned a tensor of type "
                    f"{got.dtype}; it should be {expected.dtype}.")
    elif not isinstance(expected, tuple) and _plain_number(got) is None:
        return f"{said}; it should return a single number."
    return f"{said}, which is not right."


# --- Chapter 1: the architecture ------------------------------------------

def _flatten_cases() -> list[tuple[str, tuple]]:
    return [(f"n = {n}", (n,)) for n in (28, 32, 30, 31, 20, 64)]


def _pool_down(n: int) -> int:
    return (n - 2) // 2 + 1


_CHAPTER_1 = [
    _value_task(
        "1.1",
        prompt="A convolution with a 5×5 kernel, padding 2 and stride 2 "
        "reads a 28×28 image. How many pixels wide is its output?",
        hint="Use the formula of \"Predicting the shapes\": "
        "floor((n + 2p - k) / s) + 1, with n the input width, p the padding "
        "on each side, k the kernel size and s the stride.",
        solution=_code("""
            n, k, p, s = 28, 5, 2, 2  # input, kernel, padding, stride
            answer = (n + 2 * p - k) // s + 1
            """),
        expected=nn.Conv2d(1, 1, 5, padding=2, stride=2)(
            torch.zeros(1, 1, 28, 28)).shape[-1],
        mistakes=(
            Mistake("no padding", "That is the width without padding: the "
                    "2 zeros added on each side widen the input to n + 2p "
                    "before the kernel slides over it.", 12),
            Mistake("no + 1", "Almost: you counted the steps the window "
                    "takes but not its first position. Add 1.", 13),
            Mistake("rounded up", "You rounded up: a window that would "
                    "stick out past the edge is not used, so round down "
                    "(Python's // operator).", 15),
            Mistake("no stride", "That is the width with stride 1: with "
                    "stride 2 the window moves 2 pixels at a time, so it "
                    "fits in about half as many positions.", 28),
        )),
    _value_task(
        "1.2",
        prompt="How many parameters (weights and biases) does "
        "`nn.Conv2d(4, 10, kernel_size=3)` have?",
        hint="Every output channel has one k×k kernel for each input "
        "channel, and one bias. The image size does not matter.",
        solution=_code("""
            c_in, c_out, k = 4, 10, 3
            weights = c_out * c_in * k * k  # a k x k kernel per channel pair
            biases = c_out                  # one per output channel
            answer = weights + biases
            """),
        expected=model.count_parameters(nn.Conv2d(4, 10, kernel_size=3)),
        mistakes=(
            Mistake("no biases", "You counted the weights but not the "
                    "biases: each output channel has one bias too.", 360),
            Mistake("one input channel", "Each output channel has a 3×3 "
                    "kernel for every one of the 4 input channels, not one "
                    "kernel in total.", 100),
            Mistake("kernel not squared", "A 3×3 kernel has 3 × 3 weights "
                    "per input channel, not 3.", 130),
        )),
    _function_task(
        "1.3", "flatten_size(n)",
        "how many numbers reach the first Linear layer",
        prompt="Write `flatten_size(n)`: how many numbers `nn.Flatten()` "
        "hands to the first `nn.Linear` layer when this chapter's LeNet "
        "reads n×n images instead of 28×28. It must work for any n from "
        "20 to 64, odd ones too.",
        hint="Follow the four layers that change the size, each with the "
        "formula of \"Predicting the shapes\" (the first convolution is "
        "padded), then multiply by the channels of the last maps.",
        solution=_code("""
            def flatten_size(n):
                n = (n + 2 * 2 - 5) // 1 + 1  # 5x5 convolution, padding 2
                n = (n - 2) // 2 + 1          # 2x2 average pooling, stride 2
                n = (n - 5) // 1 + 1          # 5x5 convolution, no padding
                n = (n - 2) // 2 + 1          # 2x2 average pooling, stride 2
                return 16 * n * n             # 16 channels of n x n


            answer = flatten_size
            """),
        oracle=lambda n: model.lenet()[:7](torch.zeros(1, 1, n, n)).shape[1],
        cases=_flatten_cases,
        mistakes=(
            Mistake("no padding", "You left out the padding of the first "
                    "convolution: with padding 2 it keeps the n×n size.",
                    lambda n: 16 * _pool_down(_pool_down(n - 4) - 4) ** 2),
            Mistake("rounded up", "You rounded up at a pooling layer: a 2×2 "
                    "window that would stick out past the edge is dropped, "
                    "so an odd side such as 11 pools down to 5.",
                    lambda n: 16 * math.ceil((math.ceil(n / 2) - 4) / 2)
                    ** 2),
            Mistake("true division", "Sizes are whole numbers: use // "
                    "(floor division) at the pooling layers, not /.",
                    lambda n: 16 * ((n / 2 - 4) / 2) ** 2),
            Mistake("no channels", "You counted the positions of one "
                    "feature map; the second block has 16 channels, and "
                    "Flatten passes on all of them.",
                    lambda n: _pool_down(_pool_down(n) - 4) ** 2),
        )),
]


# --- Chapter 2: Fashion-MNIST ---------------------------------------------

def _label_cases() -> list[tuple[str, tuple]]:
    g = torch.Generator().manual_seed(2)
    return [
        ("the labels 0 to 9, three times each", (torch.arange(10).repeat(3),)),
        ("50 random labels", (torch.randint(0, 10, (50,), generator=g),)),
        ("a batch without t-shirts (0) and ankle boots (9)",
         (torch.randint(1, 9, (30,), generator=g),)),
        ("a batch of one label, 4", (torch.tensor([4]),)),
    ]


def _image_cases() -> list[tuple[str, tuple]]:
    g = torch.Generator().manual_seed(2)
    dim = torch.randint(0, 201, (5, 28, 28), generator=g, dtype=torch.uint8)
    one = torch.randint(0, 256, (1, 28, 28), generator=g, dtype=torch.uint8)
    one[0, 14, 14] = 255
    return [("5 images whose brightest pixel is 200", (dim,)),
            ("a batch of one image", (one,))]


_CHAPTER_2 = [
    _function_task(
        "2.1", "class_counts(labels)", "return a tensor of 10 counts",
        prompt="Write `class_counts(labels)`: a tensor of 10 counts, how "
        "many of the `labels` belong to each class 0 to 9, as this chapter "
        "counted the training set. It must work for a batch in which some "
        "class never appears.",
        hint="`torch.bincount` counts each value, but only up to the "
        "largest value it sees; one of its arguments fixes the length.",
        solution=_code("""
            import torch


            def class_counts(labels):
                return torch.bincount(labels, minlength=10)


            answer = class_counts
            """),
        oracle=lambda labels: torch.stack(
            [(labels == c).sum() for c in range(10)]),
        cases=_label_cases,
        mistakes=(
            Mistake("no minlength", "Without minlength=10, torch.bincount "
                    "stops at the largest label it sees, so a batch without "
                    "class 9 gets fewer than 10 counts.",
                    lambda labels: torch.bincount(labels)),
            Mistake("unique", "torch.unique counts only the classes that "
                    "appear; a class that never appears must still get its "
                    "count, 0.",
                    lambda labels: torch.unique(labels,
                                                return_counts=True)[1]),
        )),
    _function_task(
        "2.2", "to_batch(images)", "return float32 (N, 1, 28, 28) in [0, 1]",
        prompt="Write `to_batch(images)`: turn raw images (`uint8`, shape "
        "(N, 28, 28), values 0 to 255, as `lh.read_fashion_mnist` returns "
        "them) into what the loaders give LeNet: `float32`, shape "
        "(N, 1, 28, 28), values from 0 to 1.",
        hint="Three things change: the type (floating point), the range "
        "(divide by the largest value a pixel can have, the same for every "
        "batch) and the shape (a channel dimension after the batch "
        "dimension).",
        solution=_code("""
            def to_batch(images):
                X = images.float() / 255  # 0..255 -> 0..1, for every batch
                return X.unsqueeze(1)     # (N, 28, 28) -> (N, 1, 28, 28)


            answer = to_batch
            """),
        oracle=lambda images: images.to(torch.float32).div(255).unsqueeze(1),
        cases=_image_cases, exact_dtype=True,
        mistakes=(
            Mistake("not scaled", "The values still run from 0 to 255: "
                    "divide by 255 so that they run from 0 to 1.",
                    lambda images: images.float().unsqueeze(1)),
            Mistake("batch max", "You divided by the brightest pixel of "
                    "this batch, so the same pixel value would mean "
                    "different things in different batches. Divide by 255, "
                    "the largest value a pixel can have.",
                    lambda images: (images.float()
                                    / images.max()).unsqueeze(1)),
            Mistake("no channel", "The channel dimension is missing: "
                    "LeNet's first convolution expects (N, 1, 28, 28); add "
                    "it with unsqueeze(1).",
                    lambda images: images.float() / 255),
            Mistake("channel last", "The channel dimension is at the end: "
                    "PyTorch puts channels right after the batch dimension, "
                    "(N, 1, 28, 28).",
                    lambda images: (images.float() / 255).unsqueeze(-1)),
            Mistake("integer division", "The result holds whole numbers: "
                    "integer division (//) rounds every pixel to 0 or 1. "
                    "Convert to float first, then divide with /.",
                    lambda images: (images // 255).unsqueeze(1)),
            Mistake("float64", "The batch is float64, but LeNet's weights "
                    "are float32, and a convolution needs both of one type: "
                    "use .float().",
                    lambda images: (images.double() / 255).unsqueeze(1)),
        )),
    _value_task(
        "2.3",
        prompt="The training loader cuts the 60,000 training images into "
        "batches of 256. How many batches make one epoch?",
        hint="60,000 is not a multiple of 256. Does the loader drop the "
        "images left over, or give them as a smaller last batch? This "
        "chapter printed the shape of the last batch.",
        solution=_code("""
            import math

            answer = math.ceil(60_000 / 256)  # the last batch is smaller
            """),
        expected=math.ceil(60_000 / 256),
        mistakes=(
            Mistake("dropped last", "The images left over (fewer than 256) "
                    "are not dropped: they make one last, smaller batch.",
                    234),
            Mistake("fraction", "A number of batches is a whole number: "
                    "the images left over make one more, smaller batch.",
                    60_000 / 256),
        )),
]


# --- Chapter 3: training --------------------------------------------------

def _logit_cases() -> list[tuple[str, tuple]]:
    g = torch.Generator().manual_seed(3)
    chapter = torch.tensor([[2.0, 0.1, 0.3], [0.2, 0.1, 1.5],
                            [0.3, 0.9, 0.1], [1.1, 0.2, 0.1]])
    return [
        ("the 4 logits of the chapter and labels [0, 2, 0, 0]",
         (chapter, torch.tensor([0, 2, 0, 0]))),
        ("a batch of one", (torch.tensor([[0.2, 1.5, 0.1]]),
                            torch.tensor([1]))),
        ("64 random examples of 10 classes",
         (torch.randn(64, 10, generator=g),
          torch.randint(0, 10, (64,), generator=g))),
        ("a batch with no correct prediction",
         (torch.tensor([[3.0, 0.0], [0.0, 3.0]]), torch.tensor([1, 0]))),
    ]


def _softmax_cases() -> list[tuple[str, tuple]]:
    g = torch.Generator().manual_seed(3)
    return [
        ("logits of shape (4, 3)", (torch.randn(4, 3, generator=g),)),
        ("a batch of one", (torch.tensor([[1.0, 2.0, 3.0]]),)),
        ("logits as large as 1000",
         (torch.tensor([[1000.0, 0.0, -1000.0], [1.0, 2.0, 3.0]]),)),
    ]


def _loss_cases() -> list[tuple[str, tuple]]:
    g = torch.Generator().manual_seed(3)
    return [
        ("8 examples of 10 classes",
         (3 * torch.randn(8, 10, generator=g),
          torch.randint(0, 10, (8,), generator=g))),
        ("a batch of one", (torch.tensor([[0.5, -1.0, 2.0]]),
                            torch.tensor([0]))),
        ("logits as large as 1000",
         (torch.tensor([[1000.0, 0.0, -1000.0], [0.0, 1000.0, 500.0]]),
          torch.tensor([1, 1]))),
    ]


def _naive_softmax(X: torch.Tensor, dim: int = 1) -> torch.Tensor:
    return X.exp() / X.exp().sum(dim=dim, keepdim=True)


def _stable_softmax(X: torch.Tensor, dim: int = 1) -> torch.Tensor:
    return _naive_softmax(X - X.max(dim=dim, keepdim=True).values, dim)


def _naive_loss(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    probs = _naive_softmax(logits)
    return -probs[torch.arange(len(y)), y].log().mean()


def _naive_log_sum_exp(logits: torch.Tensor,
                       y: torch.Tensor) -> torch.Tensor:
    log_sum = logits.exp().sum(dim=1).log()
    return (log_sum - logits[torch.arange(len(y)), y]).mean()


_OVERFLOW = ("With logits like 1000, exp overflows to inf and the loss "
             "becomes inf or nan. Subtract each row's largest logit before "
             "exp: the loss does not change.")


_ACCUMULATOR_MISTAKES = (
    Mistake("replaces", "add() keeps only the last batch: it must add each "
            "value to its running sum, not replace the sum."),
    Mistake("tensors", "The sums are tensors: convert each value with "
            "float() in add(). A tensor kept in the sums keeps its graph "
            "(and on a GPU, its memory) alive."),
    Mistake("reset", "reset() must set every sum back to 0."),
    Mistake("instance", "Your answer is an object made from your class; "
            "give the class itself: answer = Accumulator, without ()."),
)


def _judge_accumulator(answer: Any) -> None:
    said = _ACCUMULATOR_MISTAKES
    if not isinstance(answer, type):
        if hasattr(answer, "add"):
            _say(said, "instance")
        raise _Wrong(f"Your answer is {_show(answer)}; it should be your "
                     "class itself: answer = Accumulator.")
    metric = _call(lambda: answer(3), "Accumulator(3)")
    _call(lambda: metric.add(588.8, 30, 256), "add(588.8, 30, 256)")
    _call(lambda: metric.add(torch.tensor(210.0), torch.tensor(20), 100),
          "add(tensor(210.), tensor(20), 100)")
    sums = [_call(lambda: metric[i], f"metric[{i}]") for i in range(3)]
    if any(isinstance(s, torch.Tensor) for s in sums):
        _say(said, "tensors")
    values = [_plain_number(s) for s in sums]
    if None in values:
        raise _Wrong(f"metric[0], metric[1] and metric[2] read {sums}; "
                     "each should be a number.")
    if _same(tuple(values), (210.0, 20.0, 100.0)):
        _say(said, "replaces")
    if not _same(tuple(values), (798.8, 50.0, 356.0)):
        raise _Wrong("After add(588.8, 30, 256) and add(210.0, 20, 100), "
                     f"metric[0], metric[1], metric[2] read {values}, not "
                     "the sums of both batches." + _nudge("3.2"))
    _call(lambda: metric.reset(), "reset()")
    if any(_call(lambda: metric[i], f"metric[{i}]") != 0 for i in range(3)):
        _say(said, "reset")
    pair = _call(lambda: answer(2), "Accumulator(2)")
    _call(lambda: pair.add(1, 2), "Accumulator(2).add(1, 2)")
    _call(lambda: pair.add(3, 4), "Accumulator(2).add(3, 4)")
    two = _call(lambda: (pair[0], pair[1]), "Accumulator(2)[0]")
    if not _same(two, (4.0, 6.0)):
        raise _Wrong("Accumulator(2) should keep 2 sums: after add(1, 2) "
                     f"and add(3, 4) it read {two}.")


_STEP_MISTAKES = (
    Mistake("no zero_grad", "The update used gradients left over from an "
            "earlier batch: backward() adds to the gradients already "
            "stored, so call optimizer.zero_grad() before loss.backward()."),
    Mistake("no step", "The parameters did not change: call "
            "optimizer.step() after loss.backward(), and zero_grad() "
            "before backward, not between backward and step."),
    Mistake("no backward", "The update used old gradients only: call "
            "loss.backward() before optimizer.step() to compute this "
            "batch's gradients."),
)


def _step_problem() -> tuple:
    """A tiny classifier, a batch and an SGD optimizer (lr 0.5), with
    gradients left over from an earlier batch: what train_step receives.
    """
    g = torch.Generator().manual_seed(3)
    net = nn.Linear(4, 3)
    with torch.no_grad():
        for p in net.parameters():
            p.copy_(torch.randn(p.shape, generator=g))
            p.grad = torch.randn(p.shape, generator=g)
    X = torch.randn(8, 4, generator=g)
    y = torch.randint(0, 3, (8,), generator=g)
    optimizer = torch.optim.SGD(net.parameters(), lr=0.5)
    return net, nn.CrossEntropyLoss(), optimizer, X, y


def _judge_train_step(answer: Any) -> None:
    _require_function(answer, "train_step")
    net, loss_fn, optimizer, X, y = _step_problem()
    params = list(net.parameters())
    before = [p.detach().clone() for p in params]
    old = [p.grad.clone() for p in params]
    loss = loss_fn(net(X), y)
    new = torch.autograd.grad(loss, params)
    after = {  # the parameters after each way of taking the step
        "right": [b - 0.5 * g for b, g in zip(before, new)],
        "no zero_grad": [b - 0.5 * (g + o) for b, g, o in zip(before, new,
                                                              old)],
        "no step": before,
        "no backward": [b - 0.5 * o for b, o in zip(before, old)],
    }
    returned = _call(lambda: answer(net, loss_fn, optimizer, X, y),
                     "train_step(net, loss_fn, optimizer, X, y)")

    def reached(name: str) -> bool:
        return all(torch.allclose(p.detach(), q, rtol=1e-4, atol=1e-6)
                   for p, q in zip(params, after[name]))

    if not reached("right"):
        for mistake in _STEP_MISTAKES:
            if reached(mistake.name):
                raise _Wrong(mistake.message)
        raise _Wrong("The parameters after your step are not those of one "
                     "SGD step on this batch's loss." + _nudge("3.5"))
    value = _plain_number(returned)
    if value is None:
        raise _Wrong(f"train_step returned {_show(returned)}; return the "
                     "batch's loss as a number, loss.item().")
    if not math.isclose(value, loss.item(), rel_tol=1e-4):
        raise _Wrong("The step is right, but the value returned is not "
                     "this batch's loss before the step: return "
                     "loss.item() of the loss you called backward on.")


_CHAPTER_3 = [
    _function_task(
        "3.1", "accuracy(y_hat, y)",
        "return the number of correct predictions, as a float",
        prompt="Write `accuracy(y_hat, y)` as this chapter defines it: "
        "given logits `y_hat` of shape (N, C) and labels `y` of shape (N,), "
        "return the *number* of correct predictions as a float (not the "
        "fraction).",
        hint="The prediction for an example is the index of its largest "
        "logit, along the class dimension. Compare the predictions with the "
        "labels and count the matches.",
        solution=_code("""
            def accuracy(y_hat, y):
                predicted = y_hat.argmax(dim=1)  # one class per example (row)
                return float((predicted == y).sum())


            answer = accuracy
            """),
        oracle=metrics.accuracy, cases=_logit_cases,
        mistakes=(
            Mistake("fraction", "That is the fraction of correct "
                    "predictions; this chapter's accuracy returns their "
                    "number, so that sums over batches of different sizes "
                    "stay exact (divide once, at the end).",
                    lambda y_hat, y: float(
                        (y_hat.argmax(dim=1) == y).float().mean())),
            Mistake("argmax without dim", "argmax() without dim= gives one "
                    "index for the whole flattened batch; take "
                    "argmax(dim=1), the largest logit of each row.",
                    lambda y_hat, y: float((y_hat.argmax() == y).sum())),
            Mistake("argmax dim 0", "argmax(dim=0) picks an example for "
                    "each class (down the columns); take argmax(dim=1), a "
                    "class for each example.",
                    lambda y_hat, y: float((y_hat.argmax(dim=0) == y).sum())),
            Mistake("not counted", "That is one True/False per example: "
                    "count the Trues with .sum() and return a float.",
                    lambda y_hat, y: y_hat.argmax(dim=1) == y),
        )),
    Task(
        "3.2", "class",
        prompt="Write the class `Accumulator`: `Accumulator(n)` keeps n "
        "running sums, `add(*values)` adds one value to each sum (values "
        "may be numbers or 0-d tensors), `reset()` sets them to 0, and "
        "`metric[i]` reads sum i as a float.",
        stub=_code("""
            class Accumulator:
                def __init__(self, n):
                    ...  # start n sums at 0

                def add(self, *values):
                    ...

                def reset(self):
                    ...

                def __getitem__(self, i):
                    ...


            answer = Accumulator
            """),
        hint="Keep a list of n floats. add() pairs each sum with its new "
        "value (zip) and converts the value with float(), so that no "
        "tensor is kept.",
        solution=_code("""
            class Accumulator:
                def __init__(self, n):
                    self.data = [0.0] * n

                def add(self, *values):
                    self.data = [a + float(b)
                                 for a, b in zip(self.data, values)]

                def reset(self):
                    self.data = [0.0] * len(self.data)

                def __getitem__(self, i):
                    return self.data[i]


            answer = Accumulator
            """),
        judge=_judge_accumulator, mistakes=_ACCUMULATOR_MISTAKES),
    _function_task(
        "3.3", "softmax(X)", "return probabilities, each row summing to 1",
        prompt="Write `softmax(X)` from scratch (with `exp` and `sum`, not "
        "`torch.softmax`): for logits `X` of shape (N, C), return "
        "probabilities of the same shape, each row summing to 1. It must "
        "work for logits as large as 1000.",
        hint="Softmax does not change if you subtract the same number from "
        "every logit of a row. Which number keeps exp from overflowing?",
        solution=_code("""
            def softmax(X):
                # exp(1000) overflows. Shifting each row by its largest
                # logit leaves softmax unchanged and keeps exponents <= 0.
                X = X - X.max(dim=1, keepdim=True).values
                X_exp = X.exp()
                return X_exp / X_exp.sum(dim=1, keepdim=True)


            answer = softmax
            """),
        oracle=lambda X: torch.softmax(X, dim=1), cases=_softmax_cases,
        mistakes=(
            Mistake("no max", "For logits like 1000, exp overflows to inf "
                    "and inf / inf gives nan. Subtract each row's largest "
                    "logit first: softmax does not change.", _naive_softmax),
            Mistake("global max", "Subtract each row's own largest logit, "
                    "not the largest of the whole batch: a row far below it "
                    "underflows to 0 / 0.",
                    lambda X: _naive_softmax(X - X.max())),
            Mistake("no keepdim", "Without keepdim=True the row maxima or "
                    "sums have shape (N,) and do not line up with the rows "
                    "of X.",
                    lambda X: (X - X.max(dim=1).values).exp()),
            Mistake("columns", "You normalised the columns (dim=0); each "
                    "row is one example and must sum to 1 (dim=1).",
                    lambda X: _stable_softmax(X, dim=0)),
            Mistake("whole batch", "You divided by the sum over the whole "
                    "batch; each row must sum to 1: sum along dim=1 with "
                    "keepdim=True.",
                    lambda X: (X - X.max(dim=1, keepdim=True).values).exp()
                    / (X - X.max(dim=1, keepdim=True).values).exp().sum()),
        )),
    _function_task(
        "3.4", "cross_entropy(logits, y)",
        "return the mean cross-entropy loss",
        prompt="Write `cross_entropy(logits, y)` from scratch (no "
        "`F.cross_entropy` or `log_softmax`): the mean over the batch of "
        "minus the log of the probability that softmax gives the true "
        "class. It must agree with `nn.CrossEntropyLoss()`, for logits as "
        "large as 1000 too.",
        hint="log softmax(x)[y] = x[y] - log(sum over j of exp(x[j])). "
        "Subtract each row's largest logit first, so exp cannot overflow; "
        "pick each row's true class with torch.arange(len(y)) and y.",
        solution=_code("""
            import torch


            def cross_entropy(logits, y):
                # log of softmax, computed stably: shift each row by its max
                shifted = logits - logits.max(dim=1, keepdim=True).values
                log_probs = shifted - shifted.exp().sum(dim=1,
                                                        keepdim=True).log()
                # minus the log-probability of each true class, averaged
                return -log_probs[torch.arange(len(y)), y].mean()


            answer = cross_entropy
            """),
        oracle=F.cross_entropy, cases=_loss_cases,
        mistakes=(
            Mistake("no max", _OVERFLOW, _naive_loss),
            Mistake("no max, log of sum", _OVERFLOW, _naive_log_sum_exp),
            Mistake("sum", "That is the sum over the batch; "
                    "nn.CrossEntropyLoss takes the mean, so that the size "
                    "of a step does not depend on the batch size.",
                    lambda logits, y: F.cross_entropy(logits, y,
                                                      reduction="sum")),
            Mistake("softmax first", "Softmax was applied twice: once "
                    "before the loss and once inside it. Cross-entropy "
                    "takes the raw logits.",
                    lambda logits, y: F.cross_entropy(
                        torch.softmax(logits, dim=1), y)),
            Mistake("sign", "The sign is flipped: the loss is minus the "
                    "log-probability, positive, and it falls as the right "
                    "class gets more likely.",
                    lambda logits, y: -F.cross_entropy(logits, y)),
            Mistake("averaged twice", "You divided by the batch size "
                    "twice: .mean() already averages over the batch.",
                    lambda logits, y: F.cross_entropy(logits, y) / len(y)),
        )),
    Task(
        "3.5", "function",
        prompt="Write `train_step(net, loss_fn, optimizer, X, y)`: one step "
        "of minibatch SGD as in this chapter's loop, which lowers the loss "
        "on the batch `X, y`; return the loss (before the update) as a "
        "float. The parameters may still hold gradients from an earlier "
        "batch.",
        stub=_def_stub("train_step(net, loss_fn, optimizer, X, y)",
                       "one SGD step; return the loss"),
        hint="The loop in \"The training loop\" does it in four lines, in a "
        "fixed order. Remember that backward() adds to the gradients "
        "already stored.",
        solution=_code("""
            def train_step(net, loss_fn, optimizer, X, y):
                loss = loss_fn(net(X), y)
                optimizer.zero_grad()  # drop the previous batch's gradients
                loss.backward()        # the gradients of this batch's loss
                optimizer.step()       # move each parameter against them
                return loss.item()


            answer = train_step
            """),
        judge=_judge_train_step, mistakes=_STEP_MISTAKES),
]


# --- Chapter 4: looking inside --------------------------------------------

def _confusion_loop(y_true: torch.Tensor, y_pred: torch.Tensor,
                    num_classes: int) -> torch.Tensor:
    counts = torch.zeros(num_classes, num_classes, dtype=torch.int64)
    for t, p in zip(y_true.tolist(), y_pred.tolist()):
        counts[t, p] += 1
    return counts


def _prediction_cases() -> list[tuple[str, tuple]]:
    g = torch.Generator().manual_seed(4)
    return [
        ("3 classes and 6 predictions", (torch.tensor([0, 0, 1, 2, 2, 2]),
                                         torch.tensor([0, 1, 1, 2, 0, 2]),
                                         3)),
        ("10 classes and 200 random predictions",
         (torch.randint(0, 10, (200,), generator=g),
          torch.randint(0, 10, (200,), generator=g), 10)),
        ("4 classes, of which class 3 never appears",
         (torch.tensor([0, 1, 2, 2, 1]), torch.tensor([0, 2, 2, 1, 1]), 4)),
    ]


def _confusion_cases() -> list[tuple[str, tuple]]:
    g = torch.Generator().manual_seed(4)
    random = torch.randint(0, 20, (10, 10), generator=g)
    random += 50 * torch.eye(10, dtype=torch.int64)
    return [
        ("the 3x3 matrix [[5, 1, 0], [2, 6, 2], [0, 3, 1]]",
         (torch.tensor([[5, 1, 0], [2, 6, 2], [0, 3, 1]]),)),
        ("a random 10x10 matrix", (random,)),
    ]


def _mistake_cases() -> list[tuple[str, tuple]]:
    upper = torch.tensor([[30, 1, 2, 9], [0, 40, 3, 1], [2, 5, 35, 0],
                          [4, 2, 1, 50]])
    return [
        ("[[50, 2, 9], [4, 40, 1], [3, 12, 60]]",
         (torch.tensor([[50, 2, 9], [4, 40, 1], [3, 12, 60]]),)),
        ("a 4x4 matrix whose largest mistake is above the diagonal",
         (upper,)),
    ]


def _largest_off_diagonal(confusion: torch.Tensor) -> tuple[int, int]:
    cells = [(int(confusion[t, p]), t, p)
             for t in range(len(confusion)) for p in range(len(confusion))
             if t != p]
    _, t, p = max(cells)
    return t, p


_CHAPTER_4 = [
    _function_task(
        "4.1", "confusion_matrix(y_true, y_pred, num_classes)",
        "return a num_classes x num_classes tensor of counts",
        prompt="Write `confusion_matrix(y_true, y_pred, num_classes)`: a "
        "`num_classes` × `num_classes` tensor of counts whose rows are the "
        "true classes and whose columns are the predicted ones, as in this "
        "chapter. It must work when some class never appears.",
        hint="The chapter turns each pair (true, predicted) into one "
        "number, num_classes * true + predicted, and counts those numbers. "
        "How long must the count be when the last class never shows up?",
        solution=_code("""
            import torch


            def confusion_matrix(y_true, y_pred, num_classes):
                pairs = num_classes * y_true + y_pred  # one number per pair
                counts = torch.bincount(pairs, minlength=num_classes ** 2)
                return counts.reshape(num_classes, num_classes)


            answer = confusion_matrix
            """),
        oracle=_confusion_loop, cases=_prediction_cases,
        mistakes=(
            Mistake("transposed", "Rows and columns are swapped: row i must "
                    "hold the examples whose true class is i, column j "
                    "those predicted as j.",
                    lambda t, p, n: _confusion_loop(t, p, n).T),
            Mistake("no minlength", "When the last classes never appear, "
                    "torch.bincount returns fewer than num_classes ** 2 "
                    "counts; pass minlength=num_classes ** 2.",
                    lambda t, p, n: torch.bincount(n * t + p).reshape(n, n)),
        )),
    _function_task(
        "4.2", "per_class_accuracy(confusion)",
        "return one accuracy per class",
        prompt="Write `per_class_accuracy(confusion)`: from a confusion "
        "matrix (rows: true classes, columns: predictions), return a tensor "
        "with one number per class, the fraction of that class's examples "
        "classified correctly. Every class has at least one example.",
        hint="The correct predictions of a class lie on the diagonal. "
        "Which examples belong to class i: a row or a column?",
        solution=_code("""
            def per_class_accuracy(confusion):
                # the diagonal: correct; a row sum: all examples of a class
                return confusion.diag() / confusion.sum(dim=1)


            answer = per_class_accuracy
            """),
        oracle=lambda c: torch.tensor([float(c[i, i]) / float(c[i].sum())
                                       for i in range(len(c))]),
        cases=_confusion_cases,
        mistakes=(
            Mistake("columns", "You divided by the column sums, the "
                    "predictions of each class (that is its precision). "
                    "Per-class accuracy divides by the row sums: the "
                    "examples whose true class it is.",
                    lambda c: c.diag() / c.sum(dim=0)),
            Mistake("overall", "That is the overall accuracy, one number; "
                    "the task asks for one accuracy per class.",
                    lambda c: c.trace() / c.sum()),
            Mistake("integer division", "Integer division (//) rounds every "
                    "fraction down to 0; use / for a fraction.",
                    lambda c: c.diag() // c.sum(dim=1)),
        )),
    _function_task(
        "4.3", "most_confused(confusion)",
        "return (true class, predicted class)",
        prompt="Write `most_confused(confusion)`: the mistake the network "
        "makes most often, as a pair of ints `(true, predicted)` of two "
        "different classes, the cell with the largest count off the "
        "diagonal of the confusion matrix (rows: true, columns: predicted).",
        hint="The largest counts are usually on the diagonal, the correct "
        "predictions: set those aside first. argmax then gives a flat "
        "index, which divmod turns back into (row, column).",
        solution=_code("""
            def most_confused(confusion):
                off_diagonal = confusion.clone().fill_diagonal_(0)
                flat = int(off_diagonal.argmax())  # index in the flat matrix
                true, predicted = divmod(flat, confusion.shape[1])
                return true, predicted


            answer = most_confused
            """),
        oracle=_largest_off_diagonal, cases=_mistake_cases,
        mistakes=(
            Mistake("diagonal", "That cell is on the diagonal, where the "
                    "correct predictions are. Set the diagonal to 0 "
                    "(fill_diagonal_) before looking for the largest "
                    "count.",
                    lambda c: divmod(int(c.argmax()), len(c))),
            Mistake("swapped", "The pair is the wrong way round: rows are "
                    "the true classes and columns the predictions, so "
                    "return (row, column).",
                    lambda c: _largest_off_diagonal(c)[::-1]),
            Mistake("flat index", "That is the flat index of the cell; turn "
                    "it into (row, column) with divmod(index, number of "
                    "columns).",
                    lambda c: int(c.clone().fill_diagonal_(0).argmax())),
        )),
    _value_task(
        "4.4",
        prompt="`X = torch.zeros(8, 1, 28, 28)` is a batch of 8 images. "
        "What is the shape of `lh.lenet()[:6](X)`, the feature maps at the "
        "end of the second convolution block? Give it as a tuple.",
        hint="net[:6] runs layers 0 to 5: print the network to see which "
        "they are, and follow the shapes of chapter 1. The batch size is "
        "kept.",
        solution=_code("""
            # 28x28 -> padded conv: 28 -> pool: 14 -> conv: 10 -> pool: 5,
            # 16 channels after the second convolution; 8 images throughout
            answer = (8, 16, 5, 5)
            """),
        expected=tuple(model.lenet()[:6](torch.zeros(8, 1, 28, 28)).shape),
        kind="shape", stub="answer = ...  # a tuple of whole numbers\n",
        mistakes=(
            Mistake("before pooling", "That is the shape before the second "
                    "pooling, net[:4]; net[:6] also runs layers 4 and 5, "
                    "the sigmoid and the pooling.", (8, 16, 10, 10)),
            Mistake("no batch", "The batch dimension is missing: the output "
                    "keeps one entry per image, first.", (16, 5, 5)),
            Mistake("flattened", "That is after nn.Flatten, layer 6; "
                    "net[:6] stops before it.", (8, 400)),
            Mistake("first block", "That is the first block's output, "
                    "net[:3].", (8, 6, 14, 14)),
        )),
]


# --- Chapter 5: a modern LeNet --------------------------------------------

_BLOCK_MISTAKES = (
    Mistake("bias", "The convolution still has its bias: batch norm "
            "subtracts the mean right after it, which cancels any bias, and "
            "adds its own shift. Pass bias=False."),
    Mistake("order", "Batch norm comes after ReLU here; chapter 5 puts it "
            "between the convolution and the activation."),
    Mistake("average pooling", "That is average pooling; the modern block "
            "keeps the strongest response of each window, with "
            "nn.MaxPool2d."),
    Mistake("sigmoid", "That is the sigmoid of the original LeNet; the "
            "modern block uses nn.ReLU."),
    Mistake("BatchNorm1d", "nn.BatchNorm1d is for dense layers, (N, "
            "features); the maps of a convolution are (N, C, H, W) and need "
            "nn.BatchNorm2d."),
)


def _judge_block(answer: Any) -> None:
    _require_function(answer, "modern_block")
    block = _call(lambda: answer(6, 16), "modern_block(6, 16)")
    if not isinstance(block, nn.Module):
        raise _Wrong(f"modern_block(6, 16) returned {_show(block)}; it "
                     "should return an nn.Sequential of the four layers.")
    layers = [m for m in block.modules() if not list(m.children())]
    kinds = [type(m) for m in layers]
    for kind, name in [(nn.Sigmoid, "sigmoid"),
                       (nn.AvgPool2d, "average pooling"),
                       (nn.BatchNorm1d, "BatchNorm1d")]:
        if kind in kinds:
            _say(_BLOCK_MISTAKES, name)
    convs = [m for m in layers if isinstance(m, nn.Conv2d)]
    if len(convs) != 1 or (convs[0].in_channels, convs[0].out_channels,
                           convs[0].kernel_size, convs[0].padding) != (
                               6, 16, (5, 5), (0, 0)):
        raise _Wrong("modern_block(6, 16) should hold one convolution, "
                     "nn.Conv2d(6, 16, kernel_size=5), without padding.")
    if convs[0].bias is not None:
        _say(_BLOCK_MISTAKES, "bias")
    wanted = [nn.Conv2d, nn.BatchNorm2d, nn.ReLU, nn.MaxPool2d]
    if kinds == [nn.Conv2d, nn.ReLU, nn.BatchNorm2d, nn.MaxPool2d]:
        _say(_BLOCK_MISTAKES, "order")
    if kinds != wanted:
        names = ", ".join(k.__name__ for k in kinds)
        raise _Wrong(f"The block holds {names}; it needs Conv2d, "
                     "BatchNorm2d, ReLU and MaxPool2d, in that order.")
    X = torch.zeros(2, 6, 14, 14)
    Y = _call(lambda: block(X), "the block, on a batch of shape "
              "(2, 6, 14, 14),")
    if tuple(Y.shape) != (2, 16, 5, 5):
        raise _Wrong(f"On a batch of shape (2, 6, 14, 14) the block gives "
                     f"{tuple(Y.shape)}; its 2x2 pooling with stride 2 "
                     "should halve the 10x10 maps of the convolution.")


_EVAL_MISTAKES = (
    Mistake("train mode", "The network ran in training mode: batch norm "
            "used this batch's own statistics and updated its running "
            "averages, and dropout zeroed random units. Call net.eval() "
            "first."),
    Mistake("left in eval", "The network is left in evaluation mode, so "
            "the next training batch would train without dropout and with "
            "frozen statistics. Put back the mode it had "
            "(net.train(was_training))."),
    Mistake("always train", "The network was in evaluation mode before "
            "the call and in training mode after it: put back the mode it "
            "had, which is not always training (was_training = "
            "net.training)."),
    Mistake("count", "That is the number of correct predictions; the task "
            "asks for the fraction (divide by len(y))."),
)


def _evaluation_problem() -> tuple:
    """A small net with batch norm and dropout, already trained a little
    (running statistics that are not the batch's), and a batch.
    """
    g = torch.Generator().manual_seed(5)
    net = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(),
                        nn.Dropout(0.5), nn.Linear(8, 3))
    with torch.no_grad():
        for p in net.parameters():
            p.copy_(torch.randn(p.shape, generator=g))
        net[1].running_mean.copy_(torch.randn(8, generator=g))
        net[1].running_var.copy_(torch.rand(8, generator=g) + 0.5)
    X = torch.randn(32, 4, generator=g)
    y = torch.randint(0, 3, (32,), generator=g)
    return net, X, y


def _judge_evaluate(answer: Any) -> None:
    _require_function(answer, "evaluate")
    said = _EVAL_MISTAKES
    net, X, y = _evaluation_problem()
    reference = copy.deepcopy(net).eval()
    with torch.no_grad():
        expected = float((reference(X).argmax(dim=1) == y).float().mean())
    running_mean = net[1].running_mean.clone()
    net.train()
    result = _call(lambda: answer(net, X, y), "evaluate(net, X, y)")
    if not torch.equal(net[1].running_mean, running_mean):
        _say(said, "train mode")
    value = _plain_number(result)
    if value is None:
        raise _Wrong(f"evaluate returned {_show(result)}; it should return "
                     "the fraction correct, one number.")
    if not net.training:
        _say(said, "left in eval")
    if not math.isclose(value, expected, rel_tol=1e-6):
        if math.isclose(value, expected * len(y), rel_tol=1e-6):
            _say(said, "count")
        raise _Wrong(f"evaluate returned {value}, which is not the "
                     "fraction of the batch the net gets right in "
                     "evaluation mode." + _nudge("5.3"))
    net.eval()
    _call(lambda: answer(net, X, y), "evaluate(net, X, y)")
    if net.training:
        _say(said, "always train")


_CHAPTER_5 = [
    _value_task(
        "5.1",
        prompt="In the modern LeNet, a convolution `nn.Conv2d(6, 16, "
        "kernel_size=5, bias=False)` is followed by `nn.BatchNorm2d(16)`. "
        "How many trainable parameters do the two layers have together?",
        hint="Batch norm learns a scale and a shift for each channel; its "
        "running mean and variance are statistics (buffers), not trained. "
        "And this convolution has no bias.",
        solution=_code("""
            conv = 16 * 6 * 5 * 5  # weights only: bias=False
            batch_norm = 2 * 16    # a scale (gamma) and a shift (beta) each
            answer = conv + batch_norm
            """),
        expected=model.count_parameters(nn.Sequential(
            nn.Conv2d(6, 16, kernel_size=5, bias=False),
            nn.BatchNorm2d(16))),
        mistakes=(
            Mistake("bias", "The convolution has bias=False: batch norm's "
                    "shift does the bias's job, so there is no bias to "
                    "count.", 16 * 6 * 25 + 16 + 32),
            Mistake("running statistics", "You counted the running mean "
                    "and variance too: batch norm keeps them as statistics "
                    "(buffers); the optimizer does not train them.",
                    16 * 6 * 25 + 64),
            Mistake("one per channel", "Batch norm trains two numbers per "
                    "channel, a scale and a shift, and this convolution has "
                    "no bias.", 16 * 6 * 25 + 16),
            Mistake("no batch norm", "You left out batch norm's "
                    "parameters: a scale and a shift for each of the 16 "
                    "channels.", 16 * 6 * 25),
        )),
    Task(
        "5.2", "function",
        prompt="Write `modern_block(c_in, c_out)`: the second convolution "
        "block of this chapter's modern LeNet, as an `nn.Sequential`: a "
        "5×5 convolution from `c_in` to `c_out` channels (no padding), "
        "batch normalization, ReLU and 2×2 max pooling, in the chapter's "
        "order.",
        stub=_def_stub("modern_block(c_in, c_out)",
                       "return an nn.Sequential"),
        hint="Batch norm goes between a layer and its activation, and it "
        "has its own shift, so the convolution needs no bias. Pooling "
        "comes last.",
        solution=_code("""
            from torch import nn


            def modern_block(c_in, c_out):
                return nn.Sequential(
                    nn.Conv2d(c_in, c_out, kernel_size=5, bias=False),
                    nn.BatchNorm2d(c_out), nn.ReLU(),  # BN before ReLU
                    nn.MaxPool2d(kernel_size=2, stride=2))


            answer = modern_block
            """),
        judge=_judge_block, mistakes=_BLOCK_MISTAKES),
    Task(
        "5.3", "function",
        prompt="Write `evaluate(net, X, y)`: the fraction of the batch `X` "
        "that `net` classifies correctly, measured as "
        "`evaluate_accuracy_gpu` does: in evaluation mode, without "
        "gradients, leaving `net` in the mode it found it in. The net has "
        "batch norm and dropout.",
        stub=_def_stub("evaluate(net, X, y)", "return the fraction correct"),
        hint="Batch norm and dropout behave differently in training mode. "
        "net.training tells you the mode before you change it, and "
        "net.train(mode) puts it back.",
        solution=_code("""
            import torch


            def evaluate(net, X, y):
                was_training = net.training
                net.eval()  # batch norm: running statistics; no dropout
                with torch.no_grad():
                    correct = (net(X).argmax(dim=1) == y).sum()
                net.train(was_training)  # the mode it found
                return float(correct) / len(y)


            answer = evaluate
            """),
        judge=_judge_evaluate, mistakes=_EVAL_MISTAKES),
    _value_task(
        "5.4",
        prompt="`OneCycleLR` is stepped after every batch and needs "
        "`total_steps`, the steps of the whole run. What is it for 10 "
        "epochs over the training set of chapter 2, in batches of 256?",
        hint="One scheduler step for every optimizer step: how many "
        "batches does an epoch have (chapter 2 printed it), and how many "
        "epochs are there?",
        solution=_code("""
            import math

            batches_per_epoch = math.ceil(60_000 / 256)  # last one smaller
            answer = 10 * batches_per_epoch
            """),
        expected=10 * math.ceil(60_000 / 256),
        mistakes=(
            Mistake("per epoch", "That is one step per epoch, but the "
                    "chapter calls scheduler.step() after every batch: the "
                    "schedule must last as many steps as the run has "
                    "batches.", 10),
            Mistake("dropped last", "Count the last, smaller batch of each "
                    "epoch too: an epoch has one batch more than "
                    "60,000 // 256.", 10 * 234),
            Mistake("fraction", "A number of steps is a whole number: the "
                    "last batch of an epoch is smaller, but it is a step.",
                    10 * 60_000 / 256),
        )),
]


# --- Chapter 6: speed -----------------------------------------------------

class _FakeGPU:
    """Stands in for a GPU, on a clock of its own: queued work runs on after
    the call that queued it has returned, and ``sync()`` moves the clock to
    the moment the work is done. While a check runs, ``time.perf_counter``
    (and ``time.monotonic``, ``time.time``) read this clock, so the verdict
    is exact and instant, whatever else the computer is doing.
    """

    def __init__(self):
        self.now = 0.0  # seconds on the fake clock
        self.busy_until = 0.0
        self.syncs = 0
        self.reads = 0

    def queue(self, seconds: float) -> None:
        self.busy_until = max(self.now, self.busy_until) + seconds

    def sync(self) -> None:
        self.syncs += 1
        self.now = max(self.now, self.busy_until)

    def clock(self) -> float:
        self.reads += 1
        self.now += 1e-6  # reading a clock takes a moment
        return self.now


@contextlib.contextmanager
def _clock_of(gpu: _FakeGPU):
    """Let the learner's code read ``gpu``'s clock through ``time``."""
    saved = time.perf_counter, time.monotonic, time.time
    time.perf_counter = time.monotonic = time.time = gpu.clock
    try:
        yield
    finally:
        time.perf_counter, time.monotonic, time.time = saved


_TIMING_MISTAKES = (
    Mistake("no sync", "Your function never calls sync(): on a GPU it "
            "would measure how long it took to queue the work, not to do "
            "it."),
    Mistake("no final sync", "The clock was read before the queued work "
            "had finished: call sync() after fn() and before reading the "
            "clock."),
    Mistake("no first sync", "The time includes work queued before fn() "
            "was called: call sync() before starting the clock, too."),
)


def _judge_timed(answer: Any) -> None:
    _require_function(answer, "timed")
    gpu = _FakeGPU()
    gpu.queue(0.15)  # work queued earlier, still running

    def fn() -> None:  # returns at once; its 0.1 s of work runs on
        gpu.queue(0.1)

    with _clock_of(gpu):
        seconds = _call(lambda: answer(fn, gpu.sync), "timed(fn, sync)")
    value = _plain_number(seconds)
    if value is None:
        raise _Wrong(f"timed returned {_show(seconds)}; it should return "
                     "the seconds fn() took, one number.")
    if gpu.reads < 2:
        raise _Wrong("Read the clock with time.perf_counter() (import time "
                     "first), before and after: the check follows that "
                     "clock.")
    if gpu.syncs == 0:
        _say(_TIMING_MISTAKES, "no sync")
    if value < 0.05:
        _say(_TIMING_MISTAKES, "no final sync")
    if value > 0.175:
        _say(_TIMING_MISTAKES, "no first sync")


_CHAPTER_6 = [
    _value_task(
        "6.1",
        prompt="An epoch over the 60,000 training images took 3.0 s waiting "
        "for batches, 9.0 s in training steps and then 1.5 s evaluating "
        "the 10,000 test images. How many training examples per second is "
        "that, counted honestly, as `lh.train` counts them?",
        hint="Honest speed divides the training examples by the whole time "
        "a reader waits for the epoch: data, steps and evaluation. Test "
        "images are not training examples.",
        solution=_code("""
            seconds = 3.0 + 9.0 + 1.5  # data, steps and evaluation
            answer = 60_000 / seconds  # training examples only
            """),
        expected=60_000 / 13.5, rel=1e-3, stub="answer = ...  # a number\n",
        mistakes=(
            Mistake("steps only", "That counts only the training steps, as "
                    "the d2l figure does; the reader also waits for the "
                    "data and the evaluation.", 60_000 / 9.0),
            Mistake("test images", "The 10,000 test images are not "
                    "training examples: count only the 60,000 the epoch "
                    "trained on.", 70_000 / 13.5),
            Mistake("no evaluation", "You left out the evaluation: "
                    "lh.train times the epoch up to the end of the test "
                    "evaluation.", 60_000 / 12.0),
            Mistake("no data", "You left out the time spent waiting for "
                    "data: it is part of the epoch too.", 60_000 / 10.5),
        )),
    Task(
        "6.2", "function",
        prompt="Write `timed(fn, sync)`: run `fn()` once and return the "
        "seconds it took, correctly on a GPU too, where `fn()` only queues "
        "work and returns at once, and `sync()` (think "
        "`lh.synchronize(device)`) waits until the GPU has finished.",
        stub=_def_stub("timed(fn, sync)", "return the seconds fn() took"),
        hint="Work queued before fn must not be counted, and fn's own work "
        "must be done before the clock is read. Where must sync() go?",
        solution=_code("""
            import time


            def timed(fn, sync):
                sync()  # work queued earlier must not be counted
                start = time.perf_counter()
                fn()
                sync()  # wait until the device has done fn's work
                return time.perf_counter() - start


            answer = timed
            """),
        judge=_judge_timed, mistakes=_TIMING_MISTAKES),
    _value_task(
        "6.3",
        prompt="How many multiply-adds does `nn.Conv2d(6, 16, "
        "kernel_size=5)` (no padding, stride 1) do for one image, when its "
        "input is 6×14×14?",
        hint="Each output value is a sum of c_in × k × k products. How many "
        "output values are there? Work out the output size first.",
        solution=_code("""
            side = 14 - 5 + 1             # the output maps' side
            outputs = 16 * side * side    # values in the 16 output maps
            answer = outputs * 6 * 5 * 5  # each sums 6 x 5 x 5 products
            """),
        expected=16 * 10 * 10 * 6 * 5 * 5,
        mistakes=(
            Mistake("input size", "You used the input size, 14×14, for the "
                    "output: a 5×5 kernel without padding fits in fewer "
                    "positions.", 16 * 14 * 14 * 6 * 25),
            Mistake("weights", "That is the number of weights, the products "
                    "made for one output position; the kernels are applied "
                    "at every position of the output maps.", 2400),
            Mistake("parameters", "That is the number of parameters; "
                    "multiply-adds count the products made at every output "
                    "position.", 2416),
            Mistake("one input channel", "Each output value sums over all 6 "
                    "input channels: multiply by c_in too.",
                    16 * 10 * 10 * 25),
        )),
    _value_task(
        "6.4",
        prompt="A forward pass of LeNet takes 416,520 multiply-adds per "
        "image (chapter 1). About how many floating-point operations does "
        "one training epoch of 60,000 images take, if a training step costs "
        "three forward passes, as this chapter counts?",
        hint="Two conversions: a multiply-add is two floating-point "
        "operations (a multiply and an add), and a training step costs "
        "about three times the forward pass.",
        solution=_code("""
            forward = 416_520           # multiply-adds per image, forward
            step = 3 * forward          # forward and backward
            answer = 2 * step * 60_000  # 2 operations per multiply-add
            """),
        expected=2 * 3 * 416_520 * 60_000, rel=1e-2,
        stub="answer = ...  # a number\n",
        mistakes=(
            Mistake("no backward", "You counted only the forward pass; the "
                    "backward pass makes a training step about three "
                    "forward passes.", 2 * 416_520 * 60_000),
            Mistake("multiply-adds", "That counts multiply-adds; each is "
                    "two floating-point operations.",
                    3 * 416_520 * 60_000),
            Mistake("neither", "Two factors are missing: a training step "
                    "costs about three forward passes, and a multiply-add "
                    "is two floating-point operations.", 416_520 * 60_000),
            Mistake("test images", "An epoch trains on the 60,000 training "
                    "images only.", 2 * 3 * 416_520 * 70_000),
        )),
]


# --- Chapter 7: the 1998 network ------------------------------------------

def _f6_cases() -> list[tuple[str, tuple]]:
    g = torch.Generator().manual_seed(7)
    codes = lenet1998.default_codes()
    return [
        ("5 random F6 outputs and the default codes",
         (torch.randn(5, 84, generator=g), codes)),
        ("a batch of one that equals code 2", (codes[2:3].clone(), codes)),
        ("8 F6 outputs in (-1.7, 1.7)",
         (3.4 * torch.rand(8, 84, generator=g) - 1.7, codes)),
    ]


_A = 1 / math.tanh(2 / 3)

_CHAPTER_7 = [
    _value_task(
        "7.1",
        prompt="How many trainable parameters does the 1998 C3 layer have? "
        "It has 16 maps, 5×5 kernels and a bias per map, and map o reads "
        "only the S2 maps listed in `C3_TABLE[o]` (Table I).",
        hint="Count the kernels: one 5×5 kernel for every (C3 map, S2 map) "
        "connection of Table I, that is the total length of the rows of "
        "C3_TABLE. Then add the biases.",
        solution=_code("""
            from lenet_helpers.lenet1998 import C3_TABLE

            kernels = sum(len(maps) for maps in C3_TABLE)  # Table I's X's
            answer = kernels * 5 * 5 + len(C3_TABLE)  # and a bias per map
            """),
        expected=lenet1998.paper_parameter_count(
            lenet1998.PartialConv2d(6, lenet1998.C3_TABLE)),
        mistakes=(
            Mistake("fully connected", "That is C3 fully connected, every "
                    "map reading all 6 S2 maps (what torch's numel counts, "
                    "masked kernels included). In Table I each map reads "
                    "only some of them.", 16 * 6 * 25 + 16),
            Mistake("no biases", "You counted the weights but not the "
                    "biases, one per map.", 60 * 25),
            Mistake("kernels", "That is the number of kernels (connections "
                    "in Table I); each has 5×5 weights.", 60),
        )),
    _function_task(
        "7.2", "squash(a)", "return f(a) for a tensor a",
        prompt="Write `squash(a)`, the 1998 squashing function "
        "f(a) = A tanh(S a) with S = 2/3 and A chosen so that f(1) = 1, for "
        "a tensor `a`.",
        hint="S sets the slope; A follows from f(1) = A tanh(2/3) = 1. "
        "torch.tanh works on tensors.",
        solution=_code("""
            import math

            import torch


            def squash(a):
                S = 2 / 3
                A = 1 / math.tanh(S)  # so that f(1) = 1: A = 1.7159...
                return A * torch.tanh(S * a)


            answer = squash
            """),
        oracle=lenet1998.scaled_tanh,
        cases=lambda: [
            ("a = 1", (torch.tensor([1.0]),)),
            ("a from -5 to 5", (torch.linspace(-5, 5, 11),)),
            ("a 3x4 tensor", (torch.randn(
                3, 4, generator=torch.Generator().manual_seed(7)),))],
        mistakes=(
            Mistake("plain tanh", "That is the plain tanh: the 1998 "
                    "function scales both the input (by S = 2/3) and the "
                    "output (by A).", torch.tanh),
            Mistake("no S", "You scaled the output but not the input: the "
                    "input is multiplied by S = 2/3 first.",
                    lambda a: _A * torch.tanh(a)),
            Mistake("no A", "You scaled the input but not the output: "
                    "multiply by A, so that f(1) = 1.",
                    lambda a: torch.tanh(2 * a / 3)),
            Mistake("S inverted", "S is 2/3, not 3/2: the input is "
                    "multiplied by 2/3.",
                    lambda a: _A * torch.tanh(3 * a / 2)),
        )),
    _function_task(
        "7.3", "rbf_distances(x, codes)",
        "return the (N, 10) squared distances",
        prompt="Write `rbf_distances(x, codes)`, the output of the 1998 RBF "
        "layer: y[n, i] = sum over j of (x[n, j] - codes[i, j])², for F6 "
        "outputs `x` of shape (N, 84) and `codes` of shape (10, 84); the "
        "result has shape (N, 10).",
        hint="Give x a class dimension and codes a batch dimension, "
        "x[:, None, :] and codes[None, :, :], so that broadcasting forms "
        "every (example, code) difference; then square, and sum over the "
        "84 features.",
        solution=_code("""
            def rbf_distances(x, codes):
                diff = x[:, None, :] - codes[None, :, :]  # (N, 10, 84)
                return (diff ** 2).sum(dim=2)  # (N, 10) squared distances


            answer = rbf_distances
            """),
        oracle=lambda x, codes: lenet1998.RBFOutput(codes)(x),
        cases=_f6_cases,
        mistakes=(
            Mistake("square root", "You took the square root: the RBF units "
                    "output squared distances (equation 7), with no root.",
                    lambda x, codes: ((x[:, None] - codes) ** 2).sum(2)
                    .sqrt()),
            Mistake("mean", "You averaged over the 84 features; equation 7 "
                    "sums the squares.",
                    lambda x, codes: ((x[:, None] - codes) ** 2).mean(2)),
            Mistake("transposed", "The result is (10, N): rows must be the "
                    "examples and columns the classes.",
                    lambda x, codes: ((x[:, None] - codes) ** 2).sum(2).T),
            Mistake("absolute", "Equation 7 squares each difference; you "
                    "summed their absolute values.",
                    lambda x, codes: (x[:, None] - codes).abs().sum(2)),
        )),
    _value_task(
        "7.4",
        prompt="A subsampling layer of the 1998 network (`Subsampling` in "
        "`lenet_helpers.lenet1998`) has 20 maps. How many trainable "
        "parameters does it have?",
        hint="All units of a map share their parameters. Look at what a "
        "unit computes: the sum of a 2×2 block, times something trained, "
        "plus something trained.",
        solution=_code("""
            maps = 20
            answer = maps * 2  # per map: one coefficient and one bias
            """),
        expected=model.count_parameters(lenet1998.Subsampling(20)),
        mistakes=(
            Mistake("one per map", "Each map has two trained numbers, a "
                    "coefficient and a bias; you counted one.", 20),
            Mistake("four weights and a bias", "The four inputs of a block "
                    "are summed first and then multiplied by one "
                    "coefficient: not four weights per map.", 100),
            Mistake("four weights", "The four inputs of a block are summed, "
                    "then multiplied by a single coefficient; and each map "
                    "has a bias too.", 80),
            Mistake("like pooling", "Unlike average pooling, the 1998 "
                    "subsampling layers are trained: each map has a "
                    "coefficient and a bias.", 0),
        )),
]


# --- Chapter 8: the speedrun ----------------------------------------------

def _times_cases() -> list[tuple[str, tuple]]:
    return [(f"seconds = {t}", (t,)) for t in (
        [8.9, 10.6, 7.3], [6.0, 9.0, 7.0, 30.0], [5.0], [9.5, 8.5],
        [4.0, 12.0, 8.0, 8.5, 7.5])]


def _mean(times: list) -> float:
    return sum(times) / len(times)


def _middle_unsorted(times: list) -> float:
    return times[len(times) // 2]


_CHAPTER_8 = [
    _value_task(
        "8.1",
        prompt="The speedrun trains with batches of 256 on the 60,000 "
        "training images, the last batch of an epoch holding what is left, "
        "and its one-cycle schedule lasts 2.5 epochs, rounded to a whole "
        "step. How many optimizer steps does the schedule have?",
        hint="First count the batches of one epoch: is a batch of fewer "
        "than 256 images a step too? Then take 2.5 times that and round.",
        solution=_code("""
            import math

            steps_per_epoch = math.ceil(60_000 / 256)  # the last batch: 96
            answer = round(2.5 * steps_per_epoch)
            """),
        expected=round(2.5 * math.ceil(60_000 / 256)),
        mistakes=(
            Mistake("the partial batch left out", "The last batch of an "
                    "epoch, 96 images, is a step too.",
                    round(2.5 * (60_000 // 256))),
            Mistake("images, not batches", "Divide the images by the batch "
                    "size before rounding: the last, smaller batch counts as "
                    "one whole step.", round(2.5 * 60_000 / 256)),
            Mistake("one epoch", "That is one epoch's steps; the schedule "
                    "lasts 2.5 epochs.", math.ceil(60_000 / 256)),
        )),
    _function_task(
        "8.2", "median_seconds(seconds)", "return the median",
        prompt="A speedrun reports the median of its seeds' seconds, not "
        "the mean, so that one slow run (a busy machine) does not move it. "
        "Write `median_seconds(seconds)` for a list of seconds, in any "
        "order, of any length (for an even length: the mean of the two "
        "middle values). Use no library.",
        hint="Sort a copy first. For an odd length the median is the middle "
        "value; for an even length, the mean of the two in the middle.",
        solution=_code("""
            def median_seconds(seconds):
                s = sorted(seconds)
                middle = len(s) // 2
                if len(s) % 2:
                    return s[middle]
                return (s[middle - 1] + s[middle]) / 2


            answer = median_seconds
            """),
        oracle=lambda times: float(torch.tensor(times).double().quantile(
            0.5)),
        cases=_times_cases,
        mistakes=(
            Mistake("the mean", "That is the mean: one slow run pulls it "
                    "up. The median is the middle value once sorted.",
                    _mean),
            Mistake("not sorted", "Sort the seconds first: the middle of "
                    "the list as given is not the median.",
                    _middle_unsorted),
            Mistake("the best", "That is the fastest run; a speedrun "
                    "reports the median of its seeds (and the worst).",
                    min),
        )),
    _value_task(
        "8.3",
        prompt="On a CPU a run took 8.0 s: 0.5 s to read and decode the "
        "files, and 7.5 s to train and evaluate. If a GPU made training "
        "and evaluation 30 times faster and reading the files took as long "
        "as before, how many seconds would the run take?",
        hint="Only part of the time gets faster. Divide that part by 30 "
        "and add the part that does not change.",
        solution=_code("""
            reading, computing = 0.5, 7.5
            answer = reading + computing / 30
            """),
        expected=0.5 + 7.5 / 30, rel=0.01,
        stub="answer = ...  # seconds\n",
        mistakes=(
            Mistake("all of it faster", "Reading the files does not get "
                    "faster on a GPU: only the 7.5 s of training and "
                    "evaluation are divided by 30.", 8.0 / 30),
            Mistake("reading left out", "Reading the files still takes its "
                    "0.5 s: add it.", 7.5 / 30),
        )),
]

# --- The registry and what readers call -----------------------------------

_TASKS = {task.id: task for task in (
    _CHAPTER_1 + _CHAPTER_2 + _CHAPTER_3 + _CHAPTER_4 + _CHAPTER_5
    + _CHAPTER_6 + _CHAPTER_7 + _CHAPTER_8)}


def ids() -> list[str]:
    """The task ids, such as "3.2" (chapter 3's second task), in order."""
    return list(_TASKS)


def _unknown(id: Any) -> str:
    return (f"There is no exercise {str(id)!r}. The exercises are: "
            f"{', '.join(_TASKS)}.")


def _task(id: Any) -> Task:
    """The task ``id`` (a float such as 3.2 is read as "3.2")."""
    if str(id) not in _TASKS:
        raise ValueError(_unknown(id))
    return _TASKS[str(id)]


def prompt(id: str) -> str:
    """The task's text, one or two sentences of Markdown."""
    return _task(id).prompt


def stub(id: str) -> str:
    """The task's starting cell: an empty answer, then the check."""
    return _task(id).stub + f'solved = ex.check("{_task(id).id}", answer)\n'


def _tell(text: str) -> None:
    """Print a verdict or a hint in lines of at most 79 characters, so that
    it reads well in a notebook and in the book.
    """
    print(textwrap.fill(text, width=79, break_long_words=False,
                        break_on_hyphens=False))


def check(id: str, answer: Any) -> bool:
    """Judge ``answer`` to task ``id``: print a verdict, and return True if
    it is right. Never raises: a mistake is told in a sentence.
    """
    if str(id) not in _TASKS:
        _tell(_unknown(id))
        return False
    task = _task(id)
    if answer is None or answer is Ellipsis or _does_nothing(answer):
        _tell("Not answered yet: replace the ... with your answer, then "
              f'run the cell again. Stuck? Run ex.hint("{task.id}").')
        return False
    try:
        task.judge(answer)
    except _Wrong as wrong:
        _tell(f"Not quite. {wrong}")
        return False
    except Exception as err:  # an answer odd enough to trip the checker
        _tell(f"Your answer could not be checked ({_error(err)}). Is it "
              "the kind of answer the task asks for?" + _nudge(task.id))
        return False
    _tell(f"Correct! Task {task.id} is solved.")
    return True


def hint(id: str) -> None:
    """Print a nudge for task ``id`` (never the answer)."""
    if str(id) not in _TASKS:
        _tell(_unknown(id))
        return
    _tell(f"Hint: {_task(id).hint}")


def solution(id: str) -> None:
    """Show a worked answer to task ``id``: highlighted code in a notebook,
    plain text in a script.
    """
    if str(id) not in _TASKS:
        _tell(_unknown(id))
        return
    source = _task(id).solution
    if in_notebook():
        from IPython.display import Code, display
        display(Code(source, language="python"))
    else:
        print(source)
