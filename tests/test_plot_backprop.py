"""Chapter 5's value graph, the computation graph's parameter gradients, and the widgets' LeakyReLU."""

import numpy as np
import pytest

import nnlite as nl
from nnlite import plot
from nnlite.errors import NNLiteError


def neuron_graph():
    x, w, b = 1.5, 0.8, -0.5
    z = w * x + b
    dz = 0.25
    nodes = {"x": ("$x$", x, dz * w, (0, 0.4)), "w": ("$w$", w, dz * x, (0, -0.4)),
             "b": ("$b$", b, dz, (1.5, -0.9)), "z": ("$z$", z, dz, (1.5, 0))}
    return nodes, [("×+", ["x", "w", "b"], "z")]


def test_value_graph_writes_every_value_and_gradient():
    nodes, ops = neuron_graph()
    fig = plot.value_graph(nodes, ops, title="one neuron")
    texts = [t.get_text() for t in fig.axes[0].texts]
    for label, value, grad, _ in nodes.values():
        assert label in texts
        assert f"value {value:.3f}" in texts
        assert f"grad {grad:.3f}" in texts
    assert "×+" in texts
    assert fig.axes[0].get_title() == "one neuron"


def test_value_graph_labels_are_readable_at_page_width():
    nodes, ops = neuron_graph()
    fig = plot.value_graph(nodes, ops)
    width_px = fig.get_figwidth() * fig.dpi
    scale = min(1.0, 688 / width_px)              # the book's column is 688 px wide
    sizes = [t.get_fontsize() * fig.dpi / 72 * scale for t in fig.axes[0].texts]
    assert min(sizes) >= 10


def test_value_graph_names_a_missing_node():
    nodes, _ = neuron_graph()
    with pytest.raises(NNLiteError, match="'y', which is not in nodes"):
        plot.value_graph(nodes, [("+", ["x", "y"], "z")])


def test_computation_graph_draws_parameter_gradients():
    values, ops, grads = ["X", "Z", "L"], ["dense", "loss"], ["dX", "dZ", "1"]
    fig = plot.computation_graph(values, ops, grads, parameter_gradients=["dW, db", None])
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "dW, db" in texts
    with pytest.raises(NNLiteError, match="one parameter-gradient label per operation"):
        plot.computation_graph(values, ops, grads, parameter_gradients=["dW"])


def test_widgets_leaky_relu_is_the_layer():
    widgets = pytest.importorskip("nnlite.widgets")
    label, f, df = widgets.ACTIVATIONS["leaky_relu"]
    z = np.linspace(-3, 3, 13)
    layer = nl.LeakyReLU()
    np.testing.assert_array_equal(f(z), layer(z.reshape(1, -1))[0])
    np.testing.assert_array_equal(df(z), layer.backward(np.ones((1, 13)))[0])
    assert "0.01" in label
