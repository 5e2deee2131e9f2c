"""The MNIST-1D table module: the paper's model shapes, the training entry point and the stored results."""

import numpy as np
import pytest

import nnlite as nl
from nnlite import mnist1d_table
from nnlite.errors import NNLiteError

# Parameter counts of the paper's PyTorch models (LinearBase, MLPBase, ConvBase, GRUBase).
PAPER_PARAMETERS = {"logistic": 410, "mlp": 15210, "cnn": 5210, "gru": 5134}


@pytest.mark.parametrize("name", mnist1d_table.MODELS)
def test_models_have_the_paper_shapes(name, rng):
    model = mnist1d_table.build_model(name, rng=0, dtype=np.float64)
    assert sum(p.size for p in model.parameters()) == PAPER_PARAMETERS[name]
    X = mnist1d_table.model_input(name, rng.standard_normal((3, 40)))
    assert model(X).shape == (3, 10)


def test_gru_model_gradcheck(rng):
    model = nl.Sequential(nl.BiGRU(1, 2, rng=0), nl.Flatten(), nl.Dense(5 * 4, 3, rng=1))
    errors = nl.gradcheck(model, rng.standard_normal((2, 5, 1)))
    assert max(errors.values()) < 1e-5, errors


def test_unknown_model():
    with pytest.raises(NNLiteError, match="logistic"):
        mnist1d_table.build_model("transformer")


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
    assert found == {(m, s) for m in mnist1d_table.MODELS for s in (False, True)}
    assert all(r["steps"] == 6000 and r["batch_size"] == 100 and r["lr"] == 0.01 for r in results["runs"])
    rows = mnist1d_table.table(results)
    assert [r["model"] for r in rows] == list(mnist1d_table.MODELS)
    for row in rows:
        for key in ("normal", "shuffled"):
            low, high = row[f"range_{key}"]
            assert low <= row[f"nnlite_{key}"] <= high
