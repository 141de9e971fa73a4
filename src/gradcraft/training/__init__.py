"""Training: the `fit` loop, its `History`, callbacks, and scoring helpers.

    history = fit(model, softmax_cross_entropy, optimizer, train_loader, val_loader, epochs=20,
                  callbacks=[EarlyStopping(patience=3), ModelCheckpoint("ckpt.safetensors")])

Also available as `gradcraft.train`.
"""

from .callbacks import Callback, EarlyStopping, LambdaCallback, ModelCheckpoint
from .evaluation import evaluate, predict
from .history import COLUMNS, History
from .loop import NonFiniteLossError, TrainingState, fit, l2_penalty

__all__ = ["fit", "History", "COLUMNS", "Callback", "EarlyStopping", "ModelCheckpoint",
           "LambdaCallback", "TrainingState", "NonFiniteLossError", "l2_penalty", "evaluate",
           "predict"]
