"""Float64 gradient checks of every core layer and loss (nnlite.gradcheck), and broken backwards failing them."""

import numpy as np
import pytest

import nnlite as nl

TOLERANCE = 1e-6      # CS231n: a correct float64 backward agrees with central differences far below this
BROKEN = 1e-2         # a wrong backward is off by order one


def away_from_kinks(X, margin=1e-3):
    """Move entries away from 0, where ReLU and LeakyReLU have no derivative."""
    return np.where(np.abs(X) < margin, margin, X)


LAYERS = {
    "Dense": (lambda: nl.Dense(5, 4, rng=0), (6, 5)),
    "Flatten": (lambda: nl.Flatten(), (3, 2, 4)),
    "ReLU": (lambda: nl.ReLU(), (4, 5)),
    "LeakyReLU": (lambda: nl.LeakyReLU(0.1), (4, 5)),
    "Sigmoid": (lambda: nl.Sigmoid(), (4, 5)),
    "Tanh": (lambda: nl.Tanh(), (4, 5)),
    "Softmax": (lambda: nl.Softmax(), (4, 5)),
    "GELU": (lambda: nl.GELU(), (4, 5)),
    "Sequential": (lambda: nl.Sequential(nl.Dense(5, 6, rng=1), nl.Tanh(), nl.Dense(6, 3, rng=2), nl.Softmax()),
                   (4, 5)),
}


@pytest.mark.parametrize("name", list(LAYERS))
def test_layer_gradients_match_central_differences(name, rng):
    make, shape = LAYERS[name]
    layer = make()
    errors = nl.gradcheck(layer, away_from_kinks(rng.standard_normal(shape) * 2))
    expected_keys = {"input"} | {n for n, _ in layer.named_parameters()}
    assert set(errors) == expected_keys
    assert max(errors.values()) < TOLERANCE, errors


def test_dense_reports_every_parameter(rng):
    errors = nl.gradcheck(nl.Dense(3, 2, rng=0), rng.standard_normal((4, 3)))
    assert set(errors) == {"input", "W", "b"}


def test_gradcheck_leaves_gradients_zero(rng):
    layer = nl.Dense(3, 2, rng=0)
    nl.gradcheck(layer, rng.standard_normal((4, 3)))
    assert not layer.W.grad.any() and not layer.b.grad.any()


LOSSES = {
    "MSELoss": (nl.MSELoss, lambda rng: (rng.standard_normal((4, 3)), rng.standard_normal((4, 3)))),
    "CrossEntropyLoss": (nl.CrossEntropyLoss, lambda rng: (rng.standard_normal((5, 4)) * 3, rng.integers(0, 4, 5))),
    "BCEWithLogitsLoss": (nl.BCEWithLogitsLoss,
                          lambda rng: (rng.standard_normal((6, 2)) * 3, rng.integers(0, 2, (6, 2)).astype(float))),
    "BCEWithLogitsLoss-soft": (nl.BCEWithLogitsLoss, lambda rng: (rng.standard_normal(7), rng.uniform(0, 1, 7))),
}


@pytest.mark.parametrize("name", list(LOSSES))
def test_loss_gradients_match_central_differences(name, rng):
    cls, make_data = LOSSES[name]
    pred, target = make_data(rng)
    errors = nl.gradcheck(cls(), pred, target=target)
    assert set(errors) == {"input"}
    assert errors["input"] < TOLERANCE, errors


# --- broken backward passes must fail the same check ------------------------------------------------

class DenseForgetsTranspose(nl.Dense):
    """dX = dY @ W instead of dY @ W.T; the shapes only work out for a square W, the values never do."""

    def backward(self, dY, input_grad=True):
        self.W.grad += self._X.T @ dY
        self.b.grad += dY.sum(axis=0)
        return dY @ self.W.value if input_grad else None


class DenseForgetsBias(nl.Dense):
    def backward(self, dY, input_grad=True):
        self.W.grad += self._X.T @ dY
        return dY @ self.W.value.T if input_grad else None


class DenseWrongWeightGrad(nl.Dense):
    def backward(self, dY, input_grad=True):
        self.W.grad += self._X.T @ dY / len(dY)         # divides by the batch size twice
        self.b.grad += dY.sum(axis=0)
        return dY @ self.W.value.T if input_grad else None


class ReLUWrongMask(nl.ReLU):
    def backward(self, dY, input_grad=True):
        return dY * (self._Y >= 0) if input_grad else None     # lets negative inputs through


class SigmoidWrongDerivative(nl.Sigmoid):
    def backward(self, dY, input_grad=True):
        return dY * self._Y if input_grad else None            # forgets the (1 - Y)


class SoftmaxElementwise(nl.Softmax):
    def backward(self, dY, input_grad=True):
        return dY * self._Y * (1 - self._Y) if input_grad else None   # ignores the off-diagonal terms


@pytest.mark.parametrize("layer, key", [
    (DenseForgetsTranspose(4, 4, rng=0), "input"),
    (DenseForgetsBias(4, 3, rng=0), "b"),
    (DenseWrongWeightGrad(4, 3, rng=0), "W"),
    (ReLUWrongMask(), "input"),
    (SigmoidWrongDerivative(), "input"),
    (SoftmaxElementwise(), "input"),
], ids=lambda v: type(v).__name__ if not isinstance(v, str) else v)
def test_broken_backward_fails_the_check(layer, key, rng):
    X = away_from_kinks(rng.standard_normal((5, 4)))
    errors = nl.gradcheck(layer, X)
    assert errors[key] > BROKEN, errors


def test_broken_backward_fails_and_the_correct_one_passes_on_the_same_data(rng):
    X = rng.standard_normal((5, 4))
    correct = nl.gradcheck(nl.Dense(4, 4, rng=0), X)
    broken = nl.gradcheck(DenseForgetsTranspose(4, 4, rng=0), X)
    assert correct["input"] < TOLERANCE < BROKEN < broken["input"]


class MSEWrongScale(nl.MSELoss):
    def _backward(self):
        return 2.0 * self._cache                    # forgets to divide by the number of elements


class CrossEntropyForgetsOneHot(nl.CrossEntropyLoss):
    def _backward(self):
        probs, y = self._cache
        return probs / len(y)


@pytest.mark.parametrize("loss_fn, pred, target", [
    (MSEWrongScale(), np.arange(6.0).reshape(2, 3), np.zeros((2, 3))),
    (CrossEntropyForgetsOneHot(), np.arange(6.0).reshape(2, 3), np.array([0, 2])),
], ids=["mse-scale", "ce-onehot"])
def test_broken_loss_backward_fails_the_check(loss_fn, pred, target):
    assert nl.gradcheck(loss_fn, pred, target=target)["input"] > BROKEN


# --- rel_error and gradcheck's own errors --------------------------------------------------------------

def test_rel_error():
    a = np.array([1.0, 2.0, 3.0])
    assert nl.rel_error(a, a) == 0.0
    assert nl.rel_error(a, -a) == pytest.approx(1.0)
    assert nl.rel_error(np.zeros(3), np.zeros(3)) == 0.0
    assert nl.rel_error(a, a * (1 + 1e-8)) < 1e-8


def test_gradcheck_refuses_float32_layers(rng):
    with pytest.raises(nl.NNLiteError, match="needs float64 parameters.*dtype=np.float64"):
        nl.gradcheck(nl.Dense(3, 2, dtype=np.float32), rng.standard_normal((2, 3)))


def test_gradcheck_of_a_loss_needs_targets(rng):
    with pytest.raises(nl.NNLiteError, match=r"target=y"):
        nl.gradcheck(nl.MSELoss(), rng.standard_normal((2, 3)))


def test_gradcheck_refuses_other_objects(rng):
    with pytest.raises(nl.NNLiteError, match="takes a Layer or a Loss"):
        nl.gradcheck(np.tanh, rng.standard_normal((2, 3)))


def test_gradcheck_does_not_change_the_input(rng):
    X = rng.standard_normal((3, 4))
    before = X.copy()
    nl.gradcheck(nl.Dense(4, 2, rng=0), X)
    np.testing.assert_array_equal(X, before)
