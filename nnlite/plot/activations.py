"""Figures of activation functions (chapters 2, 3 and 9): the functions and their slopes, how a bias
shifts a neuron's curve, and the activations through a deep stack."""

import numpy as np

from .. import functional as _F
from ..errors import NNLiteError
from .style import MARKERS, PALETTE, _new_figure, page_width


ACTIVATION_NAMES = {"relu": "ReLU", "leaky_relu": "LeakyReLU", "sigmoid": "Sigmoid", "tanh": "Tanh",
                    "gelu": "GELU"}


def _activation(name):
    if name not in _F.ACTIVATIONS:
        raise NNLiteError(f"Unknown activation {name!r}; choose one of {sorted(_F.ACTIVATIONS)}.")
    return _F.ACTIVATIONS[name]


def activation_curves(names=("relu", "sigmoid", "tanh"), derivatives=True, x=None, saturation=None):
    """Plot activation functions and, beside them, their derivatives.

    Args:
        names: keys of ``nnlite.functional.ACTIVATIONS``.
        derivatives: add a second panel with f'(z).
        x: the inputs z to plot over (default 401 points in [-5, 5]).
        saturation: a threshold such as 0.05: shade where every plotted derivative is below it (the
            flat, saturated regions where little gradient passes).

    Returns:
        matplotlib Figure with one Axes (two with derivatives), one line per activation in each.
    """
    z = np.linspace(-5, 5, 401) if x is None else np.asarray(x, dtype=float)
    fig = _new_figure((8.0, 3.4) if derivatives else (4.6, 3.4))
    axes = fig.subplots(1, 2 if derivatives else 1, squeeze=False)[0]
    styles = ["-", "--", "-", "-.", ":"]              # curves that overlap (ReLU, LeakyReLU) stay visible
    for k, name in enumerate(names):
        f, f_grad = _activation(name)
        style = dict(lw=2, ls=styles[k % len(styles)], label=ACTIVATION_NAMES.get(name, name),
                     marker=MARKERS[k % len(MARKERS)], markersize=5, markevery=(8 * k, len(z) // 8 or 1))
        axes[0].plot(z, f(z), **style)
        if derivatives:
            axes[1].plot(z, f_grad(z), **style)
    for level in (-1, 0, 1):
        axes[0].axhline(level, color="0.5", lw=0.8, ls=":", zorder=0)
    axes[0].set(title="Activation functions", xlabel="input $z$", ylabel="output $f(z)$")
    axes[0].legend(loc="upper left")
    if derivatives:
        axes[1].set(title="Their derivatives", xlabel="input $z$", ylabel="slope $f'(z)$")
        axes[1].legend(loc="upper left")
    if saturation is not None:
        slopes = np.max([np.abs(_activation(name)[1](z)) for name in names], axis=0)
        flat = slopes < saturation
        for ax in axes:
            ax.fill_between(z, 0, 1, where=flat, transform=ax.get_xaxis_transform(), color="0.85",
                            zorder=0, label=f"saturated: slope < {saturation:g}")
            ax.get_legend().remove()
        handles, labels = axes[0].get_legend_handles_labels()   # one legend below, clear of the curves
        fig.legend(handles, labels, loc="outside lower center", ncol=len(labels))
    return fig


def bias_shift_plot(weights=(1.0, 3.0), biases=(-2.0, 0.0, 2.0), activation="sigmoid", x=None):
    """Show how a bias moves a neuron's curve f(w x + b): by -b/w, so the same bias moves less for a larger w.

    One panel per weight, one curve per bias; a dashed line marks x = -b/w, where w x + b = 0.

    Returns:
        matplotlib Figure with one Axes per weight.
    """
    f, _ = _activation(activation)
    xs = np.linspace(-5, 5, 401) if x is None else np.asarray(x, dtype=float)
    fig = _new_figure(page_width((3.9 * len(weights), 3.3), len(weights)))
    axes = fig.subplots(1, len(weights), squeeze=False, sharey=True)[0]
    name = ACTIVATION_NAMES.get(activation, activation)
    for ax, w in zip(axes, weights):
        for k, (colour, b) in enumerate(zip(PALETTE, biases)):     # a colour and a marker per bias
            marker = MARKERS[k % len(MARKERS)]
            ax.plot(xs, f(w * xs + b), color=colour, lw=2, label=f"$b = {b:g}$", marker=marker, ms=5,
                    markevery=(10 * k, len(xs) // 6 or 1))
            shift = -b / w
            ax.axvline(shift, color=colour, lw=1, ls="--")
            ax.plot([shift], [f(np.array(0.0))], marker, color=colour, ms=6)
        ax.set(title=f"$w = {w:g}$: the curve moves by $-b/w$", xlabel="input $x$")
        ax.legend(loc="upper left", fontsize=9)
    axes[0].set_ylabel(f"{name}$(w x + b)$")
    return fig


def activation_histograms(activations, layers=None, bins=40, title=None):
    """Histograms of the activations in each layer of a deep stack, one row per initialisation.

    Args:
        activations: ``{label: [A_1, A_2, ...]}``, the outputs of each layer for one batch.
        layers: which layers to show (1-based; default four spread over the depth).
        bins: number of bins, shared by every panel so that panels can be compared by width (the
            range covers the central 99.8% of all values; the standard deviation uses every value).

    Returns:
        matplotlib Figure with len(activations) rows and len(layers) columns of Axes; each Axes says the
        standard deviation of its layer.
    """
    labels = list(activations)
    depth = len(activations[labels[0]])
    if layers is None:
        layers = sorted({1, max(1, depth // 3), max(1, 2 * depth // 3), depth})
    fig = _new_figure((1.7 * len(layers) + 0.8, 1.45 * len(labels) + 0.9))
    axes = fig.subplots(len(labels), len(layers), squeeze=False, sharex=True)
    # One set of bins for every panel, so that a shrinking signal looks narrower, not rescaled.
    everything = np.concatenate([np.asarray(activations[label][layer - 1]).ravel()
                                 for label in labels for layer in layers])
    edges = np.linspace(*np.percentile(everything, [0.1, 99.9]), bins + 1)
    for r, (label, colour) in enumerate(zip(labels, PALETTE)):
        for c, layer in enumerate(layers):
            ax = axes[r, c]
            values = np.asarray(activations[label][layer - 1]).ravel()
            ax.hist(values, bins=edges, color=colour)
            ax.text(0.97, 0.92, f"std {values.std():.2g}", transform=ax.transAxes, ha="right", va="top",
                    fontsize=9)
            ax.tick_params(labelsize=7)
            ax.set_yticks([])
            if r == 0:
                ax.set_title(f"layer {layer}", fontsize=10)
            if r == len(labels) - 1:
                ax.set_xlabel("activation value", fontsize=9)
        axes[r, 0].set_ylabel(f"{label}\ncount", fontsize=9)
    fig.suptitle(title or "Activations through a deep stack")
    return fig
