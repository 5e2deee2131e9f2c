"""PyTorch parity, float64, rtol 1e-6: Conv1D/2D, pooling, BatchNorm (both modes), LayerNorm, Dropout (eval).

Each test runs the same computation in nnlite and in PyTorch with the same weights and compares the
outputs and every gradient. Skipped with a reason when PyTorch is not installed.
"""

import numpy as np
import pytest

import nnlite as nl

pytestmark = pytest.mark.parity
torch = pytest.importorskip("torch", reason="PyTorch is not installed: pip install torch==2.13.0")

RTOL, ATOL = 1e-6, 1e-10


def t(array, grad=False):
    return torch.tensor(array, dtype=torch.float64, requires_grad=grad)


def close(ours, theirs):
    np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=RTOL, atol=ATOL)


def run_both(layer, module, X, seed=0):
    """Forward and backward of the same upstream gradient through both; returns (dX, X_torch)."""
    layer.zero_grad()
    Y = layer(X)                       # one forward only: in training BatchNorm updates its running stats
    G = np.random.default_rng(seed).standard_normal(Y.shape)
    dX = layer.backward(G)
    Xt = t(X, grad=True)
    Yt = module(Xt)
    Yt.backward(t(G))
    close(Y, Yt)
    close(dX, Xt.grad)
    return dX


@pytest.mark.parametrize("kernel, stride, padding", [(3, 1, 0), (3, 2, 1), (5, 3, 2), (1, 1, 0)])
def test_conv1d_parity(kernel, stride, padding):
    layer = nl.Conv1D(3, 4, kernel, stride=stride, padding=padding, rng=0)
    module = torch.nn.Conv1d(3, 4, kernel, stride=stride, padding=padding).double()
    with torch.no_grad():
        module.weight.copy_(t(layer.W.value))
        module.bias.copy_(t(layer.b.value))
    run_both(layer, module, np.random.default_rng(1).standard_normal((2, 3, 11)))
    close(layer.W.grad, module.weight.grad)
    close(layer.b.grad, module.bias.grad)


@pytest.mark.parametrize("kernel, stride, padding", [(3, 1, 0), (3, 2, 1), ((2, 3), (2, 1), (1, 2)), (4, 3, 0)])
def test_conv2d_parity(kernel, stride, padding):
    layer = nl.Conv2D(2, 5, kernel, stride=stride, padding=padding, rng=0)
    module = torch.nn.Conv2d(2, 5, kernel, stride=stride, padding=padding).double()
    with torch.no_grad():
        module.weight.copy_(t(layer.W.value))
        module.bias.copy_(t(layer.b.value))
    run_both(layer, module, np.random.default_rng(1).standard_normal((3, 2, 9, 8)))
    close(layer.W.grad, module.weight.grad)
    close(layer.b.grad, module.bias.grad)


def test_conv_default_init_has_pytorch_bounds():
    layer, module = nl.Conv2D(3, 8, 3, rng=0), torch.nn.Conv2d(3, 8, 3)
    bound = float(module.weight.detach().abs().max())
    assert np.abs(layer.W.value).max() <= 1 / np.sqrt(27) and bound <= 1 / np.sqrt(27)


POOLS = [
    (lambda: nl.MaxPool1D(2), lambda: torch.nn.MaxPool1d(2), (2, 3, 9)),
    (lambda: nl.MaxPool1D(3, 2), lambda: torch.nn.MaxPool1d(3, 2), (2, 3, 9)),
    (lambda: nl.AvgPool1D(3, 2), lambda: torch.nn.AvgPool1d(3, 2), (2, 3, 10)),
    (lambda: nl.MaxPool2D(2), lambda: torch.nn.MaxPool2d(2), (2, 3, 7, 6)),
    (lambda: nl.MaxPool2D(3, 2), lambda: torch.nn.MaxPool2d(3, 2), (2, 3, 7, 7)),
    (lambda: nl.MaxPool2D((2, 3), (1, 2)), lambda: torch.nn.MaxPool2d((2, 3), (1, 2)), (2, 3, 5, 8)),
    (lambda: nl.AvgPool2D(2), lambda: torch.nn.AvgPool2d(2), (2, 3, 7, 6)),
    (lambda: nl.AvgPool2D((3, 2), 1), lambda: torch.nn.AvgPool2d((3, 2), 1), (2, 3, 5, 5)),
]


@pytest.mark.parametrize("make_ours, make_theirs, shape", POOLS)
@pytest.mark.parametrize("ties", [False, True])
def test_pool_parity(make_ours, make_theirs, shape, ties):
    X = np.random.default_rng(2).standard_normal(shape)
    if ties:
        X = np.round(X)          # many equal values in a window: the gradient goes to the first one
    run_both(make_ours(), make_theirs(), X)


def bn_module(shape):
    return {2: torch.nn.BatchNorm1d, 3: torch.nn.BatchNorm1d, 4: torch.nn.BatchNorm2d}[len(shape)](3).double()


@pytest.mark.parametrize("shape", [(8, 3), (4, 3, 6), (3, 3, 4, 5)])
def test_batchnorm_parity_training_steps_then_eval(shape):
    layer = nl.BatchNorm(3, momentum=0.2)
    module = bn_module(shape)
    module.momentum = 0.2
    rng = np.random.default_rng(3)
    gamma, beta = rng.uniform(0.5, 2, 3), rng.standard_normal(3)
    layer.gamma.value[...], layer.beta.value[...] = gamma, beta
    with torch.no_grad():
        module.weight.copy_(t(gamma))
        module.bias.copy_(t(beta))
    for step in range(4):                                     # several steps: running statistics accumulate
        module.zero_grad()
        run_both(layer, module, rng.normal(2.0, 3.0, shape), seed=step)
        close(layer.gamma.grad, module.weight.grad)
        close(layer.beta.grad, module.bias.grad)
        close(layer.running_mean, module.running_mean)
        close(layer.running_var, module.running_var)
    layer.eval()
    module.eval()
    module.zero_grad()
    run_both(layer, module, rng.normal(2.0, 3.0, shape), seed=9)
    close(layer.gamma.grad, module.weight.grad)
    close(layer.beta.grad, module.bias.grad)


@pytest.mark.parametrize("normalized_shape, shape", [(6, (4, 6)), (6, (2, 3, 6)), ((3, 6), (2, 3, 6))])
def test_layernorm_parity(normalized_shape, shape):
    layer = nl.LayerNorm(normalized_shape)
    module = torch.nn.LayerNorm(normalized_shape).double()
    rng = np.random.default_rng(4)
    gamma, beta = rng.uniform(0.5, 2, layer.gamma.shape), rng.standard_normal(layer.beta.shape)
    layer.gamma.value[...], layer.beta.value[...] = gamma, beta
    with torch.no_grad():
        module.weight.copy_(t(gamma))
        module.bias.copy_(t(beta))
    run_both(layer, module, rng.normal(1.0, 2.0, shape))
    close(layer.gamma.grad, module.weight.grad)
    close(layer.beta.grad, module.bias.grad)


def test_dropout_eval_parity_and_training_statistics():
    X = np.random.default_rng(5).standard_normal((50, 40))
    run_both(nl.Dropout(0.3).eval(), torch.nn.Dropout(0.3).eval(), X)
    ours = nl.Dropout(0.3, rng=0)(X)
    theirs = torch.nn.Dropout(0.3)(t(X)).numpy()              # masks differ; the rule is the same
    for Y in (ours, theirs):
        kept = Y != 0
        np.testing.assert_allclose(Y[kept], X[kept] / 0.7, rtol=1e-12)
