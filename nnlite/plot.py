"""Plotting helpers shared by the chapters (matplotlib). Imported by name, never by the core:

    from nnlite import plot
    plot.use_style()

One colour-blind-safe palette (Okabe & Ito) for every figure in the book.
"""

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

from .errors import NNLiteError

# Okabe-Ito: distinguishable with every common colour-vision deficiency.
OKABE_ITO = {
    "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73", "yellow": "#F0E442",
    "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7", "black": "#000000",
}
PALETTE = [OKABE_ITO[c] for c in ("blue", "orange", "green", "vermillion", "purple", "sky", "yellow", "black")]
# For many lines on one axis: orange and vermillion are hard to tell apart side by side, so they are not neighbours.
DISTINCT = [OKABE_ITO[c] for c in ("blue", "orange", "green", "purple", "sky", "vermillion", "black", "yellow")]


def use_style():
    """Set the course's figure style: palette, sizes, a white background that reads in dark themes too."""
    mpl.rcParams.update({
        "axes.prop_cycle": mpl.cycler(color=PALETTE),
        "figure.figsize": (6.0, 3.6),
        "figure.dpi": 100,
        "savefig.dpi": 100,
        "figure.facecolor": "white",
        "axes.facecolor": "white",
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titlesize": 12,
        "axes.labelsize": 11,
        "legend.frameon": False,
        "image.cmap": "cividis",
    })
    return plt


# --- Training: loss curves, decision boundaries, weight histograms, optimizer paths (chapters 4-6) ----

def subplots(nrows=1, ncols=1, **kwargs):
    """``plt.subplots``, with the figure released by pyplot.

    A notebook then shows the figure once, where a cell ends with it (``fig`` as the last line), and
    the book captions that output; pyplot would show a figure it still holds a second time.

    Returns:
        (Figure, Axes or array of Axes), as ``plt.subplots``.
    """
    fig, axes = plt.subplots(nrows, ncols, **kwargs)
    plt.close(fig)
    return fig, axes


def _axes(ax, figsize=None):
    """The given Axes, or a new figure's Axes (the figure released by pyplot)."""
    if ax is None:
        fig, ax = subplots(figsize=figsize)
    return ax


def loss_curves(history, ax=None, title="Loss during training", xlabel="epoch", ylabel="loss", log=False,
                first=1):
    """Draw loss curves and return the Figure.

    Args:
        history: a ``History`` from ``nl.fit`` (draws ``loss`` and, if recorded, ``val_loss``), or a dict
            ``{label: sequence of losses}`` (one curve each, e.g. one per learning rate).
        ax: Axes to draw on (a new figure if None).  log: logarithmic y axis.
        first: the x value of the first point: 1 for epochs (the default), 0 for steps.

    Example:
        >>> fig = loss_curves({"lr 0.1": [1.0, 0.5, 0.3], "lr 0.01": [1.0, 0.9, 0.8]})
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
    for label, values in curves.items():
        ax.plot(first + np.arange(len(values)), np.asarray(values, dtype=float), label=str(label))
    if log:
        ax.set_yscale("log")
    ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))   # epochs and steps are whole numbers
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    if len(curves) > 1:
        ax.legend()
    return ax.figure


def decision_boundary(model, X, y, ax=None, title="Decision regions", resolution=200, padding=0.3):
    """Colour the plane by the class ``model`` predicts and draw the data on top; returns the Figure.

    Args:
        model: a Layer mapping (N, 2) inputs to (N, C) logits (argmax decides) or (N, 1) / (N,) logits
            (positive means class 1). It is evaluated in eval mode and restored.
        X: (N, 2) points.  y: (N,) integer labels.
        resolution: grid points per axis.  padding: margin around the data, in data units.

    Example:
        >>> X, y = nl.datasets.moons()
        >>> fig = decision_boundary(model, X, y, title="After training")   # model: 2 inputs -> 2 logits
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


def weight_snapshot(model):
    """{name: copy of value} for every weight matrix or kernel of ``model`` (biases left out)."""
    return {name: p.value.copy() for name, p in model.named_parameters() if p.value.ndim >= 2}


def weight_histograms(before, after, bins=40, title="Weights before and after training"):
    """One panel per parameter: histograms of its values before and after training; returns the Figure.

    Args:
        before, after: dicts ``{name: array}`` with the same names, e.g. ``weight_snapshot(model)`` taken
            before and after ``fit``.

    Example:
        >>> before = weight_snapshot(model); nl.fit(model, ...); after = weight_snapshot(model)
        >>> fig = weight_histograms(before, after)
    """
    if set(before) != set(after):
        raise NNLiteError(f"weight_histograms needs the same parameter names before and after, got "
                         f"{sorted(before)} and {sorted(after)}.")
    names = list(before)
    fig, axes = subplots(1, len(names), figsize=(3.2 * len(names), 3.0), squeeze=False)
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
        minimum: optional (w1, w2) to mark with a star.  levels: number of contour levels (log-spaced).
    """
    ax = _axes(ax, figsize=(5.6, 4.4))
    w1, w2 = np.meshgrid(np.linspace(*xlim, 200), np.linspace(*ylim, 200))
    Z = surface(w1, w2)
    low = Z.min()
    ax.contour(w1, w2, Z - low + 1e-3, levels=np.geomspace(1e-2, (Z - low).max() + 1e-3, levels),
               colors="0.6", linewidths=0.7)
    for label, path in paths.items():
        path = np.asarray(path)
        ax.plot(path[:, 0], path[:, 1], marker="o", markersize=2.5, linewidth=1.3, label=label)
    first = np.asarray(next(iter(paths.values())))[0]
    ax.plot(*first, marker="s", color="black", markersize=6, linestyle="none", label="start")
    if minimum is not None:
        ax.plot(*minimum, marker="*", color="black", markersize=12, linestyle="none", label="minimum")
    ax.set(title=title, xlabel="$w_1$", ylabel="$w_2$", xlim=xlim, ylim=ylim)
    ax.grid(False)
    ax.legend(loc="best", fontsize=8, frameon=True, framealpha=0.9, facecolor="white", edgecolor="none")
    return ax.figure


def computation_graph(values, operations, gradients=None, title="Computation graph"):
    """A chain of values joined by operations, forward arrows on top, backward arrows below; returns the Figure.

    Args:
        values: labels of the values in order, e.g. ``["$X$ (N, 2)", "$Z$ (N, 16)", ...]`` (mathtext allowed).
        operations: one label per arrow between consecutive values (``len(values) - 1``).
        gradients: optional labels of the gradients flowing back, one per value (drawn under each box).
    """
    if len(operations) != len(values) - 1:
        raise NNLiteError(f"computation_graph needs one operation between each pair of values: "
                          f"{len(values)} values need {len(values) - 1} operations, got {len(operations)}.")
    if gradients is not None and len(gradients) != len(values):
        raise NNLiteError(f"computation_graph needs one gradient label per value ({len(values)}), "
                          f"got {len(gradients)}.")
    n = len(values)
    forward, backward = PALETTE[0], PALETTE[3]
    fig, ax = subplots(figsize=(1.7 * n, 2.8 if gradients else 1.9))
    box = dict(boxstyle="round,pad=0.4", facecolor="white", edgecolor=forward, linewidth=1.4)
    for i, label in enumerate(values):
        ax.text(i, 0, label, ha="center", va="center", fontsize=12, bbox=box)
    for i, op in enumerate(operations):
        ax.annotate("", xy=(i + 0.7, 0.1), xytext=(i + 0.3, 0.1),
                    arrowprops=dict(arrowstyle="->", color=forward, linewidth=1.6))
        ax.text(i + 0.5, 0.25, op, ha="center", va="bottom", fontsize=11, color=forward)
        if gradients:
            ax.annotate("", xy=(i + 0.3, -0.1), xytext=(i + 0.7, -0.1),
                        arrowprops=dict(arrowstyle="->", color=backward, linewidth=1.6))
    if gradients:
        for i, g in enumerate(gradients):
            ax.text(i, -0.3, g, ha="center", va="top", fontsize=11, color=backward)
        ax.text(-0.5, 0.7, "forward →", fontsize=11, color=forward, ha="left")
        ax.text(-0.5, -0.95, "← backward", fontsize=11, color=backward, ha="left")
    ax.set(xlim=(-0.55, n - 0.45), ylim=(-1.0 if gradients else -0.4, 0.8))
    ax.set_title(title)
    ax.axis("off")
    fig.tight_layout()
    return fig


def compare_curves(x, curves, ax=None, title="", xlabel="x", ylabel="y", log=False):
    """Several curves y(x) on one Axes, each labelled; returns the Figure.

    Args:
        x: (n,) points.  curves: ``{label: (n,) values}``.  log: logarithmic y axis.
    """
    ax = _axes(ax)
    for label, values in curves.items():
        ax.plot(x, values, label=str(label))
    if log:
        ax.set_yscale("log")
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    if len(curves) > 1:
        ax.legend()
    return ax.figure


def probability_bars(probabilities, ax=None, title="Predicted probabilities", labels=None, target=None):
    """Bar chart of one example's class probabilities (e.g. a softmax row); returns the Figure.

    Args:
        probabilities: (C,) values in [0, 1].  labels: C tick labels (default 0..C-1).
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
        images: (N, 64) or (N, 8, 8) pixel values.  y_true, y_pred: (N,) labels. Wrong predictions are
            titled in a second colour.
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


# --- Chapters 1-3: neurons and layers, parameters, activation functions ----------------------------
# These helpers return a Figure that pyplot no longer tracks (closed right after it is made): a notebook
# shows it once, when it is displayed or glued, never a second time at the end of the cell.

from matplotlib.patches import Circle, FancyArrowPatch

from . import functional as _F

ACTIVATION_NAMES = {"relu": "ReLU", "leaky_relu": "LeakyReLU", "sigmoid": "Sigmoid", "tanh": "Tanh",
                    "gelu": "GELU"}


def _new_figure(figsize):
    """A Figure made through pyplot (so notebooks know how to show it), then released by pyplot."""
    fig = plt.figure(figsize=figsize, layout="constrained")
    plt.close(fig)
    return fig


def _figure_and_axes(ax, figsize):
    """Use the caller's Axes, or make a new Figure with one Axes."""
    if ax is not None:
        return ax.figure, ax
    fig = _new_figure(figsize)
    return fig, fig.add_subplot()


def _activation(name):
    if name not in _F.ACTIVATIONS:
        raise NNLiteError(f"Unknown activation {name!r}; choose one of {sorted(_F.ACTIVATIONS)}.")
    return _F.ACTIVATIONS[name]


def _edge_style(w, w_max):
    """Colour by sign (blue positive, vermillion negative), width by size."""
    colour = OKABE_ITO["blue"] if w >= 0 else OKABE_ITO["vermillion"]
    return colour, 0.6 + 3.0 * abs(w) / w_max if w_max > 0 else 1.0


def _shown_nodes(n, max_nodes):
    """Indices of the nodes drawn in a column of n; a long column shows its first ones, a gap, its last."""
    if n <= max_nodes:
        return list(range(n)), None
    return list(range(max_nodes - 1)) + [n - 1], max_nodes - 1.5   # slot of the vertical dots


def network_diagram(layer_sizes, weights=None, ax=None, title=None, layer_names=None, show_values=None,
                    max_nodes=6):
    """Draw a fully connected network: one column of circles per layer, one line per weight.

    The input layer (left, white) only holds the features; every later column is a layer of neurons
    with a weight on each incoming line. Columns longer than ``max_nodes`` are drawn with a gap.

    Args:
        layer_sizes: e.g. ``[3, 4, 2]``: 3 inputs, 4 hidden neurons, 2 outputs.
        weights: optional list of arrays, ``weights[k]`` of shape (layer_sizes[k], layer_sizes[k+1]) (the
            ``W`` of each Dense layer). Lines are then blue for positive, vermillion for negative weights,
            thicker for larger ones.
        show_values: write each weight on its line (default: when there are at most 16 lines).
        layer_names: labels under the columns (default input / hidden / output layer).

    Returns:
        matplotlib Figure; its Axes holds one Line2D per drawn weight.

    Example:
        >>> fig = network_diagram([3, 4, 2])
    """
    sizes = [int(n) for n in layer_sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise NNLiteError(f"network_diagram needs at least two layer sizes, each >= 1; got {layer_sizes}.")
    if weights is not None:
        weights = [np.asarray(W, dtype=float) for W in weights]
        expected = [(a, b) for a, b in zip(sizes[:-1], sizes[1:])]
        if [W.shape for W in weights] != expected:
            raise NNLiteError(f"network_diagram: weights must have shapes {expected}, "
                             f"got {[W.shape for W in weights]}.")
    tallest = min(max(sizes), max_nodes)
    fig, ax = _figure_and_axes(ax, (2.0 * len(sizes) + 0.6, 0.6 * tallest + 1.6))
    dx = 2.4                                       # distance between columns

    columns = []                                   # per layer: list of (index, y)
    for n in sizes:
        shown, gap = _shown_nodes(n, max_nodes)
        slots = len(shown) + (1 if gap is not None else 0)
        ys = (slots - 1) / 2 - np.arange(slots)
        if gap is not None:                        # skip the slot of the dots
            ys = np.r_[ys[:-2], ys[-1]]
        columns.append(list(zip(shown, ys)))

    n_lines = sum(len(a) * len(b) for a, b in zip(columns[:-1], columns[1:]))
    if show_values is None:
        show_values = weights is not None and n_lines <= 16
    w_max = max((np.abs(W).max() for W in weights), default=0.0) if weights is not None else 0.0

    radius = 0.25
    labels = []                                    # (line end points, text, colour): placed at the end
    for k, (left, right) in enumerate(zip(columns[:-1], columns[1:])):
        for i, yi in left:
            for j, yj in right:
                if weights is None:
                    colour, width = "0.6", 0.8
                else:
                    colour, width = _edge_style(weights[k][i, j], w_max)
                ax.plot([k * dx, (k + 1) * dx], [yi, yj], color=colour, lw=width, zorder=1, solid_capstyle="round")
                if show_values and weights is not None:
                    labels.append(((k * dx, yi, (k + 1) * dx, yj), f"{weights[k][i, j]:.2g}", colour))

    last = len(sizes) - 1
    for k, column in enumerate(columns):
        face = "white" if k == 0 else (OKABE_ITO["orange"] if k == last else OKABE_ITO["sky"])
        for i, y in column:
            ax.add_patch(Circle((k * dx, y), radius, facecolor=face, edgecolor="black", lw=1.2, zorder=2))
            if sizes[k] <= max_nodes:
                symbol = "x" if k == 0 else ("\\hat{y}" if k == last else "h")
                ax.text(k * dx, y, f"${symbol}_{{{i + 1}}}$", ha="center", va="center", fontsize=9, zorder=4)
        if sizes[k] > max_nodes:
            gap_y = column[-2][1] - 1.0
            ax.text(k * dx, gap_y, "⋮", ha="center", va="center", fontsize=14)

    if layer_names is None:
        layer_names = ["input layer"] + [f"hidden layer {k}" if len(sizes) > 3 else "hidden layer"
                                         for k in range(1, last)] + ["output layer"]
    bottom = min(y for column in columns for _, y in column) - 0.75
    for k, (name, n) in enumerate(zip(layer_names, sizes)):
        ax.text(k * dx, bottom, f"{name}\n{n:,} {'feature' if k == 0 else 'neuron'}{'s' if n != 1 else ''}",
                ha="center", va="top", fontsize=9)

    ax.set_xlim(-1.0, last * dx + 1.0)
    top = max(y for column in columns for _, y in column) + 0.6
    ax.set_ylim(bottom - 0.9, top)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title(title or " → ".join(f"{n:,}" for n in sizes) + " network")
    _place_line_labels(ax, labels)
    return fig


# Where along its line (0: left node, 1: right node) a weight label may sit, in the order tried. Labels
# near the left nodes crowd (every line of a node starts there), so the first tries are staggered.
LABEL_POSITIONS = (0.3, 0.42, 0.55, 0.68, 0.22, 0.78, 0.36, 0.48, 0.62, 0.26, 0.34, 0.39, 0.45, 0.51, 0.58,
                   0.65, 0.72, 0.75)


def _place_line_labels(ax, labels):
    """Write each label on its line at the first position where it covers no label placed before it.

    Positions are tried in LABEL_POSITIONS order and measured as drawn (the renderer's extents), so
    the result holds for any font or figure size; if every position overlaps, the least crowded wins.
    """
    if not labels:
        return
    ax.figure.draw_without_rendering()             # runs the layout: extents below are those of the drawing
    placed = []
    for (x0, y0, x1, y1), text, colour in labels:
        label = ax.text(x0, y0, text, fontsize=8, ha="center", va="center", color=colour, zorder=3,
                        bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.85))
        best = None
        for t in LABEL_POSITIONS:
            label.set_position((x0 + t * (x1 - x0), y0 + t * (y1 - y0)))
            box = label.get_window_extent().padded(1)
            crowding = sum(box.overlaps(other) for other in placed)
            if best is None or crowding < best[0]:
                best = (crowding, t, box)
            if crowding == 0:
                break
        _, t, box = best
        label.set_position((x0 + t * (x1 - x0), y0 + t * (y1 - y0)))
        placed.append(box)


def neuron_diagram(x, w, b=0.0, activation="sigmoid", ax=None, title=None):
    """Draw one neuron: inputs x_i, a line per weight w_i, the bias, the weighted sum z and a = f(z).

    Args:
        x, w: 1-D arrays of the same length (inputs and weights).  b: the bias (a number).
        activation: a name from ``nnlite.functional.ACTIVATIONS`` (``"sigmoid"``, ``"relu"``, ...).

    Returns:
        matplotlib Figure; the Axes holds one Line2D per weight and a text with z and a.

    Example:
        >>> fig = neuron_diagram([1.0, 2.0, 3.0], [0.2, 0.3, 0.8], b=-1.0)
    """
    x = np.asarray(x, dtype=float).ravel()
    w = np.asarray(w, dtype=float).ravel()
    if x.shape != w.shape:
        raise NNLiteError(f"neuron_diagram: x and w must have the same length, got {x.size} and {w.size}.")
    f, _ = _activation(activation)
    z = float(w @ x + b)
    a = float(f(np.array(z)))
    n = x.size
    fig, ax = _figure_and_axes(ax, (7.0, 1.0 + 1.0 * max(n, 2)))
    ys = (n - 1) / 2 - np.arange(n)
    w_max = np.abs(w).max()
    neuron = (3.0, 0.0)
    for i in range(n):
        colour, width = _edge_style(w[i], w_max)
        ax.plot([0.35, neuron[0] - 0.5], [ys[i], 0.0], color=colour, lw=width, zorder=1)
        mx, my = 1.45, ys[i] + (0.0 - ys[i]) * (1.45 - 0.35) / (neuron[0] - 0.85)
        ax.text(mx, my, f"$w_{{{i + 1}}} = {w[i]:g}$", ha="center", va="center", fontsize=10, color=colour,
                bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none"))
        ax.add_patch(Circle((0.0, ys[i]), 0.33, facecolor="white", edgecolor="black", zorder=2))
        ax.text(0.0, ys[i], f"$x_{{{i + 1}}}$\n{x[i]:g}", ha="center", va="center", fontsize=9, zorder=3)
    ax.add_patch(Circle(neuron, 0.5, facecolor=OKABE_ITO["sky"], edgecolor="black", lw=1.2, zorder=2))
    ax.text(*neuron, "$\\Sigma$ → $f$", ha="center", va="center", fontsize=11, zorder=3)
    low = ys.min() - 0.2
    ax.add_patch(FancyArrowPatch((neuron[0], low - 0.3), (neuron[0], -0.5), arrowstyle="-|>",
                                 mutation_scale=12, color="0.3"))
    ax.text(neuron[0], low - 0.45, f"bias $b = {b:g}$", ha="center", va="top", fontsize=10)
    ax.add_patch(FancyArrowPatch((neuron[0] + 0.5, 0.0), (neuron[0] + 1.4, 0.0), arrowstyle="-|>",
                                 mutation_scale=14, color="black"))
    name = ACTIVATION_NAMES.get(activation, activation)
    terms = " + ".join(f"{wi:g}·{xi:g}" for wi, xi in zip(w, x))
    ax.text(neuron[0] + 1.5, 0.0, f"$z = {z:.3g}$\n$a = f(z) = {a:.3g}$", ha="left", va="center", fontsize=10)
    ax.text(1.9, low - 1.05, f"weighted sum  z = {terms} + ({b:g}) = {z:.3g};   f = {name}",
            ha="center", va="top", fontsize=9, color="0.25")
    ax.set_xlim(-0.6, 6.2)
    ax.set_ylim(low - 1.5, ys.max() + 0.5)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title(title or f"One neuron with {n} inputs")
    return fig


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
        style = dict(lw=2, ls=styles[k % len(styles)], label=ACTIVATION_NAMES.get(name, name))
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
    fig = _new_figure((3.9 * len(weights), 3.3))
    axes = fig.subplots(1, len(weights), squeeze=False, sharey=True)[0]
    name = ACTIVATION_NAMES.get(activation, activation)
    for ax, w in zip(axes, weights):
        for colour, b in zip(PALETTE, biases):
            ax.plot(xs, f(w * xs + b), color=colour, lw=2, label=f"$b = {b:g}$")
            shift = -b / w
            ax.axvline(shift, color=colour, lw=1, ls="--")
            ax.plot([shift], [f(np.array(0.0))], "o", color=colour, ms=5)
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


def compare_decision_boundaries(models, X, y, resolution=200):
    """One decision-boundary panel per model, side by side: ``{"name": model}``.

    Returns:
        matplotlib Figure with one Axes per model, titled with its name and training accuracy.
    """
    fig = _new_figure((3.9 * len(models), 3.7))
    axes = fig.subplots(1, len(models), squeeze=False)[0]
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    for ax, (name, model) in zip(axes, models.items()):
        model.eval()
        accuracy = float((np.asarray(model(X)).argmax(axis=1) == y).mean())
        decision_boundary(model, X, y, ax=ax, title=f"{name}: training accuracy {accuracy:.0%}",
                          resolution=resolution)
    return fig


# --- Chapters 8 and 10: recurrent layers, choosing layers ---------------------------------------------

from matplotlib.patches import FancyBboxPatch


def unrolled_rnn(steps=4, title="A recurrent layer unrolled over time", cell="tanh"):
    """Draw a recurrent layer unrolled over ``steps`` time steps.

    One box per step holds the same cell (the same Wx, Wh and b); x_t enters from below, h_{t-1} from the
    left, and h_t leaves upwards (the output at step t) and to the right (the state for step t+1).
    """
    fig = _new_figure((1.9 * steps + 1.8, 3.0))
    ax = fig.add_subplot()
    arrow = dict(arrowstyle="-|>", color=OKABE_ITO["black"], lw=1.3, shrinkA=0, shrinkB=0)
    ax.text(0.0, 1.0, "$h_0 = 0$", ha="center", va="center", fontsize=14)
    for t in range(1, steps + 1):
        x = 1.9 * t
        ax.add_patch(FancyBboxPatch((x - 0.45, 0.72), 0.9, 0.56, boxstyle="round,pad=0.04",
                                    facecolor=OKABE_ITO["sky"], edgecolor=OKABE_ITO["blue"], lw=1.5))
        ax.text(x, 1.0, cell, ha="center", va="center", fontsize=14)
        ax.text(x, -0.2, f"$x_{t}$", ha="center", va="center", fontsize=15)
        ax.text(x, 2.2, f"$h_{t}$", ha="center", va="center", fontsize=15)
        ax.annotate("", xy=(x, 0.68), xytext=(x, -0.02), arrowprops=arrow)
        ax.annotate("", xy=(x, 2.02), xytext=(x, 1.32), arrowprops=arrow)
        ax.text(x + 0.08, 0.33, "$W_x$", fontsize=13, color=OKABE_ITO["vermillion"])
        start = 0.45 if t == 1 else x - 1.9 + 0.49
        ax.annotate("", xy=(x - 0.49, 1.0), xytext=(start, 1.0), arrowprops=arrow)
        ax.text(x - 0.95, 1.1, "$W_h$", ha="center", fontsize=13, color=OKABE_ITO["vermillion"])
    ax.annotate("", xy=(1.9 * steps + 1.0, 1.0), xytext=(1.9 * steps + 0.49, 1.0), arrowprops=arrow)
    ax.text(1.9 * steps + 1.1, 1.0, "…", va="center", fontsize=16)
    ax.set_xlim(-0.5, 1.9 * steps + 1.5)
    ax.set_ylim(-0.5, 2.5)
    ax.set_axis_off()
    ax.set_title(title, fontsize=14)
    return fig


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
            ax.plot(steps, row[:, unit], color=colours[k], lw=1, alpha=0.7,
                    label=label_names[k] if i == 0 else None)
    ax.set(title=title, xlabel="time step $t$", ylabel=f"$h_t$, unit {unit}")
    ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))
    ax.legend()
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


def signals(X, y=None, count=4, ax=None, title="Signals", xlabel="position", offset=3.0):
    """The first ``count`` rows of X (N, L) as curves stacked vertically, each labelled with its y."""
    fig, ax = _figure_and_axes(ax, (4.5, 3.6))
    X = np.asarray(X)
    for i in range(min(count, len(X))):
        ax.plot(np.arange(X.shape[1]), X[i] - offset * i, color=PALETTE[i % len(PALETTE)], lw=1.5)
        if y is not None:
            ax.text(X.shape[1] + 0.5, -offset * i, f"{y[i]}", va="center", fontsize=10)
    ax.set(title=title, xlabel=xlabel)
    ax.set_yticks([])
    ax.grid(axis="y", visible=False)
    return fig


# --- Chapters 7 and 9: convolution, pooling, normalisation, dropout ----------------------------------

def sliding_kernel(x, w, positions=(0, 4, 8), title="A kernel sliding along a signal"):
    """A 1-D kernel ``w`` at a few ``positions`` of a signal ``x`` (top) and the output it makes (bottom).

    Output t is y[t] = sum_j w[j] * x[t + j] (stride 1, no padding), drawn under the centre of its window;
    the windows at ``positions`` and their outputs share a colour.

    Returns:
        matplotlib Figure with two Axes (signal, output) sharing the x axis.
    """
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    k = len(w)
    y = np.array([x[t:t + k] @ w for t in range(len(x) - k + 1)])
    fig = _new_figure((7.0, 4.4))
    top, bottom = fig.subplots(2, 1, sharex=True)
    top.bar(np.arange(len(x)), x, color="0.75", width=0.6)
    centres = np.arange(len(y)) + (k - 1) / 2
    bottom.bar(centres, y, color="0.75", width=0.6)
    for colour, t in zip(PALETTE[:len(positions)], positions):
        top.axvspan(t - 0.45, t + k - 0.55, color=colour, alpha=0.2)
        top.bar(np.arange(t, t + k), x[t:t + k], color=colour, width=0.6)
        top.text(t + (k - 1) / 2, x.max() * 1.08 + 0.05,
                 f"t = {t}", ha="center", fontsize=9, color=colour)
        bottom.bar([centres[t]], [y[t]], color=colour, width=0.6)
    weights = ", ".join(f"{v:g}" for v in w)
    top.set(title=f"{title}: kernel w = [{weights}]", ylabel="input $x$")
    top.set_ylim(min(0, x.min()) * 1.15 - 0.05, x.max() * 1.25 + 0.1)
    bottom.set(xlabel="position along the signal", ylabel="output $y$")
    bottom.axhline(0, color="0.3", lw=0.8)
    return fig


def image_grid(images, titles=None, columns=8, title="", cmap="gray_r", symmetric=False, colorbar=False,
               size=1.2):
    """Small images side by side, e.g. digits, convolution filters or feature maps; returns the Figure.

    Args:
        images: (n, h, w) values (or anything that reshapes to it, e.g. a kernel (out, 1, kh, kw)).
        titles: n short titles.  columns: images per row.  title: the figure's title.
        cmap: colour map.  symmetric: one colour scale centred on 0 for every image (filters, whose
            sign matters; a diverging colour-blind-safe map is used).  colorbar: add a shared colour bar.
        size: inches per image.
    """
    images = np.asarray(images, dtype=float)
    images = images.reshape((-1,) + images.shape[-2:])
    n = len(images)
    columns = min(columns, n)
    rows = int(np.ceil(n / columns))
    fig = _new_figure((size * columns + (0.8 if colorbar else 0.2), size * rows + 0.6))
    axes = fig.subplots(rows, columns, squeeze=False)
    if symmetric:
        limit = float(np.abs(images).max()) or 1.0
        cmap, vmin, vmax = "PuOr_r", -limit, limit
    else:
        vmin, vmax = float(images.min()), float(images.max())
    for ax in axes.ravel()[n:]:
        ax.axis("off")
    for i, (ax, image) in enumerate(zip(axes.ravel(), images)):
        shown = ax.imshow(image, cmap=cmap, vmin=vmin, vmax=vmax)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
        ax.spines[:].set_visible(True)
        if titles is not None:
            ax.set_title(str(titles[i]), fontsize=9)
    if colorbar:
        fig.colorbar(shown, ax=axes.ravel().tolist(), shrink=0.8)
    fig.suptitle(title)
    return fig


def normalisation_statistics(arrays, title="Mean ± standard deviation, before and after normalising",
                             n_examples=20):
    """Per-feature and per-example statistics of activations (N, D), one column per array.

    Top row: for each feature, its mean ± std over the batch (what batch norm fixes). Bottom row: for each
    of the first ``n_examples`` examples, its mean ± std over its features (what layer norm fixes).

    Args:
        arrays: ``{label: (N, D) array}``, e.g. ``{"before": X, "after BatchNorm": Y}``.
    """
    labels = list(arrays)
    fig = _new_figure((3.2 * len(labels) + 0.4, 5.0))
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
    for (label, (train, val)), colour in zip(curves.items(), PALETTE):
        epochs = np.arange(1, len(train) + 1)
        ax.plot(epochs, train, ls="--", color=colour, label=f"{label}: training")
        ax.plot(epochs, val, ls="-", color=colour, label=f"{label}: validation")
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.legend(fontsize=9)
    return fig


def feature_maps(images, maps, kernels, kernel_names=None, title="Filters as feature detectors"):
    """Input images (top row) and, one row per kernel, the feature maps that kernel makes of them.

    Args:
        images: (n, h, w) inputs.  maps: (n, K, h', w') outputs of a convolution with K kernels.
        kernels: (K, kh, kw), drawn at the start of each row.  kernel_names: K labels.

    Signed values (kernels, maps) use a diverging colour map centred on 0, one scale per row: orange is
    positive, purple negative.
    """
    images, maps, kernels = (np.asarray(a, dtype=float) for a in (images, maps, kernels))
    n, K = len(images), len(kernels)
    names = kernel_names or [f"kernel {k}" for k in range(K)]
    fig = _new_figure((1.3 * (n + 1) + 0.2, 1.35 * (K + 1) + 0.5))
    axes = fig.subplots(K + 1, n + 1, squeeze=False)
    for ax in axes.ravel():
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
        ax.spines[:].set_visible(True)
    axes[0, 0].axis("off")
    axes[0, 0].text(0.5, 0.5, "input", ha="center", va="center", fontsize=10)
    for i in range(n):
        axes[0, i + 1].imshow(images[i], cmap="gray_r")
    for k in range(K):
        limit = float(np.abs(kernels[k]).max()) or 1.0
        axes[k + 1, 0].imshow(kernels[k], cmap="PuOr_r", vmin=-limit, vmax=limit)
        axes[k + 1, 0].set_ylabel(names[k], fontsize=9)
        limit = float(np.abs(maps[:, k]).max()) or 1.0
        for i in range(n):
            axes[k + 1, i + 1].imshow(maps[i, k], cmap="PuOr_r", vmin=-limit, vmax=limit)
    fig.suptitle(title)
    return fig


def accuracy_curves(runs, ax=None, title="Test accuracy during training"):
    """Test-accuracy curves of stored training runs (dicts with "model", "shuffle" and "curve":
    [[step, accuracy %], ...]): one colour per model, solid for the normal data, dashed for shuffled."""
    fig, ax = _figure_and_axes(ax, (7.0, 3.8))
    models = list(dict.fromkeys(r["model"] for r in runs))
    for r in runs:
        steps, accuracy = np.asarray(r["curve"], dtype=float).T
        colour = DISTINCT[models.index(r["model"]) % len(DISTINCT)]
        ax.plot(steps, accuracy, color=colour, ls="--" if r["shuffle"] else "-", lw=1.6,
                label=f"{r['model']}{' (shuffled)' if r['shuffle'] else ''}")
    ax.set(title=title, xlabel="training step", ylabel="test accuracy (%)")
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
    return fig
