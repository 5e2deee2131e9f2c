"""Peak memory of one training epoch of the MLP 784-128-10 on n random float32 examples, batch 128.

Each framework runs in a fresh subprocess (``python benchmarks/peak_memory.py nnlite 60000``) so
that the peaks do not mix. Two measures:

- ``peak_rss_mb``: the process's maximum resident set size (Linux's VmHWM), everything
  included (the interpreter, the libraries, the data); ``rss_before_training_mb`` is the same
  high-water mark once the data exists, so the difference is what training added.
- ``traced_peak_mb``: tracemalloc's peak during training, which sees numpy's arrays (not PyTorch's)
  and counts only what training allocated beyond the data.
"""

import json
import os
import resource
import subprocess
import sys
import tracemalloc

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def max_rss_mb():
    """The peak resident set size of this process so far, in MB.

    Linux's VmHWM, which starts afresh in a new program; ``getrusage``'s ru_maxrss (the fallback) keeps
    the peak of the parent process it was forked from, which would hide ours.
    """
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024                # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024   # kB on Linux


def train_one_epoch(framework, X, y, batch_size=128):
    import mlp
    import nnlite as nl
    model = mlp.nnlite_model(np.float32)
    if framework == "nnlite":
        nl.fit(model, nl.CrossEntropyLoss(), nl.SGD(model.parameters(), lr=mlp.LR["sgd"]), X, y,
               epochs=1, batch_size=batch_size, progress=False)
        return
    if framework == "numpy":
        params = [p.value.copy() for p in model.parameters()]
        mlp.numpy_epoch(params, mlp.NumpySGD(params, mlp.LR["sgd"]), X, y, 0, batch_size, input_grad=False)
    else:
        import torch
        net, opt = mlp.torch_setup(torch, model, np.float32, "sgd")
        mlp.torch_epoch(torch, net, opt, torch.from_numpy(X), torch.from_numpy(y), 0, batch_size)


def measure(framework, n):
    """Run in this process: make the data, train one epoch, return the figures."""
    sys.path.insert(0, HERE)
    import common
    threads = int(os.environ.get("BENCH_THREADS", common.blas_threads()))
    common.limit_blas_threads(threads)
    if framework == "torch":
        import torch  # imported before the baseline so that its libraries count as before training
        torch.set_num_threads(threads)
    import nnlite  # noqa: F401  (the same for nnlite)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, 784), dtype=np.float32)
    y = rng.integers(0, 10, size=n)
    before = max_rss_mb()
    tracemalloc.start()
    train_one_epoch(framework, X, y)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"framework": framework, "examples": n, "data_mb": X.nbytes / 2**20,
            "rss_before_training_mb": before, "peak_rss_mb": max_rss_mb(),
            "traced_peak_mb": traced_peak / 2**20 if framework != "torch" else None}


def run(n, frameworks, threads):
    """Measure every framework in its own subprocess; {framework: figures or {"error": ...}}."""
    results = {}
    env = dict(os.environ, BENCH_THREADS=str(threads))
    for framework in frameworks:
        proc = subprocess.run([sys.executable, os.path.abspath(__file__), framework, str(n)],
                              capture_output=True, text=True, env=env)
        if proc.returncode != 0:
            results[framework] = {"error": proc.stderr.strip().splitlines()[-1:] or ["failed"]}
        else:
            results[framework] = json.loads(proc.stdout.strip().splitlines()[-1])
    return results


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1], int(sys.argv[2]))))
