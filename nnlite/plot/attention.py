"""Figures for chapters 10 and 11, embeddings, attention and the transformer block: attention weights as
heatmaps, counts that grow with a size (log-log), and where a model's parameters live."""

import numpy as np

from .style import OKABE_ITO, PALETTE, _figure_and_axes, _new_figure, series_style

HATCHES = ("", "//", "..", "xx", "\\\\", "oo")


def _as_weights(weights, what="weights"):
    weights = np.asarray(weights, dtype=float)
    if weights.ndim != 2 or weights.shape[0] == 0 or weights.shape[1] == 0:
        raise ValueError(f"plot: {what} should be a (queries, keys) matrix, got shape {weights.shape}. "
                         "Pick one example and one head, e.g. layer.attention[0, 0].")
    return weights


def _labels(tokens, n, what):
    if tokens is None:
        return [str(i) for i in range(n)]
    tokens = [str(t) for t in tokens]
    if len(tokens) != n:
        raise ValueError(f"plot: {len(tokens)} {what} labels for {n} positions; pass one label per position.")
    return tokens


def attention_heatmap(weights, queries=None, keys=None, ax=None, title="", annotate=None, vmax=1.0,
                      colorbar=True):
    """Attention weights as a heatmap: row i is query position i, column j key position j.

    Args:
        weights: (T_q, T_k) array, each row a probability distribution (softmax output).
        queries: labels of the rows (default 0, 1, ...).
        keys: labels of the columns (default 0, 1, ...).
        annotate: write each weight in its cell (default: when the matrix is at most 8 x 8).
        vmax: the top of the colour scale (1: the largest weight a softmax can give).

    Returns:
        the Figure.
    """
    weights = _as_weights(weights)
    n_q, n_k = weights.shape
    fig, ax = _figure_and_axes(ax, (0.55 * n_k + 2.2, 0.45 * n_q + 1.4))
    image = ax.imshow(weights, cmap="cividis", vmin=0.0, vmax=vmax, aspect="auto")
    ax.set_xticks(range(n_k), _labels(keys, n_k, "key"))
    ax.set_yticks(range(n_q), _labels(queries, n_q, "query"))
    ax.grid(False)
    ax.set(xlabel="key position j (attended to)", ylabel="query position i", title=title)
    if annotate is None:
        annotate = max(n_q, n_k) <= 8
    if annotate:
        for i in range(n_q):
            for j in range(n_k):
                value = weights[i, j]
                colour = "black" if value > 0.55 * vmax else "white"
                ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=8, color=colour)
    if colorbar:
        fig.colorbar(image, ax=ax, label="attention weight", shrink=0.85)
    return fig


def attention_maps(maps, titles=None, queries=None, keys=None, suptitle="", ncols=None, annotate=False):
    """Several attention heatmaps side by side (one per head, example or layer), on one colour scale.

    Args:
        maps: (n, T_q, T_k) array or a list of (T_q, T_k) arrays.
        titles: one title per map (default "head 1", "head 2", ...).

    Returns:
        the Figure.
    """
    maps = [_as_weights(m, "each map") for m in maps]
    if not maps:
        raise ValueError("plot: no attention maps to draw; pass at least one (T_q, T_k) matrix.")
    titles = list(titles) if titles is not None else [f"head {k + 1}" for k in range(len(maps))]
    if len(titles) != len(maps):
        raise ValueError(f"plot: {len(titles)} titles for {len(maps)} maps; pass one title per map.")
    ncols = ncols or len(maps)
    nrows = int(np.ceil(len(maps) / ncols))
    n_q, n_k = maps[0].shape
    fig = _new_figure((min(3.0 * ncols, 12.0) + 0.8, 2.9 * nrows + 0.5))
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for k, ax in enumerate(axes.ravel()):
        if k >= len(maps):
            ax.set_visible(False)
            continue
        attention_heatmap(maps[k], queries, keys, ax=ax, title=titles[k], annotate=annotate, colorbar=False)
        if k % ncols:
            ax.set_ylabel("")
        if k < len(maps) - ncols:
            ax.set_xlabel("")
    image = axes.ravel()[0].images[0]
    fig.colorbar(image, ax=axes, label="attention weight", shrink=0.8)
    if suptitle:
        fig.suptitle(suptitle)
    return fig


def growth_curves(x, curves, ax=None, title="", xlabel="sequence length T", ylabel="parameters (log scale)",
                  log_y=True):
    """Curves y(x) on a logarithmic x axis (and y axis unless ``log_y=False``), one line per label, each
    with its own colour, line style and marker: how a count grows with a size.

    Args:
        x: (n,) sizes, e.g. sequence lengths or dimensions.
        curves: ``{label: (n,) values}``.

    Returns:
        the Figure.
    """
    fig, ax = _figure_and_axes(ax, (6.4, 3.8))
    for k, (label, values) in enumerate(curves.items()):
        ax.plot(x, values, label=label, **series_style(k, len(x)))
    ax.set_xscale("log")
    if log_y:
        ax.set_yscale("log")
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.legend(fontsize=9)
    return fig


def parameter_breakdown(groups, ax=None, title="", total=None):
    """Where a model's parameters live: one horizontal bar per group, with its count and share.

    Args:
        groups: ``{group name: parameter count}``, drawn top to bottom in this order.
        total: the count the shares are taken of (default: the sum of the groups).

    Returns:
        the Figure.
    """
    names = list(groups)
    values = np.array([float(groups[n]) for n in names])
    if values.size == 0 or np.any(values < 0):
        raise ValueError("plot: parameter_breakdown needs at least one group and counts of 0 or more.")
    total = float(values.sum() if total is None else total)
    fig, ax = _figure_and_axes(ax, (7.2, 0.55 * len(names) + 1.4))
    y = np.arange(len(names))[::-1]
    for k, (name, value) in enumerate(zip(names, values)):
        ax.barh(y[k], value / 1e6, color=PALETTE[k % len(PALETTE)], hatch=HATCHES[k % len(HATCHES)],
                edgecolor=OKABE_ITO["black"], linewidth=0.6)
        share = value / total if total else 0.0
        shown = f"{share:.1%}" if share >= 0.001 or share == 0 else f"{share:.2%}"
        ax.text(value / 1e6, y[k], f"  {value:,.0f} ({shown})", va="center", fontsize=9)
    ax.set_yticks(y, names)
    ax.set_xlim(0, values.max() / 1e6 * 1.45 if values.max() else 1)
    ax.set(title=title, xlabel="parameters (millions)")
    ax.grid(axis="y", visible=False)
    return fig
