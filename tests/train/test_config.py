"""`read_toml` and the settings of TrainConfig: errors name the file, the setting and what was
typed; dataset names in any case; --data-dir only where it is read."""

import pytest

from gradcraft.train.config import TrainConfig, read_toml


def test_non_utf8_config_names_the_file_from_python_too(tmp_path):
    path = tmp_path / "run.toml"
    path.write_bytes(b"# r\xe9glages\nlr = 0.1\n")          # Latin-1 e-acute at byte 3
    with pytest.raises(ValueError, match=r"config file .*run\.toml is not UTF-8 text \(byte 3: b'\\xe9'\)"):
        read_toml(path)


@pytest.mark.parametrize("typed, expected", [("512,512", (512, 512)), (" 64 , 32 ", (64, 32)),
                                              (128, (128,)), ([16], (16,))])
def test_hidden_accepts_widths(typed, expected):
    assert TrainConfig(hidden=typed).hidden == expected


@pytest.mark.parametrize("typed", ["", "  ", [], ()])
def test_hidden_refuses_no_layers(typed):
    """An MLP without hidden layers would be a linear model announced as an MLP."""
    with pytest.raises(ValueError, match=r"hidden must hold at least one layer width, e.g. --hidden "
                                         r"256,256 \(an MLP without hidden layers would be a linear model\)"):
        TrainConfig(hidden=typed)


@pytest.mark.parametrize("typed", ["64,,32", "64,", ",64"])
def test_hidden_refuses_empty_entries(typed):
    with pytest.raises(ValueError, match="hidden must be comma-separated layer widths"):
        TrainConfig(hidden=typed)


@pytest.mark.parametrize("typed, canonical", [("MNIST", "mnist"), ("Fashion-MNIST", "fashion-mnist"),
                                              ("fashion_mnist", "fashion-mnist"), ("CIFAR-10", "cifar10"),
                                              ("Digits", "digits"), ("cifar10", "cifar10")])
def test_dataset_names_in_any_case(typed, canonical):
    assert TrainConfig(dataset=typed).dataset == canonical


def test_unknown_dataset_lists_the_names():
    with pytest.raises(ValueError, match="dataset must be one of 'digits', 'mnist', 'fashion-mnist', "
                                         "'cifar10', got 'svhn'"):
        TrainConfig(dataset="svhn")
    with pytest.raises(TypeError, match=r"dataset must be one of .*, got 3 \(int\)"):
        TrainConfig(dataset=3)


def test_data_dir_with_the_embedded_dataset_is_refused(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match=r"data-dir: the dataset 'digits' is embedded \(it needs no "
                                         r"files\), so data-dir .* would be ignored"):
        TrainConfig(data_dir=str(tmp_path))
    assert TrainConfig(dataset="mnist", data_dir=str(tmp_path)).data_dir == str(tmp_path)
    monkeypatch.setenv("GRADCRAFT_DATA", str(tmp_path))   # a default, not a request: no error
    assert TrainConfig().data_dir is None


@pytest.mark.parametrize("settings, error, message", [
    (dict(lr="0.1"), TypeError, r"lr must be a real number, got '0.1' \(str\)"),
    (dict(batch_size=0), ValueError, "batch-size must be a positive int, got 0"),
    (dict(batch_size=6.0), TypeError, r"batch-size must be an int, got 6.0 \(float\)"),
    (dict(val_fraction=1.0), ValueError, r"val-fraction must be in \[0, 1\), got 1.0"),
    (dict(optimizer="Adam9"), ValueError, "optimizer must be one of 'sgd', 'momentum', 'adagrad', "
                                          "'rmsprop', 'adam', 'adamw', 'adadelta', 'nadam', 'radam', "
                                          "'adamax', got 'Adam9'"),
    (dict(hidden=[64, True]), TypeError, r"hidden\[1\] must be an int, got True \(bool\)"),
    (dict(data_dir=5, dataset="mnist"), TypeError, r"data-dir must be a path \(a str\), got 5 \(int\)"),
])
def test_settings_are_checked_by_type_and_value(settings, error, message):
    with pytest.raises(error, match=message):
        TrainConfig(**settings)


def test_defaults_come_from_the_optimizer_table():
    """lr from the registry's table, weight decay from the optimizer class's own signature."""
    import inspect

    from gradcraft import optim

    assert TrainConfig(optimizer="sgd").lr == 0.1 and TrainConfig(optimizer="momentum").lr == 0.01
    assert TrainConfig(optimizer="adamw").weight_decay == \
        inspect.signature(optim.AdamW).parameters["weight_decay"].default == 0.01
