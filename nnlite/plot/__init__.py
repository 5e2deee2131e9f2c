"""Plotting helpers shared by the chapters (matplotlib). Imported by name, never by the core:

    from nnlite import plot
    plot.use_style()

One colour-blind-safe palette (Okabe & Ito) for every figure in the book.

The figures live in one module per topic; every name is also here, as ``plot.<name>``:

    style          every chapter        use_style, subplots, the palettes OKABE_ITO, PALETTE, DISTINCT;
                                        series_style (colour + line style + marker), label_line_ends, page_width
    diagrams       chapters 1, 5, 8     network_diagram, neuron_diagram, computation_graph, unrolled_rnn
    backprop       chapter 5            value_graph
    activations    chapters 2, 3, 9     activation_curves, bias_shift_plot, activation_histograms
    training       chapters 4-6, 12     loss_curves, compare_curves, probability_bars, decision_boundary,
                                        compare_decision_boundaries, weight_snapshot, weight_histograms,
                                        optimizer_paths, digit_predictions, accuracy_curves
    convolution    chapter 7            sliding_kernel, feature_maps, image_grid
    sequences      chapters 8, 12       hidden_state_traces, signals, grouped_bars
    normalisation  chapter 9            normalisation_statistics, train_val_curves
    attention      chapters 10, 11      attention_heatmap, attention_maps, growth_curves,
                                        parameter_breakdown
"""

from .activations import ACTIVATION_NAMES, activation_curves, activation_histograms, bias_shift_plot
from .attention import attention_heatmap, attention_maps, growth_curves, parameter_breakdown
from .backprop import value_graph
from .convolution import feature_maps, image_grid, sliding_kernel
from .diagrams import LABEL_POSITIONS, computation_graph, network_diagram, neuron_diagram, unrolled_rnn
from .normalisation import normalisation_statistics, train_val_curves
from .sequences import grouped_bars, hidden_state_traces, signals
from .style import (DISTINCT, OKABE_ITO, PALETTE, label_line_ends, page_width, series_style, subplots,
                    use_style)
from .training import (accuracy_curves, compare_curves, compare_decision_boundaries, decision_boundary,
                       digit_predictions, loss_curves, optimizer_paths, probability_bars, weight_histograms,
                       weight_snapshot)

__all__ = [
    "use_style", "subplots", "OKABE_ITO", "PALETTE", "DISTINCT", "series_style", "label_line_ends",
    "page_width",
    "network_diagram", "neuron_diagram", "computation_graph", "unrolled_rnn", "LABEL_POSITIONS",
    "value_graph",
    "activation_curves", "bias_shift_plot", "activation_histograms", "ACTIVATION_NAMES",
    "loss_curves", "compare_curves", "probability_bars", "decision_boundary", "compare_decision_boundaries",
    "weight_snapshot", "weight_histograms", "optimizer_paths", "digit_predictions", "accuracy_curves",
    "sliding_kernel", "feature_maps", "image_grid",
    "hidden_state_traces", "signals", "grouped_bars",
    "normalisation_statistics", "train_val_curves",
    "attention_heatmap", "attention_maps", "growth_curves", "parameter_breakdown",
]
