"""The MNIST-1D table (Greydanus & Kobak, 2024) reproduced with nnlite.

Four models with the paper's shapes, trained the paper's way (Adam, lr 1e-2, batches of 100 taken in
order from the 4,000 training signals, test accuracy at the end), on the ordinary data and on the data
with every signal's 40 positions shuffled by one fixed permutation:

    logistic   Dense(40→10)
    mlp        Dense(40→100), ReLU, Residual(Dense(100→100), ReLU), Dense(100→10)
    cnn        3 × Conv1D with 25 channels (kernel 5, 3, 3; stride 2; padding 1), ReLU, Dense(125→10)
    gru        BiGRU(1→6+6) on the signal read as 40 steps of one number, Flatten, Dense(480→10)

and one model the paper does not have, in the same protocol (``ALL_MODELS``):

    transformer  the signal as 40 tokens of one value: Dense(1→32) at every position,
                 PositionalEmbedding(40, 32), TransformerBlock(32, 2 heads, MLP 64), LayerNorm(32),
                 MeanPool over the positions, Dense(32→10)

Training takes minutes, so the chapter shows stored results (``load_results()``, ``table()``). The
PyTorch column comes from the same models trained with PyTorch by ``python -m tools.mnist1d_pytorch``
(outside this package, which never imports torch), stored beside them (``load_pytorch()``). To retrain
and update the stored file (one BLAS thread: faster on a small machine, and runs repeat exactly):

    OPENBLAS_NUM_THREADS=1 python -m nnlite.mnist1d_table                 # 5 models x 2 rows x 3 seeds
    OPENBLAS_NUM_THREADS=1 python -m nnlite.mnist1d_table --models cnn --seeds 0 --steps 500 --no-save
"""

import argparse
import datetime
import json
import os
import platform
import time
from importlib import resources
from pathlib import Path

import numpy as np

from . import datasets
from .attention import MeanPool, PositionalEmbedding, TransformerBlock
from .conv import Conv1D
from .core import Sequential
from .errors import NNLiteError
from .layers import Dense, Flatten, ReLU
from .normalization import LayerNorm
from .losses import CrossEntropyLoss
from .optim import Adam
from .recurrent import BiGRU
from .residual import Residual
from .training import accuracy

MODELS = ("logistic", "mlp", "cnn", "gru")                 # the paper's four
ALL_MODELS = MODELS + ("transformer",)                      # and one more, trained the same way
TRANSFORMER = {"dim": 32, "num_heads": 2, "hidden": 64, "blocks": 1}

# Test accuracy in %, without and with shuffled positions, as published (the paper has no transformer).
PAPER = {"logistic": (32, 32), "mlp": (68, 68), "cnn": (94, 56), "gru": (91, 57)}

# PyTorch figures typed in before tools/mnist1d_pytorch.py existed (same shapes and protocol, 6,000 steps,
# 2-core CPU; seeds and versions not recorded). table() uses one only where the stored PyTorch runs have no
# run of that model and data set, and says so in the row ("pytorch_source_...": "typed").
PYTORCH_TYPED = {"logistic": (31.7, 31.5), "mlp": (64.3, 62.2), "cnn": (95.3, 57.7), "gru": (90.9, 52.9)}

RESULTS_FILE = "data/mnist1d_results.json"
PYTORCH_FILE = "data/mnist1d_pytorch.json"      # written by tools/mnist1d_pytorch.py


def build_model(name, rng=0, dtype=np.float32):
    """One of the paper's four models, as an nnlite Sequential. ``rng`` seeds every initial weight."""
    rng = np.random.default_rng(rng) if not isinstance(rng, np.random.Generator) else rng
    kw = dict(rng=rng, dtype=dtype)
    if name == "logistic":
        return Sequential(Dense(40, 10, **kw))
    if name == "mlp":
        return Sequential(Dense(40, 100, **kw), ReLU(),
                          Residual(Sequential(Dense(100, 100, **kw), ReLU())),
                          Dense(100, 10, **kw))
    if name == "cnn":                                      # lengths 40 -> 19 -> 10 -> 5
        return Sequential(Conv1D(1, 25, 5, stride=2, padding=1, **kw), ReLU(),
                          Conv1D(25, 25, 3, stride=2, padding=1, **kw), ReLU(),
                          Conv1D(25, 25, 3, stride=2, padding=1, **kw), ReLU(),
                          Flatten(), Dense(25 * 5, 10, **kw))
    if name == "gru":
        return Sequential(BiGRU(1, 6, **kw), Flatten(), Dense(40 * 12, 10, **kw))
    if name == "transformer":                              # (N, 40, 1) -> (N, 40, d) -> (N, d) -> (N, 10)
        d, heads, hidden = TRANSFORMER["dim"], TRANSFORMER["num_heads"], TRANSFORMER["hidden"]
        blocks = [TransformerBlock(d, heads, hidden, **kw) for _ in range(TRANSFORMER["blocks"])]
        return Sequential(Dense(1, d, **kw), PositionalEmbedding(40, d, **kw), *blocks,
                          LayerNorm(d, dtype=dtype), MeanPool(), Dense(d, 10, **kw))
    raise NNLiteError(f"Unknown model {name!r}; choose one of {', '.join(ALL_MODELS)}.")


def model_input(name, X):
    """The (N, 40) signals in the layout each model reads: (N, 40), (N, 1, 40) channels, (N, 40, 1) steps."""
    if name == "cnn":
        return X[:, None, :]
    if name in ("gru", "transformer"):
        return X[:, :, None]
    return X


def run(model_name, shuffle=False, steps=6000, seed=0, batch_size=100, lr=1e-2, dtype=np.float32,
        eval_every=500):
    """Train one model on MNIST-1D and return what the table needs.

    Args:
        model_name: "logistic", "mlp", "cnn" or "gru".  shuffle: shuffle the 40 positions (fixed permutation).
        steps: optimizer steps.  seed: seed of the initial weights.  batch_size, lr: as the paper.
        dtype: float32 (as PyTorch) or float64.  eval_every: steps between test-accuracy measurements.

    Returns:
        dict with accuracy (test, %), train_accuracy (%), train_time_s (training only, evaluation
        excluded), steps, seed, shuffle, parameters, and curve: [[step, test accuracy %], ...].
    """
    X_train, y_train, X_test, y_test = datasets.mnist1d(shuffle=shuffle)
    X_train = model_input(model_name, X_train.astype(dtype))
    X_test = model_input(model_name, X_test.astype(dtype))
    model = build_model(model_name, rng=seed, dtype=dtype)
    loss_fn = CrossEntropyLoss()
    optimizer = Adam(model.parameters(), lr=lr)

    def accuracy_percent(X, y):
        model.eval()
        logits = np.concatenate([model(X[i:i + 500]) for i in range(0, len(X), 500)])
        model.train()
        return round(100 * float(accuracy(logits, y)), 2)

    curve, train_time = [], 0.0
    for step in range(steps):
        start = (step * batch_size) % len(X_train)        # batches in order, as the paper's loop
        xb, yb = X_train[start:start + batch_size], y_train[start:start + batch_size]
        tic = time.perf_counter()
        loss_fn(model(xb), yb)
        model.backward(loss_fn.backward(), input_grad=False)
        optimizer.step()
        optimizer.zero_grad()
        train_time += time.perf_counter() - tic
        if (step + 1) % eval_every == 0 or step + 1 == steps:
            curve.append([step + 1, accuracy_percent(X_test, y_test)])
    return {"model": model_name, "shuffle": bool(shuffle), "accuracy": curve[-1][1],
            "train_accuracy": accuracy_percent(X_train, y_train), "train_time_s": round(train_time, 1),
            "steps": steps, "seed": seed, "batch_size": batch_size, "lr": lr, "dtype": np.dtype(dtype).name,
            "parameters": sum(p.size for p in model.parameters()), "date": datetime.date.today().isoformat(),
            "curve": curve}


def load_results(path=None):
    """The stored table: {"date": ..., "machine": ..., "runs": [run(...) dicts]}."""
    if path is not None:
        return json.loads(Path(path).read_text())
    return json.loads(resources.files("nnlite").joinpath(RESULTS_FILE).read_text())


def load_pytorch(path=None):
    """The PyTorch runs of the same models and protocol, written by ``python -m tools.mnist1d_pytorch``:
    {"date": ..., "torch": ..., "runs": [...]}, each run as ``run()`` returns it (without the curve)."""
    if path is not None:
        return json.loads(Path(path).read_text())
    stored = resources.files("nnlite").joinpath(PYTORCH_FILE)
    return json.loads(stored.read_text()) if stored.is_file() else {"runs": []}


def _mean(values):
    return round(float(np.mean(values)), 1) if values else None


def table(results=None, models=MODELS, pytorch=None):
    """One row per model: the paper's, PyTorch's and nnlite's test accuracy (means over the stored seeds,
    with min and max) and nnlite's mean training time, for the normal and the shuffled data. PyTorch's
    figure is the mean of the stored PyTorch runs (``pytorch_source_*`` "runs"), or, for a model and data
    set with none, the figure typed in before (``PYTORCH_TYPED``, source "typed").

    Args:
        results: nnlite's runs (default: ``load_results()``).  models: the rows; the paper's four by
            default, ``ALL_MODELS`` adds the transformer (its paper figures are None).
        pytorch: PyTorch's runs (default: ``load_pytorch()``).
    """
    runs = (results or load_results())["runs"]
    torch_runs = (pytorch or load_pytorch())["runs"]
    rows = []
    for name in models:
        row = {"model": name}
        for shuffle, key in ((False, "normal"), (True, "shuffled")):
            mine = [r for r in runs if r["model"] == name and r["shuffle"] == shuffle]
            theirs = [r["accuracy"] for r in torch_runs if r["model"] == name and r["shuffle"] == shuffle]
            accuracies = [r["accuracy"] for r in mine]
            row[f"paper_{key}"] = PAPER[name][shuffle] if name in PAPER else None
            typed = PYTORCH_TYPED[name][shuffle] if name in PYTORCH_TYPED else None
            row[f"pytorch_{key}"] = _mean(theirs) if theirs else typed
            row[f"pytorch_range_{key}"] = (min(theirs), max(theirs)) if theirs else None
            row[f"pytorch_seeds_{key}"] = len(theirs)
            row[f"pytorch_source_{key}"] = "runs" if theirs else ("typed" if typed is not None else None)
            row[f"nnlite_{key}"] = _mean(accuracies)
            row[f"range_{key}"] = (min(accuracies), max(accuracies)) if mine else None
            row[f"train_{key}"] = _mean([r["train_accuracy"] for r in mine])
            row[f"time_{key}"] = _mean([r["train_time_s"] for r in mine])
            row[f"seeds_{key}"] = len(mine)
        rows.append(row)
    return rows


NAMES = {"logistic": "Logistic regression", "mlp": "MLP", "cnn": "CNN", "gru": "GRU (bidirectional)",
         "transformer": "Transformer (1 block)"}


def markdown_table(rows):
    """The rows of ``table()`` as a Markdown table, one line per model and data set: the paper's,
    PyTorch's and nnlite's test accuracy in %, nnlite's range over seeds and its training time per run.
    A PyTorch figure typed in rather than taken from stored runs carries a †, explained below the table."""
    lines = ["| Model | Data | Paper | PyTorch | nnlite | nnlite range (seeds) | nnlite time per run |",
             "|:--|:--|--:|--:|--:|--:|--:|"]
    for r in rows:
        for key in ("normal", "shuffled"):
            low, high = r[f"range_{key}"] or ("–", "–")
            model = NAMES[r["model"]] if key == "normal" else ""
            paper = "–" if r[f"paper_{key}"] is None else r[f"paper_{key}"]
            torch = "–" if r[f"pytorch_{key}"] is None else r[f"pytorch_{key}"]
            torch = f"{torch}†" if r.get(f"pytorch_source_{key}") == "typed" else torch
            lines.append(f"| {model} | {key} | {paper} | {torch} "
                         f"| **{r[f'nnlite_{key}']}** | {low}–{high} ({r[f'seeds_{key}']}) "
                         f"| {'–' if r[f'time_{key}'] is None else format(r[f'time_{key}'], '.0f')} s |")
    if any(r.get(f"pytorch_source_{key}") == "typed" for r in rows for key in ("normal", "shuffled")):
        lines += ["", "† PyTorch figure given with the course, not yet re-run by `python -m tools.mnist1d_pytorch`."]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m nnlite.mnist1d_table", description=__doc__.split("\n")[0])
    parser.add_argument("--models", nargs="+", default=list(ALL_MODELS), choices=ALL_MODELS)
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--steps", type=int, default=6000)
    parser.add_argument("--out", default=None, help="the JSON file to update (default: nnlite's data folder)")
    parser.add_argument("--no-save", action="store_true", help="print only")
    args = parser.parse_args(argv)
    runs = []
    for name in args.models:
        for shuffle in (False, True):
            for seed in args.seeds:
                result = run(name, shuffle=shuffle, steps=args.steps, seed=seed)
                runs.append(result)
                print(f"{name:11s} shuffled={str(shuffle):5s} seed {seed}  "
                      f"test accuracy {result['accuracy']:5.1f} %  "
                      f"train {result['train_accuracy']:5.1f} %  {result['train_time_s']:6.1f} s", flush=True)
    if args.no_save:
        return runs
    out = Path(args.out) if args.out else Path(__file__).parent / RESULTS_FILE
    old = load_results(out)["runs"] if out.exists() else []
    replaced = {(r["model"], r["shuffle"], r["seed"]) for r in runs}
    kept = [r for r in old if (r["model"], r["shuffle"], r["seed"]) not in replaced]
    results = {"date": datetime.date.today().isoformat(), "numpy": np.__version__,
               "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
               "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS", "default"),
               "runs": sorted(kept + runs, key=lambda r: (ALL_MODELS.index(r["model"]), r["shuffle"], r["seed"]))}
    out.write_text(json.dumps(results, indent=1) + "\n")
    print(f"wrote {out}")
    return runs


if __name__ == "__main__":
    main()
