"""RNN, GRU and bidirectional layers against PyTorch in float64: outputs and every gradient, rtol 1e-6.

The weight mapping (documented in nnlite.recurrent): Wx = weight_ih_l0.T, Wh = weight_hh_l0.T; the GRU's
bx = bias_ih_l0, bh = bias_hh_l0 (gate order r, z, n in both); the RNN's single b = bias_ih + bias_hh.
"""

import numpy as np
import pytest

from nnlite.recurrent import GRU, RNN, BiGRU, Bidirectional

torch = pytest.importorskip("torch", reason="PyTorch is not installed: pip install torch==2.13.0")
pytestmark = pytest.mark.parity

RTOL, ATOL = 1e-6, 1e-12
SHAPES = [(3, 7, 4, 5), (1, 1, 1, 6), (5, 40, 1, 6)]   # (N, T, F, H)


def copy_into_torch(layer, module, suffix=""):
    """Copy an nnlite RNN or GRU's weights into direction ``suffix`` ("" or "_reverse") of a torch module."""
    with torch.no_grad():
        getattr(module, "weight_ih_l0" + suffix).copy_(torch.from_numpy(layer.Wx.value.T))
        getattr(module, "weight_hh_l0" + suffix).copy_(torch.from_numpy(layer.Wh.value.T))
        if isinstance(layer, GRU):
            getattr(module, "bias_ih_l0" + suffix).copy_(torch.from_numpy(layer.bx.value))
            getattr(module, "bias_hh_l0" + suffix).copy_(torch.from_numpy(layer.bh.value))
        else:   # torch's two RNN biases are redundant: put ours in one, zero the other
            getattr(module, "bias_ih_l0" + suffix).copy_(torch.from_numpy(layer.b.value))
            getattr(module, "bias_hh_l0" + suffix).zero_()


def torch_grads(layer, module, suffix=""):
    """torch's parameter gradients, named and laid out as nnlite's."""
    grad = lambda name: getattr(module, name + suffix).grad.numpy()
    grads = {"Wx": grad("weight_ih_l0").T, "Wh": grad("weight_hh_l0").T}
    if isinstance(layer, GRU):
        grads.update(bx=grad("bias_ih_l0"), bh=grad("bias_hh_l0"))
    else:
        np.testing.assert_allclose(grad("bias_ih_l0"), grad("bias_hh_l0"))
        grads["b"] = grad("bias_ih_l0")
    return grads


def run_both(layer, module, X, G):
    """Forward and backward with upstream gradient G in both libraries; return (ours, theirs)."""
    Y = layer(X)
    dX = layer.backward(G)
    X_torch = torch.from_numpy(X).requires_grad_(True)
    Y_torch, _ = module(X_torch)
    Y_torch.backward(torch.from_numpy(G))
    return (Y, dX), (Y_torch.detach().numpy(), X_torch.grad.numpy())


@pytest.mark.parametrize("N, T, F, H", SHAPES)
@pytest.mark.parametrize("cls, torch_cls", [(RNN, "RNN"), (GRU, "GRU")])
def test_single_direction(cls, torch_cls, N, T, F, H, rng):
    layer = cls(F, H, rng=0)
    module = getattr(torch.nn, torch_cls)(F, H, batch_first=True).double()
    copy_into_torch(layer, module)
    X, G = rng.standard_normal((N, T, F)), rng.standard_normal((N, T, H))
    (Y, dX), (Y_torch, dX_torch) = run_both(layer, module, X, G)
    np.testing.assert_allclose(Y, Y_torch, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(dX, dX_torch, rtol=RTOL, atol=ATOL)
    for name, expected in torch_grads(layer, module).items():
        np.testing.assert_allclose(getattr(layer, name).grad, expected, rtol=RTOL, atol=ATOL, err_msg=name)


@pytest.mark.parametrize("cls", [RNN, GRU])
def test_initial_state(cls, rng):
    layer = cls(3, 4, rng=0)
    module = getattr(torch.nn, cls.__name__)(3, 4, batch_first=True).double()
    copy_into_torch(layer, module)
    X, h0, G = rng.standard_normal((2, 6, 3)), rng.standard_normal((2, 4)), rng.standard_normal((2, 6, 4))
    Y = layer.forward(X, h0=h0)
    layer.backward(G)
    h0_torch = torch.from_numpy(h0[None]).requires_grad_(True)    # torch: (layers, N, H)
    Y_torch, _ = module(torch.from_numpy(X), h0_torch)
    Y_torch.backward(torch.from_numpy(G))
    np.testing.assert_allclose(Y, Y_torch.detach().numpy(), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(layer.dh0, h0_torch.grad.numpy()[0], rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("N, T, F, H", SHAPES)
@pytest.mark.parametrize("kind", ["GRU", "RNN"])
def test_bidirectional(kind, N, T, F, H, rng):
    if kind == "GRU":
        layer = BiGRU(F, H, rng=0)
    else:
        layer = Bidirectional(RNN(F, H, rng=0), RNN(F, H, rng=1))
    module = getattr(torch.nn, kind)(F, H, batch_first=True, bidirectional=True).double()
    copy_into_torch(layer.forward_layer, module)
    copy_into_torch(layer.reverse_layer, module, "_reverse")
    X, G = rng.standard_normal((N, T, F)), rng.standard_normal((N, T, 2 * H))
    (Y, dX), (Y_torch, dX_torch) = run_both(layer, module, X, G)
    np.testing.assert_allclose(Y, Y_torch, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(dX, dX_torch, rtol=RTOL, atol=ATOL)
    for direction, suffix in ((layer.forward_layer, ""), (layer.reverse_layer, "_reverse")):
        for name, expected in torch_grads(direction, module, suffix).items():
            np.testing.assert_allclose(getattr(direction, name).grad, expected, rtol=RTOL, atol=ATOL,
                                       err_msg=f"{suffix or 'forward'} {name}")


@pytest.mark.parametrize("F, H", [(1, 6), (4, 5)])
def test_parameter_counts_match_torch(F, H):
    """The GRU has exactly torch's parameters; the RNN has one bias where torch has two redundant ones."""
    gru_torch = torch.nn.GRU(F, H, bidirectional=True)
    assert sum(p.size for p in BiGRU(F, H).parameters()) == sum(p.numel() for p in gru_torch.parameters())
    rnn_torch = torch.nn.RNN(F, H)
    assert sum(p.size for p in RNN(F, H).parameters()) == sum(p.numel() for p in rnn_torch.parameters()) - H
