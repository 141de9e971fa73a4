"""`gradcraft summary MODEL --input-shape C,H,W`: the table, --json, model options, bad input."""

import json

import pytest

from gradcraft.cli import main


def test_table_of_vgg_small(capsys):
    assert main(["summary", "vgg-small", "--input-shape", "3,32,32"]) == 0
    out = capsys.readouterr().out
    # (3*9+1)*32 + (32*9+1)*32 + (32*9+1)*64 + (64*9+1)*64 + (4096+1)*256 + 257*10
    assert "Total params: 1,116,970" in out
    assert "[1, 64, 8, 8]" in out and "MaxPool2d" in out


def test_json_with_model_options(capsys):
    argv = ["summary", "vgg-small", "--input-shape", "1,28,28", "--batch-norm", "--dropout", "0.5",
            "--num-classes", "7", "--json"]
    assert main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    types = [layer["type"] for layer in data["layers"]]
    assert types.count("BatchNorm2d") == 4 and types.count("Dropout") == 1
    assert data["layers"][0]["output_shape"] == [1, 7]
    # 28x28 -> 7x7 after two poolings: the first Linear takes 64*7*7 features
    linear = next(layer for layer in data["layers"] if layer["type"] == "Linear")
    assert linear["params"] == 64 * 7 * 7 * 256 + 256
    assert data["model"] == "vgg-small" and data["input_shape"] == [1, 28, 28]


@pytest.mark.parametrize("name", ["mlp", "lenet5", "resnet-small"])
def test_every_model_on_the_digits_shape(name, capsys):
    assert main(["summary", name, "--input-shape", "1,8,8", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["layers"][0]["output_shape"] == [1, 10]


@pytest.mark.parametrize("argv, words", [
    (["summary", "nope", "--input-shape", "1,8,8"], ["unknown model 'nope'", "vgg-small"]),
    (["summary", "lenet5", "--input-shape", "1,x,8"], ["--input-shape", "'1,x,8'"]),
    (["summary", "lenet5", "--input-shape", "1,0,8"], ["positive", "'1,0,8'"]),
    (["summary", "vgg-small", "--input-shape", "1,2,2"], ["vgg_small", "2x2 is too small"]),
    (["summary", "lenet5", "--input-shape", "64"], ["lenet5", "(C, H, W)"]),
    (["summary", "lenet5", "--input-shape", "1,8,8", "--batch-norm"], ["batch-norm", "lenet5"]),
    (["summary", "vgg-small"], ["--input-shape"]),
])
def test_bad_input_is_one_line(error_line, argv, words):
    line = error_line(argv)
    assert all(word in line for word in words), line
