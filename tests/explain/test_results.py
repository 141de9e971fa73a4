"""`Explanation.result`: each topic's named quantities (the `result` object of --json), checked
against hand arithmetic (written next to the numbers) and PyTorch."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from gradcraft import explain
from gradcraft.explain import TOPICS


def _keys(topic: str, result) -> None:
    """The result has exactly the keys the registry declares for the topic, in that order."""
    assert tuple(result.result) == TOPICS[topic].results


# ------------------------------------------------------------------ classification
def test_hinge_result_by_hand():
    # [3, -1, 4], label 0: terms max(0, -1 - 3 + 1) = 0, max(0, 4 - 3 + 1) = 2; only class 2 violates
    r = explain.hinge([3, -1, 4], 0)
    _keys("hinge", r)
    assert r.result["loss"] == 2.0 and isinstance(r.result["loss"], float)
    np.testing.assert_array_equal(r.result["grad"], [-1, 0, 1])
    np.testing.assert_array_equal(r.result["terms"], [0, 0, 2])
    assert r.result["violating"] == (2,)


def test_hinge_result_matches_torch():
    scores, label, margin = [0.5, 2.0, -1.0, 1.9], 1, 1.0
    s = torch.tensor(scores, dtype=torch.float64, requires_grad=True)
    terms = torch.clamp(s - s[label] + margin, min=0)
    (terms.sum() - terms[label]).backward()
    r = explain.hinge(scores, label, margin)
    assert r.result["loss"] == pytest.approx((terms.sum() - terms[label]).item(), abs=1e-12)
    np.testing.assert_allclose(r.result["grad"], s.grad.numpy(), atol=1e-12)
    # s_j - s_y + margin: 0.5 - 2 + 1 = -0.5, -1 - 2 + 1 = -2, 1.9 - 2 + 1 = 0.9 > 0
    assert r.result["violating"] == (3,)


@pytest.mark.parametrize("margin", [0.0, 1.0])
def test_softmax_result_matches_torch(margin):
    scores, label = [3.0, -1.0, 4.0], 0
    s = torch.tensor(scores, dtype=torch.float64, requires_grad=True)
    shifted = s - margin * F.one_hot(torch.tensor(label), 3).double()
    loss = F.cross_entropy(shifted[None], torch.tensor([label]))
    loss.backward()
    r = explain.softmax(scores, label, margin)
    _keys("softmax", r)
    np.testing.assert_allclose(r.result["probabilities"], torch.softmax(shifted, 0).detach().numpy(), rtol=1e-12)
    assert r.result["loss"] == pytest.approx(loss.item(), rel=1e-12)
    np.testing.assert_allclose(r.result["grad"], s.grad.numpy(), atol=1e-12)


def test_compare_result_by_hand():
    # gaps -4, 1; hinge 0 + 2 = 2; softmax log(1 + e^-4 + e^1) = 1.31818; |hinge grad|_1 = 2,
    # |softmax grad|_1 = 2 (1 - p_0) with p_0 = e^3 / (e^3 + e^-1 + e^4)
    r = explain.compare([3, -1, 4], 0)
    _keys("compare", r)
    p0 = math.exp(3) / (math.exp(3) + math.exp(-1) + math.exp(4))
    np.testing.assert_array_equal(r.result["gaps"], [-4, 1])
    assert r.result["hinge_loss"] == 2.0
    assert r.result["softmax_loss"] == pytest.approx(math.log(1 + math.exp(-4) + math.e), rel=1e-12)
    np.testing.assert_array_equal(r.result["hinge_grad"], [-1, 0, 1])
    assert r.result["softmax_grad"][0] == pytest.approx(p0 - 1, rel=1e-12)
    assert r.result["hinge_grad_l1"] == 2.0
    assert r.result["softmax_grad_l1"] == pytest.approx(2 * (1 - p0), rel=1e-12)
    assert (r.result["larger_loss"], r.result["larger_grad"]) == ("hinge", "hinge")


def test_linear_result_matches_torch():
    W, b, x = [[0.01, -0.05, 0.1, 0.05], [0.7, 0.2, 0.05, 0.16], [0.0, -0.45, -0.2, 0.03]], [0.0, 0.2, -0.3], \
        [-15.0, 22.0, -44.0, 56.0]
    r = explain.linear(W, b, x, 2)
    _keys("linear", r)
    # s = W x + b = [-2.85, 0.86, 0.28] (by hand in test_classification); hinge = 0 + (0.86 - 0.28 + 1)
    np.testing.assert_allclose(r.result["scores"], [-2.85, 0.86, 0.28], atol=1e-12)
    assert r.result["hinge_loss"] == pytest.approx(1.58, abs=1e-12)
    np.testing.assert_allclose(r.result["hinge_grad_w"], np.outer([0, 1, -1], x), atol=1e-12)
    weights = torch.tensor(W, dtype=torch.float64, requires_grad=True)
    scores = weights @ torch.tensor(x, dtype=torch.float64) + torch.tensor(b, dtype=torch.float64)
    loss = F.cross_entropy(scores[None], torch.tensor([2]))
    loss.backward()
    assert r.result["softmax_loss"] == pytest.approx(loss.item(), rel=1e-12)
    np.testing.assert_allclose(r.result["softmax_grad_w"], weights.grad.numpy(), atol=1e-12)


# ------------------------------------------------------------------ sigmoid, kl, distance
def test_sigmoid_result_matches_torch():
    points = [-7.0, 0.0, 2.0]
    t = torch.tensor(points, dtype=torch.float64, requires_grad=True)
    torch.sigmoid(t).sum().backward()
    r = explain.sigmoid(points)
    _keys("sigmoid", r)
    np.testing.assert_allclose(r.result["sigmoid"], torch.sigmoid(t).detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(r.result["derivative"], t.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(r.result["odds"], np.exp(points), rtol=1e-12)
    np.testing.assert_allclose(r.result["logit"], points, atol=1e-12)
    # S'(-7) = 9.1e-4 < 0.01; S'(0) = 0.25; S'(2) = 0.105
    np.testing.assert_array_equal(r.result["saturated"], [True, False, False])


def test_kl_result_matches_torch():
    p = torch.tensor([0.5, 0.5], dtype=torch.float64)
    q = torch.tensor([0.25, 0.75], dtype=torch.float64, requires_grad=True)
    forward = F.kl_div(q.log(), p, reduction="sum")
    forward.backward()
    r = explain.kl([1, 1], [1, 3])  # counts: normalised to the p and q above
    _keys("kl", r)
    np.testing.assert_allclose(r.result["p"], [0.5, 0.5])
    np.testing.assert_allclose(r.result["q"], [0.25, 0.75])
    assert r.result["kl_pq"] == pytest.approx(forward.item(), rel=1e-12)  # 0.5 ln(4/3)
    np.testing.assert_allclose(r.result["grad_kl_pq"], q.grad.numpy(), rtol=1e-12)  # -p/q = -2, -2/3
    # KL(q||p) = .25 ln(.5) + .75 ln(1.5); d/dq = log(q/p) + 1
    assert r.result["kl_qp"] == pytest.approx(0.25 * math.log(0.5) + 0.75 * math.log(1.5), rel=1e-12)
    np.testing.assert_allclose(r.result["grad_kl_qp"], [math.log(0.5) + 1, math.log(1.5) + 1], rtol=1e-12)


def test_kl_result_of_an_infinite_direction():
    # q_2 = 0.2 > 0 where p_2 = 0: KL(q||p) = inf, its gradient undefined (None); KL(p||q) = ln 1.25
    r = explain.kl([0.5, 0.5, 0], [0.4, 0.4, 0.2])
    _keys("kl", r)
    assert r.result["kl_qp"] == math.inf and r.result["grad_kl_qp"] is None
    assert r.result["kl_pq"] == pytest.approx(math.log(1.25), rel=1e-12)
    data = json.loads(json.dumps(r.to_dict()))["result"]
    assert data["kl_qp"] == "inf" and data["grad_kl_qp"] is None


def test_distance_result_matches_torch():
    x, y = [3.0, 4.0, 0.0], [1.0, 1.0, 1.0]
    tx, ty = torch.tensor(x, dtype=torch.float64), torch.tensor(y, dtype=torch.float64)
    r = explain.distance(x, y)
    _keys("distance", r)
    cosine = F.cosine_similarity(tx, ty, dim=0).item()  # 7 / (5 sqrt 3)
    assert r.result["euclidean_distance"] == pytest.approx(torch.dist(tx, ty).item(), rel=1e-12)
    assert r.result["cosine_similarity"] == pytest.approx(cosine, rel=1e-12)
    assert (r.result["norm_x"], r.result["norm_y"]) == (5.0, pytest.approx(math.sqrt(3), rel=1e-12))
    assert r.result["unit_vectors"] is False
    assert r.result["unit_euclidean_distance"] == pytest.approx(torch.dist(tx / 5, ty / math.sqrt(3)).item(), rel=1e-12)
    assert r.result["sqrt_2_minus_2_cosine"] == pytest.approx(math.sqrt(2 - 2 * cosine), rel=1e-12)
    assert r.result["identity_holds"] is True


# ------------------------------------------------------------------ conv, params, receptive field
def _output_size(n, k, s, p, d):
    return (n + 2 * p - d * (k - 1) - 1) // s + 1  # PyTorch's Conv2d shape formula


def test_conv_result_sizes_by_the_formula():
    r = explain.conv((7, 10), (3, 2), stride=(2, 3), padding=(1, 0), dilation=(2, 1), in_channels=3, out_channels=8)
    _keys("conv", r)
    assert r.result["output_size"] == (_output_size(7, 3, 2, 1, 2), _output_size(10, 2, 3, 0, 1)) == (3, 3)
    assert r.result["output_shape"] == (8, 3, 3)
    assert r.result["weights"] == 3 * 2 * 3 * 8 and r.result["parameters"] == 3 * 2 * 3 * 8 + 8
    # rows read: o*2 - 1 + {0, 2, 4} -> 1, 3, 5 in 0..6; columns {0,1}, {3,4}, {6,7} in 0..9
    assert r.result["unread_rows"] == (0, 2, 4, 6) and r.result["unread_columns"] == (2, 5, 8, 9)
    assert r.result["output"] is None


def test_conv_result_output_matches_torch():
    x, k = [[1, 2, 3, 0], [0, 1, 2, 3], [3, 0, 1, 2], [2, 3, 0, 1]], [[2, 0], [1, -1]]
    r = explain.conv(x=x, kernel=k, stride=2, bias=1)
    _keys("conv", r)
    as_torch = lambda a: torch.tensor(a, dtype=torch.float64)  # noqa: E731
    expected = F.conv2d(as_torch(x)[None, None], as_torch(k)[None, None], as_torch([1.0]), stride=2)[0, 0].numpy()
    np.testing.assert_array_equal(r.result["output"], expected)
    assert r.result["output_size"] == expected.shape == (2, 2)
    assert r.result["unread_rows"] == () == r.result["unread_columns"]  # windows 0..1 and 2..3


def test_params_result_matches_torch_modules():
    r = explain.params("conv:3x3x1->8/p1, bn:8, relu, pool:2x2, conv:3x3x8->16, fc:400->10")
    _keys("params", r)
    model = [torch.nn.Conv2d(1, 8, 3, padding=1), torch.nn.BatchNorm2d(8), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
             torch.nn.Conv2d(8, 16, 3), torch.nn.Linear(400, 10)]
    per_layer = tuple(sum(p.numel() for p in m.parameters()) for m in model)
    assert r.result["per_layer"] == per_layer
    assert r.result["parameters"] == sum(per_layer)
    assert r.result["layers"] == ("conv:3x3x1->8/p1", "bn:8", "relu", "pool:2x2", "conv:3x3x8->16", "fc:400->10")
    # the exam's model without biases: 2*2*3*2 + 8*10 = 104
    assert explain.params("conv:2x2x3->2,fc:8->10", bias=False).result["parameters"] == 104


def test_receptive_field_result_exam_seed():
    # exam 2.4: rf 1 + 2*1 = 3, then 3 + 1*3 = 6; jump 3*1 = 3; cell (1, 1) covers rows 3..8;
    # a 9x9 input gives (9 - 3)//3 + 1 = 3, then 3 - 2 + 1 = 2 outputs per axis
    r = explain.receptive_field("conv:3x3/s3,conv:2x2", cell=(1, 1), input_size=(9, 9))
    _keys("receptive-field", r)
    assert r.result["receptive_field"] == (6, 6) == r.result["window"]
    assert r.result["jump"] == (3, 3)
    assert r.result["input_rows"] == (3, 4, 5, 6, 7, 8) == r.result["input_columns"]
    assert r.result["cells_covered"] == 36 and r.result["padding_cells"] == 0
    assert r.result["output_size"] == (2, 2)


def test_receptive_field_result_without_input_size_and_with_padding():
    r = explain.receptive_field("conv:3x3/p1", cell=(0, 0))
    _keys("receptive-field", r)
    assert r.result["output_size"] is None and r.result["padding_cells"] is None
    assert r.result["input_rows"] == (-1, 0, 1)  # 0*1 - 1 + {0, 1, 2}
    # on a 4x4 input, 9 covered cells of which 2*2 = 4 are inside: 5 padding cells
    assert explain.receptive_field("conv:3x3/p1", cell=(0, 0), input_size=(4, 4)).result["padding_cells"] == 5


# ------------------------------------------------------------------ batchnorm, gradient signs, prox
def test_batchnorm_result_matches_torch():
    x = np.array([[1.0, 2.0], [3.0, 0.0], [5.0, 1.5], [0.5, -1.0]])
    tx = torch.tensor(x, requires_grad=True)
    running_mean, running_var = torch.zeros(2, dtype=torch.float64), torch.ones(2, dtype=torch.float64)
    y = F.batch_norm(tx, running_mean, running_var, training=True, momentum=0.1, eps=1e-5)
    (y * torch.arange(1, 5, dtype=torch.float64)[:, None]).sum().backward()
    r = explain.batchnorm(x)
    _keys("batchnorm", r)
    np.testing.assert_allclose(r.result["mean"], x.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(r.result["variance"], x.var(axis=0), rtol=1e-12)
    np.testing.assert_allclose(r.result["unbiased_variance"], x.var(axis=0, ddof=1), rtol=1e-12)
    np.testing.assert_allclose(r.result["x_hat"], (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5), rtol=1e-12)
    np.testing.assert_allclose(r.result["y"], y.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(r.result["grad_x"], tx.grad.numpy(), rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(r.result["running_mean"], running_mean.numpy(), rtol=1e-12)
    np.testing.assert_allclose(r.result["running_var"], running_var.numpy(), rtol=1e-12)


def test_batchnorm_result_of_one_feature_and_of_a_batch_of_one():
    # x = [1, 2, 3, 6]: mean 3, variance (4 + 1 + 0 + 9) / 4 = 3.5 (numbers for one feature)
    r = explain.batchnorm([1.0, 2.0, 3.0, 6.0])
    assert (r.result["mean"], r.result["variance"]) == (3.0, 3.5)
    assert r.result["unbiased_variance"] == pytest.approx(14 / 3, rel=1e-12)
    one = explain.batchnorm([[4.0, -2.0]], beta=[0.5, -1.0])
    _keys("batchnorm", one)
    np.testing.assert_array_equal(one.result["y"], [[0.5, -1.0]])  # x - mean = 0: y = beta
    assert one.result["unbiased_variance"] is None and one.result["running_var"] is None


def test_gradient_signs_result_matches_torch():
    # a = W1 x = [2 - 1, 1 + 0, -2 + 0] = [1, 1, -2] -> h = [1, 1, 0]; s = W2 h = [1, 1, 0] (a tie)
    W1, W2, x = [[1, -1, 0], [0, 1, 1], [-1, 0, 1]], [[1, 0, -1], [0, 1, 1], [-1, 1, 0]], [2, 1, 0]
    r = explain.gradient_signs(W1, W2, x, 1)
    _keys("gradient-signs", r)
    np.testing.assert_array_equal(r.result["pre_activations"], [1, 1, -2])
    np.testing.assert_array_equal(r.result["hidden"], [1, 1, 0])
    np.testing.assert_array_equal(r.result["scores"], [1, 1, 0])
    assert r.result["predicted_classes"] == (0, 1)
    # hinge: 1 - 1 + 1 = 1 > 0 (class 0), 0 - 1 + 1 = 0 (class 2, on the hinge point: 0)
    assert r.result["hinge_loss"] == 1.0
    np.testing.assert_array_equal(r.result["hinge_grad_scores"], [1, -1, 0])
    np.testing.assert_array_equal(r.result["hinge_signs_w1"], [["+", "+", "0"], ["-", "-", "0"], ["0", "0", "0"]])


def test_gradient_signs_result_matches_torch_on_a_random_net():
    # random weights: no score gap lands exactly on the hinge point, where torch's clamp takes
    # the subgradient 1 and gradcraft 0
    rng = np.random.default_rng(2)
    W1, W2, x, label = rng.standard_normal((4, 3)), rng.standard_normal((3, 4)), rng.standard_normal(3), 0
    r = explain.gradient_signs(W1, W2, x, label)
    assert r.result["hinge_loss"] > 0  # (8.38 here) so the hinge gradient is not trivially 0
    for loss_name in ("hinge", "softmax"):
        w1 = torch.tensor(W1, dtype=torch.float64, requires_grad=True)
        s = torch.tensor(W2, dtype=torch.float64) @ torch.relu(w1 @ torch.tensor(x, dtype=torch.float64))
        s.retain_grad()
        if loss_name == "softmax":
            loss = F.cross_entropy(s[None], torch.tensor([label]))
        else:
            terms = torch.clamp(s - s[label] + 1, min=0)
            loss = terms.sum() - terms[label]
        loss.backward()
        assert r.result[f"{loss_name}_loss"] == pytest.approx(loss.item(), rel=1e-12)
        np.testing.assert_allclose(r.result[f"{loss_name}_grad_scores"], s.grad.numpy(), atol=1e-12)
        np.testing.assert_allclose(r.result[f"{loss_name}_grad_w1"], w1.grad.numpy(), atol=1e-12)
        g = w1.grad.numpy()
        np.testing.assert_array_equal(r.result[f"{loss_name}_signs_w1"],
                                      np.where(g > 1e-12, "+", np.where(g < -1e-12, "-", "0")))


def test_prox_result_matches_torch_softshrink():
    x = [3.0, -0.5, 1.0, -2.5]
    r = explain.prox(x, 1.0)
    _keys("prox", r)
    np.testing.assert_array_equal(r.result["prox"], F.softshrink(torch.tensor(x, dtype=torch.float64), 1.0).numpy())
    assert r.result["zeroed"] == 2  # -0.5 and 1.0 (|x| <= 1)


# ------------------------------------------------------------------ the CLI's --json
def test_issue_example_json_result_loss(cli):
    # `gradcraft explain hinge --scores 3 -1 4 --label 0 --json | jq .result.loss` gives 2
    data = cli("hinge", "--scores", "3", "-1", "4", "--label", "0", "--json").json()
    assert data["result"]["loss"] == 2
    assert data["result"] == {"loss": 2.0, "grad": [-1.0, 0.0, 1.0], "terms": [0.0, 0.0, 2.0], "violating": [2]}
    assert [s["name"] for s in data["steps"]][-2:] == ["loss", "dL/ds"]  # the steps are still there


def test_the_result_in_json_is_at_full_precision(cli):
    # softmax p of [0, 1]: 1 / (1 + e) = 0.2689414213699951, whatever --precision is
    data = cli("softmax", "--scores", "0", "1", "--label", "0", "--json", "--precision", "2").json()
    assert data["result"]["probabilities"][0] == pytest.approx(1 / (1 + math.e), rel=1e-15)


def test_result_values_are_plain_python_or_numpy():
    # NumPy scalars are turned into Python numbers, so `result` compares and prints plainly
    r = explain.distance([1.0, 0.0], [0.0, 1.0])
    assert type(r.result["cosine_similarity"]) is float and type(r.result["identity_holds"]) is bool
    assert type(explain.prox([1.0], 0.5).result["zeroed"]) is int
