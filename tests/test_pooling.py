"""MaxPool1D/2D and AvgPool1D/2D: gradient checks, a loop-based reference, ties, errors, dtypes."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nnlite as nl
from nnlite.conv import output_size

POOLS_1D = [nl.MaxPool1D, nl.AvgPool1D]
POOLS_2D = [nl.MaxPool2D, nl.AvgPool2D]


def naive_pool(X, kernel, stride, reduce):
    out = [output_size(n, k, s) for n, k, s in zip(X.shape[2:], kernel, stride)]
    Y = np.zeros(X.shape[:2] + tuple(out))
    for n, c in np.ndindex(*X.shape[:2]):
        for position in np.ndindex(*out):
            window = X[(n, c) + tuple(slice(i * s, i * s + k) for i, s, k in zip(position, stride, kernel))]
            Y[(n, c) + position] = reduce(window)
    return Y


@pytest.mark.parametrize("Pool", POOLS_2D)
@pytest.mark.parametrize("kernel, stride, size", [(2, None, (6, 6)), (3, 2, (7, 6)), ((2, 3), (1, 2), (5, 7)),
                                                  (2, None, (5, 5))])
def test_pool2d_gradcheck_and_reference(Pool, kernel, stride, size):
    layer = Pool(kernel, stride)
    X = np.random.default_rng(3).standard_normal((2, 3, *size))          # distinct values: no ties
    assert nl.gradcheck(layer, X)["input"] < 1e-6
    reduce = np.max if Pool is nl.MaxPool2D else np.mean
    np.testing.assert_allclose(layer(X), naive_pool(X, layer.kernel_size, layer.stride, reduce), rtol=1e-12)


@pytest.mark.parametrize("Pool", POOLS_1D)
@pytest.mark.parametrize("kernel, stride, length", [(2, None, 8), (3, 2, 9), (3, 1, 7), (4, None, 9)])
def test_pool1d_gradcheck_and_reference(Pool, kernel, stride, length):
    layer = Pool(kernel, stride)
    X = np.random.default_rng(4).standard_normal((2, 3, length))
    assert nl.gradcheck(layer, X)["input"] < 1e-6
    reduce = np.max if Pool is nl.MaxPool1D else np.mean
    np.testing.assert_allclose(layer(X), naive_pool(X, layer.kernel_size, layer.stride, reduce), rtol=1e-12)


def test_stride_defaults_to_kernel_size():
    assert nl.MaxPool2D(3).stride == (3, 3)
    assert nl.AvgPool1D(2, stride=1).stride == (1,)


def test_maxpool_routes_gradient_to_the_maximum():
    X = np.array([[[1.0, 5.0, 2.0, 0.0, 3.0, 4.0]]])
    layer = nl.MaxPool1D(2)
    np.testing.assert_array_equal(layer(X), [[[5.0, 2.0, 4.0]]])
    np.testing.assert_array_equal(layer.backward(np.array([[[10.0, 20.0, 30.0]]])), [[[0, 10, 20, 0, 0, 30]]])


def test_maxpool_tie_goes_to_the_first_position_in_the_window():
    layer = nl.MaxPool2D(2)
    dX = layer.backward(np.ones_like(layer(np.ones((1, 1, 2, 2)))))
    np.testing.assert_array_equal(dX, [[[[1, 0], [0, 0]]]])


def test_overlapping_windows_add_gradients():
    layer = nl.MaxPool1D(2, stride=1)
    X = np.array([[[0.0, 9.0, 1.0]]])               # 9 is the max of both windows
    layer(X)
    np.testing.assert_array_equal(layer.backward(np.array([[[1.0, 2.0]]])), [[[0, 3, 0]]])


def test_avgpool_spreads_gradient_evenly():
    layer = nl.AvgPool2D(2)
    layer(np.zeros((1, 1, 2, 2)))
    np.testing.assert_array_equal(layer.backward(np.array([[[[4.0]]]])), np.ones((1, 1, 2, 2)))


@pytest.mark.parametrize("Pool", POOLS_1D + POOLS_2D)
def test_no_parameters_and_float32_stays_float32(Pool, rng):
    layer = Pool(2)
    assert layer.parameters() == [] and layer.buffers() == {}
    shape = (2, 3, 6) if Pool in POOLS_1D else (2, 3, 6, 6)
    Y = layer(rng.standard_normal(shape).astype(np.float32))
    assert Y.dtype == layer.backward(np.ones_like(Y)).dtype == np.float32


def test_summary_counts_zero_for_pooling(capsys):
    model = nl.Sequential(nl.Conv2D(1, 4, 3, padding=1, rng=0), nl.MaxPool2D(2), nl.AvgPool2D(2), nl.Flatten())
    model.summary(input_shape=(1, 8, 8))
    text = capsys.readouterr().out
    assert "(batch, 4, 4, 4)" in text and "(batch, 4, 2, 2)" in text
    assert "Trainable parameters: 40" in text
    assert [line.split()[-1] for line in text.splitlines() if line.startswith(("MaxPool", "AvgPool"))] == ["0", "0"]


def test_repr():
    assert repr(nl.MaxPool2D(2)) == "MaxPool2D(2×2)"
    assert repr(nl.AvgPool1D(3, stride=1)) == "AvgPool1D(3, stride=1)"


@pytest.mark.parametrize("layer, shape, pattern", [
    (nl.MaxPool2D(2), (4, 8, 8), r"x\[:, None\]"),
    (nl.MaxPool1D(2), (4, 40), r"x\[:, None\]"),
    (nl.AvgPool2D(3), (1, 1, 2, 5), r"smaller than its 3×3 kernel"),
    (nl.MaxPool1D(2), (2, 1, 4, 4), r"\(batch, C, L\)"),
    (nl.MaxPool1D(1), (1, 0, 1), r"no channels"),
])
def test_wrong_inputs_give_clear_errors(layer, shape, pattern):
    with pytest.raises(nl.ShapeError, match=pattern):
        layer(np.zeros(shape))


@pytest.mark.parametrize("args", [(0,), (2, 0), ((2, 2),), (1.5,)])
def test_bad_constructor_arguments(args):
    with pytest.raises(nl.NNLiteError, match="MaxPool1D"):
        nl.MaxPool1D(*args)


@settings(max_examples=40, deadline=None)
@given(shape=st.lists(st.integers(0, 6), min_size=0, max_size=5), Pool=st.sampled_from(POOLS_1D + POOLS_2D),
       kernel=st.integers(1, 4), stride=st.integers(1, 3))
def test_random_input_shapes_raise_only_nnlite_errors(shape, Pool, kernel, stride):
    layer = Pool(kernel, stride)
    try:
        Y = layer(np.ones(shape))
    except nl.NNLiteError:
        return
    assert Y.shape[:2] == tuple(shape[:2])
    assert layer.backward(np.ones_like(Y)).shape == tuple(shape)
