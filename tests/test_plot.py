"""Tests of the chapter 1-3 figure helpers in nnlite.plot: each returns a Figure with the right parts."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle

import nnlite as nl
from nnlite import plot
from nnlite.errors import NNLiteError


def lines(ax):
    return [a for a in ax.get_children() if isinstance(a, Line2D)]


def circles(ax):
    return [p for p in ax.patches if isinstance(p, Circle)]


def texts(ax):
    return [t.get_text() for t in ax.texts]


@pytest.mark.parametrize("sizes", [[3, 1], [3, 4, 2], [2, 5, 5, 3]])
def test_network_diagram_draws_a_circle_per_neuron_and_a_line_per_weight(sizes):
    fig = plot.network_diagram(sizes)
    ax = fig.axes[0]
    assert isinstance(fig, Figure)
    assert len(circles(ax)) == sum(sizes)
    assert len(lines(ax)) == sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    assert ax.get_title() == " → ".join(str(n) for n in sizes) + " network"
    labels = " ".join(texts(ax))
    assert "input layer" in labels and "output layer" in labels


def test_network_diagram_shortens_long_columns():
    fig = plot.network_diagram([784, 128, 10], max_nodes=6)
    ax = fig.axes[0]
    assert len(circles(ax)) == 3 * 6
    assert len(lines(ax)) == 2 * 6 * 6
    assert sum("⋮" in t for t in texts(ax)) == 3
    assert any("784 features" in t for t in texts(ax))


def test_network_diagram_colours_weights_by_sign_and_writes_them(rng):
    W = np.array([[0.2, -1.5], [0.3, 0.4], [-0.8, 0.1]])      # (3, 2)
    fig = plot.network_diagram([3, 2], weights=[W])
    ax = fig.axes[0]
    colours = [matplotlib.colors.to_hex(line.get_color()) for line in lines(ax)]
    assert colours.count(plot.OKABE_ITO["vermillion"].lower()) == int((W < 0).sum())
    assert colours.count(plot.OKABE_ITO["blue"].lower()) == int((W >= 0).sum())
    widths = [line.get_linewidth() for line in lines(ax)]
    assert widths[int(np.argmax(np.abs(W).ravel()))] == max(widths)     # thickest line = largest |w|
    for value in W.ravel():
        assert f"{value:.2g}" in texts(ax)


def test_network_diagram_refuses_weights_of_the_wrong_shape():
    with pytest.raises(NNLiteError, match="shapes"):
        plot.network_diagram([3, 2], weights=[np.ones((2, 3))])


def test_neuron_diagram_shows_each_weight_and_the_result():
    x, w, b = np.array([1.0, 2.0, 3.0]), np.array([0.2, 0.3, 0.8]), -1.0
    fig = plot.neuron_diagram(x, w, b)
    ax = fig.axes[0]
    assert ax.get_title() == "One neuron with 3 inputs"
    assert len(lines(ax)) == 3
    labels = " ".join(texts(ax))
    for i, wi in enumerate(w, start=1):
        assert f"$w_{{{i}}} = {wi:g}$" in labels
    z = w @ x + b
    assert f"$z = {z:.3g}$" in labels
    assert f"{nl.functional.sigmoid(np.array(z)):.3g}" in labels


def test_neuron_diagram_refuses_mismatched_lengths():
    with pytest.raises(NNLiteError, match="same length"):
        plot.neuron_diagram([1.0, 2.0], [0.2, 0.3, 0.8])


@pytest.mark.parametrize("derivatives, n_axes", [(True, 2), (False, 1)])
def test_activation_curves_has_one_line_per_activation(derivatives, n_axes):
    names = ("relu", "sigmoid", "tanh", "gelu")
    fig = plot.activation_curves(names, derivatives=derivatives)
    assert len(fig.axes) == n_axes
    ax = fig.axes[0]
    assert ax.get_title() == "Activation functions"
    assert ax.get_xlabel() and ax.get_ylabel()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["ReLU", "Sigmoid", "Tanh", "GELU"]
    curves = [line for line in ax.get_lines() if line.get_label() in ("ReLU", "Sigmoid", "Tanh", "GELU")]
    relu = curves[0].get_ydata()
    assert relu.max() == pytest.approx(5.0)                     # unbounded above: reaches the edge of z
    if derivatives:
        assert fig.axes[1].get_title() == "Their derivatives"
        sigmoid_slope = fig.axes[1].get_lines()[1].get_ydata()
        assert sigmoid_slope.max() == pytest.approx(0.25, abs=1e-3)


def test_activation_curves_shades_saturated_regions():
    fig = plot.activation_curves(("sigmoid", "tanh"), saturation=0.05)
    assert all(len(ax.collections) == 1 for ax in fig.axes)
    shaded = fig.axes[1].collections[0].get_paths()
    assert len(shaded) == 2                                     # one band on each side of z = 0
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["Sigmoid", "Tanh", "saturated: slope < 0.05"]


def test_activation_curves_refuses_unknown_names():
    with pytest.raises(NNLiteError, match="Unknown activation"):
        plot.activation_curves(("swish",))


@pytest.mark.parametrize("weights, biases", [((1.0, 3.0), (-2.0, 0.0, 2.0)), ((0.5,), (1.0,))])
def test_bias_shift_plot_marks_minus_b_over_w(weights, biases):
    fig = plot.bias_shift_plot(weights=weights, biases=biases)
    assert len(fig.axes) == len(weights)
    for ax, w in zip(fig.axes, weights):
        assert f"w = {w:g}" in ax.get_title()
        assert ax.get_xlabel() == "input $x$"
        vertical = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
        shifts = sorted(line.get_xdata()[0] for line in vertical)
        assert shifts == pytest.approx(sorted(-b / w for b in biases))


def test_activation_histograms_has_a_panel_per_scheme_and_layer(rng):
    activations = {name: [rng.normal(0, s ** k, 200) for k in range(6)] for name, s in [("a", 0.5), ("b", 1.0)]}
    fig = plot.activation_histograms(activations, layers=[1, 3, 6])
    assert len(fig.axes) == 2 * 3
    assert [ax.get_title() for ax in fig.axes[:3]] == ["layer 1", "layer 3", "layer 6"]
    stds = [t for ax in fig.axes for t in texts(ax)]
    assert stds[2] == f"std {activations['a'][5].std():.2g}"
    assert fig.get_suptitle() == "Activations through a deep stack"


def test_compare_decision_boundaries_titles_each_model_with_its_accuracy():
    X, y = nl.datasets.xor(100, seed=0)
    models = {"linear": nl.Sequential(nl.Dense(2, 2, rng=0)),
              "ReLU": nl.Sequential(nl.Dense(2, 8, rng=0), nl.ReLU(), nl.Dense(8, 2, rng=1))}
    fig = plot.compare_decision_boundaries(models, X, y, resolution=20)
    assert len(fig.axes) == 2
    for ax, (name, model) in zip(fig.axes, models.items()):
        accuracy = (model(X).argmax(axis=1) == y).mean()
        assert ax.get_title() == f"{name}: training accuracy {accuracy:.0%}"


def _weight_label_boxes(fig, W_values):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    canvas = FigureCanvasAgg(fig)                      # a real drawing, as a saved PNG gets
    canvas.draw()
    renderer = canvas.get_renderer()
    wanted = {f"{v:.2g}" for v in W_values}
    return [t.get_window_extent(renderer) for t in fig.axes[0].texts if t.get_text() in wanted]


@pytest.mark.parametrize("sizes", [[2, 4, 2], [3, 3, 2], [4, 4]])
@pytest.mark.parametrize("seed", range(6))
def test_network_diagram_weight_labels_do_not_overlap(sizes, seed):
    """Every weight is written on its own line, and no label covers another (chapter 1's diagrams)."""
    rng = np.random.default_rng(seed)
    weights = [rng.normal(0, 2, (a, b)) for a, b in zip(sizes[:-1], sizes[1:])]
    fig = plot.network_diagram(sizes, weights=weights)
    values = np.concatenate([W.ravel() for W in weights])
    boxes = _weight_label_boxes(fig, values)
    assert len(boxes) == values.size
    overlapping = [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:] if a.overlaps(b)]
    assert not overlapping, f"{len(overlapping)} pairs of weight labels overlap"
