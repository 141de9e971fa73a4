"""fit(): the loop against a hand-written PyTorch loop, the L2 penalty, NaN detection, validation."""

import numpy as np
import pytest
import torch

import gradcraft as gc
from gradcraft import data, nn, optim
from gradcraft.losses import softmax_cross_entropy
from gradcraft.train import NonFiniteLossError, fit, l2_penalty


def torch_copy(model):
    """The same 4-8-3 MLP in PyTorch, with the gradcraft model's current weights."""
    net = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    net.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in model.state_dict().items()})
    return net


@pytest.mark.parametrize("l2", [0.0, 0.05])
def test_matches_a_pytorch_loop(blobs, make_tiny_mlp, l2):
    """SGD with momentum, shuffled batches of 16 (the loader's order is default_rng([seed, epoch])),
    3 epochs: the same weights, train losses, validation losses and accuracies as torch."""
    model = make_tiny_mlp()
    net = torch_copy(model)
    history = fit(model, softmax_cross_entropy, optim.SGD(model.parameters(), lr=0.1, momentum=0.9),
                  data.DataLoader(blobs, batch_size=16, shuffle=True, seed=3),
                  data.DataLoader(blobs, batch_size=20), epochs=3, l2=l2, verbose=False)

    x_all, y_all = (torch.from_numpy(a) for a in blobs.arrays)
    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    for epoch in range(3):
        order = np.random.default_rng([3, epoch]).permutation(len(blobs))
        losses, correct = [], 0
        for start in range(0, 48, 16):
            idx = torch.from_numpy(order[start:start + 16])
            scores = net(x_all[idx])
            loss = torch.nn.functional.cross_entropy(scores, y_all[idx])
            penalty = l2 / 2 * (net[0].weight.pow(2).sum() + net[2].weight.pow(2).sum())
            opt.zero_grad()
            (loss + penalty).backward()
            opt.step()
            losses.append(loss.item())
            correct += (scores.argmax(1) == y_all[idx]).sum().item()
        with torch.no_grad():
            val_scores = net(x_all)
            val_loss = torch.nn.functional.cross_entropy(val_scores, y_all).item()
            val_acc = (val_scores.argmax(1) == y_all).float().mean().item()
        record = history[epoch]
        assert record["train_loss"] == pytest.approx(np.mean(losses), rel=1e-5)
        assert record["train_acc"] == correct / 48
        assert record["val_loss"] == pytest.approx(val_loss, rel=1e-5)
        assert record["val_acc"] == pytest.approx(val_acc)
        assert record["lr"] == 0.1 and record["seconds"] > 0
    for name, value in model.state_dict().items():
        np.testing.assert_allclose(value, net.state_dict()[name].numpy(), rtol=1e-4, atol=1e-6)


def test_l2_penalty_value_and_gradient_by_hand():
    layer = nn.Linear(2, 2, rng=0)
    layer.weight.data[...] = [[1.0, 2.0], [3.0, -1.0]]
    layer.bias.data[...] = [10.0, 10.0]                   # biases are not penalised
    model = nn.Sequential(layer)
    penalty = l2_penalty(model, 0.5)
    assert penalty.item() == pytest.approx(0.25 * (1 + 4 + 9 + 1))   # lam/2 * sum W^2 = 3.75
    penalty.backward()
    np.testing.assert_array_equal(layer.weight.grad, [[0.5, 1.0], [1.5, -0.5]])  # lam * W
    assert layer.bias.grad is None


def test_l2_penalty_equals_sgd_weight_decay(blobs, make_tiny_mlp):
    """Without biases, the penalty's gradient lam*W is exactly SGD's weight_decay=lam."""
    def train(l2, weight_decay):
        model = make_tiny_mlp(bias=False)
        fit(model, softmax_cross_entropy, optim.SGD(model.parameters(), lr=0.2, weight_decay=weight_decay),
            data.DataLoader(blobs, batch_size=12, shuffle=True, seed=1), epochs=3, l2=l2, verbose=False)
        return model.state_dict()

    penalised, decayed, plain = train(0.1, 0.0), train(0.0, 0.1), train(0.0, 0.0)
    for name in penalised:
        np.testing.assert_allclose(penalised[name], decayed[name], rtol=1e-5, atol=1e-7)
        assert not np.allclose(penalised[name], plain[name], rtol=1e-3)


def test_nan_loss_stops_with_epoch_step_and_advice(digits):
    train, _, _ = digits
    model = nn.Sequential(nn.Flatten(), nn.Linear(64, 32, rng=0), nn.ReLU(), nn.Linear(32, 10, rng=1))
    with pytest.raises(NonFiniteLossError) as caught:
        fit(model, softmax_cross_entropy, optim.SGD(model.parameters(), lr=1e6),
            data.DataLoader(train, batch_size=64, shuffle=True, seed=0), epochs=3, verbose=False)
    error = caught.value
    assert error.epoch == 1 and error.step >= 2
    assert not np.isfinite(error.loss)
    message = str(error)
    assert f"epoch 1, step {error.step} of 21" in message
    assert "learning rate (1e+06) is probably too high" in message
    assert len(error.history) == 0


def test_history_without_validation_has_no_val_columns(blobs, make_tiny_mlp):
    model = make_tiny_mlp()
    history = fit(model, softmax_cross_entropy, optim.Adam(model.parameters(), lr=0.01),
                  data.DataLoader(blobs, batch_size=16), epochs=2, verbose=False)
    assert history.val_loss == [None, None] and history.val_acc == [None, None]
    assert history.train_loss[1] < history.train_loss[0]


def test_scheduler_lr_is_recorded_per_epoch(blobs, make_tiny_mlp):
    model = make_tiny_mlp()
    optimizer = optim.SGD(model.parameters(), lr=0.4)
    history = fit(model, softmax_cross_entropy, optimizer, data.DataLoader(blobs, batch_size=16),
                  epochs=3, scheduler=optim.StepLR(optimizer, step_size=1, gamma=0.5), verbose=False)
    assert history.lr == pytest.approx([0.4, 0.2, 0.1])


def test_verbose_output_is_plain_text_when_not_a_terminal(blobs, make_tiny_mlp):
    import io

    from rich.console import Console

    stream = io.StringIO()
    model = make_tiny_mlp()
    fit(model, softmax_cross_entropy, optim.SGD(model.parameters(), lr=0.1),
        data.DataLoader(blobs, batch_size=16), data.DataLoader(blobs, batch_size=48), epochs=2,
        console=Console(file=stream, width=100))
    lines = stream.getvalue().splitlines()
    assert "\x1b" not in stream.getvalue()                 # no colour or cursor codes
    assert lines[0].split() == ["epoch", "train", "loss", "train", "acc", "val", "loss", "val", "acc", "lr", "time"]
    assert [line.split()[0] for line in lines[1:]] == ["1/2", "2/2"]


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(epochs=0), ValueError, "epochs must be a positive int, got 0"),
    (dict(epochs=2.0), TypeError, r"epochs must be an int, got 2.0 \(float\)"),
    (dict(epochs=2, l2=-1.0), ValueError, "l2 must be >= 0, got -1.0"),
    (dict(epochs=2, callbacks=[print]), TypeError, "callbacks must be Callback instances"),
    (dict(epochs=2, callbacks=gc.train.EarlyStopping(monitor="train_loss")), TypeError,
     r"callbacks must be a list of Callbacks, got a single EarlyStopping; wrap it: callbacks=\[...\]"),
    (dict(epochs=2, loss_fn="softmax"), TypeError, "loss_fn must be callable"),
])
def test_bad_arguments(blobs, make_tiny_mlp, kwargs, error, message):
    model = make_tiny_mlp()
    args = dict(loss_fn=softmax_cross_entropy)
    args.update(kwargs)
    with pytest.raises(error, match=message):
        fit(model, args.pop("loss_fn"), optim.SGD(model.parameters(), lr=0.1), data.DataLoader(blobs, batch_size=8),
            verbose=False, **args)


def test_labels_of_the_wrong_shape_are_named(make_tiny_mlp):
    model = make_tiny_mlp()
    bad = data.TensorDataset(np.zeros((8, 4), np.float32), np.zeros((8, 3), np.int64))
    with pytest.raises(ValueError, match="labels"):
        fit(model, softmax_cross_entropy, optim.SGD(model.parameters(), lr=0.1),
            data.DataLoader(bad, batch_size=8), epochs=1, verbose=False)


def test_float64_models_train(blobs, make_tiny_mlp):
    model = make_tiny_mlp().to(np.float64)
    loader = data.DataLoader(blobs, batch_size=16, float_dtype="float64")
    history = fit(model, softmax_cross_entropy, optim.SGD(model.parameters(), lr=0.1), loader, epochs=2,
                  verbose=False)
    assert model.state_dict()["0.weight"].dtype == np.float64 and len(history) == 2
    assert gc.tensor(1.0).dtype == np.float32  # nothing global changed


def test_progress_bar_is_drawn_on_a_terminal(blobs, make_tiny_mlp):
    import io

    from rich.console import Console

    stream = io.StringIO()
    model = make_tiny_mlp()
    fit(model, softmax_cross_entropy, optim.SGD(model.parameters(), lr=0.1), data.DataLoader(blobs, batch_size=16),
        epochs=2, console=Console(file=stream, force_terminal=True, width=120))
    text = stream.getvalue()
    assert "epoch 2/2" in text and "3/3" in text and "loss " in text   # the bar: steps and running loss
    assert "\x1b[" in text                                               # drawn with control codes
