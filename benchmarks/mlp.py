"""MLP 784-128-10 training: nnlite against a hand-written numpy loop and PyTorch, on the same data.

Every contender starts from the same weights (copied from one nnlite model), visits the batches in the
same order (``np.random.default_rng(seed).permutation``, as ``fit`` does), computes the same
cross-entropy loss, accuracy and gradients, and applies the same optimizer (SGD or Adam).
"""

import numpy as np

import nnlite as nl
from nnlite.losses import row_max

from common import best_ratio, paired_ratio, ratio_interval, run_rounds, summary

SIZES = (784, 128, 10)
LR = {"sgd": 0.01, "adam": 1e-3}


def make_data(n, dtype, seed=0):
    """Random inputs (n, 784) and integer labels (n,): the speed does not depend on the values."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, SIZES[0]), dtype=np.float64).astype(dtype)
    y = rng.integers(0, SIZES[-1], size=n)
    return X, y


def matmul_flops(n, input_grad):
    """Floating-point operations of the matrix products in one epoch over n examples.

    Forward X @ W1, H @ W2; backward dW2 = H.T @ dZ, dH = dZ @ W2.T, dW1 = X.T @ dH, and dX = dH @ W1.T
    when the input gradient is computed. Each product (a, b) @ (b, c) costs 2abc; elementwise work
    (bias, ReLU, softmax, optimizer) is not counted.
    """
    n_in, n_hidden, n_out = SIZES
    per_example = 2 * (3 * n_in * n_hidden + 3 * n_hidden * n_out)
    if input_grad:
        per_example += 2 * n_hidden * n_in
    return n * per_example


def nnlite_model(dtype, seed=0):
    n_in, n_hidden, n_out = SIZES
    return nl.Sequential(nl.Dense(n_in, n_hidden, rng=seed, dtype=dtype), nl.ReLU(),
                         nl.Dense(n_hidden, n_out, rng=seed + 1, dtype=dtype))


def nnlite_optimizer(name, params):
    return nl.SGD(params, lr=LR["sgd"]) if name == "sgd" else nl.Adam(params, lr=LR["adam"])


# --- hand-written numpy --------------------------------------------------------------------------

class NumpySGD:
    def __init__(self, params, lr):
        self.params, self.lr = params, lr

    def step(self, grads):
        for p, g in zip(self.params, grads):
            p -= self.lr * g


class NumpyAdam:
    """nnlite's own Adam over the loop's arrays (``Parameter`` keeps the array it is given, no copy):
    the update is the same code, so the loop differs from ``fit`` only in what surrounds it."""

    def __init__(self, params, lr):
        self.params = [nl.Parameter(p) for p in params]
        self.adam = nl.Adam(self.params, lr=lr)

    def step(self, grads):
        for p, g in zip(self.params, grads):
            p.grad = g
        self.adam.step()


def numpy_optimizer(name, params):
    return NumpySGD(params, LR["sgd"]) if name == "sgd" else NumpyAdam(params, LR["adam"])


def numpy_epoch(params, optimizer, X, y, seed, batch_size, input_grad):
    """One epoch of MLP training written directly in numpy; returns (mean loss, accuracy).

    The arithmetic is nnlite's, call for call where it matters for speed (the batch gathered with
    ``take``, the bias added in place, row maxima by ``row_max``), so that fit / numpy measures what
    the framework adds: checks, bookkeeping and gradients that accumulate.
    """
    W1, b1, W2, b2 = params
    order = np.random.default_rng(seed).permutation(len(X))   # the shuffle fit does
    total_loss, correct = 0.0, 0
    for start in range(0, len(X), batch_size):
        idx = order[start:start + batch_size]
        xb, yb = X.take(idx, axis=0), y.take(idx, axis=0)
        rows = np.arange(len(idx))
        H = xb @ W1
        H += b1
        H = np.maximum(H, 0)                          # (N, 128)
        Z = H @ W2
        Z += b2                                       # (N, 10)
        correct += int((Z.argmax(axis=1) == yb).sum())
        Z -= row_max(Z)[:, None]
        E = np.exp(Z)
        sums = E.sum(axis=1, keepdims=True)
        total_loss += float(np.mean(np.log(sums[:, 0]) - Z[rows, yb])) * len(idx)
        dZ = E / sums                                 # softmax
        dZ[rows, yb] -= 1
        dZ /= len(idx)
        dW2, db2 = H.T @ dZ, dZ.sum(axis=0)
        dH = dZ @ W2.T
        dH *= H > 0
        dW1, db1 = xb.T @ dH, dH.sum(axis=0)
        if input_grad:
            dX = dH @ W1.T                            # (N, 784), computed and dropped
        optimizer.step([dW1, db1, dW2, db2])
    return total_loss / len(X), correct / len(X)


# --- nnlite --------------------------------------------------------------------------------------

def nnlite_step_epoch(model, loss_fn, optimizer, X, y, seed, batch_size):
    """The fit loop written by hand with nnlite's public API, computing dL/dX as well."""
    order = np.random.default_rng(seed).permutation(len(X))
    total_loss, correct = 0.0, 0
    for start in range(0, len(X), batch_size):
        idx = order[start:start + batch_size]
        xb, yb = X.take(idx, axis=0), y.take(idx, axis=0)   # as fit does
        out = model(xb)
        loss = loss_fn(out, yb)
        dX = model.backward(loss_fn.backward())       # (N, 784)
        optimizer.step()
        optimizer.zero_grad()
        total_loss += loss * len(idx)
        correct += int((out.argmax(axis=1) == yb).sum())
    return total_loss / len(X), correct / len(X)


# --- PyTorch -------------------------------------------------------------------------------------

def torch_setup(torch, model, dtype, optimizer_name):
    layers = [model[0], model[2]]
    net = torch.nn.Sequential(torch.nn.Linear(*SIZES[:2]), torch.nn.ReLU(), torch.nn.Linear(*SIZES[1:]))
    net = net.to(torch.float32 if dtype == np.float32 else torch.float64)
    with torch.no_grad():
        for linear, dense in zip((net[0], net[2]), layers):
            linear.weight.copy_(torch.from_numpy(dense.W.value.T.copy()))
            linear.bias.copy_(torch.from_numpy(dense.b.value.copy()))
    if optimizer_name == "sgd":
        opt = torch.optim.SGD(net.parameters(), lr=LR["sgd"])
    else:
        opt = torch.optim.Adam(net.parameters(), lr=LR["adam"])
    return net, opt


def torch_epoch(torch, net, optimizer, X, y, seed, batch_size):
    order = torch.from_numpy(np.random.default_rng(seed).permutation(len(X)))
    total_loss, correct = 0.0, 0
    for start in range(0, len(X), batch_size):
        idx = order[start:start + batch_size]
        xb, yb = X[idx], y[idx]
        out = net(xb)
        loss = torch.nn.functional.cross_entropy(out, yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total_loss += loss.item() * len(idx)
        correct += int((out.argmax(dim=1) == yb).sum())
    return total_loss / len(X), correct / len(X)


# --- the benchmark -------------------------------------------------------------------------------

def _copy_params(model):
    return [p.value.copy() for p in model.parameters()]


def bench_config(dtype, optimizer_name, n, batch_size, repeat, torch=None, torch_reason=None, seed=0):
    """Time one epoch of each contender (fit, numpy, torch; and by-hand nnlite vs numpy with dX)."""
    X, y = make_data(n, dtype, seed)

    def fresh_nnlite():
        model = nnlite_model(dtype, seed)
        return model, nl.CrossEntropyLoss(), nnlite_optimizer(optimizer_name, model.parameters())

    fit_model, fit_loss, fit_opt = fresh_nnlite()
    step_model, step_loss, step_opt = fresh_nnlite()
    numpy_optimizers = {}
    for key in ("fit", "dX"):
        params = _copy_params(fit_model)
        numpy_optimizers[key] = (params, numpy_optimizer(optimizer_name, params))
    contenders = {
        "nnlite_fit": lambda: nl.fit(fit_model, fit_loss, fit_opt, X, y, epochs=1, batch_size=batch_size,
                                     seed=seed, progress=False),
        "numpy": lambda: numpy_epoch(*numpy_optimizers["fit"], X, y, seed, batch_size, input_grad=False),
        "nnlite_step_dX": lambda: nnlite_step_epoch(step_model, step_loss, step_opt, X, y, seed, batch_size),
        "numpy_dX": lambda: numpy_epoch(*numpy_optimizers["dX"], X, y, seed, batch_size, input_grad=True),
    }
    if torch is not None:
        net, torch_opt = torch_setup(torch, fit_model, dtype, optimizer_name)
        X_t, y_t = torch.from_numpy(X), torch.from_numpy(y)
        contenders["torch"] = lambda: torch_epoch(torch, net, torch_opt, X_t, y_t, seed, batch_size)

    agreement = _first_epoch_agreement(contenders)
    times = run_rounds(contenders, repeat, warmup=0)   # the agreement run above was the warm-up
    flops = {"no_dX": matmul_flops(n, False), "dX": matmul_flops(n, True)}
    stats = {name: summary(t) for name, t in times.items()}
    for name, s in stats.items():
        s["gflops"] = flops["dX" if name.endswith("dX") else "no_dX"] / (s["median_ms"] * 1e-3) / 1e9
    result = {
        "dtype": np.dtype(dtype).name, "optimizer": optimizer_name, "examples": n, "batch_size": batch_size,
        "matmul_gflop_per_epoch": {k: v / 1e9 for k, v in flops.items()},
        "times": stats,
        "first_epoch": agreement,
        "ratio_fit_vs_numpy": paired_ratio(times["nnlite_fit"], times["numpy"]),
        "ratio_step_dX_vs_numpy_dX": paired_ratio(times["nnlite_step_dX"], times["numpy_dX"]),
        "ratio_fit_vs_torch": None, "ratio_numpy_vs_torch": None,
        "torch_skipped": torch_reason,
    }
    if torch is not None:
        result["ratio_fit_vs_torch"] = paired_ratio(times["nnlite_fit"], times["torch"])
        result["ratio_numpy_vs_torch"] = paired_ratio(times["numpy"], times["torch"])
    result["intervals"] = {
        "fit_vs_numpy": ratio_interval(times["nnlite_fit"], times["numpy"]),
        "step_dX_vs_numpy_dX": ratio_interval(times["nnlite_step_dX"], times["numpy_dX"]),
        "fit_vs_torch": ratio_interval(times["nnlite_fit"], times["torch"]) if torch is not None else None,
        "numpy_vs_torch": ratio_interval(times["numpy"], times["torch"]) if torch is not None else None,
    }
    pairs = [("nnlite_fit", "numpy"), ("nnlite_step_dX", "numpy_dX"), ("nnlite_fit", "torch"), ("numpy", "torch")]
    result["best_ratios"] = {f"{a}/{b}": best_ratio(times[a], times[b]) for a, b in pairs if b in times}
    return result


def _first_epoch_agreement(contenders):
    """Run each contender's first epoch (the warm-up) and return its (loss, accuracy).

    The same data, order and initial weights give the same numbers up to rounding: a check that the
    contenders really do the same work.
    """
    out = {}
    for name, fn in contenders.items():
        result = fn()
        if isinstance(result, nl.History):
            result = (result.loss[0], result.accuracy[0])
        out[name] = {"loss": float(result[0]), "accuracy": float(result[1])}
    return out


def run(n, batch_size, repeat, torch=None, torch_reason=None, dtypes=(np.float32, np.float64),
        optimizers=("sgd", "adam")):
    return [bench_config(dtype, opt, n, batch_size, repeat, torch, torch_reason)
            for dtype in dtypes for opt in optimizers]
