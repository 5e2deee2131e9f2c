"""Chapter 5's figure of backpropagation: a small computation drawn value by value, each box holding the
value the forward pass computed and the gradient the backward pass left in it (as micrograd draws it).
"""

from matplotlib.patches import Circle, FancyBboxPatch

from ..errors import NNLiteError
from .style import OKABE_ITO, _new_figure

_BOX_W, _BOX_H, _OP_R = 1.0, 0.62, 0.17


def value_graph(nodes, operations, title=None, figsize=(8.0, 3.0), fontsize=10):
    """Draw a scalar computation graph with every value and gradient written in; returns the Figure.

    Args:
        nodes: ``{name: (label, value, grad, (x, y))}``, one entry per value: the label drawn in its box
            (mathtext allowed), the number the forward pass computed, the gradient dL/d(value) the
            backward pass computed, and where the box goes (data coordinates; a box is 1 wide and 0.62
            high, so columns 1.5 apart leave room for the operations).
        operations: ``[(symbol, [input names], output name)]``: each operation is a circle halfway
            between its rightmost input's column and its output, on the output's row.
        title: the figure's title.

    Every box reads, top to bottom: the label, ``value …`` and ``grad …``; forward arrows run from the
    inputs through the operation to the output.
    """
    for symbol, inputs, output in operations:
        for name in [*inputs, output]:
            if name not in nodes:
                raise NNLiteError(f"value_graph: operation {symbol!r} uses {name!r}, which is not in nodes; "
                                  f"add it to nodes as (label, value, grad, (x, y)).")
    fig = _new_figure(figsize)
    ax = fig.add_subplot()
    blue, vermillion = OKABE_ITO["blue"], OKABE_ITO["vermillion"]
    for name, (label, value, grad, (x, y)) in nodes.items():
        ax.add_patch(FancyBboxPatch((x - _BOX_W / 2, y - _BOX_H / 2), _BOX_W, _BOX_H,
                                    boxstyle="round,pad=0.02", facecolor="white", edgecolor=blue, lw=1.4))
        ax.text(x, y + 0.19, label, ha="center", va="center", fontsize=fontsize + 1, fontweight="bold")
        ax.text(x, y, f"value {value:.3f}", ha="center", va="center", fontsize=fontsize)
        ax.text(x, y - 0.19, f"grad {grad:.3f}", ha="center", va="center", fontsize=fontsize,
                color=vermillion)
    arrow = dict(arrowstyle="-|>", color=blue, lw=1.3, shrinkA=0, shrinkB=0)
    for symbol, inputs, output in operations:
        ox, oy = nodes[output][3]
        cx = (ox + max(nodes[name][3][0] for name in inputs)) / 2
        cy = oy                                     # the operation sits in the gap before its output
        ax.add_patch(Circle((cx, cy), _OP_R, facecolor=OKABE_ITO["sky"], edgecolor=blue, lw=1.2))
        ax.text(cx, cy, symbol, ha="center", va="center", fontsize=fontsize + (5 if len(symbol) == 1 else 1))
        ax.annotate("", xy=(ox - _BOX_W / 2, oy), xytext=(cx + _OP_R, cy), arrowprops=arrow)
        for name in inputs:
            ix, iy = nodes[name][3]
            if iy == cy:                            # straight in from the left
                start, end = (ix + _BOX_W / 2, iy), (cx - _OP_R, cy)
            else:                                   # from above or below: leave the box's top or bottom
                side = 1 if iy < cy else -1
                start = (ix + 0.15, iy + side * _BOX_H / 2)
                end = (cx - 0.12, cy - side * 0.12)
            ax.annotate("", xy=end, xytext=start, arrowprops=arrow)
    xs = [x for *_, (x, y) in nodes.values()]
    ys = [y for *_, (x, y) in nodes.values()]
    ax.set_xlim(min(xs) - 0.55, max(xs) + 0.55)
    ax.set_ylim(min(ys) - 0.45, max(ys) + 0.45)
    ax.set_aspect("equal")
    ax.set_axis_off()
    if title:
        ax.set_title(title, fontsize=fontsize + 1)
    return fig
