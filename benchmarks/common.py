"""Helpers shared by the benchmarks: machine facts, timing, and the optional PyTorch import."""

import os
import platform
import statistics
import subprocess
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


# Set on some machines to force an older OpenBLAS kernel (or cache size) that an old build needed there;
# a current numpy runs slower under them. run.py --native-blas starts without them.
BLAS_OVERRIDES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
REMOVED_ENV = "NNLITE_BENCH_REMOVED"   # what --native-blas removed, "NAME=value;NAME=value"


def _env_without_blas_overrides():
    return {k: v for k, v in os.environ.items() if k not in BLAS_OVERRIDES}


def restart_without_blas_overrides(script, argv):
    """--native-blas: run ``script`` again, in this process, without the variables that force OpenBLAS's kernel.

    They must be gone before numpy loads OpenBLAS, so the process starts over (``os.execve``), noting
    what it removed; the results record it under machine.blas_overrides_removed.
    """
    removed = [f"{name}={os.environ[name]}" for name in BLAS_OVERRIDES if name in os.environ]
    if not removed:
        return
    env = _env_without_blas_overrides()
    env[REMOVED_ENV] = ";".join(removed)
    print("--native-blas: starting again without " + ", ".join(removed), flush=True)
    os.execve(sys.executable, [sys.executable, os.path.abspath(script), *argv], env)


def blas_kernel():
    """The kernel numpy's OpenBLAS runs (threadpoolctl's "architecture"), or None if unknown."""
    for pool in threadpools() or []:
        if pool.get("user_api") == "blas":
            return pool.get("architecture")
    return None


def native_blas_kernel():
    """The kernel OpenBLAS would pick without BLAS_OVERRIDES (asked of a fresh Python), or None."""
    env = _env_without_blas_overrides()
    code = "import numpy, threadpoolctl; print(next((p.get('architecture') for p in threadpoolctl.threadpool_info() " \
           "if p['user_api'] == 'blas'), ''))"
    try:
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None


def kernel_note(facts, code=str):
    """The OpenBLAS kernel of a run, and whether an environment variable forced it or --native-blas
    removed one; ``code`` marks up names and values (backticks in Markdown)."""
    forced = [code(f"{k}={facts['env'][k]}") for k in BLAS_OVERRIDES if facts["env"].get(k) is not None]
    if forced:
        return f"{facts['blas_kernel']}, forced by {' and '.join(forced)} (this CPU's own: {facts['blas_kernel_native']})"
    if facts["blas_overrides_removed"]:
        removed = " and ".join(code(item) for item in facts["blas_overrides_removed"])
        return f"{facts['blas_kernel']}, this CPU's own ({code('--native-blas')} removed {removed})"
    return str(facts["blas_kernel"])


def peak_share(name, row, peak):
    """An MLP contender's GFLOP/s as a share of its own library's large-matrix peak (PyTorch's for
    torch, numpy's BLAS for the rest), or None when that peak was not measured."""
    top = peak.get(f"{'torch' if name == 'torch' else 'numpy'}_{row['dtype']}")
    return row["times"][name]["gflops"] / top if top else None


def gemm_peak(torch=None, n=2048, repeat=3):
    """GFLOP/s of one large square matrix product (2n^3 operations), best of ``repeat``: the machine's
    practical peak for numpy's BLAS and for PyTorch, against which the MLP's rates can be read."""
    rates = {}
    rng = np.random.default_rng(0)
    for dtype in (np.float32, np.float64):
        A = rng.standard_normal((n, n)).astype(dtype)
        contenders = {"numpy": lambda: A @ A}
        if torch is not None:
            A_t = torch.from_numpy(A)
            contenders["torch"] = lambda: A_t @ A_t
        for name, fn in contenders.items():
            fn()   # warm-up: thread pools and buffers
            best = min(_timed(fn) for _ in range(repeat))
            rates[f"{name}_{np.dtype(dtype).name}"] = 2 * n ** 3 / best / 1e9
    return rates


def _timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def machine_facts(torch=None, gemm_n=2048):
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
                BLAS_OVERRIDES + ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")},
        "blas_kernel": blas_kernel(),
        "blas_kernel_native": None,
        "blas_overrides_removed": [item for item in os.environ.get(REMOVED_ENV, "").split(";") if item],
        "torch": torch.__version__ if torch is not None else None,
        "torch_threads": torch.get_num_threads() if torch is not None else None,
    }
    if any(name in os.environ for name in BLAS_OVERRIDES):
        facts["blas_kernel_native"] = native_blas_kernel()
    facts["gemm_n"] = gemm_n
    facts["gemm_peak_gflops"] = gemm_peak(torch, gemm_n)
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


def ratio_interval(numerators, denominators, level=0.95, resamples=2000, seed=0):
    """Bootstrap interval [low, high] of ``paired_ratio``: how far the noise of this run alone moves it.

    None with fewer than 3 repetitions. A target whose limit lies inside the interval is met or missed
    within this machine's noise; only more repetitions or a quieter machine can tell which.
    """
    ratios = np.array([a / b for a, b in zip(numerators, denominators)])
    if len(ratios) < 3:
        return None
    samples = np.random.default_rng(seed).choice(ratios, size=(resamples, len(ratios)))
    low, high = np.quantile(np.median(samples, axis=1), [(1 - level) / 2, (1 + level) / 2])
    return [float(low), float(high)]


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
