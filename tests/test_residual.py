"""Residual and ResidualBlock: Y = X + inner(X), gradients through both paths, delegation."""

import numpy as np
import pytest

import nnlite as nl


def test_residual_gradcheck(rng):
    block = nl.Residual(nl.Sequential(nl.Dense(5, 5, rng=0), nl.Tanh(), nl.Dense(5, 5, rng=1)))
    errors = nl.gradcheck(block, rng.standard_normal((4, 5)))
    assert set(errors) == {"input", "0.W", "0.b", "2.W", "2.b"}
    assert max(errors.values()) < 1e-6, errors


def test_residual_adds_the_skip_path(rng):
    inner = nl.Dense(3, 3, rng=0)
    block = nl.Residual(inner)
    X, dY = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    np.testing.assert_allclose(block(X), X + inner(X), rtol=1e-12)
    np.testing.assert_allclose(block.backward(dY), dY + dY @ inner.W.value.T, rtol=1e-12)


class SkipPathForgotten(nl.Residual):
    def backward(self, dY, input_grad=True):
        return self.inner.backward(dY, input_grad)


def test_gradcheck_catches_a_forgotten_skip_path(rng):
    errors = nl.gradcheck(SkipPathForgotten(nl.Dense(3, 3, rng=0)), rng.standard_normal((2, 3)))
    assert errors["input"] > 1e-3


def test_residual_block_is_the_mnist1d_hidden_layer(rng):
    block = nl.ResidualBlock(4, rng=0)
    dense = block.inner[0]
    X = rng.standard_normal((3, 4))
    np.testing.assert_allclose(block(X), X + np.maximum(X @ dense.W.value + dense.b.value, 0), rtol=1e-12)
    assert sum(p.size for p in block.parameters()) == 4 * 4 + 4
    assert repr(block) == "Residual(Dense(4→4), ReLU())"


def test_residual_delegates_buffers_train_and_eval():
    block = nl.Residual(nl.Sequential(nl.Dense(3, 3, rng=0), nl.BatchNorm(3), nl.Dropout(0.5)))
    assert set(block.buffers()) == {"1.running_mean", "1.running_var"}
    block.eval()
    assert not block.inner[1].training and not block.inner[2].training
    block.train()
    assert block.inner[2].training


def test_input_grad_false_still_fills_inner_gradients(rng):
    block = nl.ResidualBlock(3, rng=0)
    block(rng.standard_normal((2, 3)) + 1)
    assert block.backward(np.ones((2, 3)), input_grad=False) is None
    assert np.any(block.parameters()[0].grad != 0)


def test_residual_errors():
    with pytest.raises(nl.ShapeError, match="same shape"):
        nl.Residual(nl.Dense(3, 2))(np.ones((1, 3)))
    with pytest.raises(nl.NNLiteError, match="wraps a layer"):
        nl.Residual(lambda x: x)
    with pytest.raises(nl.ShapeError, match="Dense"):
        nl.ResidualBlock(3)(np.ones((1, 4)))


def test_float32_stays_float32(rng):
    block = nl.ResidualBlock(3, rng=0, dtype=np.float32)
    Y = block(rng.standard_normal((2, 3)).astype(np.float32))
    assert Y.dtype == block.backward(np.ones_like(Y)).dtype == np.float32
