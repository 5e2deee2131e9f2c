"""nnlite.functional takes numbers, lists and arrays of any real dtype, and keeps float32 as float32."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nnlite as nl
from nnlite import functional as F

ELEMENTWISE = ["relu", "relu_grad", "leaky_relu", "leaky_relu_grad", "sigmoid", "sigmoid_grad", "tanh",
               "tanh_grad", "gelu", "gelu_grad"]
ALONG_AN_AXIS = ["softmax", "log_softmax"]


@pytest.mark.parametrize("name", ELEMENTWISE + ALONG_AN_AXIS)
@pytest.mark.parametrize("dtype", [np.int8, np.int64, np.uint8, np.bool_, np.float16])
def test_integers_booleans_and_half_floats_become_float64(name, dtype):
    x = np.array([[0, 1, 2]]).astype(dtype)
    out = getattr(F, name)(x)
    assert out.dtype == np.float64 and out.shape == (1, 3)
    np.testing.assert_allclose(out, getattr(F, name)(x.astype(np.float64)))


def test_sigmoid_of_integers_is_not_rounded():
    np.testing.assert_allclose(F.sigmoid(np.array([-2, 0, 2])), [0.11920292, 0.5, 0.88079708], rtol=1e-7)
    assert F.sigmoid_grad(np.array([0]))[0] == 0.25
    np.testing.assert_allclose(F.leaky_relu_grad(np.array([-1, 2])), [0.01, 1.0])


@pytest.mark.parametrize("name", ELEMENTWISE + ALONG_AN_AXIS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float_dtypes_are_kept(name, dtype):
    assert getattr(F, name)(np.linspace(-3, 3, 6, dtype=dtype).reshape(2, 3)).dtype == dtype


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_a_number_gives_a_number_and_a_list_an_array(name):
    f = getattr(F, name)
    scalar = f(0.5)
    assert isinstance(scalar, float) and scalar == pytest.approx(float(f(np.array([0.5]))[0]))
    assert isinstance(f(np.float32(0.5)), np.float32)
    listed = f([0.5, -1.0])
    assert isinstance(listed, np.ndarray) and listed.shape == (2,)


@pytest.mark.parametrize("name", ELEMENTWISE + ALONG_AN_AXIS)
@pytest.mark.parametrize("bad", ["text", ["a", "b"], [1 + 2j], None, {"x": 1}])
def test_non_numbers_get_an_nnlite_type_error(name, bad):
    with pytest.raises(nl.NNLiteTypeError, match=f"F.{name} takes real numbers") as caught:
        getattr(F, name)(bad)
    assert isinstance(caught.value, TypeError) and isinstance(caught.value, nl.NNLiteError)


@pytest.mark.parametrize("name", ALONG_AN_AXIS)
def test_softmax_of_a_single_number_says_what_to_pass(name):
    with pytest.raises(nl.ShapeError, match="single number|no scores"):
        getattr(F, name)(2.0)
    np.testing.assert_allclose(F.softmax([1.0, 1.0]), [0.5, 0.5])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(-10**6, 10**6), min_size=1, max_size=8))
def test_integer_lists_behave_as_their_floats(values):
    for name in ELEMENTWISE:
        f = getattr(F, name)
        np.testing.assert_array_equal(f(values), f(np.asarray(values, dtype=np.float64)))
