"""Helpers shared by the benchmarks: machine facts, timing, and the optional PyTorch import."""

import os
import platform
import statistics
import sys
import time

import numpy as np


def load_torch():
    """Return (torch, None) or (None, reason) when PyTorch is not installed."""
    try:
        import torch
    except ImportError as err:
        return None, f"PyTorch is not installed ({err}); install it with pip install torch==2.13.0"
    return torch, None


def blas_threads():
    """Threads the BLAS under numpy uses (threadpoolctl if available, else the CPU count)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return os.cpu_count() or 1
    for pool in threadpool_info():
        if pool["user_api"] == "blas" and "numpy" in pool["filepath"]:
            return pool["num_threads"]
    return os.cpu_count() or 1


def limit_blas_threads(threads):
    """Make numpy's BLAS use ``threads`` threads for the rest of the run (needs threadpoolctl)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        raise SystemExit("--threads needs threadpoolctl (pip install threadpoolctl), or set "
                         "OPENBLAS_NUM_THREADS before starting Python.")
    threadpool_limits(limits=threads, user_api="blas")


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_facts(torch=None):
    """CPU, cores, Python, numpy and its BLAS, PyTorch: everything needed to compare two runs."""
    facts = {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "cores_available": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "load_average_1min": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "blas": numpy_blas(),
        "blas_threads": blas_threads(),
        "threadpools": threadpools(),
        "env": {name: os.environ.get(name) for name in
                ("OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")},
        "torch": torch.__version__ if torch is not None else None,
        "torch_threads": torch.get_num_threads() if torch is not None else None,
    }
    import nnlite
    facts["nnlite"] = nnlite.__version__
    return facts


def numpy_blas():
    """Name and version of numpy's BLAS, from numpy's build configuration."""
    try:
        config = np.show_config(mode="dicts")
        blas = config["Build Dependencies"]["blas"]
        return f"{blas.get('name')} {blas.get('version')}"
    except Exception:  # older numpy: no dict mode
        return "unknown"


def threadpools():
    """threadpoolctl's view of the native thread pools (BLAS, OpenMP), or None if not installed."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return None
    keys = ("user_api", "internal_api", "prefix", "version", "num_threads", "architecture", "threading_layer")
    return [{key: pool.get(key) for key in keys if key in pool} for pool in threadpool_info()]


def summary(times):
    """Median, min, max and relative spread ((max - min) / median) of a list of seconds, in ms."""
    ms = [t * 1e3 for t in times]
    median = statistics.median(ms)
    return {"median_ms": median, "min_ms": min(ms), "max_ms": max(ms),
            "spread": (max(ms) - min(ms)) / median if median else 0.0, "times_ms": ms}


def paired_ratio(numerators, denominators):
    """Median of the per-repetition ratios: contenders timed back to back share the machine's load."""
    return statistics.median(a / b for a, b in zip(numerators, denominators))


def best_ratio(numerators, denominators):
    """Ratio of the fastest repetitions: the least disturbed by other work on a shared machine."""
    return min(numerators) / min(denominators)


# Idle BLAS and OpenMP threads spin for a while before they sleep (OpenBLAS: about 2**28 cycles,
# ~0.1 s), taking a core from whoever runs next. A pause between contenders lets them fall asleep.
PAUSE_S = 0.2   # run.py --quick sets 0


def run_rounds(contenders, repeat, warmup=1):
    """Time every contender once per round, round after round, so that load changes hit all alike.

    contenders: {name: function of no arguments}. Returns {name: [seconds, ...]} (warm-up rounds dropped).
    """
    times = {name: [] for name in contenders}
    for round_ in range(warmup + repeat):
        for name, fn in contenders.items():
            time.sleep(PAUSE_S)
            start = time.perf_counter()
            fn()
            elapsed = time.perf_counter() - start
            if round_ >= warmup:
                times[name].append(elapsed)
    return times
