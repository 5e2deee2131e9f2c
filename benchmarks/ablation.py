"""What nnlite's guarantees cost: ``fit`` with each of them switched off, against the numpy loop.

    python benchmarks/ablation.py --native-blas               # float32, SGD and Adam, 21 rounds
    python benchmarks/ablation.py --optimizers sgd --repeat 41

``fit`` does more than the hand-written loop in ``mlp.py``: it screens every layer input and the loss
input for NaN and infinity (``core._looks_finite``), and its gradients *accumulate* (``W.grad += ...``,
then ``zero_grad()``), where the loop just binds ``dW = X.T @ dY``. Here each variant of ``fit`` runs
round-robin with the numpy loop, with the screen, the accumulation or both replaced for the duration
of its own epoch only; what is left with both gone is the cost of the framework's Python (layer calls,
shape checks, label checks, bookkeeping). This is a measurement, not a way to run nnlite: the
replacements skip checks the course relies on.
"""

import argparse
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import numpy as np  # noqa: E402

import common  # noqa: E402
import mlp  # noqa: E402
import nnlite as nl  # noqa: E402
from nnlite import core, layers, optim  # noqa: E402

VARIANTS = {   # name: (accumulate gradients, screen for NaN)
    "fit": (True, True),
    "no NaN screen": (True, False),
    "no accumulation": (False, True),
    "neither": (False, False),
}


def _dense_backward_assigning(self, dY, input_grad=True):
    """Dense.backward writing its gradients instead of adding them (right only after zero_grad)."""
    X = self._X
    np.matmul(X.T, dY, out=self.W.grad)
    np.sum(dY, axis=0, out=self.b.grad)
    return dY @ self.W.value.T if input_grad else None


def fit_variant(accumulate, screen, model, loss_fn, optimizer, X, y, batch_size, seed):
    """One epoch of ``fit`` with the chosen guarantees replaced, restored afterwards whatever happens."""
    saved = layers.Dense.backward, optim.Optimizer.zero_grad, core._looks_finite
    if not accumulate:
        layers.Dense.backward = _dense_backward_assigning
        optim.Optimizer.zero_grad = lambda self: None
    if not screen:
        core._looks_finite = lambda X: True
    try:
        nl.fit(model, loss_fn, optimizer, X, y, epochs=1, batch_size=batch_size, seed=seed, progress=False)
    finally:
        layers.Dense.backward, optim.Optimizer.zero_grad, core._looks_finite = saved


def run(optimizer_name, n=8192, batch_size=128, repeat=21, dtype=np.float32, seed=0):
    """{variant: {"median_ms", "ratio_vs_numpy"}} plus the numpy loop's median, for one optimizer."""
    X, y = mlp.make_data(n, dtype, seed)
    contenders = {}
    for name, (accumulate, screen) in VARIANTS.items():
        model = mlp.nnlite_model(dtype, seed)
        loss_fn, opt = nl.CrossEntropyLoss(), mlp.nnlite_optimizer(optimizer_name, model.parameters())
        contenders[name] = (lambda a=accumulate, s=screen, m=model, lf=loss_fn, o=opt:
                            fit_variant(a, s, m, lf, o, X, y, batch_size, seed))
    params = [p.value.copy() for p in mlp.nnlite_model(dtype, seed).parameters()]
    numpy_opt = mlp.numpy_optimizer(optimizer_name, params)
    contenders["numpy"] = lambda: mlp.numpy_epoch(params, numpy_opt, X, y, seed, batch_size, input_grad=False)
    times = common.run_rounds(contenders, repeat)
    result = {name: {"median_ms": statistics.median(times[name]) * 1e3,
                     "ratio_vs_numpy": common.paired_ratio(times[name], times["numpy"])} for name in VARIANTS}
    result["numpy"] = {"median_ms": statistics.median(times["numpy"]) * 1e3}
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--optimizers", nargs="+", default=["sgd", "adam"], choices=["sgd", "adam"])
    parser.add_argument("--repeat", type=int, default=21)
    parser.add_argument("--examples", type=int, default=8192)
    parser.add_argument("--native-blas", action="store_true", help="as in run.py")
    args = parser.parse_args(argv)
    if args.native_blas:
        common.restart_without_blas_overrides(__file__, sys.argv[1:] if argv is None else argv)
    print(f"OpenBLAS kernel {common.blas_kernel()}, {common.blas_threads()} threads; float32, "
          f"{args.examples} examples, batch 128, {args.repeat} rounds; medians")
    for name in args.optimizers:
        result = run(name, n=args.examples, repeat=args.repeat)
        print(f"\n  {name}: numpy loop {result['numpy']['median_ms']:.1f} ms")
        for variant in VARIANTS:
            r = result[variant]
            print(f"    {variant:16} {r['median_ms']:6.1f} ms   / numpy loop {r['ratio_vs_numpy']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
