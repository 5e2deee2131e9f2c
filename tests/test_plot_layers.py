"""Tests of the chapter 7 and 9 figure helpers in nnlite.plot: each returns a titled Figure with its parts."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.figure import Figure

from nnlite import plot


def test_sliding_kernel_colours_each_window_and_its_output():
    x, w = np.arange(10.0), np.array([1.0, -1.0, 0.5])
    fig = plot.sliding_kernel(x, w, positions=(0, 3))
    top, bottom = fig.axes
    assert isinstance(fig, Figure)
    assert "[1, -1, 0.5]" in top.get_title()
    assert len(bottom.patches) == (len(x) - 3 + 1) + 2          # every output, plus the two highlighted
    heights = sorted(p.get_height() for p in bottom.patches)
    expected = sorted([x[t:t + 3] @ w for t in range(8)] + [x[0:3] @ w, x[3:6] @ w])
    np.testing.assert_allclose(heights, expected)
    assert top.get_ylabel() and bottom.get_xlabel()


@pytest.mark.parametrize("n, columns, rows", [(8, 8, 1), (5, 4, 2), (3, 8, 1)])
def test_image_grid_layout_and_titles(n, columns, rows):
    images = np.random.default_rng(0).standard_normal((n, 3, 3))
    fig = plot.image_grid(images, titles=[f"k{i}" for i in range(n)], columns=columns, title="kernels")
    shown = [ax for ax in fig.axes if ax.images]
    assert len(shown) == n and fig.get_suptitle() == "kernels"
    assert [ax.get_title() for ax in shown] == [f"k{i}" for i in range(n)]
    assert len(fig.axes) == rows * min(columns, n)


def test_image_grid_symmetric_scale_is_centred_on_zero():
    images = np.array([[[0.0, 2.0]], [[-0.5, 1.0]]])
    fig = plot.image_grid(images, symmetric=True, colorbar=True)
    limits = {ax.images[0].get_clim() for ax in fig.axes if ax.images}
    assert limits == {(-2.0, 2.0)}


def test_feature_maps_has_a_row_per_kernel_and_a_column_per_image():
    images, kernels = np.zeros((3, 8, 8)), np.ones((2, 3, 3))
    fig = plot.feature_maps(images, np.zeros((3, 2, 8, 8)), kernels, ["a", "b"], title="maps")
    assert len(fig.axes) == (2 + 1) * (3 + 1)
    assert sum(bool(ax.images) for ax in fig.axes) == 3 + 2 * (3 + 1)
    assert {ax.get_ylabel() for ax in fig.axes} >= {"a", "b"}


def test_normalisation_statistics_two_rows_per_array():
    X = np.random.default_rng(0).normal(3, 2, (30, 5))
    fig = plot.normalisation_statistics({"before": X, "after": (X - X.mean(0)) / X.std(0)})
    assert len(fig.axes) == 4
    assert [ax.get_title() for ax in fig.axes[:2]] == ["before", "after"]
    assert fig.axes[0].get_xlabel() == "feature" and fig.axes[2].get_xlabel() == "example"


def test_train_val_curves_draws_two_lines_per_run():
    fig = plot.train_val_curves({"a": ([3, 2, 1], [3, 2.5, 2]), "b": ([3, 1, 0.5], [3, 3, 4])}, title="t")
    ax = fig.axes[0]
    assert len(ax.get_lines()) == 4 and ax.get_title() == "t"
    assert [line.get_linestyle() for line in ax.get_lines()] == ["--", "-", "--", "-"]
    assert ax.get_xlabel() == "epoch" and ax.get_legend() is not None
