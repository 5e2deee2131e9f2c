"""Markdown tables of a results file, for benchmarks/README.md.

    python benchmarks/report.py [benchmarks/results/latest.json]
"""

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import common  # noqa: E402


def ratio(value):
    return "–" if value is None else f"{value:.2f}"


def ms(stats):
    if stats is None:
        return "–"
    return f"{stats['median_ms']:.1f} ({stats['min_ms']:.1f}–{stats['max_ms']:.1f})"


def peak_line(m):
    n = m["gemm_n"]
    rates = ", ".join(f"{name.replace('_', ' ')} {value:.0f}" for name, value in m["gemm_peak_gflops"].items())
    return f"One {n}×{n} matrix product (the practical peak), GFLOP/s: {rates}."


def markdown(results):
    lines = []
    m = results["machine"]
    lines += [f"Run of {results['date']}: {m['cpu']}, {m['cores']} cores, Python {m['python']}, numpy {m['numpy']} "
              f"({m['blas']}, {m['blas_threads']} threads), PyTorch {m['torch'] or 'absent'} "
              f"({m['torch_threads']} threads), nnlite {m['nnlite']}; load average {m['load_average_1min']:.1f} "
              "at the start.", "", f"OpenBLAS kernel: {common.kernel_note(m, code=lambda text: f'`{text}`')}. " + peak_line(m), ""]
    lines += ["ms per epoch, median (min–max); ratios are medians of per-repetition ratios (of the fastest runs "
              "in brackets).", "",
              "| dtype | optimizer | nnlite fit | numpy loop | PyTorch | fit / numpy | fit / PyTorch | numpy / PyTorch |",
              "|---|---|---|---|---|---|---|---|"]
    for r in results["mlp"]:
        t, best = r["times"], r["best_ratios"]
        lines.append(f"| {r['dtype']} | {r['optimizer']} | {ms(t['nnlite_fit'])} | {ms(t['numpy'])} | "
                     f"{ms(t.get('torch'))} | {ratio(r['ratio_fit_vs_numpy'])} ({ratio(best['nnlite_fit/numpy'])}) | "
                     f"{ratio(r['ratio_fit_vs_torch'])} ({ratio(best.get('nnlite_fit/torch'))}) | "
                     f"{ratio(r['ratio_numpy_vs_torch'])} ({ratio(best.get('numpy/torch'))}) |")
    def rate(name, r):
        if name not in r["times"]:
            return "–"
        share = common.peak_share(name, r, m["gemm_peak_gflops"])
        return f"{r['times'][name]['gflops']:.0f}" + ("" if share is None else f" ({share:.0%})")

    lines += ["", "GFLOP/s of the matrix products (in brackets: share of the library's own "
              f"{m['gemm_n']}×{m['gemm_n']} peak, numpy's for nnlite):", "",
              "| dtype | optimizer | nnlite fit | numpy loop | PyTorch | nnlite by hand, with dX | numpy, with dX |",
              "|---|---|---|---|---|---|---|"]
    for r in results["mlp"]:
        t = r["times"]
        lines.append(f"| {r['dtype']} | {r['optimizer']} | {rate('nnlite_fit', r)} | {rate('numpy', r)} | "
                     f"{rate('torch', r)} | {rate('nnlite_step_dX', r)} | {rate('numpy_dX', r)} |")
    lines += ["", "| dtype | optimizer | nnlite by hand, with dX | numpy, with dX | ratio |", "|---|---|---|---|---|"]
    for r in results["mlp"]:
        t = r["times"]
        lines.append(f"| {r['dtype']} | {r['optimizer']} | {ms(t['nnlite_step_dX'])} | {ms(t['numpy_dX'])} | "
                     f"{ratio(r['ratio_step_dX_vs_numpy_dX'])} ({ratio(r['best_ratios']['nnlite_step_dX/numpy_dX'])}) |")
    conv = results["conv"]
    lines.append("")
    if conv["skipped"]:
        lines.append(f"Conv net: skipped ({conv['skipped']}).")
    else:
        lines += ["| dtype | batch | nnlite | PyTorch | nnlite / PyTorch | nnlite by layer, forward + backward (ms) |",
                  "|---|---|---|---|---|---|"]
        for c in conv["configs"]:
            layers = ", ".join(f"{l['layer']} {l['forward_ms']:.2f} + {l['backward_ms']:.2f}" for l in c["nnlite_layers"])
            lines.append(f"| {c['dtype']} | {c['batch_size']} | {ms(c['times']['nnlite'])} | "
                         f"{ms(c['times'].get('torch'))} | {ratio(c['ratio_nnlite_vs_torch'])} "
                         f"({ratio(c['best_ratio_nnlite_vs_torch'])}) | {layers} |")
    attn = results.get("attention")
    if attn is not None:
        lines.append("")
        if attn["skipped"]:
            lines.append(f"Attention: skipped ({attn['skipped']}).")
        else:
            s, t = attn["shape"], attn["times"]
            lines += ["| dtype | shape (N, T, dim, heads) | nnlite | PyTorch with weights | PyTorch fused | "
                      "nnlite / with weights | nnlite / fused | nnlite forward + backward (ms) |",
                      "|---|---|---|---|---|---|---|---|"]
            lines.append(f"| {attn['dtype']} | {s['batch']}, {s['tokens']}, {s['dim']}, {s['heads']} | {ms(t['nnlite'])} | "
                         f"{ms(t.get('torch_weights'))} | {ms(t.get('torch_fused'))} | "
                         f"{ratio(attn['ratio_vs_torch_weights'])} ({ratio(attn['best_ratio_vs_torch_weights'])}) | "
                         f"{ratio(attn['ratio_vs_torch_fused'])} ({ratio(attn['best_ratio_vs_torch_fused'])}) | "
                         f"{attn['nnlite_parts']['forward_ms']:.2f} + {attn['nnlite_parts']['backward_ms']:.2f} |")
    lines += ["", "| framework | examples | data (MB) | RSS before training (MB) | peak RSS (MB) | allocated by training, tracemalloc (MB) |",
              "|---|---|---|---|---|---|"]
    for name, mem in results["memory"].items():
        if "error" in mem:
            lines.append(f"| {name} | failed | | | | |")
            continue
        traced = "–" if mem["traced_peak_mb"] is None else f"{mem['traced_peak_mb']:.1f}"
        lines.append(f"| {name} | {mem['examples']:,} | {mem['data_mb']:.0f} | {mem['rss_before_training_mb']:.0f} | "
                     f"{mem['peak_rss_mb']:.0f} | {traced} |")
    book = results["book"]
    lines.append("")
    if book.get("skipped"):
        lines.append(f"Book build: {book['skipped']}.")
    else:
        lines += [f"Clean book build: {book['seconds']:.0f} s (exit code {book['returncode']}).", "",
                  "| page | HTML (KB) | images | images (KB) | total (KB) |", "|---|---|---|---|---|"]
        for page, s in book["pages"].items():
            lines.append(f"| {page} | {s['html_kb']:.0f} | {s['images']} | {s['images_kb']:.0f} | {s['total_kb']:.0f} |")
    lines += ["", "| target | limit | value | 95% interval | met |", "|---|---|---|---|---|"]
    for t in results["targets"].values():
        value = "not run" if t["value"] is None else f"{t['value']:.3f}"
        interval = "–" if t.get("interval") is None else f"{t['interval'][0]:.3f}–{t['interval'][1]:.3f}"
        met = "–" if t["met"] is None else ("yes" if t["met"] else "**no**")
        if t.get("within_noise"):
            met += " (within noise)"
        lines.append(f"| {t['what']} | {t['limit']:g} | {value} | {interval} | {met} |")
    return "\n".join(lines)


if __name__ == "__main__":
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "results" / "latest.json"
    print(markdown(json.loads(path.read_text())))
