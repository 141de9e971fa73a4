"""`gradcraft.train`: the `fit` loop, its `History`, callbacks, checkpoints and scoring helpers.

    from gradcraft.train import fit, EarlyStopping, ModelCheckpoint, evaluate, predict

    history = fit(model, softmax_cross_entropy, optimizer, train_loader, val_loader, epochs=20,
                  callbacks=[EarlyStopping(patience=3), ModelCheckpoint("ckpt.safetensors")])
    history = fit(..., epochs=20, resume_from="ckpt.safetensors")   # continue a stopped run

Modules: `loop` (fit), `state` (TrainingState), `checkpoint` (what a checkpoint holds, resume),
`callbacks`, `history`, `evaluation` (evaluate, predict), `progress` (what verbose shows),
`random_state`, `penalty` (l2), `signals` (SIGINT/SIGTERM at safe points); and what the
`gradcraft train` command builds on: `config` (TrainConfig), `runs` (train_run, resume_run),
`rundir` (run directories), `reload` (load_run, evaluate_run).
"""

from .callbacks import Callback, EarlyStopping, LambdaCallback, ModelCheckpoint
from .checkpoint import save_checkpoint
from .evaluation import evaluate, predict
from .history import COLUMNS, History
from .loop import NonFiniteLossError, fit
from .penalty import l2_penalty
from .state import TrainingState

__all__ = ["fit", "History", "COLUMNS", "Callback", "EarlyStopping", "ModelCheckpoint",
           "LambdaCallback", "TrainingState", "NonFiniteLossError", "l2_penalty", "evaluate",
           "predict", "save_checkpoint"]
