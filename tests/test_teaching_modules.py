"""The teaching tools are split by topic: each chapter's checkers and figures sit in a module named after
its subject, and ``check.<name>`` / ``plot.<name>`` still reach every one of them."""

import builtins
import dis
import importlib
import inspect
import json
import pkgutil
import re
import subprocess
import sys
import types
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from nnlite import check, plot  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent

# module -> (chapter, the checkers it holds, in the order of check.__all__)
CHECK_TOPICS = {
    "neurons": (1, ["weighted_sum", "dense_forward", "neuron_output"]),
    "parameters": (2, ["count_parameters", "init_uniform", "bias_shift"]),
    "activations": (3, ["relu", "sigmoid", "sigmoid_grad"]),
    "losses": (4, ["softmax", "mse", "cross_entropy"]),
    "backprop": (5, ["dense_backward", "relu_backward", "numerical_gradient"]),
    "training": (6, ["sgd_step", "momentum_step", "adam_step"]),
    "convolution": (7, ["conv1d", "maxpool1d", "conv_output_length"]),
    "recurrent": (8, ["rnn_step", "rnn_forward", "clip_gradient"]),
    "normalisation": (9, ["batchnorm_forward", "layernorm_forward", "dropout_forward"]),
    "attention": (10, ["embedding_lookup", "dot_product_attention", "causal_attention",
                       "block_parameters", "gpt_parameters", "pre_ln_residual"]),
}
CHECK_PRIVATE = ["_common", "_exercise", "_reference", "_runner"]

# module -> the public names it holds
PLOT_TOPICS = {
    "style": ["use_style", "subplots", "OKABE_ITO", "PALETTE", "DISTINCT", "series_style", "label_line_ends",
              "page_width"],
    "diagrams": ["network_diagram", "neuron_diagram", "computation_graph", "unrolled_rnn", "LABEL_POSITIONS"],
    "backprop": ["value_graph"],
    "activations": ["activation_curves", "bias_shift_plot", "activation_histograms", "ACTIVATION_NAMES"],
    "training": ["loss_curves", "compare_curves", "probability_bars", "decision_boundary",
                 "compare_decision_boundaries", "weight_snapshot", "weight_histograms", "optimizer_paths",
                 "digit_predictions", "accuracy_curves"],
    "convolution": ["sliding_kernel", "feature_maps", "image_grid"],
    "sequences": ["hidden_state_traces", "signals", "grouped_bars"],
    "normalisation": ["normalisation_statistics", "train_val_curves"],
    "attention": ["attention_heatmap", "attention_maps", "growth_curves", "parameter_breakdown"],
}

ALL_CHECKERS = [
    "weighted_sum", "dense_forward", "neuron_output",
    "count_parameters", "init_uniform", "bias_shift",
    "relu", "sigmoid", "sigmoid_grad",
    "softmax", "mse", "cross_entropy",
    "dense_backward", "relu_backward", "numerical_gradient",
    "sgd_step", "momentum_step", "adam_step",
    "conv1d", "maxpool1d", "conv_output_length",
    "rnn_step", "rnn_forward", "clip_gradient",
    "batchnorm_forward", "layernorm_forward", "dropout_forward",
    "embedding_lookup", "dot_product_attention", "causal_attention",
    "block_parameters", "gpt_parameters", "pre_ln_residual",
]


def submodules(package):
    return sorted(info.name for info in pkgutil.iter_modules(package.__path__))


def global_names(code):
    """Every global name ``code`` (and the functions and lambdas inside it) reads."""
    names = {ins.argval for ins in dis.get_instructions(code) if ins.opname in ("LOAD_GLOBAL", "LOAD_NAME")}
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= global_names(const)
    return names


def test_check_all_is_unchanged():
    assert check.__all__ == ALL_CHECKERS
    assert len(check.__all__) == 33


def test_check_has_exactly_the_topic_modules():
    assert submodules(check) == sorted(list(CHECK_TOPICS) + CHECK_PRIVATE)


def test_the_topic_modules_hold_every_checker_in_the_order_of_the_chapters():
    assert [name for _, names in CHECK_TOPICS.values() for name in names] == check.__all__


@pytest.mark.parametrize("module", CHECK_TOPICS)
def test_each_checker_lives_in_the_module_of_its_chapter(module):
    chapter, names = CHECK_TOPICS[module]
    topic = importlib.import_module(f"nnlite.check.{module}")
    assert f"chapter {chapter}," in topic.__doc__
    assert module in check.__doc__
    for name in names:
        assert getattr(check, name) is getattr(topic, name)
        assert getattr(check, name).__module__ == f"nnlite.check.{module}"


def test_a_checker_is_found_by_its_subject():
    assert check.relu.__module__ == "nnlite.check.activations"
    assert check.conv1d.__module__ == "nnlite.check.convolution"
    assert check.adam_step.__module__ == "nnlite.check.training"


def test_plot_has_exactly_the_topic_modules():
    assert submodules(plot) == sorted(PLOT_TOPICS)


@pytest.mark.parametrize("module", PLOT_TOPICS)
def test_each_figure_lives_in_the_module_of_its_topic(module):
    topic = importlib.import_module(f"nnlite.plot.{module}")
    assert module in plot.__doc__
    for name in PLOT_TOPICS[module]:
        assert getattr(plot, name) is getattr(topic, name), name
        if callable(getattr(plot, name)):
            assert getattr(plot, name).__module__ == f"nnlite.plot.{module}"


def test_every_public_plot_function_is_reachable_as_plot_name():
    for module in submodules(plot):
        topic = importlib.import_module(f"nnlite.plot.{module}")
        for name, value in vars(topic).items():
            if inspect.isfunction(value) and value.__module__ == topic.__name__ and not name.startswith("_"):
                assert getattr(plot, name, None) is value, f"plot.{name} ({module})"
                assert name in plot.__all__, name
    assert sorted(plot.__all__) == sorted(name for names in PLOT_TOPICS.values() for name in names)


def test_every_plot_name_the_chapters_and_widgets_use_exists():
    sources = [(ROOT / "nnlite" / "widgets.py").read_text()]
    for notebook in sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb")):
        cells = json.loads(notebook.read_text())["cells"]
        sources += ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "code"]
    used = {name for source in sources for name in re.findall(r"\bplot\.([A-Za-z_]\w*)", source)}
    assert {"use_style", "network_diagram", "OKABE_ITO", "PALETTE"} <= used      # the scan finds them
    assert sorted(name for name in used if not hasattr(plot, name)) == []


def test_the_palette_and_style_exist_once():
    for module in submodules(plot):
        topic = importlib.import_module(f"nnlite.plot.{module}")
        for name in ("OKABE_ITO", "PALETTE", "DISTINCT", "use_style", "_new_figure", "_figure_and_axes"):
            if hasattr(topic, name):
                assert getattr(topic, name) is getattr(plot.style, name), f"{module}.{name}"


@pytest.mark.parametrize("module", [f"nnlite.check.{m}" for m in list(CHECK_TOPICS) + ["_common"]]
                         + [f"nnlite.plot.{m}" for m in PLOT_TOPICS])
def test_every_name_a_moved_function_reads_is_defined_in_its_module(module):
    """A missing import would otherwise surface only when a rare branch (an error message) runs."""
    topic = importlib.import_module(module)
    functions = {}
    for name, value in vars(topic).items():
        if getattr(value, "__module__", None) != module:
            continue
        if inspect.isfunction(value):
            functions[name] = value
        elif inspect.isclass(value):
            functions.update({f"{name}.{m}": f for m, f in vars(value).items() if inspect.isfunction(f)})
    assert functions
    for name, function in functions.items():
        missing = sorted(n for n in global_names(function.__code__)
                         if n not in vars(topic) and not hasattr(builtins, n))
        assert missing == [], f"{module}.{name} reads undefined {missing}"


def test_the_core_imports_no_teaching_tool():
    """``import nnlite`` needs numpy only; the checkers need no matplotlib either."""
    probe = (
        "import sys\n"
        "import nnlite\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('matplotlib', 'ipywidgets')\n"
        "                or m in ('nnlite.check', 'nnlite.plot', 'nnlite.widgets')\n"
        "                or m.startswith(('nnlite.check.', 'nnlite.plot.')))\n"
        "import nnlite.check\n"
        "after_check = sorted(m for m in sys.modules if m.split('.')[0] in ('matplotlib', 'ipywidgets'))\n"
        "print(loaded, after_check)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == "[] []"
