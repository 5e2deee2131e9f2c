"""MSELoss, CrossEntropyLoss and BCEWithLogitsLoss (nnlite.losses): values, gradients, error paths."""

import re

import numpy as np
import pytest

import nnlite as nl
from nnlite.losses import row_max

LOSSES = [nl.MSELoss, nl.CrossEntropyLoss, nl.BCEWithLogitsLoss]


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


# --- values and gradients against the textbook formulas ---------------------------------------------

def test_mse_value_and_gradient(rng):
    pred, target = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    loss_fn = nl.MSELoss()
    loss = loss_fn(pred, target)
    assert isinstance(loss, float)
    np.testing.assert_allclose(loss, np.mean((pred - target) ** 2), rtol=1e-12)
    np.testing.assert_allclose(loss_fn.backward(), 2 * (pred - target) / pred.size, rtol=1e-12)


def test_cross_entropy_value_and_gradient(rng):
    z, y = rng.standard_normal((5, 4)), rng.integers(0, 4, 5)
    loss_fn = nl.CrossEntropyLoss()
    loss = loss_fn(z, y)
    assert isinstance(loss, float)
    p = softmax(z)
    np.testing.assert_allclose(loss, -np.mean(np.log(p[np.arange(5), y])), rtol=1e-12)
    onehot = np.eye(4)[y]
    np.testing.assert_allclose(loss_fn.backward(), (p - onehot) / 5, rtol=1e-12)


def test_cross_entropy_of_uniform_logits_is_log_classes():
    assert nl.CrossEntropyLoss()(np.zeros((3, 10)), [0, 5, 9]) == pytest.approx(np.log(10))


def test_bce_with_logits_value_and_gradient(rng):
    z, t = rng.standard_normal((6, 1)), rng.integers(0, 2, (6, 1)).astype(float)
    loss_fn = nl.BCEWithLogitsLoss()
    loss = loss_fn(z, t)
    s = 1 / (1 + np.exp(-z))
    np.testing.assert_allclose(loss, -np.mean(t * np.log(s) + (1 - t) * np.log(1 - s)), rtol=1e-12)
    np.testing.assert_allclose(loss_fn.backward(), (s - t) / z.size, rtol=1e-12)


def test_bce_accepts_probabilities_as_targets(rng):
    z, t = rng.standard_normal(5), rng.uniform(0, 1, 5)
    s = 1 / (1 + np.exp(-z))
    expected = -np.mean(t * np.log(s) + (1 - t) * np.log(1 - s))
    np.testing.assert_allclose(nl.BCEWithLogitsLoss()(z, t), expected, rtol=1e-12)


@pytest.mark.parametrize("label_dtype", [np.int64, np.int32, np.uint8, np.float64])
def test_cross_entropy_accepts_integer_valued_labels(label_dtype):
    z = np.array([[2.0, 0.0, -1.0], [0.0, 3.0, 0.0]])
    loss = nl.CrossEntropyLoss()(z, np.array([0, 1], dtype=label_dtype))
    assert loss == pytest.approx(nl.CrossEntropyLoss()(z, [0, 1]))


@pytest.mark.parametrize("cls", LOSSES, ids=lambda c: c.__name__)
def test_loss_keeps_float32(cls, rng):
    pred = rng.standard_normal((4, 3)).astype(np.float32)
    target = {nl.MSELoss: rng.standard_normal((4, 3)), nl.CrossEntropyLoss: np.array([0, 2, 1, 0]),
              nl.BCEWithLogitsLoss: rng.integers(0, 2, (4, 3))}[cls]
    loss_fn = cls()
    loss_fn(pred, target)
    assert loss_fn.backward().dtype == np.float32


@pytest.mark.parametrize("cls", LOSSES, ids=lambda c: c.__name__)
def test_backward_before_loss_says_what_to_do(cls):
    with pytest.raises(nl.NNLiteError, match=r"Call loss_fn\(pred, target\) first"):
        cls().backward()


def test_loss_repr():
    assert repr(nl.CrossEntropyLoss()) == "CrossEntropyLoss()"


# --- error paths ------------------------------------------------------------------------------------

@pytest.mark.parametrize("y, error, pattern", [
    ([0, 3], nl.InputError, r"labels must be in 0\.\.2 for 3 output classes, got values from 0 to 3"),
    ([-1, 0], nl.InputError, r"labels must be in 0\.\.2"),
    ([0.5, 1.0], nl.InputError, r"non-integer values"),
    ([np.nan, 1.0], nl.InputError, r"non-integer values"),
    (np.eye(3)[[0, 2]], nl.ShapeError, r"one-hot rows, use y\.argmax\(axis=1\)"),
    ([0, 1, 2], nl.ShapeError, r"2 rows of logits but 3 labels"),
    (["a", "b"], nl.InputError, r"y\.astype\(int\)"),
    (np.array([True, False]), nl.InputError, r"integer class labels"),
    ([[0], [1, 2]], nl.InputError, r"one integer class label per example"),
], ids=["too-big", "negative", "fractional", "nan", "one-hot", "batch", "strings", "bool", "ragged"])
def test_cross_entropy_label_errors(y, error, pattern):
    with pytest.raises(error) as info:
        nl.CrossEntropyLoss()(np.zeros((2, 3)), y)
    assert "CrossEntropyLoss" in str(info.value)
    assert re.search(pattern, str(info.value))


@pytest.mark.parametrize("z, pattern", [(np.zeros(3), r"Add a batch axis"), (np.zeros((2, 3, 4)), r"\(batch, classes\)"),
                                        (np.zeros((0, 3)), r"empty batch")], ids=["rank1", "rank3", "empty"])
def test_cross_entropy_logit_shape_errors(z, pattern):
    with pytest.raises(nl.ShapeError, match=pattern):
        nl.CrossEntropyLoss()(z, np.zeros(len(z), dtype=int))


@pytest.mark.parametrize("cls", [nl.MSELoss, nl.BCEWithLogitsLoss], ids=lambda c: c.__name__)
@pytest.mark.parametrize("pred_shape, target_shape, hint", [((4, 1), (4,), r"y\.reshape\(-1, 1\)"),
                                                            ((4,), (4, 1), r"y\.reshape\(-1\)"),
                                                            ((4, 2), (3, 2), r"got \(4, 2\) and \(3, 2\)"),
                                                            ((0, 2), (0, 2), r"empty batch")])
def test_same_shape_losses_explain_mismatches(cls, pred_shape, target_shape, hint):
    with pytest.raises(nl.ShapeError, match=cls.__name__) as info:
        cls()(np.zeros(pred_shape), np.zeros(target_shape))
    assert re.search(hint, str(info.value))


@pytest.mark.parametrize("cls", LOSSES, ids=lambda c: c.__name__)
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_losses_refuse_nan_predictions(cls, bad):
    pred = np.zeros((2, 2))
    pred[0, 1] = bad
    target = np.zeros(2, dtype=int) if cls is nl.CrossEntropyLoss else np.zeros((2, 2))
    with pytest.raises(nl.InputError, match="NaN or infinite"):
        cls()(pred, target)


@pytest.mark.parametrize("cls", [nl.MSELoss, nl.BCEWithLogitsLoss], ids=lambda c: c.__name__)
def test_losses_refuse_nan_targets(cls):
    with pytest.raises(nl.InputError, match=r"targets.*NaN or infinite"):
        cls()(np.zeros(2), np.array([0.0, np.nan]))


@pytest.mark.parametrize("cls", LOSSES, ids=lambda c: c.__name__)
def test_losses_refuse_string_predictions(cls):
    with pytest.raises(nl.InputError, match=cls.__name__):
        cls()([["a"]], [0])


@pytest.mark.parametrize("t", [[0.0, 2.0], [-0.5, 1.0]])
def test_bce_targets_must_be_in_zero_one(t):
    with pytest.raises(nl.InputError, match="targets between 0 and 1"):
        nl.BCEWithLogitsLoss()(np.zeros(2), np.array(t))


# --- stability ----------------------------------------------------------------------------------------

@pytest.mark.filterwarnings("error")
def test_cross_entropy_is_finite_and_correct_for_huge_logits():
    z = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, 1e4]])
    loss_fn = nl.CrossEntropyLoss()
    assert loss_fn(z, [0, 2]) == pytest.approx(0.0, abs=1e-12)
    assert loss_fn(z, [1, 0]) == pytest.approx(2e4, rel=1e-12)
    assert np.all(np.isfinite(loss_fn.backward()))


@pytest.mark.filterwarnings("error")
def test_bce_is_finite_and_correct_for_huge_logits():
    loss_fn = nl.BCEWithLogitsLoss()
    assert loss_fn(np.array([1e4, -1e4]), np.array([1.0, 0.0])) == pytest.approx(0.0, abs=1e-12)
    assert loss_fn(np.array([1e4, -1e4]), np.array([0.0, 1.0])) == pytest.approx(1e4, rel=1e-12)
    np.testing.assert_allclose(loss_fn.backward(), [0.5, -0.5])


@pytest.mark.parametrize("shape", [(1, 1), (5, 3), (128, 10), (3, 1000)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_row_max_is_the_max_of_each_row(shape, dtype, rng):
    z = (rng.standard_normal(shape) * 100).astype(dtype)
    got = row_max(z)
    assert got.dtype == dtype
    np.testing.assert_array_equal(got, z.max(axis=1))
