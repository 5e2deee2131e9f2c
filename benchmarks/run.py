"""nnlite's speed against a hand-written numpy loop and PyTorch CPU, in one process and one run.

    python benchmarks/run.py            # everything but the book build (about two minutes)
    python benchmarks/run.py --book     # also the clean book build (minutes)
    python benchmarks/run.py --quick    # a tiny smoke run: checks the harness, not the speed

Prints machine facts, ms per epoch (median, min-max over the repetitions), GFLOP/s and ratios, and
writes everything as JSON (default: benchmarks/results/latest.json). Ratios are medians of the
per-repetition ratios: contenders run back to back in every repetition, so a busy machine slows all
of them alike. See benchmarks/README.md for the latest figures.
"""

import argparse
import datetime
import json
import os
import sys
from pathlib import Path


HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import attention  # noqa: E402
import book_build  # noqa: E402
import common  # noqa: E402
import convnet  # noqa: E402
import mlp  # noqa: E402
import peak_memory  # noqa: E402

TARGETS = {   # name: (limit, what)
    "fit_vs_numpy": (1.1, "nnlite fit / numpy loop, float32, worst optimizer"),
    "step_dX_vs_numpy_dX": (1.1, "nnlite by hand (with dX) / numpy loop with dX, float32, worst optimizer"),
    "fit_vs_torch": (0.5, "nnlite fit / PyTorch, float32, worst optimizer"),
    "conv_vs_torch": (2.0, "conv net forward+backward, nnlite / PyTorch, float32"),
    "attention_vs_torch": (1.5, "attention forward+backward, nnlite / PyTorch (with weights), float32"),
    "book_build_s": (180.0, "clean book build, seconds"),
}


def settings(args):
    if args.quick:
        return {"examples": 256, "batch_size": 128, "repeat": 1, "conv_batch": 4, "memory_examples": 1_000,
                "attention_batch": 2}
    return {"examples": 8192, "batch_size": 128, "repeat": args.repeat, "conv_batch": 128, "attention_batch": 32,
            "memory_examples": 60_000}


def check_targets(results):
    """{name: {"limit", "value", "met", "what"}}; value None when that part did not run."""
    float32 = [r for r in results["mlp"] if r["dtype"] == "float32"]

    def worst(name):
        """The worst optimizer's ratio and its noise interval."""
        rows = [r for r in float32 if r[f"ratio_{name}"] is not None]
        if not rows:
            return None, None
        row = max(rows, key=lambda r: r[f"ratio_{name}"])
        return row[f"ratio_{name}"], row["intervals"][name]

    conv = [c for c in results["conv"]["configs"] if c["dtype"] == "float32"]
    book = results["book"]
    attn = results.get("attention") or {"skipped": "not run"}
    values = {
        "fit_vs_numpy": worst("fit_vs_numpy"),
        "step_dX_vs_numpy_dX": worst("step_dX_vs_numpy_dX"),
        "fit_vs_torch": worst("fit_vs_torch"),
        "conv_vs_torch": (conv[0]["ratio_nnlite_vs_torch"], conv[0]["interval_nnlite_vs_torch"]) if conv else (None, None),
        "book_build_s": (book.get("seconds") if not book.get("skipped") else None, None),
        "attention_vs_torch": ((None, None) if attn["skipped"] else
                               (attn["ratio_vs_torch_weights"], attn["interval_vs_torch_weights"])),
    }
    targets = {}
    for name, (limit, what) in TARGETS.items():
        value, interval = values[name]
        targets[name] = {"limit": limit, "value": value, "interval": interval, "what": what,
                         "met": None if value is None else value <= limit,
                         "within_noise": interval is not None and interval[0] <= limit <= interval[1]}
    return targets


# --- printing ------------------------------------------------------------------------------------

def print_machine(facts):
    print("Machine")
    for key in ("cpu", "cores", "cores_available", "load_average_1min", "platform", "python", "numpy", "blas",
                "blas_threads", "torch", "torch_threads", "nnlite"):
        print(f"  {key:18} {facts[key]}")
    print(f"  {'environment':18} " + ", ".join(f"{k}={v}" for k, v in facts["env"].items()))
    print(f"  {'blas kernel':18} {blas_kernel_line(facts)}")
    peak = facts["gemm_peak_gflops"]
    n = facts["gemm_n"]
    print(f"  {'gemm peak':18} {n}x{n} @ {n}x{n}, GFLOP/s: " + ", ".join(f"{k} {v:.0f}" for k, v in peak.items()))
    for pool in facts["threadpools"] or [{"threadpoolctl": "not installed"}]:
        print(f"  {'threadpool':18} " + ", ".join(f"{k}={v}" for k, v in pool.items()))


def blas_kernel_line(facts):
    line = common.kernel_note(facts)
    if "forced by" in line:
        line += ": numpy and nnlite may run slower, PyTorch does not; --native-blas runs without them"
    return line


def fmt_time(stats):
    return f"{stats['median_ms']:8.1f} ms ({stats['min_ms']:.1f}-{stats['max_ms']:.1f}) {stats['gflops']:6.1f} GFLOP/s"


def fmt_interval(interval):
    return "" if interval is None else f" [{interval[0]:.2f}-{interval[1]:.2f}]"


def fmt_ratio(value):
    return "   -  " if value is None else f"{value:6.2f}"


def print_mlp(rows, peak):
    print("\nMLP 784-128-10, one training epoch (median ms, min-max, GFLOP/s of the matrix products and their "
          "share of the library's gemm peak)")
    for r in rows:
        print(f"\n  {r['dtype']} {r['optimizer']}, {r['examples']} examples, batch {r['batch_size']}")
        for name in ("nnlite_fit", "numpy", "torch", "nnlite_step_dX", "numpy_dX"):
            if name in r["times"]:
                share = common.peak_share(name, r, peak)
                print(f"    {name:15} {fmt_time(r['times'][name])}" + ("" if share is None else f" {share:4.0%}"))
        if r["torch_skipped"]:
            print(f"    torch           skipped: {r['torch_skipped']}")
        print("    ratios [95% interval]:  " + "   ".join(
            f"{label} {fmt_ratio(r['ratio_' + key])}{fmt_interval(r['intervals'][key])}" for key, label in
            (("fit_vs_numpy", "fit/numpy"), ("step_dX_vs_numpy_dX", "by hand with dX/numpy with dX"),
             ("fit_vs_torch", "fit/torch"), ("numpy_vs_torch", "numpy/torch"))))
        print("    ratios of the fastest runs: " + "   ".join(f"{k} {v:.2f}" for k, v in r["best_ratios"].items()))


def print_conv(conv):
    print("\nConv net forward + backward of one batch")
    if conv["skipped"]:
        print(f"  skipped: {conv['skipped']}")
        return
    for c in conv["configs"]:
        print(f"\n  {c['dtype']}, batch {c['batch_size']}: {c['model']}")
        for name, s in c["times"].items():
            print(f"    {name:8} {s['median_ms']:8.2f} ms ({s['min_ms']:.2f}-{s['max_ms']:.2f})")
        if c["torch_skipped"]:
            print(f"    torch    skipped: {c['torch_skipped']}")
        print(f"    ratio nnlite/torch {fmt_ratio(c['ratio_nnlite_vs_torch'])}{fmt_interval(c['interval_nnlite_vs_torch'])} "
              f"(of the fastest runs {fmt_ratio(c['best_ratio_nnlite_vs_torch'])})")
        print("    nnlite by layer (ms):  " + "  ".join(
            f"{l['layer']} {l['forward_ms']:.2f}+{l['backward_ms']:.2f}" for l in c["nnlite_layers"]))


def print_attention(attn):
    print("\nMulti-head attention forward + backward of one batch")
    if attn["skipped"]:
        print(f"  skipped: {attn['skipped']}")
        return
    s = attn["shape"]
    print(f"\n  {attn['dtype']}, batch {s['batch']}, {s['tokens']} tokens, dim {s['dim']}, {s['heads']} heads")
    for name, t in attn["times"].items():
        print(f"    {name:14} {t['median_ms']:8.2f} ms ({t['min_ms']:.2f}-{t['max_ms']:.2f})")
    if attn["torch_skipped"]:
        print(f"    torch          skipped: {attn['torch_skipped']}")
    for name in ("torch_weights", "torch_fused"):
        print(f"    ratio nnlite/{name} {fmt_ratio(attn[f'ratio_vs_{name}'])}{fmt_interval(attn[f'interval_vs_{name}'])} "
              f"(of the fastest runs {fmt_ratio(attn[f'best_ratio_vs_{name}'])})")
    parts = attn["nnlite_parts"]
    print(f"    nnlite: forward {parts['forward_ms']:.2f} ms, backward {parts['backward_ms']:.2f} ms")


def print_memory(memory):
    print("\nPeak memory, one epoch of the MLP on random float32 data (MB)")
    for name, m in memory.items():
        if "error" in m:
            print(f"  {name:7} failed: {m['error']}")
            continue
        traced = "-" if m["traced_peak_mb"] is None else f"{m['traced_peak_mb']:.1f}"
        print(f"  {name:7} {m['examples']} examples, data {m['data_mb']:.1f}; RSS {m['rss_before_training_mb']:.1f} "
              f"before training, {m['peak_rss_mb']:.1f} peak; allocated by training (tracemalloc) {traced}")


def print_book(book):
    print("\nClean book build")
    if book.get("skipped"):
        print(f"  skipped: {book['skipped']}")
        return
    print(f"  {book['seconds']:.1f} s, exit code {book['returncode']}")
    for page, s in book["pages"].items():
        print(f"  {page:36} {s['total_kb']:8.1f} KB (HTML {s['html_kb']:.1f} + {s['images']} images {s['images_kb']:.1f})")


def print_targets(targets):
    print("\nTargets")
    for name, t in targets.items():
        verdict = "not run" if t["met"] is None else ("met" if t["met"] else "MISSED")
        value = "-" if t["value"] is None else f"{t['value']:.3f}"   # 1.1004 is missed: show why
        noise = ""
        if t["interval"] is not None:
            low, high = t["interval"]
            noise = f"; 95% interval {low:.3f}-{high:.3f}" + (", the limit inside: within noise" if t["within_noise"] else "")
        print(f"  {t['what']:72} {value:>7} (limit {t['limit']:g}): {verdict}{noise}")


# --- main ----------------------------------------------------------------------------------------

def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one repetition: checks the harness")
    parser.add_argument("--repeat", type=int, default=7, help="repetitions of every measurement (default 7)")
    parser.add_argument("--book", action="store_true", help="also time a clean build of the book (minutes)")
    parser.add_argument("--threads", type=int, default=None,
                        help="threads for numpy's BLAS and PyTorch (default: what the BLAS uses, usually all cores)")
    parser.add_argument("--no-torch", action="store_true", help="leave PyTorch out even if installed")
    parser.add_argument("--skip", nargs="+", default=[], choices=["mlp", "conv", "attention", "memory"],
                        help="parts to leave out, e.g. --skip mlp conv memory --book for the book alone")
    parser.add_argument("--native-blas", action="store_true",
                        help="run without OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE, so OpenBLAS picks this CPU's own "
                             "kernel (they are set on some machines for old OpenBLAS builds)")
    parser.add_argument("--json", type=Path, default=HERE / "results" / "latest.json", help="where to write the results")
    args = parser.parse_args(argv)
    if args.native_blas:
        common.restart_without_blas_overrides(__file__, sys.argv[1:] if argv is None else argv)
    config = settings(args)
    if args.quick:
        common.PAUSE_S = 0.0

    torch, torch_reason = (None, "left out (--no-torch)") if args.no_torch else common.load_torch()
    if args.quick and args.threads is None:
        args.threads = 1   # nothing is compared in quick mode: no idle threads spinning, less CPU used
    if args.threads is not None:
        common.limit_blas_threads(args.threads)
    threads = common.blas_threads()
    if torch is not None:
        torch.set_num_threads(threads)   # the same number of threads as numpy's BLAS
    results = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
               "quick": args.quick, "settings": config,
               "machine": common.machine_facts(torch, gemm_n=256 if args.quick else 2048)}
    print_machine(results["machine"])
    if torch is None:
        print(f"\nPyTorch: skipped: {torch_reason}")

    results["mlp"] = [] if "mlp" in args.skip else mlp.run(config["examples"], config["batch_size"],
                                                           config["repeat"], torch, torch_reason)
    print_mlp(results["mlp"], results["machine"]["gemm_peak_gflops"])
    results["conv"] = ({"skipped": "left out (--skip conv)", "configs": []} if "conv" in args.skip
                       else convnet.run(config["conv_batch"], config["repeat"], torch, torch_reason))
    print_conv(results["conv"])
    results["attention"] = ({"skipped": "left out (--skip attention)"} if "attention" in args.skip
                            else attention.run(config["repeat"], torch, torch_reason,
                                               shape={"batch": config["attention_batch"]}))
    print_attention(results["attention"])
    if "memory" in args.skip:
        results["memory"] = {}
    else:
        frameworks = ["nnlite", "numpy"] + (["torch"] if torch is not None else [])
        results["memory"] = peak_memory.run(config["memory_examples"], frameworks, threads)
    print_memory(results["memory"])
    results["book"] = book_build.run() if args.book else {"skipped": "not requested (run with --book)"}
    print_book(results["book"])
    results["targets"] = check_targets(results)
    print_targets(results["targets"])

    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=1) + "\n")
    print(f"\nResults written to {os.path.relpath(args.json)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
