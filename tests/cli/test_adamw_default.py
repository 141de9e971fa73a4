"""`gradcraft train --optimizer adamw` decays weights by default (0.01, torch.optim.AdamW's
default); an explicit 0 means 0; config.json records the value used."""

import inspect
import json

import numpy as np
import pytest
import torch
from safetensors.numpy import load_file

from gradcraft import nn
from gradcraft.cli import main
from gradcraft.optim.registry import OPTIMIZERS
from gradcraft.train.config import TrainConfig
from gradcraft.train.reload import load_run
from gradcraft.train.runs import make_optimizer

TINY = ["train", "--epochs", "1", "--hidden", "8", "--seed", "3", "--quiet"]
TORCH_CLASS = {"sgd": torch.optim.SGD, "momentum": torch.optim.SGD, "adagrad": torch.optim.Adagrad,
               "rmsprop": torch.optim.RMSprop, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW,
               "adadelta": torch.optim.Adadelta, "nadam": torch.optim.NAdam, "radam": torch.optim.RAdam,
               "adamax": torch.optim.Adamax}


def test_default_weight_decays_are_torchs():
    assert set(OPTIMIZERS) == set(TORCH_CLASS)
    for name, entry in OPTIMIZERS.items():
        torch_default = inspect.signature(TORCH_CLASS[name]).parameters["weight_decay"].default
        assert entry.weight_decay == torch_default, name
    assert OPTIMIZERS["adamw"].weight_decay == 0.01


def test_config_resolves_the_default_per_optimizer_and_keeps_an_explicit_zero():
    assert TrainConfig(optimizer="adamw").weight_decay == 0.01
    assert TrainConfig(optimizer="adamw", weight_decay=0).weight_decay == 0.0
    assert TrainConfig(optimizer="adam").weight_decay == 0.0
    assert TrainConfig().weight_decay == 0.0  # the default optimizer is adam
    assert TrainConfig(optimizer="momentum", weight_decay=1e-4).weight_decay == 1e-4
    # a recorded config rebuilds to the same value (gradcraft evaluate)
    assert TrainConfig.from_dict(TrainConfig(optimizer="adamw").to_dict()).weight_decay == 0.01


def test_make_optimizer_uses_the_optimizers_own_default():
    layer = nn.Linear(2, 2, rng=0)
    assert make_optimizer("adamw", layer.parameters(), 0.001).param_groups[0]["weight_decay"] == 0.01
    assert make_optimizer("adamw", layer.parameters(), 0.001, 0.0).param_groups[0]["weight_decay"] == 0.0
    assert make_optimizer("adam", layer.parameters(), 0.001).param_groups[0]["weight_decay"] == 0.0


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """name -> run directory of the same tiny run with adam, adamw, adamw --weight-decay 0."""
    root = tmp_path_factory.mktemp("adamw")
    variants = {"adam": ["--optimizer", "adam"], "adamw": ["--optimizer", "adamw"],
                "adamw-0": ["--optimizer", "adamw", "--weight-decay", "0"]}
    for name, flags in variants.items():
        assert main([*TINY, *flags, "--out", str(root / name)]) == 0
    return {name: root / name for name in variants}


def recorded(run_dir):
    return json.loads((run_dir / "config.json").read_text())


def test_config_json_records_the_weight_decay_used(runs):
    assert recorded(runs["adamw"])["config"]["weight_decay"] == 0.01
    assert recorded(runs["adamw-0"])["config"]["weight_decay"] == 0.0
    assert recorded(runs["adam"])["config"]["weight_decay"] == 0.0
    assert load_run(runs["adamw"]).config.weight_decay == 0.01


def test_adamw_run_differs_from_adam_only_by_the_decay(runs):
    weights = {name: load_file(str(path / "model.safetensors")) for name, path in runs.items()}
    # AdamW without decay is Adam step for step (lr 0.001 for both): bit-identical runs ...
    for key, value in weights["adam"].items():
        np.testing.assert_array_equal(weights["adamw-0"][key], value, err_msg=key)
    assert recorded(runs["adamw-0"])["results"]["test_loss"] == recorded(runs["adam"])["results"]["test_loss"]
    # ... and the default decay moves every weight matrix.
    for key in ("1.weight", "4.weight"):
        assert not np.array_equal(weights["adamw"][key], weights["adam"][key]), key
    assert recorded(runs["adamw"])["results"]["test_loss"] != recorded(runs["adam"])["results"]["test_loss"]


def test_toml_weight_decay_zero_is_kept(tmp_path):
    config = tmp_path / "run.toml"
    config.write_text('optimizer = "adamw"\nweight_decay = 0\n')
    out = tmp_path / "run"
    assert main([*TINY, "--config", str(config), "--out", str(out)]) == 0
    assert recorded(out)["config"]["weight_decay"] == 0.0
