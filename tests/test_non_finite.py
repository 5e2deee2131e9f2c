"""NaN and infinity get no back door: refused in dY, in h0 and at every layer's input; overflow on huge
finite inputs is an nnlite error that names the layer, not a numpy warning."""

import warnings

import numpy as np
import pytest

import nnlite as nl

LAYERS = {
    "Dense": (lambda: nl.Dense(3, 2, rng=0), (4, 3)),
    "Conv1D": (lambda: nl.Conv1D(2, 3, 3, rng=0), (2, 2, 8)),
    "Conv2D": (lambda: nl.Conv2D(2, 3, 3, rng=0), (2, 2, 5, 5)),
    "RNN": (lambda: nl.RNN(3, 4, rng=0), (2, 5, 3)),
    "GRU": (lambda: nl.GRU(3, 4, rng=0), (2, 5, 3)),
    "BatchNorm": (lambda: nl.BatchNorm(3), (4, 3)),
    "LayerNorm": (lambda: nl.LayerNorm(3), (4, 3)),
    "ReLU": (nl.ReLU, (4, 3)), "LeakyReLU": (nl.LeakyReLU, (4, 3)), "Sigmoid": (nl.Sigmoid, (4, 3)),
    "Tanh": (nl.Tanh, (4, 3)), "GELU": (nl.GELU, (4, 3)), "Softmax": (nl.Softmax, (4, 3)),
    "AvgPool1D": (lambda: nl.AvgPool1D(2), (2, 2, 8)), "MaxPool1D": (lambda: nl.MaxPool1D(2), (2, 2, 8)),
    "Dropout": (lambda: nl.Dropout(0.5, rng=0), (4, 3)),
    "Residual": (lambda: nl.Residual(nl.Dense(3, 3, rng=0)), (4, 3)),
}


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("name", list(LAYERS))
def test_backward_refuses_non_finite_dY_and_changes_no_gradient(name, bad, rng):
    make, shape = LAYERS[name]
    layer = make()
    Y = layer(rng.normal(size=shape))
    dY = np.ones_like(Y)
    dY.flat[1] = bad
    with pytest.raises(nl.NonFiniteError, match=r"backward got NaN or infinity in dY"):
        layer.backward(dY)
    assert all(not p.grad.any() for p in layer.parameters()), "a gradient changed"


@pytest.mark.parametrize("name", list(LAYERS))
def test_forward_refuses_nan_input(name, rng):
    make, shape = LAYERS[name]
    X = rng.normal(size=shape)
    X.flat[0] = np.nan
    with pytest.raises(nl.NonFiniteError):
        make()(X)


@pytest.mark.parametrize("layer", [nl.RNN(3, 4, rng=0), nl.GRU(3, 4, rng=0)], ids=["RNN", "GRU"])
def test_recurrent_layers_refuse_a_non_finite_h0(layer, rng):
    h0 = np.zeros((2, 4))
    h0[1, 2] = np.nan
    with pytest.raises(nl.NonFiniteError, match="h0"):
        layer(rng.normal(size=(2, 5, 3)), h0=h0)


@pytest.mark.parametrize("name", list(LAYERS))
def test_huge_finite_input_gives_a_result_or_an_error_naming_the_layer_and_no_warning(name, rng):
    make, shape = LAYERS[name]
    X = np.sign(rng.normal(size=shape)) * 1.7e308
    layer = make()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            Y = layer(X)
        except nl.NonFiniteError as error:
            assert "overflowed" in str(error) or "NaN or infinite" in str(error)
            assert repr(layer).split("(")[0] in str(error), "the message names the layer"
            return
    assert np.isfinite(Y).all(), f"{name} returned inf or NaN for finite input"
