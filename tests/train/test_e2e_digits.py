"""End to end on the embedded 8x8 digits: a small MLP reaches a measured accuracy quickly."""

import time

from gradcraft import data, optim
from gradcraft.losses import softmax_cross_entropy
from gradcraft.models import mlp
from gradcraft.train import EarlyStopping, evaluate, fit


def test_small_mlp_learns_the_digits_in_seconds(digits):
    train, val, test = digits
    model = mlp(64, hidden=(64,), num_classes=10, seed=0)
    started = time.perf_counter()
    history = fit(model, softmax_cross_entropy, optim.Adam(model.parameters(), lr=3e-3),
                  data.DataLoader(train, batch_size=32, shuffle=True, seed=0),
                  data.DataLoader(val, batch_size=512), epochs=5,
                  callbacks=[EarlyStopping(patience=3)], verbose=False)
    seconds = time.perf_counter() - started
    accuracy = evaluate(model, test)["accuracy"]
    # Measured: 96.4% test accuracy in 0.15 s (quiet machine); 5 seeds gave 94.7%..96.7%.
    assert accuracy >= 0.93
    assert history.train_loss[-1] < 0.2 * history.train_loss[0]
    assert history.val_acc[-1] >= 0.92
    assert seconds < 30  # generous: the machine is shared
