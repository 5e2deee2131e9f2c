"""SGD (with momentum) and Adam (nnlite.optim): updates against the formulas, dtypes, bad arguments."""

import numpy as np
import pytest

import nnlite as nl


def make_params(rng, dtype=np.float64):
    params = [nl.Parameter(rng.standard_normal((3, 2)).astype(dtype), "W"),
              nl.Parameter(rng.standard_normal(2).astype(dtype), "b")]
    return params


def set_grads(params, rng):
    for p in params:
        p.grad[...] = rng.standard_normal(p.shape)
    return [p.grad.copy() for p in params]


def test_sgd_step_is_p_minus_lr_g(rng):
    params = make_params(rng)
    before = [p.value.copy() for p in params]
    grads = set_grads(params, rng)
    nl.SGD(params, lr=0.1).step()
    for p, old, g in zip(params, before, grads):
        np.testing.assert_allclose(p.value, old - 0.1 * g, rtol=1e-12)


def test_sgd_momentum_over_steps(rng):
    params = make_params(rng)
    opt = nl.SGD(params, lr=0.05, momentum=0.9)
    expected = [p.value.copy() for p in params]
    velocity = [np.zeros_like(p.value) for p in params]
    for _ in range(4):
        grads = set_grads(params, rng)
        opt.step()
        for i, g in enumerate(grads):
            velocity[i] = 0.9 * velocity[i] + g
            expected[i] = expected[i] - 0.05 * velocity[i]
            np.testing.assert_allclose(params[i].value, expected[i], rtol=1e-12)


def test_adam_over_steps(rng):
    params = make_params(rng)
    lr, b1, b2, eps = 0.01, 0.8, 0.99, 1e-8
    opt = nl.Adam(params, lr=lr, beta1=b1, beta2=b2, eps=eps)
    expected = [p.value.copy() for p in params]
    m = [np.zeros_like(p.value) for p in params]
    v = [np.zeros_like(p.value) for p in params]
    for t in range(1, 5):
        grads = set_grads(params, rng)
        opt.step()
        for i, g in enumerate(grads):
            m[i] = b1 * m[i] + (1 - b1) * g
            v[i] = b2 * v[i] + (1 - b2) * g * g
            m_hat, v_hat = m[i] / (1 - b1 ** t), v[i] / (1 - b2 ** t)
            expected[i] = expected[i] - lr * m_hat / (np.sqrt(v_hat) + eps)
            np.testing.assert_allclose(params[i].value, expected[i], rtol=1e-10)
    assert opt.t == 4


def test_adam_first_step_moves_each_weight_by_about_lr(rng):
    params = make_params(rng)
    before = [p.value.copy() for p in params]
    set_grads(params, rng)
    nl.Adam(params, lr=1e-3).step()
    for p, old in zip(params, before):
        np.testing.assert_allclose(np.abs(p.value - old), 1e-3, rtol=1e-4)


@pytest.mark.parametrize("make", [lambda ps: nl.SGD(ps, lr=0.1), lambda ps: nl.SGD(ps, lr=0.1, momentum=0.9),
                                  lambda ps: nl.Adam(ps)], ids=["sgd", "momentum", "adam"])
def test_zero_grad_clears_every_gradient(make, rng):
    params = make_params(rng)
    opt = make(params)
    set_grads(params, rng)
    opt.zero_grad()
    assert not any(p.grad.any() for p in params)


@pytest.mark.parametrize("make", [lambda ps: nl.SGD(ps, lr=0.1), lambda ps: nl.SGD(ps, lr=0.1, momentum=0.9),
                                  lambda ps: nl.Adam(ps)], ids=["sgd", "momentum", "adam"])
def test_step_updates_in_place_and_keeps_float32(make, rng):
    params = make_params(rng, np.float32)
    arrays = [p.value for p in params]
    opt = make(params)
    for _ in range(2):
        set_grads(params, rng)
        opt.step()
    for p, array in zip(params, arrays):
        assert p.value is array and p.value.dtype == np.float32


def test_optimizer_takes_a_generator_of_parameters(rng):
    model = nl.Sequential(nl.Dense(2, 2, rng=0))
    opt = nl.SGD(iter(model.parameters()), lr=0.1)
    assert opt.params == model.parameters()


@pytest.mark.parametrize("cls", [nl.SGD, nl.Adam], ids=lambda c: c.__name__)
def test_optimizer_with_no_parameters(cls):
    with pytest.raises(nl.NNLiteError, match="got no parameters"):
        cls(nl.Sequential(nl.ReLU()).parameters(), lr=0.1)


@pytest.mark.parametrize("cls", [nl.SGD, nl.Adam], ids=lambda c: c.__name__)
@pytest.mark.parametrize("lr", [-0.1, 0, np.nan, np.inf, "0.1", None, True])
def test_optimizer_refuses_bad_learning_rate(cls, lr, rng):
    with pytest.raises(nl.NNLiteError, match="learning rate must be a positive number"):
        cls(make_params(rng), lr=lr)


@pytest.mark.parametrize("cls", [nl.SGD, nl.Adam], ids=lambda c: c.__name__)
def test_optimizer_refuses_model_instead_of_parameters(cls):
    with pytest.raises(nl.NNLiteError, match=r"Pass model\.parameters\(\)"):
        cls([np.zeros(3)], lr=0.1)


@pytest.mark.parametrize("momentum", [-0.1, 1.0, "0.9", None])
def test_sgd_refuses_bad_momentum(momentum, rng):
    with pytest.raises(nl.NNLiteError, match=r"momentum must be in \[0, 1\)"):
        nl.SGD(make_params(rng), lr=0.1, momentum=momentum)


@pytest.mark.parametrize("kwargs", [{"beta1": 1.0}, {"beta2": -0.1}, {"beta1": "0.9"}])
def test_adam_refuses_bad_betas(kwargs, rng):
    with pytest.raises(nl.NNLiteError, match=r"must be in \[0, 1\)"):
        nl.Adam(make_params(rng), **kwargs)
