"""The benchmark harness, in its quick mode: it runs, and its results are complete and consistent.

Timings are never asserted (a shared machine makes them noisy); the structure of the results is, and so
is the fact that every contender did the same work (the same first-epoch loss).
"""

import importlib.util
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import nnlite as nl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
import report  # noqa: E402  (benchmarks/report.py: the Markdown tables of a results file)
HAS_TORCH = importlib.util.find_spec("torch") is not None
STATS_KEYS = {"median_ms", "min_ms", "max_ms", "spread", "times_ms"}
MLP_CONTENDERS = {"nnlite_fit", "numpy", "nnlite_step_dX", "numpy_dX"} | ({"torch"} if HAS_TORCH else set())
TARGETS = {"fit_vs_numpy", "step_dX_vs_numpy_dX", "fit_vs_torch", "conv_vs_torch", "attention_vs_torch", "book_build_s"}


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "results.json"
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--json", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return json.loads(out.read_text()), proc.stdout


def check_stats(stats, repeat):
    assert STATS_KEYS <= set(stats)
    assert len(stats["times_ms"]) == repeat
    assert 0 < stats["min_ms"] <= stats["median_ms"] <= stats["max_ms"]


def test_top_level_and_machine(quick_run):
    results, stdout = quick_run
    assert {"date", "quick", "settings", "machine", "mlp", "conv", "attention", "memory", "book", "targets"} <= set(results)
    assert results["quick"] is True
    machine = results["machine"]
    for key in ("cpu", "cores", "numpy", "blas", "blas_threads", "threadpools", "env", "torch", "nnlite"):
        assert key in machine
    assert {"OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"} <= set(machine["env"])
    assert machine["blas_kernel"] == next(p["architecture"] for p in machine["threadpools"] if p["user_api"] == "blas")
    peak = machine["gemm_peak_gflops"]
    assert set(peak) == {"numpy_float32", "numpy_float64"} | ({"torch_float32", "torch_float64"} if HAS_TORCH else set())
    assert all(value > 0 for value in peak.values())
    table = report.markdown(results)
    assert f"One {machine['gemm_n']}×{machine['gemm_n']} matrix product" in table and "| target | limit |" in table
    assert machine["nnlite"] == nl.__version__
    assert (machine["torch"] is not None) == HAS_TORCH
    for heading in ("Machine", "MLP 784-128-10", "Conv net", "Peak memory", "Clean book build", "Targets"):
        assert heading in stdout


def test_mlp_rows(quick_run):
    results, _ = quick_run
    repeat = results["settings"]["repeat"]
    rows = results["mlp"]
    assert {(r["dtype"], r["optimizer"]) for r in rows} == {(d, o) for d in ("float32", "float64")
                                                            for o in ("sgd", "adam")}
    for r in rows:
        assert set(r["times"]) == MLP_CONTENDERS
        for name, stats in r["times"].items():
            check_stats(stats, repeat)
            assert stats["gflops"] > 0
        for key in ("ratio_fit_vs_numpy", "ratio_step_dX_vs_numpy_dX"):
            assert r[key] > 0
        for key in ("ratio_fit_vs_torch", "ratio_numpy_vs_torch"):
            assert (r[key] is not None and r[key] > 0) if HAS_TORCH else r[key] is None
        assert (r["torch_skipped"] is None) == HAS_TORCH
        expected = {"nnlite_fit/numpy", "nnlite_step_dX/numpy_dX"} | (
            {"nnlite_fit/torch", "numpy/torch"} if HAS_TORCH else set())
        assert set(r["best_ratios"]) == expected and all(v > 0 for v in r["best_ratios"].values())
        assert r["matmul_gflop_per_epoch"]["dX"] > r["matmul_gflop_per_epoch"]["no_dX"] > 0
        assert set(r["intervals"]) == {"fit_vs_numpy", "step_dX_vs_numpy_dX", "fit_vs_torch", "numpy_vs_torch"}
        assert all(interval is None for interval in r["intervals"].values())   # one repetition: no interval


@pytest.mark.parametrize("dtype, rtol", [("float32", 1e-4), ("float64", 1e-10)])
def test_contenders_do_the_same_work(quick_run, dtype, rtol):
    """Same data, order and initial weights: every contender's first epoch gives the same loss."""
    results, _ = quick_run
    for r in (r for r in results["mlp"] if r["dtype"] == dtype):
        first = r["first_epoch"]
        reference = first["numpy"]["loss"]
        for name, values in first.items():
            tolerance = max(rtol, 1e-5) if name == "torch" else rtol
            np.testing.assert_allclose(values["loss"], reference, rtol=tolerance, err_msg=f"{name} {r['optimizer']}")
            assert values["accuracy"] == first["numpy"]["accuracy"], name


def test_conv(quick_run):
    results, _ = quick_run
    conv = results["conv"]
    if not hasattr(nl, "Conv2D"):
        assert isinstance(conv["skipped"], str) and conv["configs"] == []
        return
    assert conv["skipped"] is None
    assert [c["dtype"] for c in conv["configs"]] == ["float32", "float64"]
    for c in conv["configs"]:
        check_stats(c["times"]["nnlite"], results["settings"]["repeat"])
        assert ("torch" in c["times"]) == HAS_TORCH
        assert len(c["nnlite_layers"]) == 5
        assert all(layer["forward_ms"] >= 0 and layer["backward_ms"] >= 0 for layer in c["nnlite_layers"])
        if HAS_TORCH:
            np.testing.assert_allclose(c["loss"]["nnlite"], c["loss"]["torch"], rtol=1e-5)


def test_attention(quick_run):
    results, stdout = quick_run
    attn = results["attention"]
    assert attn["skipped"] is None and attn["dtype"] == "float32"
    assert attn["shape"] == {"batch": 2, "tokens": 40, "dim": 64, "heads": 4}      # quick: a batch of 2
    assert set(attn["times"]) == {"nnlite"} | ({"torch_weights", "torch_fused"} if HAS_TORCH else set())
    for stats in attn["times"].values():
        check_stats(stats, results["settings"]["repeat"])
    assert attn["nnlite_parts"]["forward_ms"] > 0 and attn["nnlite_parts"]["backward_ms"] > 0
    assert "Multi-head attention forward + backward" in stdout
    if HAS_TORCH:                                    # the same weights and input: the same dX
        first = attn["dX_00"]
        np.testing.assert_allclose(first["torch_weights"], first["nnlite"], rtol=1e-4)
        np.testing.assert_allclose(first["torch_fused"], first["nnlite"], rtol=1e-4)
        assert results["targets"]["attention_vs_torch"]["value"] == attn["ratio_vs_torch_weights"]
    else:
        assert attn["ratio_vs_torch_weights"] is None


def test_attention_is_the_issue_shape_by_default():
    import attention
    assert attention.SHAPE == {"batch": 32, "tokens": 40, "dim": 64, "heads": 4}


def test_memory(quick_run):
    results, _ = quick_run
    memory = results["memory"]
    assert set(memory) == {"nnlite", "numpy"} | ({"torch"} if HAS_TORCH else set())
    for name, m in memory.items():
        assert "error" not in m, m
        assert m["examples"] == results["settings"]["memory_examples"]
        assert m["peak_rss_mb"] >= m["rss_before_training_mb"] > m["data_mb"] > 0
        assert (m["traced_peak_mb"] is None) == (name == "torch")


def test_book_is_optional_and_targets_are_consistent(quick_run):
    results, _ = quick_run
    assert "--book" in results["book"]["skipped"]
    targets = results["targets"]
    assert set(targets) == TARGETS
    assert targets["book_build_s"]["value"] is None and targets["book_build_s"]["met"] is None
    for name, t in targets.items():
        if t["value"] is not None:
            assert t["met"] == (t["value"] <= t["limit"]), name
        assert t["interval"] is None and t["within_noise"] is False, name   # quick: one repetition
    assert (targets["fit_vs_torch"]["value"] is not None) == HAS_TORCH


def _bare_run(tmp_path, name, *flags, env):
    out = tmp_path / f"{name}.json"
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--skip", "mlp", "conv",
                           "attention", "memory", *flags, "--json", str(out)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env=env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return json.loads(out.read_text()), proc.stdout


@pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64"), reason="OPENBLAS_CORETYPE=Haswell is an x86-64 kernel")
def test_native_blas_runs_without_the_variables_that_force_a_kernel(tmp_path):
    """Machines that set OPENBLAS_CORETYPE get a warning and, with --native-blas, the CPU's own kernel."""
    env = {**os.environ, "OPENBLAS_CORETYPE": "Haswell", "OPENBLAS_L2_SIZE": "512"}
    forced, stdout = _bare_run(tmp_path, "forced", env=env)
    assert forced["machine"]["blas_kernel"] == "Haswell"
    native_kernel = forced["machine"]["blas_kernel_native"]
    assert native_kernel
    assert "forced by OPENBLAS_CORETYPE=Haswell" in stdout and "--native-blas runs without them" in stdout
    assert "forced by `OPENBLAS_CORETYPE=Haswell`" in report.markdown(forced)

    native, stdout = _bare_run(tmp_path, "native", "--native-blas", env=env)
    machine = native["machine"]
    assert machine["env"]["OPENBLAS_CORETYPE"] is None and machine["env"]["OPENBLAS_L2_SIZE"] is None
    assert machine["blas_overrides_removed"] == ["OPENBLAS_CORETYPE=Haswell", "OPENBLAS_L2_SIZE=512"]
    assert machine["blas_kernel"] == native_kernel
    assert "--native-blas removed OPENBLAS_CORETYPE=Haswell" in stdout
    assert "`--native-blas` removed `OPENBLAS_CORETYPE=Haswell`" in report.markdown(native)


# --- the ablation: what the guarantees cost -------------------------------------------------------

def test_ablation_variants_do_the_same_arithmetic_and_restore_nnlite(monkeypatch, rng):
    import ablation
    from nnlite import core, layers, optim
    saved = layers.Dense.backward, optim.Optimizer.zero_grad, core._looks_finite
    layer = nl.Dense(5, 3, rng=0)
    X, dY = rng.standard_normal((4, 5)), rng.standard_normal((4, 3))
    layer(X)
    dX = layer.backward(dY)
    W_grad, b_grad = layer.W.grad.copy(), layer.b.grad.copy()
    layer.zero_grad()
    assert np.array_equal(ablation._dense_backward_assigning(layer, dY), dX)
    np.testing.assert_array_equal(layer.W.grad, W_grad)
    np.testing.assert_array_equal(layer.b.grad, b_grad)

    monkeypatch.setattr(ablation.common, "PAUSE_S", 0.0)
    result = ablation.run("adam", n=256, repeat=2)
    assert set(result) == set(ablation.VARIANTS) | {"numpy"}
    assert all(result[name]["median_ms"] > 0 and result[name]["ratio_vs_numpy"] > 0 for name in ablation.VARIANTS)
    assert (layers.Dense.backward, optim.Optimizer.zero_grad, core._looks_finite) == saved


def test_ratio_interval_brackets_the_median_and_needs_three_repetitions():
    import common
    assert common.ratio_interval([1.0, 2.0], [1.0, 1.0]) is None
    assert common.ratio_interval([3.0] * 5, [2.0] * 5) == [1.5, 1.5]
    numerators = [1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 3.0]
    low, high = common.ratio_interval(numerators, [1.0] * 7)
    assert 1.0 <= low < common.paired_ratio(numerators, [1.0] * 7) < high <= 3.0
    assert common.ratio_interval(numerators, [1.0] * 7) == [low, high]   # seeded: the same every run


def test_targets_say_when_the_limit_is_inside_the_noise():
    import run as harness
    row = {"dtype": "float32", "ratio_fit_vs_numpy": 1.12, "ratio_step_dX_vs_numpy_dX": 1.0,
           "ratio_fit_vs_torch": 0.45, "intervals": {"fit_vs_numpy": [1.08, 1.15], "step_dX_vs_numpy_dX": [0.98, 1.02],
                                                     "fit_vs_torch": [0.40, 0.48], "numpy_vs_torch": None}}
    results = {"mlp": [row], "conv": {"configs": []}, "book": {"skipped": "not requested"}}
    targets = harness.check_targets(results)
    assert targets["fit_vs_numpy"]["met"] is False and targets["fit_vs_numpy"]["within_noise"] is True
    assert targets["step_dX_vs_numpy_dX"]["met"] is True and targets["step_dX_vs_numpy_dX"]["within_noise"] is False
    assert targets["fit_vs_torch"]["met"] is True and targets["fit_vs_torch"]["within_noise"] is False
    assert targets["conv_vs_torch"]["value"] is None and targets["book_build_s"]["value"] is None


def test_readme_tables_are_the_stored_results():
    """benchmarks/README.md quotes report.py's tables of the stored results verbatim: no stale figures."""
    readme = (ROOT / "benchmarks" / "README.md").read_text()
    latest = report.markdown(json.loads((ROOT / "benchmarks" / "results" / "latest.json").read_text()))
    rows = [line for line in latest.split("Book build:")[0].splitlines() if line.startswith("| float")]
    book = report.markdown(json.loads((ROOT / "benchmarks" / "results" / "book.json").read_text()))
    rows += [line for line in book.splitlines() if line.startswith("| 0") or line.startswith("| 1")]
    attention = report.markdown(json.loads((ROOT / "benchmarks" / "results" / "attention.json").read_text()))
    rows += [line for line in attention.splitlines() if line.startswith("| float32 | 32, 40, 64, 4")]
    assert len(rows) > 21
    missing = [row for row in rows if row not in readme]
    assert not missing, "benchmarks/README.md is out of date; paste benchmarks/report.py's tables:\n" + "\n".join(missing)
