"""Figures of sequences (chapters 8 and 10): signals, a hidden state over time, results grouped by model."""

import matplotlib as mpl
import numpy as np

from .style import LINESTYLES, OKABE_ITO, PALETTE, _figure_and_axes


def hidden_state_traces(states, labels, unit=0, ax=None, title="Hidden state over time",
                        label_names=("class 0", "class 1")):
    """One line per sequence: hidden unit ``unit`` of ``states`` (N, T, H) against the time step,
    coloured by the sequence's label (0 or 1)."""
    fig, ax = _figure_and_axes(ax, (6.0, 3.4))
    states, labels = np.asarray(states), np.asarray(labels)
    steps = np.arange(1, states.shape[1] + 1)
    colours = (OKABE_ITO["green"], OKABE_ITO["vermillion"])
    for k in (0, 1):
        for i, row in enumerate(states[labels == k]):
            ax.plot(steps, row[:, unit], color=colours[k], lw=1, alpha=0.7, ls=("-", "--")[k],
                    label=label_names[k] if i == 0 else None)
    ax.set(title=title, xlabel="time step $t$", ylabel=f"$h_t$, unit {unit}")
    ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))
    ax.legend()
    return fig


def signals(X, y=None, count=4, ax=None, title="Signals", xlabel="position", offset=3.0):
    """The first ``count`` rows of X (N, L) as curves stacked vertically, each labelled with its y."""
    fig, ax = _figure_and_axes(ax, (4.5, 3.6))
    X = np.asarray(X)
    for i in range(min(count, len(X))):
        ax.plot(np.arange(X.shape[1]), X[i] - offset * i, color=PALETTE[i % len(PALETTE)], lw=1.5,
                ls=LINESTYLES[i % len(LINESTYLES)])
        if y is not None:
            ax.text(X.shape[1] + 0.5, -offset * i, f"{y[i]}", va="center", fontsize=10)
    ax.set(title=title, xlabel=xlabel)
    ax.set_yticks([])
    ax.grid(axis="y", visible=False)
    return fig


def grouped_bars(categories, series, ax=None, title="", ylabel="", ylim=None, fmt="{:.0f}"):
    """Bars grouped by category, one colour per series: ``series = {"paper": [32, 68, ...], ...}``.

    A value of None leaves its bar out. Each bar is labelled with its value.
    """
    fig, ax = _figure_and_axes(ax, (7.0, 3.6))
    width = 0.8 / len(series)
    for k, (name, values) in enumerate(series.items()):
        for i, value in enumerate(values):
            if value is None:
                continue
            x = i - 0.4 + width * (k + 0.5)
            ax.bar(x, value, width, color=PALETTE[k % len(PALETTE)], label=name if i == 0 else None)
            ax.text(x, value, fmt.format(value), ha="center", va="bottom", fontsize=8)
    ax.set_xticks(range(len(categories)), categories)
    ax.set(title=title, ylabel=ylabel)
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.grid(axis="x", visible=False)
    ax.legend(fontsize=8, ncol=len(series), loc="upper left")
    return fig
