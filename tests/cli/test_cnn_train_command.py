"""`gradcraft train --model vgg-small|lenet5` and `--batch-norm` from the command line."""

import json

from gradcraft.cli import main


def test_train_and_evaluate_a_cnn_from_the_command_line(tmp_path, capsys):
    out = tmp_path / "run"
    code = main(["train", "--model", "vgg-small", "--batch-norm", "--dropout", "0.5", "--epochs", "2",
                 "--seed", "3", "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0
    assert "model vgg-small (batch norm, " in printed
    config = json.loads((out / "config.json").read_text())["config"]
    assert config["model"] == "vgg-small" and config["batch_norm"] is True
    accuracy = float(printed.split("test accuracy: ")[1].split("%")[0])
    assert accuracy > 50   # 10 digit classes: chance is 10%; two epochs of this CNN reach ~90%
    assert main(["evaluate", str(out)]) == 0
    assert f"{accuracy:.2f}%" in capsys.readouterr().out   # the same model was rebuilt


def test_batch_norm_on_a_model_without_it_is_one_line(error_line, tmp_path):
    line = error_line(["train", "--model", "lenet5", "--batch-norm", "--out", tmp_path / "x"])
    assert "batch-norm" in line and "lenet5" in line
