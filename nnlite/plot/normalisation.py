"""Figures of normalisation and dropout (chapter 9): statistics before and after normalising, training
and validation curves."""

import numpy as np

from .style import MARKERS, PALETTE, _figure_and_axes, _new_figure, page_width


def normalisation_statistics(arrays, title="Mean ± standard deviation, before and after normalising",
                             n_examples=20):
    """Per-feature and per-example statistics of activations (N, D), one column per array.

    Top row: for each feature, its mean ± std over the batch (what batch norm fixes). Bottom row: for each
    of the first ``n_examples`` examples, its mean ± std over its features (what layer norm fixes).

    Args:
        arrays: ``{label: (N, D) array}``, e.g. ``{"before": X, "after BatchNorm": Y}``.
    """
    labels = list(arrays)
    fig = _new_figure(page_width((3.2 * len(labels) + 0.4, 5.0), len(labels)))
    axes = fig.subplots(2, len(labels), squeeze=False, sharey="row")
    for c, (label, colour) in enumerate(zip(labels, PALETTE)):
        A = np.asarray(arrays[label], dtype=float)
        rows = A[:n_examples]
        for r, (mean, std, xlabel) in enumerate([(A.mean(axis=0), A.std(axis=0), "feature"),
                                                 (rows.mean(axis=1), rows.std(axis=1), "example")]):
            ax = axes[r, c]
            ax.errorbar(np.arange(len(mean)), mean, yerr=std, fmt="o", ms=3, color=colour, capsize=2)
            ax.axhline(0, color="0.3", lw=0.8)
            ax.set_xlabel(xlabel)
        axes[0, c].set_title(label)
    axes[0, 0].set_ylabel("over the batch\nmean ± std")
    axes[1, 0].set_ylabel("over the features\nmean ± std")
    fig.suptitle(title)
    return fig


def train_val_curves(curves, title="Training and validation loss", ylabel="loss", xlabel="epoch"):
    """Training (dashed) and validation (solid) curves of several runs, one colour per run.

    Args:
        curves: ``{label: (training values, validation values)}``, one value per epoch.

    Returns:
        matplotlib Figure with one Axes.
    """
    fig, ax = _figure_and_axes(None, (6.4, 3.8))
    for k, ((label, (train, val)), colour) in enumerate(zip(curves.items(), PALETTE)):
        epochs = np.arange(1, len(train) + 1)
        marks = {"marker": MARKERS[k % len(MARKERS)], "markersize": 5, "markevery": max(1, len(epochs) // 8)}
        ax.plot(epochs, train, ls="--", color=colour, label=f"{label}: training", markerfacecolor="white", **marks)
        ax.plot(epochs, val, ls="-", color=colour, label=f"{label}: validation", **marks)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.legend(fontsize=9)
    return fig
