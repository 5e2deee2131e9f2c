"""Diagrams (chapters 1, 5 and 8): a fully connected network, one neuron, a computation graph with its
backward pass, a recurrent layer unrolled over time."""

import numpy as np
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

from ..errors import NNLiteError
from .activations import ACTIVATION_NAMES, _activation
from .style import OKABE_ITO, PALETTE, _figure_and_axes, _new_figure, subplots


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
        x: the inputs, a 1-D array.
        w: the weights, a 1-D array of the same length.
        b: the bias (a number, default 0).
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


def computation_graph(values, operations, gradients=None, title="Computation graph",
                      parameter_gradients=None):
    """A chain of values joined by operations, forward arrows on top, backward arrows below; returns the Figure.

    Args:
        values: labels of the values in order, e.g. ``["$X$ (N, 2)", "$Z$ (N, 16)", ...]`` (mathtext allowed).
        operations: one label per arrow between consecutive values (``len(values) - 1``).
        gradients: optional labels of the gradients flowing back, one per value (drawn under each box).
        parameter_gradients: optional labels of the parameters' gradients, one per operation (``None`` or
            ``""`` for an operation without parameters), drawn in a row of their own under the backward
            arrow of their operation.
    """
    if len(operations) != len(values) - 1:
        raise NNLiteError(f"computation_graph needs one operation between each pair of values: "
                          f"{len(values)} values need {len(values) - 1} operations, got {len(operations)}.")
    if gradients is not None and len(gradients) != len(values):
        raise NNLiteError(f"computation_graph needs one gradient label per value ({len(values)}), "
                          f"got {len(gradients)}.")
    if parameter_gradients is not None and len(parameter_gradients) != len(operations):
        raise NNLiteError(f"computation_graph needs one parameter-gradient label per operation "
                          f"({len(operations)}; None where an operation has no parameters), "
                          f"got {len(parameter_gradients)}.")
    n = len(values)
    forward, backward = PALETTE[0], PALETTE[3]
    bottom = -1.0 if gradients else -0.4
    if parameter_gradients:
        bottom = -1.5
    fig, ax = subplots(figsize=(1.7 * n, 2.0 - 1.25 * bottom))
    box = dict(boxstyle="round,pad=0.4", facecolor="white", edgecolor=forward, linewidth=1.4)
    for i, label in enumerate(values):
        ax.text(i, 0, label, ha="center", va="center", fontsize=13, bbox=box)
    for i, op in enumerate(operations):
        ax.annotate("", xy=(i + 0.7, 0.1), xytext=(i + 0.3, 0.1),
                    arrowprops=dict(arrowstyle="->", color=forward, linewidth=1.6))
        ax.text(i + 0.5, 0.25, op, ha="center", va="bottom", fontsize=12, color=forward)
        if gradients:
            ax.annotate("", xy=(i + 0.3, -0.1), xytext=(i + 0.7, -0.1),
                        arrowprops=dict(arrowstyle="->", color=backward, linewidth=1.6))
    if gradients:
        for i, g in enumerate(gradients):
            ax.text(i, -0.3, g, ha="center", va="top", fontsize=12, color=backward)
        ax.text(-0.5, 0.75, "forward →", fontsize=12, color=forward, ha="left")
        ax.text(-0.5, bottom + 0.05, "← backward", fontsize=12, color=backward, ha="left")
    for i, g in enumerate(parameter_gradients or []):
        if g:
            ax.text(i + 0.5, -0.8, g, ha="center", va="top", fontsize=12, color=backward,
                    bbox=dict(boxstyle="round,pad=0.3", facecolor="white", edgecolor=backward,
                              linewidth=1.0, linestyle="--"))
    ax.set(xlim=(-0.55, n - 0.45), ylim=(bottom, 0.85))
    ax.set_title(title)
    ax.axis("off")
    fig.tight_layout()
    return fig


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
