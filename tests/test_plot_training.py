"""The training plots of nnlite.plot (chapters 4-6): each returns a Figure with a title, labelled axes and
the artists it promises. Drawn with the Agg backend, nothing shown."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import nnlite as nl  # noqa: E402
from nnlite import plot  # noqa: E402
from nnlite.errors import NNLiteError  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_loss_curves_from_history_draws_training_and_validation():
    history = nl.History()
    history.loss, history.val_loss = [1.0, 0.5, 0.25], [1.1, 0.6, 0.4]
    fig = plot.loss_curves(history)
    ax = fig.axes[0]
    assert ax.get_title() == "Loss during training"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("epoch", "loss")
    assert [line.get_label() for line in ax.get_lines()] == ["training", "validation"]
    np.testing.assert_array_equal(ax.get_lines()[0].get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(ax.get_lines()[1].get_ydata(), history.val_loss)


def test_loss_curves_from_dict_one_line_each_on_given_axes(rng):
    curves = {f"lr {lr}": rng.uniform(0.1, 1, 5) for lr in (0.1, 0.01, 0.001)}
    fig, ax = plt.subplots()
    returned = plot.loss_curves(curves, ax=ax, xlabel="step", first=0, log=True, title="three rates")
    assert returned is fig
    assert ax.get_yscale() == "log" and ax.get_title() == "three rates"
    assert [line.get_label() for line in ax.get_lines()] == list(curves)
    assert ax.get_legend() is not None
    np.testing.assert_array_equal(ax.get_lines()[0].get_xdata(), np.arange(5))


def test_loss_curves_rejects_other_types():
    with pytest.raises(NNLiteError, match="History or a dict"):
        plot.loss_curves([1.0, 0.5])


@pytest.mark.parametrize("n_out", [1, 3])
def test_decision_boundary_colours_the_predicted_regions(rng, n_out):
    X = rng.standard_normal((40, 2))
    y = (X[:, 0] > 0).astype(int) if n_out == 1 else rng.integers(0, 3, 40)
    model = nl.Sequential(nl.Dense(2, 8, rng=0), nl.Tanh(), nl.Dense(8, n_out, rng=1))
    fig = plot.decision_boundary(model, X, y, resolution=30, title="regions")
    ax = fig.axes[0]
    assert ax.get_title() == "regions"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("$x_1$", "$x_2$")
    n_classes = 2 if n_out == 1 else 3
    assert len(ax.collections) >= n_classes + 1           # filled regions + one scatter per class
    labels = [c.get_label() for c in ax.collections if c.get_label().startswith("class")]
    assert labels == [f"class {k}" for k in range(n_classes)]
    assert model.training                                 # eval mode was restored


def test_decision_boundary_needs_two_features(rng):
    model = nl.Sequential(nl.Dense(3, 2, rng=0))
    with pytest.raises(NNLiteError, match=r"\(N, 2\)"):
        plot.decision_boundary(model, rng.standard_normal((5, 3)), np.zeros(5, int))


def test_weight_histograms_one_panel_per_parameter(rng):
    model = nl.Sequential(nl.Dense(4, 6, rng=0), nl.ReLU(), nl.Dense(6, 2, rng=1))
    before = plot.weight_snapshot(model)
    assert list(before) == ["0.W", "2.W"]                 # biases left out
    after = {name: 2 * value for name, value in before.items()}
    fig = plot.weight_histograms(before, after)
    assert len(fig.axes) == 2
    assert fig.axes[0].get_title() == "0.W (4, 6)"
    assert fig.axes[1].get_xlabel() == "value" and fig.axes[1].get_ylabel() == "count"
    assert len(fig.axes[0].patches) == 2                  # a filled and a step histogram
    assert fig.get_suptitle() == "Weights before and after training"


def test_weight_histograms_needs_matching_names():
    with pytest.raises(NNLiteError, match="same parameter names"):
        plot.weight_histograms({"W": np.ones(3)}, {"V": np.ones(3)})


def test_optimizer_paths_draws_every_path_and_the_markers(rng):
    paths = {"SGD": rng.standard_normal((10, 2)), "Adam": rng.standard_normal((7, 2))}
    fig = plot.optimizer_paths(lambda a, b: a ** 2 + 3 * b ** 2, paths, minimum=(0, 0))
    ax = fig.axes[0]
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["SGD", "Adam", "start", "minimum"]
    np.testing.assert_array_equal(ax.get_lines()[1].get_xdata(), paths["Adam"][:, 0])
    np.testing.assert_array_equal(ax.get_lines()[2].get_xdata(), [paths["SGD"][0, 0]])
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("$w_1$", "$w_2$")
    assert ax.get_title()


def test_computation_graph_places_every_label():
    values, ops, grads = ["X", "Z", "L"], ["dense", "loss"], ["dX", "dZ", "1"]
    fig = plot.computation_graph(values, ops, grads, title="graph")
    texts = [t.get_text() for t in fig.axes[0].texts]
    for label in values + ops + grads:
        assert label in texts
    assert fig.axes[0].get_title() == "graph"


def test_computation_graph_checks_counts():
    with pytest.raises(NNLiteError, match="one operation between each pair"):
        plot.computation_graph(["X", "Y"], ["a", "b"])


def test_compare_curves_and_probability_bars(rng):
    x = np.linspace(-3, 3, 11)
    fig = plot.compare_curves(x, {"a": x ** 2, "b": np.abs(x)}, title="t", xlabel="z", ylabel="loss")
    ax = fig.axes[0]
    assert [line.get_label() for line in ax.get_lines()] == ["a", "b"] and ax.get_xlabel() == "z"
    p = rng.dirichlet(np.ones(4))
    ax = plot.probability_bars(p, target=2).axes[0]
    heights = [bar.get_height() for bar in ax.patches]
    np.testing.assert_allclose(heights, p)
    assert ax.patches[2].get_facecolor() != ax.patches[0].get_facecolor()
    assert ax.get_ylabel() == "probability"


def test_digit_predictions_marks_mistakes(rng):
    images = rng.uniform(0, 1, (5, 64))
    fig = plot.digit_predictions(images, [1, 2, 3, 4, 5], [1, 2, 0, 4, 5], columns=3)
    titled = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in titled] == ["1 (1)", "2 (2)", "0 (3)", "4 (4)", "5 (5)"]
    assert titled[2].title.get_color() != titled[0].title.get_color()
