"""Tests of the chapter 8 and 10 figure helpers in nnlite.plot: each returns a titled Figure with its parts."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.figure import Figure

from nnlite import plot


@pytest.mark.parametrize("steps", [1, 3, 5])
def test_unrolled_rnn_draws_one_cell_per_step(steps):
    fig = plot.unrolled_rnn(steps=steps, title="unrolled")
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert isinstance(fig, Figure) and ax.get_title() == "unrolled"
    assert len(ax.patches) == steps                          # one box per time step
    assert texts.count("$W_x$") == steps and texts.count("$W_h$") == steps
    assert [f"$x_{t}$" in texts for t in range(1, steps + 1)] == [True] * steps


def test_hidden_state_traces_colours_by_label():
    states = np.random.default_rng(0).standard_normal((6, 10, 3))      # (N, T, H)
    labels = np.array([0, 1, 0, 1, 1, 0])
    fig = plot.hidden_state_traces(states, labels, unit=2, title="traces")
    ax = fig.axes[0]
    assert ax.get_title() == "traces" and ax.get_xlabel() and "unit 2" in ax.get_ylabel()
    assert len(ax.lines) == 6
    n_zero = int((labels == 0).sum())                                 # label 0 is drawn first
    zero, one = {l.get_color() for l in ax.lines[:n_zero]}, {l.get_color() for l in ax.lines[n_zero:]}
    assert len(zero) == len(one) == 1 and zero != one
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), states[labels == 0][0, :, 2])


def test_grouped_bars_skips_missing_values_and_labels_each_bar():
    fig = plot.grouped_bars(["a", "b", "c"], {"one": [1, 2, 3], "two": [4, None, 6]}, title="bars", ylabel="%")
    ax = fig.axes[0]
    assert ax.get_title() == "bars" and ax.get_ylabel() == "%"
    heights = sorted(p.get_height() for p in ax.patches)
    assert heights == [1, 2, 3, 4, 6]
    assert sorted(t.get_text() for t in ax.texts) == sorted(["1", "2", "3", "4", "6"])


def test_signals_draws_count_rows_with_their_labels():
    X = np.random.default_rng(0).standard_normal((10, 40))
    fig = plot.signals(X, np.arange(10), count=4, title="signals")
    ax = fig.axes[0]
    assert ax.get_title() == "signals" and len(ax.lines) == 4
    assert [t.get_text() for t in ax.texts] == ["0", "1", "2", "3"]


def test_accuracy_curves_solid_for_normal_dashed_for_shuffled():
    runs = [{"model": "cnn", "shuffle": False, "curve": [[500, 80.0], [1000, 90.0]]},
            {"model": "cnn", "shuffle": True, "curve": [[500, 50.0], [1000, 55.0]]},
            {"model": "mlp", "shuffle": False, "curve": [[500, 60.0], [1000, 64.0]]}]
    fig = plot.accuracy_curves(runs, title="curves")
    ax = fig.axes[0]
    assert ax.get_title() == "curves" and ax.get_ylabel() and ax.get_xlabel()
    styles = [line.get_linestyle() for line in ax.lines]
    assert styles == ["-", "--", "-"]
    assert ax.lines[0].get_color() == ax.lines[1].get_color() != ax.lines[2].get_color()
