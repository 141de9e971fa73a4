"""evaluate() and predict() against PyTorch on the same weights."""

import numpy as np
import pytest
import torch

from gradcraft import data
from gradcraft.losses import softmax_cross_entropy
from gradcraft.train import evaluate, predict


def test_evaluate_and_predict_match_torch(blobs, make_tiny_mlp):
    model = make_tiny_mlp(dropout=0.5)
    model.train()
    net = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    net.load_state_dict({"0.weight": torch.from_numpy(model.state_dict()["0.weight"]),
                         "0.bias": torch.from_numpy(model.state_dict()["0.bias"]),
                         "2.weight": torch.from_numpy(model.state_dict()["3.weight"]),
                         "2.bias": torch.from_numpy(model.state_dict()["3.bias"])})
    x, y = (torch.from_numpy(a) for a in blobs.arrays)
    with torch.no_grad():
        scores = net(x)
    result = evaluate(model, data.DataLoader(blobs, batch_size=20), softmax_cross_entropy)  # 20+20+8
    assert result["loss"] == pytest.approx(torch.nn.functional.cross_entropy(scores, y).item(), rel=1e-5)
    assert result["accuracy"] == (scores.argmax(1) == y).sum().item() / 48
    assert result["samples"] == 48
    np.testing.assert_allclose(predict(model, blobs, batch_size=7), scores.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(predict(model, blobs.arrays[0]), scores.numpy(), rtol=1e-5, atol=1e-6)
    assert model.training  # the mode is restored


def test_evaluate_needs_labels(blobs, make_tiny_mlp):
    with pytest.raises(ValueError, match=r"\(features, labels\) pairs"):
        evaluate(make_tiny_mlp(), blobs.arrays[0])
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        predict(make_tiny_mlp(), blobs, batch_size=0)


def test_evaluate_computes_the_cross_entropy_of_class_scores_by_default(blobs, make_tiny_mlp):
    """Without loss_fn: softmax cross-entropy for scores (N, K) and integer labels (N,), the
    value torch.nn.functional.cross_entropy gives on the same scores."""
    model = make_tiny_mlp(seed=2)
    net = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    net.load_state_dict({k: torch.from_numpy(v) for k, v in model.state_dict().items()})
    x, y = (torch.from_numpy(a) for a in blobs.arrays)
    with torch.no_grad():
        expected = torch.nn.functional.cross_entropy(net(x), y).item()
    result = evaluate(model, data.DataLoader(blobs, batch_size=20))
    assert result["loss"] == pytest.approx(expected, rel=1e-5)
    assert result == evaluate(model, data.DataLoader(blobs, batch_size=20), softmax_cross_entropy)


def test_evaluate_leaves_the_loss_unknown_for_other_outputs(blobs):
    """Outputs that are not class scores for integer labels: no default loss, no accuracy;
    loss_fn still chooses one (here the mean squared error, checked by hand)."""
    from gradcraft import nn

    features, labels = blobs.arrays
    targets = data.TensorDataset(features, features[:, :2].copy())    # regression targets (N, 2)
    model = nn.Linear(4, 2, rng=0)
    result = evaluate(model, targets)
    assert (result["loss"], result["accuracy"], result["samples"]) == (None, None, 48)
    mse = evaluate(model, targets, lambda scores, y: ((scores - y) ** 2).mean())["loss"]
    w, b = model.weight.data, model.bias.data
    assert mse == pytest.approx(np.mean((features @ w.T + b - features[:, :2]) ** 2), rel=1e-5)
