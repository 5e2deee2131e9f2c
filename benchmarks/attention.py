"""Multi-head self-attention, forward and backward of one batch (N=32, T=40, dim=64, 4 heads, float32):
nnlite's MultiHeadAttention against PyTorch's nn.MultiheadAttention on the CPU.

Both start from the same weights, see the same input and the same upstream gradient, and compute dX and
every parameter gradient. PyTorch runs twice: returning the attention weights per head
(``need_weights=True, average_attn_weights=False``: the same work as nnlite, which keeps
``.attention``), and without them (``need_weights=False``: its fused scaled-dot-product kernel, what its
transformer layers use). A breakdown of nnlite's time says where it goes.
"""

import time

import numpy as np

import nnlite as nl

from common import best_ratio, paired_ratio, ratio_interval, run_rounds, summary

SHAPE = {"batch": 32, "tokens": 40, "dim": 64, "heads": 4}


def nnlite_pass(layer, X, G):
    layer(X)
    dX = layer.backward(G)
    layer.zero_grad()
    return float(dX[0, 0, 0])


def torch_module(torch, layer, dtype):
    module = torch.nn.MultiheadAttention(layer.dim, layer.num_heads, batch_first=True)
    module = module.to(torch.float32 if dtype == np.float32 else torch.float64)
    with torch.no_grad():
        module.in_proj_weight.copy_(torch.from_numpy(np.concatenate([layer.W_q.value.T, layer.W_k.value.T,
                                                                     layer.W_v.value.T])))
        module.in_proj_bias.copy_(torch.from_numpy(np.concatenate([layer.b_q.value, layer.b_k.value,
                                                                   layer.b_v.value])))
        module.out_proj.weight.copy_(torch.from_numpy(layer.W_o.value.T.copy()))
        module.out_proj.bias.copy_(torch.from_numpy(layer.b_o.value.copy()))
    return module


def torch_pass(module, X, G, weights):
    X.grad = None
    Y, _ = module(X, X, X, need_weights=weights, average_attn_weights=False)
    Y.backward(G)
    module.zero_grad()
    return float(X.grad[0, 0, 0])


def breakdown(layer, X, G, repeat):
    """Median ms of nnlite's forward and backward."""
    forward, backward = [], []
    for _ in range(max(repeat, 3)):
        start = time.perf_counter()
        layer(X)
        forward.append(time.perf_counter() - start)
        start = time.perf_counter()
        layer.backward(G)
        backward.append(time.perf_counter() - start)
        layer.zero_grad()
    return {"forward_ms": float(np.median(forward)) * 1e3, "backward_ms": float(np.median(backward)) * 1e3}


def run(repeat, torch=None, torch_reason=None, shape=None, dtype=np.float32, seed=0):
    shape = dict(SHAPE, **(shape or {}))
    N, T, D, H = shape["batch"], shape["tokens"], shape["dim"], shape["heads"]
    rng = np.random.default_rng(seed)
    layer = nl.MultiHeadAttention(D, H, rng=seed, dtype=dtype)
    X = rng.standard_normal((N, T, D)).astype(dtype)
    G = rng.standard_normal((N, T, D)).astype(dtype)
    contenders = {"nnlite": lambda: nnlite_pass(layer, X, G)}
    if torch is not None:
        module = torch_module(torch, layer, dtype)
        X_t, G_t = torch.from_numpy(X).requires_grad_(True), torch.from_numpy(G)
        contenders["torch_weights"] = lambda: torch_pass(module, X_t, G_t, True)
        contenders["torch_fused"] = lambda: torch_pass(module, X_t, G_t, False)
    first = {name: fn() for name, fn in contenders.items()}       # warm-up, and the same dX
    times = run_rounds(contenders, repeat, warmup=0)
    result = {"skipped": None, "shape": shape, "dtype": np.dtype(dtype).name, "dX_00": first,
              "times": {name: summary(t) for name, t in times.items()}, "torch_skipped": torch_reason,
              "nnlite_parts": breakdown(layer, X, G, repeat)}
    for name in ("torch_weights", "torch_fused"):
        if torch is not None:
            result[f"ratio_vs_{name}"] = paired_ratio(times["nnlite"], times[name])
            result[f"best_ratio_vs_{name}"] = best_ratio(times["nnlite"], times[name])
            result[f"interval_vs_{name}"] = ratio_interval(times["nnlite"], times[name])
        else:
            result[f"ratio_vs_{name}"] = result[f"best_ratio_vs_{name}"] = result[f"interval_vs_{name}"] = None
    return result
