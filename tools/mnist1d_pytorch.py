"""The PyTorch column of the MNIST-1D table: the same five models, data and protocol as
``nnlite.mnist1d_table``, trained with PyTorch on the CPU.

    OPENBLAS_NUM_THREADS=1 python -m tools.mnist1d_pytorch                     # 5 models x 2 rows x 3 seeds
    python -m tools.mnist1d_pytorch --models transformer --seeds 0 --steps 500 --no-save

The shapes are those of ``nnlite.mnist1d_table.build_model`` (the parameter counts are checked against
it); each model starts from PyTorch's own initialisation, seeded by ``torch.manual_seed(seed)``; the data
are ``nnlite.datasets.mnist1d`` (normal and shuffled); training is the paper's: Adam at learning rate
0.01, batches of 100 taken in order, test accuracy at the end, float32, one thread. The results go to
``nnlite/data/mnist1d_pytorch.json``, which ``nnlite.mnist1d_table.table()`` reads for its PyTorch
column. PyTorch is needed here only: the nnlite package never imports it.
"""

import argparse
import datetime
import json
import os
import platform
import time
from pathlib import Path

import numpy as np

from nnlite import datasets, mnist1d_table

OUT = Path(mnist1d_table.__file__).parent / mnist1d_table.PYTORCH_FILE


def build_model(name):
    """The PyTorch twin of ``mnist1d_table.build_model(name)``: same layers, same shapes."""
    import torch
    from torch import nn

    class Residual(nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, x):
            return x + self.inner(x)

    class BiGRUFlat(nn.Module):                    # (N, 40, 1) -> (N, 40, 12) -> (N, 480)
        def __init__(self):
            super().__init__()
            self.gru = nn.GRU(1, 6, batch_first=True, bidirectional=True)

        def forward(self, x):
            return self.gru(x)[0].flatten(1)

    class Transformer(nn.Module):                  # (N, 40, 1) -> (N, 40, d) -> (N, d) -> (N, 10)
        def __init__(self, dim, num_heads, hidden, blocks):
            super().__init__()
            self.embed = nn.Linear(1, dim)
            self.positions = nn.Parameter(torch.randn(40, dim) * 0.02)
            gelu = lambda x: nn.functional.gelu(x, approximate="tanh")
            self.blocks = nn.Sequential(*[nn.TransformerEncoderLayer(dim, num_heads, hidden, dropout=0.0,
                                                                     activation=gelu, norm_first=True,
                                                                     batch_first=True)
                                          for _ in range(blocks)])
            self.norm = nn.LayerNorm(dim)
            self.head = nn.Linear(dim, 10)

        def forward(self, x):
            return self.head(self.norm(self.blocks(self.embed(x) + self.positions)).mean(dim=1))

    if name == "logistic":
        return nn.Linear(40, 10)
    if name == "mlp":
        return nn.Sequential(nn.Linear(40, 100), nn.ReLU(), Residual(nn.Sequential(nn.Linear(100, 100), nn.ReLU())),
                             nn.Linear(100, 10))
    if name == "cnn":
        return nn.Sequential(nn.Conv1d(1, 25, 5, stride=2, padding=1), nn.ReLU(),
                             nn.Conv1d(25, 25, 3, stride=2, padding=1), nn.ReLU(),
                             nn.Conv1d(25, 25, 3, stride=2, padding=1), nn.ReLU(),
                             nn.Flatten(), nn.Linear(125, 10))
    if name == "gru":
        return nn.Sequential(BiGRUFlat(), nn.Linear(480, 10))
    if name == "transformer":
        t = mnist1d_table.TRANSFORMER
        return Transformer(t["dim"], t["num_heads"], t["hidden"], t["blocks"])
    raise ValueError(f"Unknown model {name!r}; choose one of {', '.join(mnist1d_table.ALL_MODELS)}.")


def run(name, shuffle=False, steps=6000, seed=0, batch_size=100, lr=1e-2):
    """Train one model as ``mnist1d_table.run`` does; returns the same kind of record."""
    import torch
    torch.manual_seed(seed)
    X_train, y_train, X_test, y_test = datasets.mnist1d(shuffle=shuffle)
    as_input = lambda X: torch.tensor(mnist1d_table.model_input(name, X.astype(np.float32)))
    X_train, X_test = as_input(X_train), as_input(X_test)
    y_train, y_test = torch.tensor(y_train, dtype=torch.long), torch.tensor(y_test, dtype=torch.long)
    model = build_model(name)
    parameters = sum(p.numel() for p in model.parameters())
    expected = sum(p.size for p in mnist1d_table.build_model(name, rng=0).parameters())
    if parameters != expected:
        raise RuntimeError(f"{name}: PyTorch model has {parameters} parameters, nnlite's {expected}.")
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = torch.nn.CrossEntropyLoss()

    def accuracy_percent(X, y):
        model.eval()
        with torch.no_grad():
            right = sum(int((model(X[i:i + 500]).argmax(1) == y[i:i + 500]).sum()) for i in range(0, len(X), 500))
        model.train()
        return round(100 * right / len(X), 2)

    tic = time.perf_counter()
    for step in range(steps):
        start = (step * batch_size) % len(X_train)
        loss = loss_fn(model(X_train[start:start + batch_size]), y_train[start:start + batch_size])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    train_time = time.perf_counter() - tic
    return {"model": name, "shuffle": bool(shuffle), "accuracy": accuracy_percent(X_test, y_test),
            "train_accuracy": accuracy_percent(X_train, y_train), "train_time_s": round(train_time, 1),
            "steps": steps, "seed": seed, "batch_size": batch_size, "lr": lr, "dtype": "float32",
            "parameters": parameters, "date": datetime.date.today().isoformat()}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tools.mnist1d_pytorch", description=__doc__.split("\n")[0])
    parser.add_argument("--models", nargs="+", default=list(mnist1d_table.ALL_MODELS), choices=mnist1d_table.ALL_MODELS)
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--steps", type=int, default=6000)
    parser.add_argument("--rows", nargs="+", default=["normal", "shuffled"], choices=["normal", "shuffled"],
                        help="the data sets to train on")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", default=str(OUT), help="the JSON file to update")
    parser.add_argument("--no-save", action="store_true", help="print only")
    args = parser.parse_args(argv)
    import torch
    torch.set_num_threads(args.threads)
    out = Path(args.out)
    for name in args.models:
        for shuffle in [row == "shuffled" for row in args.rows]:
            for seed in args.seeds:
                result = run(name, shuffle=shuffle, steps=args.steps, seed=seed)
                print(f"{name:11s} shuffled={str(shuffle):5s} seed {seed}  test accuracy {result['accuracy']:5.1f} %  "
                      f"train {result['train_accuracy']:5.1f} %  {result['train_time_s']:6.1f} s", flush=True)
                if not args.no_save:                   # saved run by run: an interrupted job keeps what it did
                    old = json.loads(out.read_text())["runs"] if out.exists() else []
                    kept = [r for r in old if (r["model"], r["shuffle"], r["seed"]) != (name, shuffle, seed)]
                    order = lambda r: (mnist1d_table.ALL_MODELS.index(r["model"]), r["shuffle"], r["seed"])
                    results = {"date": datetime.date.today().isoformat(), "torch": torch.__version__,
                               "numpy": np.__version__, "threads": args.threads,
                               "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
                               "runs": sorted(kept + [result], key=order)}
                    out.write_text(json.dumps(results, indent=1) + "\n")
    if not args.no_save:
        print(f"wrote {out}")


if __name__ == "__main__":
    main()
