"""The MNIST-1D table module: the paper's model shapes, the training entry point and the stored results."""

import numpy as np
import pytest

import nnlite as nl
from nnlite import mnist1d_table
from nnlite.errors import NNLiteError

# Parameter counts of the paper's PyTorch models (LinearBase, MLPBase, ConvBase, GRUBase).
PAPER_PARAMETERS = {"logistic": 410, "mlp": 15210, "cnn": 5210, "gru": 5134}


def transformer_parameters(dim, num_heads, hidden, blocks):
    """Dense(1→d), 40 positions, blocks of attention (4d² + 4d), MLP and two LayerNorms, LayerNorm, Dense(d→10)."""
    block = 4 * dim * dim + 4 * dim + 2 * dim * hidden + hidden + dim + 4 * dim
    return 2 * dim + 40 * dim + blocks * block + 2 * dim + 10 * dim + 10


PARAMETERS = {**PAPER_PARAMETERS, "transformer": transformer_parameters(**mnist1d_table.TRANSFORMER)}


@pytest.mark.parametrize("name", mnist1d_table.ALL_MODELS)
def test_models_have_the_paper_shapes(name, rng):
    model = mnist1d_table.build_model(name, rng=0, dtype=np.float64)
    assert sum(p.size for p in model.parameters()) == PARAMETERS[name]
    X = mnist1d_table.model_input(name, rng.standard_normal((3, 40)))
    assert model(X).shape == (3, 10)


def test_transformer_model_reads_tokens_and_gradchecks(rng):
    model = mnist1d_table.build_model("transformer", rng=0, dtype=np.float64)
    assert mnist1d_table.model_input("transformer", np.ones((2, 40))).shape == (2, 40, 1)
    kinds = [type(layer).__name__ for layer in model]
    assert kinds[:2] == ["Dense", "PositionalEmbedding"] and kinds[-3:] == ["LayerNorm", "MeanPool", "Dense"]
    assert kinds.count("TransformerBlock") == mnist1d_table.TRANSFORMER["blocks"]
    small = nl.Sequential(nl.Dense(1, 4, rng=0), nl.PositionalEmbedding(5, 4, rng=1),
                          nl.TransformerBlock(4, 2, 8, rng=2), nl.LayerNorm(4), nl.MeanPool(), nl.Dense(4, 3, rng=3))
    errors = nl.gradcheck(small, rng.standard_normal((2, 5, 1)))
    errors.pop("2.attn.b_k")                          # exactly zero: softmax ignores a shift shared by all keys
    assert max(errors.values()) < 1e-6, errors


def test_gru_model_gradcheck(rng):
    model = nl.Sequential(nl.BiGRU(1, 2, rng=0), nl.Flatten(), nl.Dense(5 * 4, 3, rng=1))
    errors = nl.gradcheck(model, rng.standard_normal((2, 5, 1)))
    assert max(errors.values()) < 1e-5, errors


def test_unknown_model():
    with pytest.raises(NNLiteError, match="logistic.*transformer"):
        mnist1d_table.build_model("resnet")


def test_run_returns_what_the_table_needs():
    pytest.importorskip("mnist1d", reason="the mnist1d package generates the data")
    result = mnist1d_table.run("logistic", steps=20, seed=3, eval_every=10)
    assert result["steps"] == 20 and result["seed"] == 3 and result["shuffle"] is False
    assert [step for step, _ in result["curve"]] == [10, 20]
    assert 0 <= result["accuracy"] <= 100 and result["accuracy"] == result["curve"][-1][1]
    assert result["parameters"] == PAPER_PARAMETERS["logistic"]


def test_stored_results_cover_the_table():
    results = mnist1d_table.load_results()
    found = {(r["model"], r["shuffle"]) for r in results["runs"]}
    assert found == {(m, s) for m in mnist1d_table.ALL_MODELS for s in (False, True)}
    assert all(r["steps"] == 6000 and r["batch_size"] == 100 and r["lr"] == 0.01 for r in results["runs"])
    assert all(r["parameters"] == PARAMETERS[r["model"]] for r in results["runs"])
    rows = mnist1d_table.table(results)
    assert [r["model"] for r in rows] == list(mnist1d_table.MODELS)        # the paper's rows by default
    rows = mnist1d_table.table(results, models=mnist1d_table.ALL_MODELS)
    assert [r["model"] for r in rows] == list(mnist1d_table.ALL_MODELS)
    for row in rows:
        for key in ("normal", "shuffled"):
            low, high = row[f"range_{key}"]
            assert low <= row[f"nnlite_{key}"] <= high
            assert row[f"seeds_{key}"] >= (2 if row["model"] in mnist1d_table.MODELS else 1)


def test_stored_pytorch_results_are_the_same_protocol_and_feed_the_table():
    pytorch = mnist1d_table.load_pytorch()
    runs = pytorch["runs"]
    found = {(r["model"], r["shuffle"]) for r in runs}
    assert {("transformer", False), ("transformer", True)} <= found             # the row the paper lacks
    assert all(r["steps"] == 6000 and r["batch_size"] == 100 and r["lr"] == 0.01 and r["dtype"] == "float32"
               for r in runs)
    assert all(r["parameters"] == PARAMETERS[r["model"]] for r in runs)      # the same shapes as nnlite's
    assert pytorch["torch"].startswith("2.")
    rows = {r["model"]: r for r in mnist1d_table.table(models=mnist1d_table.ALL_MODELS)}
    for name in mnist1d_table.ALL_MODELS:
        for shuffle, key in ((False, "normal"), (True, "shuffled")):
            accuracies = [r["accuracy"] for r in runs if r["model"] == name and r["shuffle"] == shuffle]
            if accuracies:
                assert rows[name][f"pytorch_source_{key}"] == "runs"
                assert rows[name][f"pytorch_{key}"] == round(float(np.mean(accuracies)), 1)
                assert rows[name][f"pytorch_range_{key}"] == (min(accuracies), max(accuracies))
            else:                                   # not re-run yet: the figure typed in before, marked as such
                assert rows[name][f"pytorch_source_{key}"] == "typed"
                assert rows[name][f"pytorch_{key}"] == mnist1d_table.PYTORCH_TYPED[name][shuffle]


def test_table_falls_back_to_typed_pytorch_figures_and_marks_them():
    rows = mnist1d_table.table(pytorch={"runs": []})
    assert all(r["pytorch_source_normal"] == "typed" and r["pytorch_normal"] == mnist1d_table.PYTORCH_TYPED[r["model"]][0]
               for r in rows)
    assert "31.7†" in mnist1d_table.markdown_table(rows) and "† PyTorch figure" in mnist1d_table.markdown_table(rows)
    one = {"runs": [{"model": "logistic", "shuffle": False, "accuracy": 30.0},
                    {"model": "logistic", "shuffle": False, "accuracy": 31.0}]}
    logistic = mnist1d_table.table(pytorch=one)[0]
    assert (logistic["pytorch_normal"], logistic["pytorch_source_normal"], logistic["pytorch_seeds_normal"]) == (30.5, "runs", 2)
    assert logistic["pytorch_source_shuffled"] == "typed"


def test_markdown_table_has_a_dash_where_the_paper_has_no_figure():
    text = mnist1d_table.markdown_table(mnist1d_table.table(models=mnist1d_table.ALL_MODELS))
    transformer = next(line for line in text.splitlines() if line.startswith("| Transformer"))
    assert transformer.split("|")[3].strip() == "–"
    assert sum(line.startswith("|") for line in text.splitlines()) == 2 + 2 * len(mnist1d_table.ALL_MODELS)


@pytest.mark.parity
def test_pytorch_script_builds_the_same_shapes_and_runs():
    pytest.importorskip("torch", reason="PyTorch is not installed: pip install torch==2.13.0")
    pytest.importorskip("mnist1d", reason="the mnist1d package generates the data")
    from tools import mnist1d_pytorch
    for name in mnist1d_table.ALL_MODELS:
        model = mnist1d_pytorch.build_model(name)
        assert sum(p.numel() for p in model.parameters()) == PARAMETERS[name], name
    result = mnist1d_pytorch.run("transformer", steps=5, seed=1)
    assert result["steps"] == 5 and result["seed"] == 1 and result["parameters"] == PARAMETERS["transformer"]
    assert 0 <= result["accuracy"] <= 100
