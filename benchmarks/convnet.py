"""A small conv net, Conv2D(1→8, 3×3) - ReLU - MaxPool2D(2) - Flatten - Dense(1352→10), on 1×28×28 images:
one forward and backward pass (with the loss) of a batch, nnlite against PyTorch CPU.

Both start from the same weights and see the same batch. The input needs no gradient (as in ``fit``).
A per-layer breakdown of nnlite's time says which layer limits it.
"""

import time

import numpy as np

import nnlite as nl

from common import best_ratio, paired_ratio, ratio_interval, run_rounds, summary

IMAGE = (1, 28, 28)
FILTERS, KERNEL, POOL, CLASSES = 8, 3, 2, 10


def available():
    """None if nnlite has the conv layers, else the reason to skip."""
    missing = [name for name in ("Conv2D", "MaxPool2D", "Flatten") if not hasattr(nl, name)]
    return f"nnlite has no {', '.join(missing)} yet" if missing else None


def flat_features():
    side = (IMAGE[1] - KERNEL + 1) // POOL
    return FILTERS * side * side


def nnlite_model(dtype, seed=0):
    return nl.Sequential(nl.Conv2D(IMAGE[0], FILTERS, KERNEL, rng=seed, dtype=dtype), nl.ReLU(),
                         nl.MaxPool2D(POOL), nl.Flatten(),
                         nl.Dense(flat_features(), CLASSES, rng=seed + 1, dtype=dtype))


def torch_model(torch, model, dtype):
    net = torch.nn.Sequential(torch.nn.Conv2d(IMAGE[0], FILTERS, KERNEL), torch.nn.ReLU(),
                              torch.nn.MaxPool2d(POOL), torch.nn.Flatten(),
                              torch.nn.Linear(flat_features(), CLASSES))
    net = net.to(torch.float32 if dtype == np.float32 else torch.float64)
    conv, dense = model[0], model[4]
    with torch.no_grad():
        net[0].weight.copy_(torch.from_numpy(conv.W.value.copy()))
        net[0].bias.copy_(torch.from_numpy(conv.b.value.copy()))
        net[4].weight.copy_(torch.from_numpy(dense.W.value.T.copy()))
        net[4].bias.copy_(torch.from_numpy(dense.b.value.copy()))
    return net


def nnlite_pass(model, loss_fn, X, y):
    loss = loss_fn(model(X), y)
    model.backward(loss_fn.backward(), input_grad=False)
    model.zero_grad()
    return loss


def torch_pass(torch, net, X, y):
    loss = torch.nn.functional.cross_entropy(net(X), y)
    loss.backward()
    net.zero_grad()
    return loss.item()


def layer_breakdown(model, loss_fn, X, y, repeat):
    """Median ms of each layer's forward and backward in nnlite: where the time goes."""
    forward = {i: [] for i in range(len(model))}
    backward = {i: [] for i in range(len(model))}
    for _ in range(repeat):
        out = X
        for i, layer in enumerate(model):
            start = time.perf_counter()
            out = layer(out)
            forward[i].append(time.perf_counter() - start)
        loss_fn(out, y)
        dY = loss_fn.backward()
        for i in range(len(model) - 1, -1, -1):
            start = time.perf_counter()
            dY = model[i].backward(dY, input_grad=i > 0)
            backward[i].append(time.perf_counter() - start)
        model.zero_grad()
    return [{"layer": repr(layer), "forward_ms": float(np.median(forward[i])) * 1e3,
             "backward_ms": float(np.median(backward[i])) * 1e3} for i, layer in enumerate(model)]


def bench_config(dtype, batch_size, repeat, torch=None, torch_reason=None, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((batch_size,) + IMAGE).astype(dtype)
    y = rng.integers(0, CLASSES, size=batch_size)
    model, loss_fn = nnlite_model(dtype, seed), nl.CrossEntropyLoss()
    contenders = {"nnlite": lambda: nnlite_pass(model, loss_fn, X, y)}
    if torch is not None:
        net = torch_model(torch, model, dtype)
        X_t, y_t = torch.from_numpy(X), torch.from_numpy(y)
        contenders["torch"] = lambda: torch_pass(torch, net, X_t, y_t)
    losses = {name: float(fn()) for name, fn in contenders.items()}   # warm-up, and the same loss
    times = run_rounds(contenders, repeat, warmup=0)
    result = {
        "dtype": np.dtype(dtype).name, "batch_size": batch_size, "model": repr(model).replace("\n", ""),
        "times": {name: summary(t) for name, t in times.items()},
        "loss": losses,
        "ratio_nnlite_vs_torch": paired_ratio(times["nnlite"], times["torch"]) if torch is not None else None,
        "best_ratio_nnlite_vs_torch": best_ratio(times["nnlite"], times["torch"]) if torch is not None else None,
        "interval_nnlite_vs_torch": ratio_interval(times["nnlite"], times["torch"]) if torch is not None else None,
        "torch_skipped": torch_reason,
        "nnlite_layers": layer_breakdown(model, loss_fn, X, y, repeat),
    }
    return result


def run(batch_size, repeat, torch=None, torch_reason=None, dtypes=(np.float32, np.float64)):
    reason = available()
    if reason is not None:
        return {"skipped": reason, "configs": []}
    return {"skipped": None, "configs": [bench_config(dtype, batch_size, repeat, torch, torch_reason)
                                         for dtype in dtypes]}
