"""The practice tasks of lenet_helpers.exercises.

Every test is parametrized over ``ex.ids()``, so a new task is tested as
soon as it is registered: its worked answer must pass, each of its known
mistakes must be named, and no answer, however odd, may end in a traceback.
On a laptop CPU every check takes well under a second; the first one that
runs an optimizer step (3.5) pays once for PyTorch's lazy imports.
"""

import re
import time

import pytest
import torch
from torch import nn

from lenet_helpers import exercises as ex

IDS = ex.ids()
MISTAKES = [(id, m.name) for id in IDS for m in ex._task(id).mistakes]


def reference(id):
    """The answer that the task's worked solution sets."""
    namespace = {}
    exec(ex._task(id).solution, namespace)
    return namespace["answer"]


def verdict(capsys, id, answer):
    """check()'s return value and everything it printed, its lines (wrapped
    at 79 columns) joined into one."""
    result = ex.check(id, answer)
    out, err = capsys.readouterr()
    assert all(len(line) <= 79 for line in (out + err).splitlines()), out
    return result, " ".join((out + err).split())


def answer_texts(id):
    """How a number or shape task's answer could be written in a message."""
    value = reference(id)
    if isinstance(value, tuple):
        return [str(value)]
    rounded = round(value)
    return [str(rounded), f"{rounded:,}"]


# --- Wrong answers for the tasks whose checker spots mistakes by itself ---

class ReplacingAccumulator:
    def __init__(self, n):
        self.data = [0.0] * n

    def add(self, *values):
        self.data = [float(b) for b in values]

    def reset(self):
        self.data = [0.0] * len(self.data)

    def __getitem__(self, i):
        return self.data[i]


class TensorAccumulator(ReplacingAccumulator):
    def add(self, *values):
        self.data = [a + b for a, b in zip(self.data, values)]


class NoResetAccumulator(ReplacingAccumulator):
    def add(self, *values):
        self.data = [a + float(b) for a, b in zip(self.data, values)]

    def reset(self):
        pass


def step_without_zero_grad(net, loss_fn, optimizer, X, y):
    loss = loss_fn(net(X), y)
    loss.backward()
    optimizer.step()
    return loss.item()


def step_without_step(net, loss_fn, optimizer, X, y):
    loss = loss_fn(net(X), y)
    optimizer.zero_grad()
    loss.backward()
    return loss.item()


def step_without_backward(net, loss_fn, optimizer, X, y):
    loss = loss_fn(net(X), y)
    optimizer.step()
    return loss.item()


def block_with(conv_bias=False, order=("bn", "act"), pool=nn.MaxPool2d,
               act=nn.ReLU, norm=nn.BatchNorm2d):
    def modern_block(c_in, c_out):
        parts = {"bn": norm(c_out), "act": act()}
        return nn.Sequential(
            nn.Conv2d(c_in, c_out, kernel_size=5, bias=conv_bias),
            *(parts[name] for name in order), pool(kernel_size=2, stride=2))
    return modern_block


def evaluate_with(switch_to_eval=True, restore="found", fraction=True):
    def evaluate(net, X, y):
        was_training = net.training
        if switch_to_eval:
            net.eval()
        with torch.no_grad():
            correct = float((net(X).argmax(dim=1) == y).sum())
        if restore == "found":
            net.train(was_training)
        elif restore == "train":
            net.train()
        return correct / len(y) if fraction else correct
    return evaluate


def timed_with(first_sync=True, final_sync=True):
    def timed(fn, sync):
        if first_sync:
            sync()
        start = time.perf_counter()
        fn()
        if final_sync:
            sync()
        return time.perf_counter() - start
    return timed


EXAMPLES = {
    ("3.2", "replaces"): ReplacingAccumulator,
    ("3.2", "tensors"): TensorAccumulator,
    ("3.2", "reset"): NoResetAccumulator,
    ("3.2", "instance"): NoResetAccumulator(3),
    ("3.5", "no zero_grad"): step_without_zero_grad,
    ("3.5", "no step"): step_without_step,
    ("3.5", "no backward"): step_without_backward,
    ("5.2", "bias"): block_with(conv_bias=True),
    ("5.2", "order"): block_with(order=("act", "bn")),
    ("5.2", "average pooling"): block_with(pool=nn.AvgPool2d),
    ("5.2", "sigmoid"): block_with(act=nn.Sigmoid),
    ("5.2", "BatchNorm1d"): block_with(norm=nn.BatchNorm1d),
    ("5.3", "train mode"): evaluate_with(switch_to_eval=False),
    ("5.3", "left in eval"): evaluate_with(restore="none"),
    ("5.3", "always train"): evaluate_with(restore="train"),
    ("5.3", "count"): evaluate_with(fraction=False),
    ("6.2", "no sync"): timed_with(first_sync=False, final_sync=False),
    ("6.2", "no final sync"): timed_with(final_sync=False),
    ("6.2", "no first sync"): timed_with(first_sync=False),
}


# --- The tests ------------------------------------------------------------

def test_at_least_three_tasks_in_every_chapter():
    assert len(IDS) >= 21
    for chapter in range(1, 9):
        numbers = [id for id in IDS if id.split(".")[0] == str(chapter)]
        assert len(numbers) >= 3, (chapter, numbers)
        assert numbers == [f"{chapter}.{k}" for k in
                           range(1, len(numbers) + 1)], numbers
    assert len(set(IDS)) == len(IDS)


@pytest.mark.parametrize("id", IDS)
def test_the_worked_solution_passes(capsys, id):
    start = time.perf_counter()
    result, out = verdict(capsys, id, reference(id))
    seconds = time.perf_counter() - start
    assert result is True, out
    assert out.startswith("Correct!"), out
    print(f"check {id}: {seconds:.3f} s")  # shown with pytest -s


@pytest.mark.parametrize("id", IDS)
def test_every_task_knows_a_mistake(id):
    task = ex._task(id)
    assert task.mistakes, id
    names = [m.name for m in task.mistakes]
    assert len(set(names)) == len(names), names


@pytest.mark.parametrize("id, name", MISTAKES)
def test_a_mistake_is_named(capsys, id, name):
    mistake = next(m for m in ex._task(id).mistakes if m.name == name)
    example = (mistake.example if mistake.example is not None
               else EXAMPLES.get((id, name)))
    assert example is not None, f"add an example of {name!r} to EXAMPLES"
    result, out = verdict(capsys, id, example)
    assert result is False
    assert mistake.message in out, out
    assert "Traceback" not in out
    if ex._task(id).kind in ("number", "shape"):
        for text in answer_texts(id):
            assert text not in out, (text, out)


@pytest.mark.parametrize("id", IDS)
@pytest.mark.parametrize("missing", [None, ...], ids=["None", "Ellipsis"])
def test_a_missing_answer_says_what_to_do(capsys, id, missing):
    result, out = verdict(capsys, id, missing)
    assert result is False
    assert out.startswith("Not answered yet: replace the ... with your "
                          "answer"), out
    assert f'ex.hint("{id}")' in out


@pytest.mark.parametrize("id", IDS)
def test_the_stub_runs_and_is_not_answered(capsys, id):
    cell = ex.stub(id)
    assert cell.rstrip().endswith(f'solved = ex.check("{id}", answer)')
    exec(cell, {"ex": ex})
    out, err = capsys.readouterr()
    assert out.startswith("Not answered yet"), out
    assert not err


@pytest.mark.parametrize("id", IDS)
@pytest.mark.parametrize("wrong", ["seven", 7, len, [1, 2], object()],
                         ids=["text", "int", "builtin", "list", "object"])
def test_an_answer_of_the_wrong_kind_fails_politely(capsys, id, wrong):
    result, out = verdict(capsys, id, wrong)
    assert result is False
    assert out.startswith("Not quite."), out
    assert "Traceback" not in out and "could not be checked" not in out


@pytest.mark.parametrize("id", [id for id in IDS
                                if ex._task(id).kind in ("function",
                                                         "class")])
def test_an_answer_that_raises_is_told_in_one_line(capsys, id):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("oops")

    class Broken:
        def __init__(self, *args):
            raise ZeroDivisionError("oops")

    answer = Broken if ex._task(id).kind == "class" else broken
    result, out = verdict(capsys, id, answer)
    assert result is False
    assert "raised ZeroDivisionError: oops" in out, out
    assert "Traceback" not in out and 'File "' not in out, out


@pytest.mark.parametrize("id", [id for id in IDS
                                if ex._task(id).kind == "number"])
def test_an_unlisted_wrong_number_gets_a_nudge(capsys, id):
    result, out = verdict(capsys, id, 7 * reference(id) + 3)
    assert result is False
    assert f'ex.hint("{id}")' in out
    for text in answer_texts(id):
        assert text not in out


@pytest.mark.parametrize("id", IDS)
def test_hint_and_solution_print_and_the_hint_keeps_the_answer(capsys, id):
    ex.hint(id)
    hint = capsys.readouterr().out
    assert all(len(line) <= 79 for line in hint.splitlines()), hint
    hint = " ".join(hint.split())
    assert hint.startswith("Hint: ") and len(hint) > 40
    if ex._task(id).kind in ("number", "shape"):
        for text in answer_texts(id):
            assert not re.search(rf"(?<![\d,]){re.escape(text)}(?![\d,])",
                                 hint), (text, hint)
    ex.solution(id)
    assert capsys.readouterr().out.strip() == ex._task(id).solution.strip()


@pytest.mark.parametrize("id", IDS)
def test_code_a_reader_sees_fits_79_columns(id):
    for text in (ex.stub(id), ex._task(id).solution):
        for line in text.splitlines():
            assert len(line) <= 79, line
    assert 20 < len(ex.prompt(id)) < 400


def test_an_unknown_id_lists_the_valid_ones(capsys):
    assert ex.check("3.9", 1) is False
    ex.hint("3.9")
    ex.solution("3.9")
    out = " ".join(capsys.readouterr().out.split())
    assert out.count("There is no exercise '3.9'") == 3
    assert ", ".join(IDS) in out
    for tool in (ex.prompt, ex.stub):
        with pytest.raises(ValueError, match="The exercises are: 1.1"):
            tool("3.9")


def test_an_id_typed_as_a_number_is_understood(capsys):
    assert ex.check(1.1, reference("1.1")) is True
    capsys.readouterr()


def test_every_task_has_its_cell_in_its_chapter():
    # The Practice section of chapter N holds one cell per task N.k, the
    # task's stub as stub() gives it (the first cell also imports ex), and
    # its prompt above it; the stubs are committed unanswered.
    import json
    from pathlib import Path

    folder = Path(__file__).resolve().parents[1] / "notebooks"
    for chapter in range(1, 9):
        path = next(p for p in folder.glob(f"0{chapter}_*.ipynb")
                    if "solutions" not in p.name)
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        sources = ["".join(c["source"]) for c in cells]
        ids = [i for i in IDS if i.split(".")[0] == str(chapter)]
        assert len(ids) >= 3, (chapter, ids)
        for id in ids:
            at = [n for n, s in enumerate(sources)
                  if f'ex.check("{id}", answer)' in s]
            assert len(at) == 1, f"{path.name}: no single cell checks {id}"
            n = at[0]
            code = sources[n].replace(
                "from lenet_helpers import exercises as ex\n\n", "", 1)
            assert code.strip() == ex.stub(id).strip(), (path.name, id)
            assert ex.prompt(id)[:40] in sources[n - 1], (path.name, id)
            printed = "".join("".join(o.get("text", ""))
                              for o in cells[n].get("outputs", []))
            assert printed.startswith("Not answered yet"), (path.name, id)
