import time

import pytest
import torch

from lenet_helpers import Accumulator, Timer, accuracy, num_correct


def test_accumulator_adds_resets_and_indexes():
    metric = Accumulator(3)
    metric.add(1.5, torch.tensor(2), 3)
    metric.add(0.5, 1, 1)
    assert metric.data == [2.0, 3.0, 4.0]
    assert metric[1] == 3.0
    metric.reset()
    assert metric.data == [0.0, 0.0, 0.0]
    with pytest.raises(ValueError, match="holds 3 sums"):
        metric.add(1, 2)


def test_accuracy_counts_correct_predictions_from_logits_and_labels():
    y = torch.tensor([0, 2, 1, 2])
    logits = torch.tensor([[0.9, 0.1, 0.0], [0.1, 0.2, 0.7], [0.8, 0.1, 0.1], [0.0, 0.0, 1.0]])
    assert accuracy(logits, y) == 3.0
    assert accuracy(torch.tensor([0, 2, 2, 2]), y) == 3.0
    assert isinstance(accuracy(logits, y), float)
    assert num_correct(logits, y).dim() == 0


def test_timer_records_runs():
    timer = Timer()
    time.sleep(0.02)
    first = timer.stop()
    timer.start()
    time.sleep(0.01)
    timer.stop()
    assert first >= 0.02 and len(timer.times) == 2
    assert timer.sum() == pytest.approx(sum(timer.times))
    assert timer.avg() == pytest.approx(timer.sum() / 2)
    assert timer.cumsum()[-1] == pytest.approx(timer.sum())
