"""Weight decay (SGD, Adam, AdamW) and gradient clipping (clip_grad_norm, fit(clip=...)): PyTorch parity
in float64, and the errors a slip gets."""

import math

import numpy as np
import pytest

import nnlite as nl


@pytest.fixture
def torch():
    return pytest.importorskip("torch", reason="PyTorch is needed for parity tests: pip install torch==2.13.0")


def run_both(torch, make_ours, make_theirs, rng, steps=6):
    W0 = rng.normal(size=(4, 3))
    ours = nl.Parameter(W0.copy(), "W")
    theirs = torch.tensor(W0.copy(), dtype=torch.float64, requires_grad=True)
    opt_ours, opt_theirs = make_ours([ours]), make_theirs([theirs])
    for _ in range(steps):
        g = rng.normal(size=W0.shape)
        ours.grad[...] = g
        theirs.grad = torch.tensor(g.copy(), dtype=torch.float64)
        opt_ours.step()
        opt_theirs.step()
    return ours.value, theirs.detach().numpy()


OPTIMIZERS = {
    "SGD+wd": (lambda ps: nl.SGD(ps, lr=0.1, weight_decay=0.05), "SGD", dict(lr=0.1, weight_decay=0.05)),
    "SGD+momentum+wd": (lambda ps: nl.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.01), "SGD",
                        dict(lr=0.1, momentum=0.9, weight_decay=0.01)),
    "Adam+wd": (lambda ps: nl.Adam(ps, lr=0.01, weight_decay=0.1), "Adam", dict(lr=0.01, weight_decay=0.1)),
    "AdamW default": (lambda ps: nl.AdamW(ps, lr=0.01), "AdamW", dict(lr=0.01)),
    "AdamW wd 0.3": (lambda ps: nl.AdamW(ps, lr=0.05, weight_decay=0.3), "AdamW", dict(lr=0.05, weight_decay=0.3)),
}


@pytest.mark.parity
@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_weight_decay_matches_pytorch(torch, rng, name):
    ours, cls, kwargs = OPTIMIZERS[name]
    mine, theirs = run_both(torch, ours, lambda ps: getattr(torch.optim, cls)(ps, **kwargs), rng)
    np.testing.assert_allclose(mine, theirs, rtol=1e-6, atol=1e-12)


@pytest.mark.parity
@pytest.mark.parametrize("max_norm", [0.5, 1.0, 100.0])
def test_clip_grad_norm_matches_pytorch(torch, rng, max_norm):
    params = [nl.Parameter(rng.normal(size=(3, 2)), "a"), nl.Parameter(rng.normal(size=4), "b")]
    for p in params:
        p.grad[...] = 3 * rng.normal(size=p.shape)
    tensors = [torch.tensor(p.value.copy(), requires_grad=True) for p in params]
    for p, t in zip(params, tensors):
        t.grad = torch.tensor(p.grad.copy())
    norm = nl.clip_grad_norm(params, max_norm)
    assert norm == pytest.approx(float(torch.nn.utils.clip_grad_norm_(tensors, max_norm)), rel=1e-12)
    for p, t in zip(params, tensors):
        np.testing.assert_allclose(p.grad, t.grad.numpy(), rtol=1e-12)


def test_default_weight_decay_changes_nothing(rng):
    a, b = nl.Parameter(rng.normal(size=5), "a"), None
    b = nl.Parameter(a.value.copy(), "b")
    g = rng.normal(size=5)
    a.grad[...], b.grad[...] = g, g
    nl.Adam([a]).step()
    nl.Adam([b], weight_decay=0.0).step()
    np.testing.assert_array_equal(a.value, b.value)
    assert nl.AdamW([nl.Parameter(np.ones(2), "w")]).weight_decay == 0.01, "PyTorch's default"


def test_adamw_shrinks_weights_when_the_gradient_is_zero():
    w = nl.Parameter(np.full(3, 2.0), "w")
    nl.AdamW([w], lr=0.1, weight_decay=0.5).step()
    np.testing.assert_allclose(w.value, 2.0 * (1 - 0.1 * 0.5))


def test_clipping_keeps_the_direction_and_caps_the_length(rng):
    p = nl.Parameter(np.zeros(4), "p")
    p.grad[...] = [3.0, 4.0, 0.0, 0.0]
    assert nl.clip_grad_norm([p], 1.0) == 5.0
    np.testing.assert_allclose(p.grad, np.array([3.0, 4.0, 0, 0]) / (5 + 1e-6))
    q = nl.Parameter(np.zeros(2), "q")
    q.grad[...] = [0.3, 0.4]
    nl.clip_grad_norm([q], 1.0)
    np.testing.assert_array_equal(q.grad, [0.3, 0.4]), "under the limit nothing changes"


def test_fit_with_clip_caps_every_step():
    X, y = nl.datasets.moons(100, seed=0)
    model = nl.Sequential(nl.Dense(2, 8, rng=0), nl.ReLU(), nl.Dense(8, 2, rng=1))
    before = [p.value.copy() for p in model.parameters()]
    nl.fit(model, nl.CrossEntropyLoss(), nl.SGD(model.parameters(), lr=1.0), X, y, epochs=1, batch_size=100,
           progress=False, clip=1e-3)
    moved = math.sqrt(sum(float(np.sum((p.value - b) ** 2)) for p, b in zip(model.parameters(), before)))
    assert moved <= 1.0 * 1e-3 + 1e-12, "one step of lr 1 with gradients clipped to norm 1e-3"
    assert moved > 0


@pytest.mark.parametrize("bad", [0, -1.0, float("nan"), "1", True])
def test_bad_limits_and_decays_say_what_to_pass(bad):
    p = nl.Parameter(np.zeros(2), "p")
    with pytest.raises(nl.NNLiteError, match="max_norm must be a positive number"):
        nl.clip_grad_norm([p], bad)
    X, y = nl.datasets.moons(20, seed=0)
    model = nl.Sequential(nl.Dense(2, 2, rng=0))
    with pytest.raises(nl.NNLiteError, match="clip must be None or a positive max norm"):
        nl.fit(model, nl.CrossEntropyLoss(), nl.SGD(model.parameters(), lr=0.1), X, y, progress=False, clip=bad)
    if bad != 0:
        for make in (nl.SGD, nl.Adam, nl.AdamW):
            with pytest.raises(nl.NNLiteError, match="weight_decay must be a number of 0 or more"):
                make([nl.Parameter(np.zeros(2), "w")], lr=0.1, weight_decay=bad)


def test_clipping_a_nan_gradient_is_refused():
    p = nl.Parameter(np.zeros(2), "p")
    p.grad[0] = np.nan
    with pytest.raises(nl.NNLiteError, match="NaN or infinity"):
        nl.clip_grad_norm([p], 1.0)
