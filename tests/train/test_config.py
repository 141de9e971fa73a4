"""`read_toml` and the `hidden` setting: errors name the file and what was typed."""

import pytest

from gradcraft.training.config import TrainConfig, read_toml


def test_non_utf8_config_names_the_file_from_python_too(tmp_path):
    path = tmp_path / "run.toml"
    path.write_bytes(b"# r\xe9glages\nlr = 0.1\n")          # Latin-1 e-acute at byte 3
    with pytest.raises(ValueError, match=r"config file .*run\.toml is not UTF-8 text \(byte 3: b'\\xe9'\)"):
        read_toml(path)


@pytest.mark.parametrize("typed, expected", [("512,512", (512, 512)), (" 64 , 32 ", (64, 32)),
                                              ("", ()), (128, (128,))])
def test_hidden_accepts_widths(typed, expected):
    assert TrainConfig(hidden=typed).hidden == expected


@pytest.mark.parametrize("typed", ["64,,32", "64,", ",64"])
def test_hidden_refuses_empty_entries(typed):
    with pytest.raises(ValueError, match="hidden must be comma-separated layer widths"):
        TrainConfig(hidden=typed)
