"""PyTorch parity in float64 at rtol 1e-6: Dense, every activation, every loss, an MLP, SGD with momentum, Adam.

Each test writes the same computation in PyTorch and compares forward values and every gradient.
"""

import numpy as np
import pytest

import nnlite as nl

pytestmark = pytest.mark.parity

RTOL, ATOL = 1e-6, 1e-12


@pytest.fixture
def torch():
    # Inside a fixture, so that a missing torch skips each test (and NNLITE_STRICT=1 turns that into a failure).
    return pytest.importorskip("torch", reason="PyTorch is needed for parity tests: pip install torch==2.13.0")


def close(ours, theirs):
    np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=RTOL, atol=ATOL)


def to_torch(torch, array, grad=False):
    return torch.tensor(np.asarray(array, dtype=np.float64), dtype=torch.float64, requires_grad=grad)


def linear_like(torch, dense):
    """A torch.nn.Linear holding the same numbers as an nnlite Dense (torch keeps the weight as W.T)."""
    linear = torch.nn.Linear(dense.n_in, dense.n_out, dtype=torch.float64)
    with torch.no_grad():
        linear.weight.copy_(torch.from_numpy(dense.W.value.T.copy()))
        linear.bias.copy_(torch.from_numpy(dense.b.value.copy()))
    return linear


def test_dense_forward_and_all_gradients(torch, rng):
    dense = nl.Dense(5, 3, rng=0)
    X, dY = rng.standard_normal((7, 5)), rng.standard_normal((7, 3))
    linear = linear_like(torch, dense)
    X_t = to_torch(torch, X, grad=True)
    Y_t = linear(X_t)
    Y_t.backward(to_torch(torch, dY))

    close(dense(X), Y_t)
    dX = dense.backward(dY)
    close(dX, X_t.grad)
    close(dense.W.grad, linear.weight.grad.T)
    close(dense.b.grad, linear.bias.grad)


ACTIVATIONS = {
    "ReLU": (lambda: nl.ReLU(), lambda torch: torch.nn.ReLU()),
    "LeakyReLU": (lambda: nl.LeakyReLU(0.1), lambda torch: torch.nn.LeakyReLU(0.1)),
    "LeakyReLU-default": (lambda: nl.LeakyReLU(), lambda torch: torch.nn.LeakyReLU()),
    "Sigmoid": (lambda: nl.Sigmoid(), lambda torch: torch.nn.Sigmoid()),
    "Tanh": (lambda: nl.Tanh(), lambda torch: torch.nn.Tanh()),
    "Softmax": (lambda: nl.Softmax(), lambda torch: torch.nn.Softmax(dim=-1)),
    "GELU": (lambda: nl.GELU(), lambda torch: torch.nn.GELU(approximate="tanh")),
}


@pytest.mark.parametrize("name", list(ACTIVATIONS))
@pytest.mark.parametrize("scale", [1.0, 10.0])
def test_activation_forward_and_backward(name, scale, torch, rng):
    make_ours, make_theirs = ACTIVATIONS[name]
    layer, module = make_ours(), make_theirs(torch)
    X, dY = rng.standard_normal((4, 6)) * scale, rng.standard_normal((4, 6))
    X_t = to_torch(torch, X, grad=True)
    Y_t = module(X_t)
    Y_t.backward(to_torch(torch, dY))
    close(layer(X), Y_t)
    close(layer.backward(dY), X_t.grad)


def test_relu_gradient_at_zero_matches(torch):
    X = np.array([[-1.0, 0.0, 1.0]])
    X_t = to_torch(torch, X, grad=True)
    torch.nn.ReLU()(X_t).sum().backward()
    layer = nl.ReLU()
    layer(X)
    close(layer.backward(np.ones_like(X)), X_t.grad)


def loss_cases(rng):
    return {
        "MSELoss": (nl.MSELoss(), lambda torch: torch.nn.MSELoss(), rng.standard_normal((5, 3)),
                    rng.standard_normal((5, 3))),
        "CrossEntropyLoss": (nl.CrossEntropyLoss(), lambda torch: torch.nn.CrossEntropyLoss(),
                             rng.standard_normal((6, 4)) * 3, rng.integers(0, 4, 6)),
        "BCEWithLogitsLoss": (nl.BCEWithLogitsLoss(), lambda torch: torch.nn.BCEWithLogitsLoss(),
                              rng.standard_normal((6, 1)) * 3, rng.integers(0, 2, (6, 1)).astype(float)),
        "BCEWithLogitsLoss-soft": (nl.BCEWithLogitsLoss(), lambda torch: torch.nn.BCEWithLogitsLoss(),
                                   rng.standard_normal(8) * 3, rng.uniform(0, 1, 8)),
        "CrossEntropyLoss-huge": (nl.CrossEntropyLoss(), lambda torch: torch.nn.CrossEntropyLoss(),
                                  rng.standard_normal((3, 4)) * 1e4, rng.integers(0, 4, 3)),
        "BCEWithLogitsLoss-huge": (nl.BCEWithLogitsLoss(), lambda torch: torch.nn.BCEWithLogitsLoss(),
                                   rng.standard_normal(6) * 1e4, rng.integers(0, 2, 6).astype(float)),
    }


@pytest.mark.parametrize("name", ["MSELoss", "CrossEntropyLoss", "BCEWithLogitsLoss", "BCEWithLogitsLoss-soft",
                                  "CrossEntropyLoss-huge", "BCEWithLogitsLoss-huge"])
def test_loss_value_and_gradient(name, torch, rng):
    loss_fn, make_theirs, pred, target = loss_cases(rng)[name]
    pred_t = to_torch(torch, pred, grad=True)
    target_t = torch.from_numpy(target) if target.dtype.kind == "i" else to_torch(torch, target)
    loss_t = make_theirs(torch)(pred_t, target_t)
    loss_t.backward()
    loss = loss_fn(pred, target)
    np.testing.assert_allclose(loss, loss_t.item(), rtol=RTOL, atol=ATOL)
    close(loss_fn.backward(), pred_t.grad)


def mlp_pair(torch):
    model = nl.Sequential(nl.Dense(6, 8, rng=0), nl.Tanh(), nl.Dense(8, 5, rng=1), nl.ReLU(), nl.Dense(5, 3, rng=2))
    theirs = torch.nn.Sequential(linear_like(torch, model[0]), torch.nn.Tanh(), linear_like(torch, model[2]),
                                 torch.nn.ReLU(), linear_like(torch, model[4]))
    return model, theirs


def compare_parameters(model, theirs):
    dense_layers = [layer for layer in model if isinstance(layer, nl.Dense)]
    linears = [m for m in theirs if hasattr(m, "weight")]
    for dense, linear in zip(dense_layers, linears):
        close(dense.W.value, linear.weight.T)
        close(dense.b.value, linear.bias)


def test_sequential_mlp_end_to_end(torch, rng):
    model, theirs = mlp_pair(torch)
    X, y = rng.standard_normal((10, 6)), rng.integers(0, 3, 10)
    X_t = to_torch(torch, X, grad=True)
    loss_t = torch.nn.CrossEntropyLoss()(theirs(X_t), torch.from_numpy(y))
    loss_t.backward()

    loss_fn = nl.CrossEntropyLoss()
    loss = loss_fn(model(X), y)
    dX = model.backward(loss_fn.backward())
    np.testing.assert_allclose(loss, loss_t.item(), rtol=RTOL)
    close(dX, X_t.grad)
    linears = [m for m in theirs if hasattr(m, "weight")]
    dense_layers = [layer for layer in model if isinstance(layer, nl.Dense)]
    for dense, linear in zip(dense_layers, linears):
        close(dense.W.grad, linear.weight.grad.T)
        close(dense.b.grad, linear.bias.grad)


@pytest.mark.parametrize("name", ["SGD", "SGD-momentum", "Adam", "Adam-betas"])
def test_optimizer_steps_match(name, torch, rng):
    model, theirs = mlp_pair(torch)
    ours_opt, theirs_opt = {
        "SGD": (lambda: nl.SGD(model.parameters(), lr=0.1),
                lambda: torch.optim.SGD(theirs.parameters(), lr=0.1)),
        "SGD-momentum": (lambda: nl.SGD(model.parameters(), lr=0.1, momentum=0.9),
                         lambda: torch.optim.SGD(theirs.parameters(), lr=0.1, momentum=0.9)),
        "Adam": (lambda: nl.Adam(model.parameters(), lr=0.01),
                 lambda: torch.optim.Adam(theirs.parameters(), lr=0.01)),
        "Adam-betas": (lambda: nl.Adam(model.parameters(), lr=0.05, beta1=0.5, beta2=0.9, eps=1e-6),
                       lambda: torch.optim.Adam(theirs.parameters(), lr=0.05, betas=(0.5, 0.9), eps=1e-6)),
    }[name]
    opt, opt_t = ours_opt(), theirs_opt()
    loss_fn, loss_fn_t = nl.CrossEntropyLoss(), torch.nn.CrossEntropyLoss()
    for step in range(5):
        X, y = rng.standard_normal((8, 6)), rng.integers(0, 3, 8)   # a new batch every step
        opt_t.zero_grad()
        loss_t = loss_fn_t(theirs(to_torch(torch, X)), torch.from_numpy(y))
        loss_t.backward()
        opt_t.step()

        loss = loss_fn(model(X), y)
        model.backward(loss_fn.backward(), input_grad=False)
        opt.step()
        opt.zero_grad()

        np.testing.assert_allclose(loss, loss_t.item(), rtol=RTOL)
        compare_parameters(model, theirs)


def test_default_init_has_torch_distribution(torch):
    """Both draw W and b from U(-1/sqrt(n_in), 1/sqrt(n_in)): compare the spread over a large layer."""
    dense = nl.Dense(256, 512, rng=0)
    linear = torch.nn.Linear(256, 512, dtype=torch.float64)
    ours = np.abs(dense.W.value).max(), dense.W.value.std()
    theirs = linear.weight.abs().max().item(), linear.weight.std().item()
    np.testing.assert_allclose(ours, theirs, rtol=0.02)
