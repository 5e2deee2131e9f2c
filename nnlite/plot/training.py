"""Figures of training (chapters 4-6, 10): loss and accuracy curves, predicted probabilities, decision
boundaries, weight histograms, optimizer paths on a loss surface, predicted digits."""

import matplotlib as mpl
import numpy as np

from ..errors import NNLiteError
from .style import DISTINCT, MARKERS, PALETTE, _axes, _figure_and_axes, _new_figure, page_width, series_style, subplots


def loss_curves(history, ax=None, title="Loss during training", xlabel="epoch", ylabel="loss", log=False,
                first=1):
    """Draw loss curves and return the Figure.

    Args:
        history: a ``History`` from ``nl.fit`` (draws ``loss`` and, if recorded, ``val_loss``), or a dict
            ``{label: sequence of losses}`` (one curve each, e.g. one per learning rate).
        ax: Axes to draw on (a new figure if None).
        log: logarithmic y axis.
        first: the x value of the first point: 1 for epochs (the default), 0 for steps.

    Example:
        >>> fig = loss_curves({"lr 0.1": [1.0, 0.5, 0.3],
        ...                    "lr 0.01": [1.0, 0.9, 0.8]})
    """
    if isinstance(history, dict):
        curves = history
    elif hasattr(history, "loss"):
        curves = {"training": history.loss}
        if getattr(history, "val_loss", None):
            curves["validation"] = history.val_loss
    else:
        raise NNLiteError(f"loss_curves takes a History or a dict of sequences, got {type(history).__name__}.")
    ax = _axes(ax)
    for k, (label, values) in enumerate(curves.items()):           # colour, line style and marker
        ax.plot(first + np.arange(len(values)), np.asarray(values, dtype=float), label=str(label),
                **series_style(k, len(values)))
    if log:
        ax.set_yscale("log")
    ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))   # epochs and steps are whole numbers
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    if len(curves) > 1:
        ax.legend()
    return ax.figure


def compare_curves(x, curves, ax=None, title="", xlabel="x", ylabel="y", log=False):
    """Several curves y(x) on one Axes, each labelled; returns the Figure.

    Args:
        x: (n,) points.
        curves: ``{label: (n,) values}``, one labelled curve each.
        log: logarithmic y axis.
    """
    ax = _axes(ax)
    for k, (label, values) in enumerate(curves.items()):           # colour, line style and marker
        ax.plot(x, values, label=str(label), **series_style(k, len(np.atleast_1d(x))))
    if log:
        ax.set_yscale("log")
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    if len(curves) > 1:
        ax.legend()
    return ax.figure


def decision_boundary(model, X, y, ax=None, title="Decision regions", resolution=200, padding=0.3):
    """Colour the plane by the class ``model`` predicts and draw the data on top; returns the Figure.

    Args:
        model: a Layer mapping (N, 2) inputs to (N, C) logits (argmax decides) or (N, 1) / (N,) logits
            (positive means class 1). It is evaluated in eval mode and restored.
        X: (N, 2) points.
        y: (N,) integer labels.
        resolution: grid points per axis.
        padding: margin around the data, in data units.

    Example:
        >>> X, y = nl.datasets.moons()
        >>> # model: a Layer from 2 inputs to 2 logits
        >>> fig = decision_boundary(model, X, y, title="After training")
    """
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2:
        raise NNLiteError(f"decision_boundary draws 2-D data: X must have shape (N, 2), got {X.shape}.")
    (x0, y0), (x1, y1) = X.min(axis=0) - padding, X.max(axis=0) + padding
    u, v = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    grid = np.c_[u.ravel(), v.ravel()]                     # (resolution**2, 2)
    was_training = model.training
    model.eval()
    try:
        out = np.asarray(model(grid))
    finally:
        model.train(was_training)
    if out.ndim == 2 and out.shape[1] > 1:
        regions = out.argmax(axis=1)
    else:
        regions = (out.reshape(-1) > 0).astype(int)
    n_classes = int(max(y.max(), regions.max())) + 1
    colours = PALETTE[:n_classes]
    cmap = mpl.colors.ListedColormap(colours)
    ax = _axes(ax, figsize=(4.6, 4.2))
    ax.contourf(u, v, regions.reshape(u.shape), levels=np.arange(n_classes + 1) - 0.5, cmap=cmap, alpha=0.25)
    markers = "osD^v<>p"
    for k in range(n_classes):
        ax.scatter(*X[y == k].T, s=14, color=colours[k], marker=markers[k % len(markers)],
                   edgecolor="white", linewidth=0.4, label=f"class {k}")
    ax.set(title=title, xlabel="$x_1$", ylabel="$x_2$", xlim=(x0, x1), ylim=(y0, y1))
    ax.set_aspect("equal")
    ax.grid(False)
    return ax.figure


def compare_decision_boundaries(models, X, y, resolution=200):
    """One decision-boundary panel per model, side by side: ``{"name": model}``.

    Returns:
        matplotlib Figure with one Axes per model, titled with its name and training accuracy.
    """
    fig = _new_figure(page_width((3.9 * len(models), 3.7), len(models)))
    axes = fig.subplots(1, len(models), squeeze=False)[0]
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    for ax, (name, model) in zip(axes, models.items()):
        model.eval()
        accuracy = float((np.asarray(model(X)).argmax(axis=1) == y).mean())
        decision_boundary(model, X, y, ax=ax, title=f"{name}: training accuracy {accuracy:.0%}",
                          resolution=resolution)
    return fig


def weight_snapshot(model):
    """{name: copy of value} for every weight matrix or kernel of ``model`` (biases left out)."""
    return {name: p.value.copy() for name, p in model.named_parameters() if p.value.ndim >= 2}


def weight_histograms(before, after, bins=40, title="Weights before and after training"):
    """One panel per parameter: histograms of its values before and after training; returns the Figure.

    Args:
        before: ``{name: array}``, e.g. ``weight_snapshot(model)`` taken before ``fit``.
        after: ``{name: array}`` with the same names, taken after ``fit``.

    Example:
        >>> before = weight_snapshot(model)
        >>> history = nl.fit(model, ...)
        >>> after = weight_snapshot(model)
        >>> fig = weight_histograms(before, after)
    """
    if set(before) != set(after):
        raise NNLiteError(f"weight_histograms needs the same parameter names before and after, got "
                         f"{sorted(before)} and {sorted(after)}.")
    names = list(before)
    fig, axes = subplots(1, len(names), figsize=(3.2 * len(names), 3.0 + 0.3 * (len(names) > 2)), squeeze=False)
    for ax, name in zip(axes[0], names):
        edges = np.histogram_bin_edges(np.r_[np.ravel(before[name]), np.ravel(after[name])], bins=bins)
        ax.hist(np.ravel(before[name]), bins=edges, histtype="stepfilled", alpha=0.45, label="before")
        ax.hist(np.ravel(after[name]), bins=edges, histtype="step", linewidth=1.6, label="after")
        ax.set(title=f"{name} {tuple(np.shape(before[name]))}", xlabel="value", ylabel="count")
    axes[0][0].legend()
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def optimizer_paths(surface, paths, ax=None, xlim=(-2, 2), ylim=(-2, 2), minimum=None,
                    title="Optimizer paths on a loss surface", levels=20):
    """Contours of a 2-D loss surface with the path each optimizer took; returns the Figure.

    Args:
        surface: vectorised f(w1, w2) -> loss, called on meshgrid arrays.
        paths: ``{label: (steps, 2) array}`` of visited points, start first.
        minimum: optional (w1, w2) to mark with a star.
        levels: number of contour levels (log-spaced).
    """
    ax = _axes(ax, figsize=(5.6, 4.4))
    w1, w2 = np.meshgrid(np.linspace(*xlim, 200), np.linspace(*ylim, 200))
    Z = surface(w1, w2)
    low = Z.min()
    ax.contour(w1, w2, Z - low + 1e-3, levels=np.geomspace(1e-2, (Z - low).max() + 1e-3, levels),
               colors="0.6", linewidths=0.7)
    for k, (label, path) in enumerate(paths.items()):
        path = np.asarray(path)
        style = series_style(k, len(path))
        style["markersize"] = 3.5
        ax.plot(path[:, 0], path[:, 1], linewidth=1.5, label=label, **style)
    first = np.asarray(next(iter(paths.values())))[0]
    ax.plot(*first, marker="s", color="black", markersize=6, linestyle="none", label="start")
    if minimum is not None:
        ax.plot(*minimum, marker="*", color="black", markersize=12, linestyle="none", label="minimum")
    ax.set(title=title, xlabel="$w_1$", ylabel="$w_2$", xlim=xlim, ylim=ylim)
    ax.grid(False)
    ax.legend(loc="best", fontsize=8, frameon=True, framealpha=0.9, facecolor="white", edgecolor="none")
    return ax.figure


def probability_bars(probabilities, ax=None, title="Predicted probabilities", labels=None, target=None):
    """Bar chart of one example's class probabilities (e.g. a softmax row); returns the Figure.

    Args:
        probabilities: (C,) values in [0, 1].
        labels: C tick labels (default 0..C-1).
        target: optional index of the true class, drawn in a second colour.
    """
    p = np.asarray(probabilities, dtype=float).reshape(-1)
    ax = _axes(ax, figsize=(5.0, 3.0))
    colours = [PALETTE[1] if k == target else PALETTE[0] for k in range(len(p))]
    ax.bar(np.arange(len(p)), p, color=colours)
    ax.set_xticks(np.arange(len(p)), labels if labels is not None else [str(k) for k in range(len(p))])
    ax.set(title=title, xlabel="class", ylabel="probability", ylim=(0, 1))
    return ax.figure


def digit_predictions(images, y_true, y_pred, columns=8, title="Test digits: predicted (true)"):
    """A grid of 8×8 digit images, each titled with the predicted and the true label; returns the Figure.

    Args:
        images: (N, 64) or (N, 8, 8) pixel values.
        y_true: (N,) true labels.
        y_pred: (N,) predicted labels; wrong predictions are titled in a second colour.
    """
    images = np.asarray(images, dtype=float).reshape(len(images), 8, 8)
    rows = int(np.ceil(len(images) / columns))
    fig, axes = subplots(rows, columns, figsize=(1.1 * columns, 1.25 * rows + 0.4), squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for ax, image, true, pred in zip(axes.ravel(), images, y_true, y_pred):
        ax.imshow(image, cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(f"{pred} ({true})", fontsize=9, color=PALETTE[0] if pred == true else PALETTE[3])
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def accuracy_curves(runs, ax=None, title="Test accuracy during training"):
    """Test-accuracy curves of stored training runs (dicts with "model", "shuffle" and "curve":
    [[step, accuracy %], ...]): one colour per model, solid for the normal data, dashed for shuffled."""
    fig, ax = _figure_and_axes(ax, (7.0, 3.8))
    models = list(dict.fromkeys(r["model"] for r in runs))
    for r in runs:
        steps, accuracy = np.asarray(r["curve"], dtype=float).T
        k = models.index(r["model"])                    # a colour and a marker per model (never colour alone)
        ax.plot(steps, accuracy, color=DISTINCT[k % len(DISTINCT)], ls="--" if r["shuffle"] else "-", lw=1.6,
                marker=MARKERS[k % len(MARKERS)], markersize=5, markevery=max(1, len(steps) // 6),
                markerfacecolor="white" if r["shuffle"] else None,
                label=f"{r['model']}{' (shuffled)' if r['shuffle'] else ''}")
    ax.set(title=title, xlabel="training step", ylabel="test accuracy (%)")
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
    return fig
